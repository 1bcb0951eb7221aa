"""The job photo, made phone-sized: a cheap phone on a thin data plan should not pull a 4 MB photo.

The phone-sized copy (at most 720 px, JPEG) is made once and kept beside the original in the same
storage, under a name nobody can guess without the original's.
"""

from __future__ import annotations

import io
import mimetypes

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

MAX_SIDE = 720


def _phone_name(name: str) -> str:
    return f"{name}.phone.jpg"


def photo_bytes(photo, *, full: bool = False) -> tuple[bytes, str]:
    """``(data, content type)`` of ``photo`` (a FieldFile): the original if ``full``, else the phone copy."""
    storage = photo.storage
    if full:
        with storage.open(photo.name, "rb") as f:
            return f.read(), mimetypes.guess_type(photo.name)[0] or "application/octet-stream"
    small = _phone_name(photo.name)
    if not storage.exists(small):
        with storage.open(photo.name, "rb") as f:
            image = ImageOps.exif_transpose(Image.open(f))
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=70, optimize=True, progressive=True)
        storage.save(small, ContentFile(out.getvalue()))
    with storage.open(small, "rb") as f:
        return f.read(), "image/jpeg"
