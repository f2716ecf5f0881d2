"""What tilekit needs to know about an image, read from its header: Pillow never decodes pixels here.

``Image.open`` is lazy: it identifies the format and reads size, mode and metadata chunks only.
Truncation is caught by the format's end marker (PNG ``IEND``, JPEG ``EOI``) rather than by
decoding. Since nothing is decoded, a decompression bomb costs nothing to inspect.
"""

from __future__ import annotations

import functools
import io
from typing import Any, BinaryIO, NamedTuple

_PNG_END = b"IEND\xaeB`\x82"
_JPEG_END = b"\xff\xd9"
_TAIL = 1024  # bytes searched for an end marker; some encoders append data after it
_SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the image a quarter


class ImageInfo(NamedTuple):
    file_bytes: int
    format: str | None = None  # Pillow's name: PNG, JPEG, GIF, ...
    error: str = ""  # why the image cannot be used; the other fields are then unset
    access: bool = False  # the error is the file system's (permissions, not a file): tile/unreadable's
    width: int = 0  # as displayed, EXIF orientation applied
    height: int = 0
    stored: tuple[int, int] = (0, 0)
    orientation: int = 1
    mode: str = ""
    icc_description: str | None = None  # None: no embedded profile
    icc_error: str = ""
    icc: bytes = b""  # the embedded profile itself
    srgb_chunk: bool = False
    exif_srgb: bool = False
    gamma_chunks: bool = False  # PNG gAMA or cHRM: colour information, as browsers read it
    transparency: bool = False  # a transparent colour or palette entries (PNG tRNS, GIF): alpha without an A mode


def read(handle: BinaryIO, size: int) -> ImageInfo:
    """Header facts of the image open on ``handle`` (``size`` bytes long); every failure becomes
    ``error``, never an exception, and nothing Pillow says reaches stderr."""
    import warnings

    from PIL import Image

    # Nothing is decoded, so a huge declared size costs nothing here: Pillow's bomb guard is lifted for
    # this one open (image/unreadable applies its own cap to the declared size) and put back after.
    guard = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Image.MAX_IMAGE_PIXELS = None
            with Image.open(handle) as im:
                return _facts(im, size)
    except Exception as exc:  # noqa: BLE001 - Pillow signals bad data with many types (OSError, SyntaxError...)
        return ImageInfo(size, error=_reason(exc))
    finally:
        Image.MAX_IMAGE_PIXELS = guard


def _facts(im: Any, size: int) -> ImageInfo:
    width, height = im.size
    if not _has_end_marker(im.fp, im.format):
        return ImageInfo(size, im.format, error=f"is truncated: the {im.format} end marker is missing")
    exif = _exif(im.info.get("exif"))
    orientation = exif.get(0x0112, 1)
    icc = im.info.get("icc_profile")
    description, icc_error = _icc_description(icc) if icc else (None, "")
    shown = (height, width) if orientation in _SWAPPED else (width, height)
    return ImageInfo(
        size, im.format, width=shown[0], height=shown[1], stored=(width, height),
        orientation=orientation if isinstance(orientation, int) else 1, mode=im.mode,
        icc_description=description, icc_error=icc_error, icc=icc or b"", srgb_chunk="srgb" in im.info,
        exif_srgb=exif.get_ifd(0x8769).get(0xA001) == 1,
        gamma_chunks="gamma" in im.info or "chromaticity" in im.info, transparency="transparency" in im.info,
    )


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


@functools.lru_cache(maxsize=64)
def srgb_deviation(icc: bytes, steps: int) -> int:
    """How far a profile is from sRGB, measured: the largest change of any 8-bit channel when a grid of
    ``steps``**3 colours is converted from it to sRGB. Only the profile is used, never the image's
    pixels. Raises ValueError for a profile LittleCMS cannot use for RGB. The measure of a profile is remembered
    between runs (toolkit.verdicts): screenshots of one machine share one profile."""
    from toolkit import verdicts

    key = verdicts.digest([icc, str(steps).encode()])
    known = verdicts.recall("icc", key)
    if isinstance(known, list) and len(known) == 2:
        if known[0] == "error":
            raise ValueError(str(known[1]))
        return int(known[1])
    try:
        deviation = _measure(icc, steps)
    except ValueError as exc:
        verdicts.remember("icc", key, ["error", str(exc)])
        raise
    verdicts.remember("icc", key, ["deviation", deviation])
    return deviation


def _measure(icc: bytes, steps: int) -> int:
    from PIL import Image, ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != "RGB":
            raise ValueError(f"a {source.profile.xcolor_space.strip()} profile, not an RGB one")
        levels = [round(i * 255 / (steps - 1)) for i in range(steps)]
        colours = [(r, g, b) for r in levels for g in levels for b in levels]
        grid = Image.new("RGB", (len(colours), 1))
        grid.putdata(colours)
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        converted = ImageCms.profileToProfile(grid, source, srgb, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    except (ImageCms.PyCMSError, OSError) as exc:
        raise ValueError(str(exc)) from exc
    assert converted is not None
    return max(abs(a - b) for a, b in zip(grid.tobytes(), converted.tobytes()))


def _reason(exc: Exception) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "is not an image Pillow can identify (not PNG or JPEG data)"
    return f"cannot be read: {exc}" if str(exc) else f"cannot be read ({type(exc).__name__})"
