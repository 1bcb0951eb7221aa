"""Uploads bounded before anything decodes them: an image's pixels from its header, an xlsx's zip from its
directory.

- Images: ``width × height`` read from the header (Pillow's ``Image.open`` reads the header only, never
  the pixels) against ``settings.NUANXIN_MAX_IMAGE_PIXELS`` (default 40 megapixels). A PNG of a few hundred
  KB can be 12,000 px a side and take gigabytes to decode; it is refused by :class:`BoundedImageField`
  before Django's own ``ImageField`` check runs. Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) is set
  from the same setting when the app starts (``workshop.apps``), so any decode elsewhere refuses too.
- xlsx: a zip. :func:`xlsx_zip_check` reads only the zip's central directory and refuses a file whose
  members together unpack to more than ``XLSX_MAX_UNCOMPRESSED`` bytes, a member packed more tightly than
  ``XLSX_MAX_RATIO`` to 1 (a zip bomb: a few hundred KB that unpack to gigabytes), or more than
  ``XLSX_MAX_MEMBERS`` members. Python's ``zipfile`` never unpacks more than a member's declared size, so a
  directory that lies about sizes cannot get past this either.
- A request body over ``settings.NUANXIN_UPLOAD_MAX_MB`` (its ``Content-Length``) is answered 413 by
  :class:`UploadTooBigMiddleware` before Django reads it (nginx's ``client_max_body_size`` does the same
  in front); below it, Django keeps an upload over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` on disk, not in memory.
- Phone-sized copies (:func:`phone_copy_make`): made once, by a task after the upload's transaction
  commits, and kept beside the original; a request serves the copy or the original's bytes, and never
  decodes an image.
"""

from __future__ import annotations

import io
import warnings
import zipfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.shortcuts import render
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # bytes, all members unpacked
XLSX_MAX_RATIO = 100  # unpacked bytes per packed byte, for a member over XLSX_RATIO_FROM bytes unpacked
XLSX_RATIO_FROM = 1024 * 1024  # small parts (styles, blank rows) pack tightly, harmlessly
XLSX_MAX_MEMBERS = 1000
PHONE_SIDE = 720  # px: the longer side of an image's phone-sized copy


def max_image_pixels() -> int:
    """The most pixels (width × height) an uploaded image may have: ``settings.NUANXIN_MAX_IMAGE_PIXELS``."""
    return int(settings.NUANXIN_MAX_IMAGE_PIXELS)


def image_size(file) -> tuple[int, int] | None:
    """``(width, height)`` in pixels from the image header of ``file`` (a path, or a file object that is
    rewound afterwards); no pixel is decoded. None when Pillow does not know the format. An image over
    twice Pillow's own limit has its size read from the exception Pillow raises, not decoded."""
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                return image.size
    except Image.DecompressionBombError:
        return (max_image_pixels() + 1, 1)  # more than twice the limit: too big, whatever the sides
    except Exception:  # Pillow raises many kinds for a file that is not an image
        return None
    finally:
        if position is not None:
            file.seek(position)


def image_pixels_check(file) -> None:
    """Raise ValidationError (code ``too_many_pixels``) when the image in ``file`` has more pixels than
    :func:`max_image_pixels`, in the user's language; checked from the header only. A file that is not
    an image passes here (the image field says so itself)."""
    size = image_size(file)
    if size is None:
        return
    width, height = size
    if width * height > max_image_pixels():
        raise ValidationError(
            _("照片太大了(像素太多),最多 %(mp)d 百万像素。请用手机的普通拍照,或把照片缩小后再上传。")
            % {"mp": max_image_pixels() // 1_000_000},
            code="too_many_pixels",
        )


class BoundedImageField(forms.ImageField):
    """Django's ImageField, with the pixel count checked from the header before Django's own check opens
    and verifies the image (``image_pixels_check``)."""

    def to_python(self, data):
        if data not in self.empty_values and data is not None:
            if hasattr(data, "temporary_file_path"):
                image_pixels_check(data.temporary_file_path())
            elif hasattr(data, "read"):
                image_pixels_check(data)
        return super().to_python(data)


def _refuse_xlsx(limit: str) -> ValidationError:
    return ValidationError(
        _("这个 Excel 文件解压后太大(%(limit)s),可能已损坏,请另存为新的 .xlsx 或 .csv 后再导入。")
        % {"limit": limit},
        code="zip_too_big",
    )


def xlsx_zip_check(file) -> None:
    """Check an xlsx's zip directory (``file``: a file object, rewound afterwards) before any member is
    unpacked. Raises ValidationError naming the limit when the members unpack to more than
    ``XLSX_MAX_UNCOMPRESSED`` bytes in all, a member over ``XLSX_RATIO_FROM`` bytes is packed more than
    ``XLSX_MAX_RATIO`` to 1, or there are more than ``XLSX_MAX_MEMBERS`` members. A file that is not a zip
    passes here (openpyxl refuses it with its own words)."""
    position = file.tell()
    try:
        try:
            members = zipfile.ZipFile(file).infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return
        if len(members) > XLSX_MAX_MEMBERS:
            raise _refuse_xlsx(_("超过 %(n)d 个部件") % {"n": XLSX_MAX_MEMBERS})
        total = 0
        for member in members:
            total += member.file_size
            if member.file_size > XLSX_RATIO_FROM and member.file_size > XLSX_MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _refuse_xlsx(_("压缩比超过 %(n)d 倍") % {"n": XLSX_MAX_RATIO})
        if total > XLSX_MAX_UNCOMPRESSED:
            raise _refuse_xlsx(_("超过 %(mb)d MB") % {"mb": XLSX_MAX_UNCOMPRESSED // (1024 * 1024)})
    finally:
        file.seek(position)


def phone_copy_name(name: str) -> str:
    """The storage name of the phone-sized copy of the image stored as ``name``: beside it, and as hard to
    guess as the original's."""
    return f"{name}.phone.jpg"


def phone_copy_make(photo) -> str:
    """Make the phone-sized copy (JPEG, longer side at most ``PHONE_SIDE`` px) of ``photo`` (a FieldFile)
    beside it, once. Idempotent: returns ``"exists"`` when the copy is already there, ``"too-big"`` (and
    makes nothing) for an original over :func:`max_image_pixels` (stored before the limit), ``"unreadable"``
    for a file Pillow cannot decode, else ``"made"``. A JPEG is decoded at a reduced scale (``draft``)."""
    storage, small = photo.storage, phone_copy_name(photo.name)
    if storage.exists(small):
        return "exists"
    with storage.open(photo.name, "rb") as f:
        size = image_size(f)
        if size is None:
            return "unreadable"
        if size[0] * size[1] > max_image_pixels():
            return "too-big"
        try:
            with Image.open(f) as image:
                image.draft("RGB", (PHONE_SIDE, PHONE_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
                image = ImageOps.exif_transpose(image)
                image.thumbnail((PHONE_SIDE, PHONE_SIDE))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=70, optimize=True, progressive=True)
        except (OSError, ValueError, Image.DecompressionBombError):
            return "unreadable"
    if storage.exists(small):  # made by another run meanwhile
        return "exists"
    storage.save(small, ContentFile(out.getvalue()))
    return "made"


class UploadTooBigMiddleware:
    """Answer a request whose declared body is over ``settings.NUANXIN_UPLOAD_MAX_MB`` with
    ``templates/upload_too_big.html`` (status 413, in the reader's language: place it after
    LocaleMiddleware), before the body is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = int(settings.NUANXIN_UPLOAD_MAX_MB)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit * 1024 * 1024:
            return render(request, "upload_too_big.html", {"mb": limit}, status=413)
        return self.get_response(request)
