"""Repairing a carousel image: one decode, every requested change in one pass, at most one encode.

Whatever is asked, an image that is written comes out as RGB with its colours in sRGB and an sRGB profile
embedded, displayed the way it was (EXIF orientation applied), metadata other than the profile dropped. Colours
are converted by LittleCMS (``PIL.ImageCms``) with the perceptual intent. A request that would only be safe
under a condition (an alpha channel that is fully opaque, a size reached losslessly) is tried and applied
only when the condition holds, unless --unsafe allows it outright.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from PIL import Image, ImageCms, ImageColor, ImageOps

PERCEPTUAL = ImageCms.Intent.PERCEPTUAL
_JPEG_QUALITIES = ((95, 0), (90, 0), (90, 2), (85, 2))  # (quality, subsampling 4:4:4=0 / 4:2:0=2), best first


@dataclass(frozen=True)
class Request:
    """What the fixes ask of one image, merged from their operations."""

    args: Mapping[str, Any]  # an op's args: mode/background, profile, size/ratio/pad_color, max_bytes
    allowed: bool  # safe, or unsafe with --unsafe; False: only when its safe condition holds
    fix: Any = None  # the Finding it comes from, for the report


@dataclass
class Outcome:
    data: bytes | None = None  # the new file, or None when nothing is written
    extension: str = ""  # the new extension when the format changed (.png -> .jpg), else ""
    done: list[Any] = field(default_factory=list)  # the requests' fixes that the new file carries out
    # (fix, why it was not carried out, whether --unsafe would carry it out)
    left: list[tuple[Any, str, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    crop: bool = False  # reach the ratio by cropping the centre instead of padding
    max_bytes: int | None = None  # image/file-size's limit when that rule is on: a write must not cross it
    tolerance: int = 1  # image/color-profile's: how far a profile may be from sRGB and count as sRGB
    grid_steps: int = 6


@cache
def srgb_profile() -> bytes:
    """LittleCMS's sRGB profile, dated 2025-01-01 instead of the second it is made (ICC header bytes 24-35, outside
    its profile ID, which LittleCMS leaves zero): the same repair then writes the same bytes in every run and every
    worker process."""
    made = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    fixed_date = b"".join(part.to_bytes(2, "big") for part in (2025, 1, 1, 0, 0, 0))
    return bytes(made[:24] + fixed_date + made[36:])


def repair(data: bytes, requests: list[Request], settings: Settings, lossy: bool) -> Outcome:
    """The image ``data`` with ``requests`` carried out. ``lossy`` (--unsafe): an image that stays over the size
    limit may be quantised or re-encoded as JPEG."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        fmt = opened.format or "PNG"
        icc = opened.info.get("icc_profile") or b""
        transparency = "transparency" in opened.info
        if fmt == "JPEG" and _metadata_only(opened, requests):
            retagged = _retag_jpeg(data, requests, settings, len(data))
            if retagged.data is not None or not lossy:
                return retagged
        image = ImageOps.exif_transpose(opened) or opened
    palette = image if image.mode == "P" and fmt == "PNG" and not icc else None
    outcome = Outcome()
    image = _to_rgb(image, icc, transparency, settings)
    for request in requests:
        args = request.args
        if "mode" in args:
            image = _flatten(image, request, outcome)
        elif "size" in args:
            image = _resize(image, request, settings, outcome)
        elif "profile" in args:
            outcome.done.append(request.fix)  # done by the conversion to sRGB, which every written image gets
    if not outcome.done and not any("max_bytes" in r.args for r in requests):
        return outcome  # nothing to write: spare the encode
    data_out, extension = _save(image, fmt, limit=settings.max_bytes), ""
    if settings.max_bytes is not None and len(data_out) > settings.max_bytes and lossy and image.mode == "RGB":
        data_out, extension = _lossy(image, fmt, settings.max_bytes)
    result = _finish(outcome, requests, settings, data_out, extension, len(data), lossy)
    if result.data is None and palette is not None:
        return _tag_palette(palette, requests, result, settings, len(data))
    return result


def _tag_palette(image: Image.Image, requests: list[Request], refused: Outcome, settings: Settings,
                 before: int) -> Outcome:
    """A palette PNG too large to become RGB within the size limit still gets the sRGB profile it lacks, its
    pixels and palette unchanged (the conversion is left for --unsafe, which may also scale or re-encode it)."""
    tags = [r.fix for r in requests if r.args.get("profile") == "embed"]
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True, icc_profile=srgb_profile())
    if not tags or settings.max_bytes is not None and before <= settings.max_bytes < out.tell():
        return refused
    left = [entry for entry in refused.left if entry[0] not in tags]
    return Outcome(out.getvalue(), "", tags, left)


def _finish(outcome: Outcome, requests: list[Request], settings: Settings, data: bytes, extension: str, before: int,
            lossy: bool) -> Outcome:
    """Judge the size, the one thing only an encode can tell: image/file-size's request is done when the new file is
    within the limit, and nothing is written that would cross the limit a file was within."""
    limit = settings.max_bytes
    wanted = next((r for r in requests if "max_bytes" in r.args), None)
    if wanted is not None:
        if limit is None or len(data) <= limit:
            outcome.done.append(wanted.fix)
        else:
            why = (f"it is still {len(data):,} bytes as a JPEG of quality 85; export a smaller image" if lossy else
                   f"it is still {len(data):,} bytes when compressed losslessly; `tilekit fix --unsafe` re-encodes "
                   "it (as JPEG if need be)")
            outcome.left.append((wanted.fix, why, not lossy))
    if not outcome.done:
        return outcome
    if limit is not None and before <= limit < len(data):
        why = f"the repaired image would be {len(data):,} bytes, over the {limit:,}-byte limit; " + \
              ("export a smaller image" if lossy else "`tilekit fix --unsafe` also re-encodes it to fit")
        outcome.left += [(fix, why, not lossy) for fix in outcome.done]
        outcome.done = []
        return outcome
    outcome.data, outcome.extension = data, extension
    return outcome


def _metadata_only(image: Image.Image, requests: list[Request]) -> bool:
    """Whether the requests touch no pixel: a profile to embed or replace, metadata to drop."""
    return image.getexif().get(0x0112, 1) == 1 and all(
        set(r.args) <= {"profile", "max_bytes"} and r.args.get("profile") != "convert" for r in requests)


def _to_rgb(image: Image.Image, icc: bytes, transparency: bool, settings: Settings) -> Image.Image:
    """RGB (with its alpha channel as RGBA, when it has one) with colours in sRGB: converted from the embedded
    profile when that is not sRGB already; an unusable profile is ignored, as browsers ignore it."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        high = image.getextrema()[1]
        image = image.convert("I") if image.mode != "F" else image
        if isinstance(high, (int, float)) and high > 255:  # 16-bit levels
            image = image.point(lambda v: v * (1 / 257))
        image = image.convert("L")
    alpha = None
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or transparency:
        image = image.convert("RGBA")
        alpha = image.getchannel("A")
        image = image.convert("RGB")
    elif image.mode not in ("L", "RGB", "CMYK"):
        image = image.convert("RGB")
    source = _profile(icc, settings)
    if source is not None:
        try:
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                                  renderingIntent=PERCEPTUAL, outputMode="RGB")
            image = converted if converted is not None else image
        except ImageCms.PyCMSError:
            pass  # a profile for another colour space than the pixels': ignored, as browsers ignore it
    image = image.convert("RGB") if image.mode != "RGB" else image
    if alpha is not None:
        image.putalpha(alpha)
    return image


def _profile(icc: bytes, settings: Settings) -> ImageCms.ImageCmsProfile | None:
    """The embedded profile when colours must be converted from it: readable, and not sRGB as measured."""
    from toolkit import images

    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if profile.profile.xcolor_space.strip() == "RGB" and \
                images.srgb_deviation(icc, settings.grid_steps) <= settings.tolerance:
            return None
    except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
        return None
    return profile


def _flatten(image: Image.Image, request: Request, outcome: Outcome) -> Image.Image:
    """Drop the alpha channel: as is when every pixel is opaque (nothing changes), else by compositing onto the
    background, which only an allowed (unsafe) request may do."""
    if image.mode != "RGBA":
        outcome.done.append(request.fix)
        return image
    alpha = image.getchannel("A")
    if alpha.getextrema() == (255, 255):
        outcome.done.append(request.fix)
        return image.convert("RGB")
    if not request.allowed:
        why = ("some pixels are transparent, so flattening changes how it looks; `tilekit fix --unsafe` flattens it "
               f"onto {request.args['background']}")
        outcome.left.append((request.fix, why, True))
        return image
    flat = Image.new("RGB", image.size, request.args["background"])
    flat.paste(image, mask=alpha)
    outcome.done.append(request.fix)
    return flat


def _resize(image: Image.Image, request: Request, settings: Settings, outcome: Outcome) -> Image.Image:
    """The target size, reaching the ratio first by padding (letterbox) or, with --crop, cropping the centre."""
    width, height = request.args["size"]
    w, h = image.size
    if w * height != h * width:
        rw, rh = request.args.get("ratio", (width, height))
        if settings.crop:
            cw, ch = (h * rw // rh, h) if w * rh > h * rw else (w, w * rh // rw)
            left, top = (w - cw) // 2, (h - ch) // 2
            image = image.crop((left, top, left + cw, top + ch))
        else:
            cw, ch = (w, -(-w * rh // rw)) if w * rh > h * rw else (-(-h * rw // rh), h)
            fill = ImageColor.getrgb(request.args.get("pad_color", "#ffffff"))[:3]
            canvas = Image.new(image.mode, (cw, ch), fill if image.mode == "RGB" else (*fill, 255))
            canvas.paste(image, ((cw - w) // 2, (ch - h) // 2))
            image = canvas
    outcome.done.append(request.fix)
    return image.resize((width, height), Image.Resampling.LANCZOS) if image.size != (width, height) else image


def _save(image: Image.Image, fmt: str, quality: tuple[int, int] = _JPEG_QUALITIES[0], limit: int | None = None) -> bytes:
    """Encode with the sRGB profile and nothing else. A PNG is compressed at zlib's default level, three times
    faster than its best and 1-3% larger; the best is tried only when that makes the difference to ``limit``."""
    out = io.BytesIO()
    if fmt == "JPEG":
        # Not optimize=True: Pillow then guesses an output buffer that a detailed picture at high quality overflows.
        image.save(out, "JPEG", quality=quality[0], subsampling=quality[1], icc_profile=srgb_profile())
        return out.getvalue()
    image.save(out, "PNG", compress_level=6, icc_profile=srgb_profile())
    if limit is not None and out.tell() > limit:
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True, icc_profile=srgb_profile())
    return out.getvalue()


def _lossy(image: Image.Image, fmt: str, limit: int) -> tuple[bytes, str]:
    """The first encoding within ``limit``: a PNG quantised to 256 colours (kept RGB, so only its colours change),
    then JPEG from quality 95 down to 85 (the last one when none fits). The extension when it changed."""
    if fmt == "PNG":
        data = _save(image.quantize(256, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB"), "PNG", limit=limit)
        if len(data) <= limit:
            return data, ""
    for quality in _JPEG_QUALITIES:
        data = _save(image, "JPEG", quality)
        if len(data) <= limit:
            break
    return data, ".jpg" if fmt != "JPEG" else ""


# Segments dropped when a JPEG's metadata is rewritten: APP1 (EXIF, XMP), APP2 (the old profile, FlashPix),
# APP13 (IPTC, Photoshop) and comments. APP0 (JFIF) and APP14 (Adobe, which says how colours are encoded) stay.
_METADATA_MARKERS = {0xE1, 0xE2, 0xED, 0xFE}


def _retag_jpeg(data: bytes, requests: list[Request], settings: Settings, before: int) -> Outcome:
    """A JPEG whose pixels need no change keeps its compressed data: only its metadata segments are rewritten (the
    sRGB profile in; EXIF, XMP, comments and the old profile out). Nothing is decoded or re-encoded."""
    outcome = Outcome()
    segments = _jpeg_segments(data)
    if segments is None:
        outcome.left += [(r.fix, "its JPEG structure could not be read", False) for r in requests]
        return outcome
    head, scan = segments
    icc = srgb_profile()
    profile = b"\xff\xe2" + (len(icc) + 16).to_bytes(2, "big") + b"ICC_PROFILE\x00\x01\x01" + icc
    kept = [s for s in head if s[1] not in _METADATA_MARKERS]
    jfif = kept[:1] if kept and kept[0][1] == 0xE0 else []
    new = b"\xff\xd8" + b"".join(jfif) + profile + b"".join(kept[len(jfif):]) + scan
    outcome.done += [r.fix for r in requests if "max_bytes" not in r.args]
    return _finish(outcome, requests, settings, new, "", before, lossy=False)


def _jpeg_segments(data: bytes) -> tuple[list[bytes], bytes] | None:
    """The marker segments of a JPEG before its first scan, and everything from the scan on."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos, segments = 2, list[bytes]()
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte
            pos += 1
            continue
        if marker == 0xDA:
            return segments, data[pos:]
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        segments.append(data[pos:pos + 2 + length])
        pos += 2 + length
    return None
