"""The job photo, made phone-sized: a cheap phone on a thin data plan should not pull a 4 MB photo.

The phone-sized copy (at most 720 px, JPEG) is made once, by ``dispatch.tasks.make_job_photo_copy`` after
the job is saved, and kept beside the original in the same storage, under a name nobody can guess without
the original's (``workshop.uploads.phone_copy_make``). A request never decodes an image: it serves the copy
when it is there, else the original's bytes.
"""

from __future__ import annotations

import mimetypes

from workshop.uploads import phone_copy_name


def photo_bytes(photo, *, full: bool = False) -> tuple[bytes, str]:
    """``(data, content type)`` of ``photo`` (a FieldFile): the phone copy, or the original if ``full`` or
    while the copy is not made yet. Reads stored bytes only; decodes nothing."""
    storage = photo.storage
    small = phone_copy_name(photo.name)
    if not full and storage.exists(small):
        with storage.open(small, "rb") as f:
            return f.read(), "image/jpeg"
    with storage.open(photo.name, "rb") as f:
        return f.read(), mimetypes.guess_type(photo.name)[0] or "application/octet-stream"
