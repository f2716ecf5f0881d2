"""What tilekit needs to know about an image, read from its header: Pillow never decodes pixels here.

``Image.open`` is lazy: it identifies the format and reads size, mode and metadata chunks only.
Truncation is caught by the format's end marker (PNG ``IEND``, JPEG ``EOI``) rather than by
decoding. Since nothing is decoded, a decompression bomb costs nothing to inspect.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, NamedTuple

_PNG_END = b"IEND\xaeB`\x82"
_JPEG_END = b"\xff\xd9"
_TAIL = 1024  # bytes searched for an end marker; some encoders append data after it
_SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the image a quarter


class ImageInfo(NamedTuple):
    bytes: int
    format: str | None = None  # Pillow's name: PNG, JPEG, GIF, ...
    error: str = ""  # why the image cannot be used; the other fields are then unset
    width: int = 0  # as displayed, EXIF orientation applied
    height: int = 0
    stored: tuple[int, int] = (0, 0)
    orientation: int = 1
    mode: str = ""
    icc_description: str | None = None  # None: no embedded profile
    icc_error: str = ""
    srgb_chunk: bool = False
    exif_srgb: bool = False


def read(path: Path) -> ImageInfo:
    """Header facts of the image at ``path``; every failure becomes ``error``, never an exception."""
    from PIL import Image

    # Pillow's bomb guard raises on open; tilekit never decodes, and image/unreadable applies its own
    # tighter cap to the declared size instead.
    Image.MAX_IMAGE_PIXELS = None
    try:
        size = os.path.getsize(path)
        with Image.open(path) as im:
            width, height = im.size
            ended = _has_end_marker(im.fp, im.format)
            if not ended:
                return ImageInfo(size, im.format, error=f"is truncated: the {im.format} end marker is missing")
            exif = _exif(im.info.get("exif"))
            orientation = exif.get(0x0112, 1)
            icc = im.info.get("icc_profile")
            description, icc_error = _icc_description(icc) if icc else (None, "")
            shown = (height, width) if orientation in _SWAPPED else (width, height)
            return ImageInfo(
                size, im.format, width=shown[0], height=shown[1], stored=(width, height),
                orientation=orientation if isinstance(orientation, int) else 1, mode=im.mode,
                icc_description=description, icc_error=icc_error, srgb_chunk="srgb" in im.info,
                exif_srgb=exif.get_ifd(0x8769).get(0xA001) == 1,
            )
    except Exception as exc:  # noqa: BLE001 - Pillow signals bad data with many types (OSError, SyntaxError...)
        return ImageInfo(_size(path), error=_reason(exc))


def _exif(raw: bytes | None) -> Any:
    """EXIF from the bytes the header pass found. Not ``getexif()``: on a PNG it may ``load()``,
    decoding every pixel to look for an eXIf chunk after the image data."""
    from PIL import Image

    exif = Image.Exif()
    if raw:
        exif.load(raw)
    return exif


def _has_end_marker(handle: Any, fmt: str | None) -> bool:
    """Whether the file's last bytes hold the format's end marker. ``handle`` is Pillow's own file:
    moving its position is harmless because nothing is decoded afterwards."""
    marker = {"PNG": _PNG_END, "JPEG": _JPEG_END}.get(fmt or "")
    if marker is None:
        return True
    handle.seek(0, io.SEEK_END)
    handle.seek(max(0, handle.tell() - _TAIL))
    return marker in handle.read()


def _icc_description(icc: bytes) -> tuple[str | None, str]:
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return (profile.profile.profile_description or "").strip(), ""
    except Exception as exc:  # noqa: BLE001 - LittleCMS rejects damaged profiles with several error types
        return "", f"the embedded ICC profile cannot be read ({_reason(exc)})"


def _reason(exc: Exception) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "is not an image Pillow can identify (not PNG or JPEG data)"
    return f"cannot be read: {exc}" if str(exc) else f"cannot be read ({type(exc).__name__})"


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
