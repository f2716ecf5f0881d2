"""Image checks on every carousel image (video thumbnails included), from header facts only."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit import images as reader
from toolkit.carousel import images, info
from toolkit.checks._schema import COLOR, NAMES, NO_PARAMS, POSITIVE, RATIO, REGEX, Check, params
from toolkit.findings import Applicability, Fix, Op, Problem
from toolkit.references import rename, unused_name
from toolkit.tile import Tile

UNREADABLE_PARAMS = params(max_pixels=POSITIVE)
SIZE_PARAMS = params(max_bytes=POSITIVE)
# The dimension rules share their parameters (rules data: group image-dimensions); each declares its own.
# image/color-mode is in the group too, as a reader: whether converting an image to RGB is safe depends on the
# size it will have (a palette screenshot too large for RGB within the byte limit needs the unsafe resize first).
_DIMENSIONS = {"min_width": POSITIVE, "max_width": POSITIVE, "ratio": RATIO, "min_height": POSITIVE,
               "max_height": POSITIVE, "pad_color": COLOR, "modes": {**NAMES, "minItems": 1}, "background": COLOR}
WIDTH_PARAMS = params(_DIMENSIONS, min_width=POSITIVE, max_width=POSITIVE)
RATIO_PARAMS = params(_DIMENSIONS, ratio=RATIO)
HEIGHT_PARAMS = params(_DIMENSIONS, min_height=POSITIVE, max_height=POSITIVE)
MODE_PARAMS = params(_DIMENSIONS, modes={**NAMES, "minItems": 1})
PROFILE_PARAMS = params(tolerance={"type": "integer", "minimum": 0, "maximum": 255},
                        grid_steps={"type": "integer", "minimum": 2, "maximum": 16})
NAME_PARAMS = params(stem_pattern=REGEX)
_MODE_NAMES = {
    "RGBA": "RGB with an alpha channel", "P": "a palette", "L": "greyscale", "LA": "greyscale with alpha",
    "CMYK": "CMYK", "1": "black and white", "I;16": "16-bit greyscale", "I": "32-bit integer", "PA": "palette with alpha",
}


def _readable(tile: Tile) -> Iterator[tuple[str, reader.ImageInfo]]:
    for rel in tile.memo(images):
        image = info(tile, rel)
        if not image.error:
            yield rel, image


def unreadable(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each image is a whole, identifiable image within Pillow's safe pixel count."""
    cap = params["max_pixels"]
    for rel in tile.memo(images):
        image = info(tile, rel)
        if image.error and not image.access:
            yield Problem(rel, f"the image {image.error}; re-export it as PNG or JPEG")
        elif image.width * image.height > cap:
            yield Problem(rel, f"the image declares {image.width}x{image.height} = {image.width * image.height:,} "
                          f"pixels, more than the {cap:,} an image reader can safely open, so it was not read "
                          "further; export it at the carousel size, 1440x810")


def file_size(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At most 1,000,000 bytes (Datadog's own validator counts bytes, not MiB)."""
    limit = params["max_bytes"]
    for rel in tile.memo(images):
        size = info(tile, rel).file_bytes
        if size > limit:
            fix = _image_fix(rel, f"compress it to at most {limit:,} bytes", Applicability.UNSAFE,
                             "lossless compression is enough", max_bytes=limit)
            yield Problem(rel, f"the file is {size:,} bytes; at most {limit:,} are allowed (over by "
                          f"{size - limit:,}): compress it, e.g. save the PNG optimized or export as JPEG (`tilekit fix` "
                          "compresses it losslessly when that is enough; `--unsafe` re-encodes it as JPEG)", fix=fix)


def target_size(width: int, params: Mapping[str, Any]) -> tuple[int, int] | None:
    """The size nearest ``width`` that satisfies every dimension rule as configured (None if none can)."""
    rw, rh = params["ratio"]
    step = rw // math.gcd(rw, rh)  # widths whose exact height is a whole number of pixels
    low, high = -(-params["min_width"] // step) * step, params["max_width"] // step * step
    sizes = [(w, w * rh // rw) for w in range(low, high + 1, step)
             if params["min_height"] <= w * rh // rw <= params["max_height"]]
    return min(sizes, key=lambda size: (abs(size[0] - width), size[0])) if sizes else None


def _image_fix(rel: str, title: str, applicability: Applicability = Applicability.SAFE, safe_when: str = "",
               **args: Any) -> Fix:
    return Fix(title, (Op("image", rel, args),), applicability, safe_when)


def _resize(rel: str, image: reader.ImageInfo, params: Mapping[str, Any]) -> Fix | None:
    """Scale to the target size: safe when the image is already exactly of the ratio and only shrinks; padded to
    the ratio first (or cropped, with ``tilekit fix --crop``) or scaled up, unsafe."""
    size = target_size(image.width, params)
    if size is None:
        return None
    w, h = image.width, image.height
    target = f"{size[0]}x{size[1]}"
    if _fits(image, params)[1]:
        if size[0] < w:
            return _image_fix(rel, f"scale {w}x{h} down to {target}", size=size)
        return _image_fix(rel, f"scale {w}x{h} up to {target}", Applicability.UNSAFE, size=size)
    rw, rh = params["ratio"]
    pad = params.get("pad_color", "#ffffff")
    return _image_fix(rel, f"pad {w}x{h} to {rw}:{rh} with {pad} (or crop it, with --crop), then scale it to {target}",
                      Applicability.UNSAFE, size=size, ratio=params["ratio"], pad_color=pad)


def _to(width: int, params: Mapping[str, Any]) -> str:
    """'scale it to 1440x810', with a word of warning when that means scaling up."""
    size = target_size(width, params)
    if size is None:
        return "no size satisfies the configured width, height and ratio together; check the configuration"
    upscale = " (better: capture it at that size, since scaling up blurs)" if size[0] > width else ""
    return f"scale it to {size[0]}x{size[1]}{upscale}"


def _fits(image: reader.ImageInfo, params: Mapping[str, Any]) -> tuple[bool, bool, bool]:
    rw, rh = params["ratio"]
    return (params["min_width"] <= image.width <= params["max_width"], image.width * rh == image.height * rw,
            params["min_height"] <= image.height <= params["max_height"])


def width(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """1440 px wide (a range, when configured); the message names the one size that passes every dimension rule."""
    low, high = params["min_width"], params["max_width"]
    wanted = f"{low} px" if low == high else f"{low}-{high} px"
    rw, rh = params["ratio"]
    for rel, image in _readable(tile):
        wide, ratio, _high = _fits(image, params)
        if wide:
            continue
        w, h = image.width, image.height
        if ratio:
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is {rw}:{rh} but {w} px wide; it must be {wanted}: "
                          f"{_to(w, params)}", fix=_resize(rel, image, params))
        else:
            units = min(w // rw, h // rh)
            crop = f"crop {w - units * rw}x{h - units * rh} px (to {units * rw}x{units * rh}) or pad, then " \
                if units else "pad it, then "
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is not {rw}:{rh} ({w}:{h}) and not {wanted} wide; "
                          f"{crop}{_to(w, params)}", fix=_resize(rel, image, params))


def aspect_ratio(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Exactly 16:9: ``w*9 == h*16``, with the nearest valid size named."""
    rw, rh = params["ratio"]
    for rel, image in _readable(tile):
        _wide, ratio, _high = _fits(image, params)
        if ratio:
            continue
        w, h = image.width, image.height
        exact, remainder = divmod(w * rh, rw)
        if remainder == 0 and params["min_height"] <= exact <= params["max_height"]:
            off = h - exact
            side = "over" if off > 0 else "short of"
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is {abs(off)} px {side} {rw}:{rh}; pad or crop it to "
                          f"{w}x{exact}", fix=_resize(rel, image, params))
        else:
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is not {rw}:{rh} ({w}:{h}); crop or pad it to {rw}:{rh}, "
                          f"then {_to(w, params)}", fix=_resize(rel, image, params))


def height(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    low, high = params["min_height"], params["max_height"]
    for rel, image in _readable(tile):
        if not _fits(image, params)[2]:
            yield Problem(rel, f"the image is {image.height} px high{_rotated(image)}; it must be {low}-{high} px: "
                          f"{_to(image.width, params)}", fix=_resize(rel, image, params))


_MODE_ADVICE = {
    "RGBA": "flatten it onto an opaque background and save it as RGB, without an alpha channel",
    "LA": "flatten it onto an opaque background and save it as RGB",
    "PA": "flatten it and save it as RGB (truecolor), not with a palette",
    "P": "save it as RGB (truecolor, 24-bit), not with a palette",
    "CMYK": "convert it to RGB through its CMYK profile (e.g. 'Convert to Profile > sRGB IEC61966-2.1')",
}


def color_mode(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    modes = params["modes"]
    for rel, image in _readable(tile):
        if image.mode not in modes:
            what = _MODE_NAMES.get(image.mode, image.mode)
            advice = _MODE_ADVICE.get(image.mode, "convert it to RGB colour and save it again")
            fix = _to_rgb(rel, image, what, params.get("background", "#ffffff"), _carousel_sized(image, params))
            if fix is not None and fix.safe_when:
                advice += f" (`tilekit fix` does it when {fix.safe_when}; `tilekit fix --unsafe` in any case)"
            yield Problem(rel, f"the colour mode is {image.mode} ({what}); it must be {' or '.join(modes)}: {advice}",
                          fix=fix)


_CONVERTIBLE = {"1", "L", "P", "I", "I;16", "I;16B", "I;16L", "F", "CMYK", "YCbCr", "LAB", "HSV"}
_WITH_ALPHA = {"RGBA", "LA", "PA", "RGBa", "La"}


def _to_rgb(rel: str, image: reader.ImageInfo, what: str, background: str, sized: bool) -> Fix | None:
    """Conversion to RGB: safe, unless an alpha channel must be flattened onto the background (unsafe, but done
    without --unsafe when no pixel turns out to be transparent), or unless the image keeps a size other than the
    carousel's (an RGB copy of a large palette image may cross the byte limit: done without --unsafe when not)."""
    if image.mode in _WITH_ALPHA or image.transparency:
        return _image_fix(rel, f"flatten {what} onto {background} and convert it to RGB", Applicability.UNSAFE,
                          "no pixel is transparent", mode=image.mode, background=background)
    if image.mode in _CONVERTIBLE and sized:
        return _image_fix(rel, f"convert {what} to RGB", mode=image.mode)
    if image.mode in _CONVERTIBLE:
        return _image_fix(rel, f"convert {what} to RGB", Applicability.UNSAFE, "it stays within the size limit as RGB",
                          mode=image.mode)
    return None


def _carousel_sized(image: reader.ImageInfo, params: Mapping[str, Any]) -> bool:
    """Whether the image has the carousel's size, or reaches it by a safe scale."""
    if all(_fits(image, params)):
        return True
    resize = _resize("", image, params)
    return resize is not None and resize.applicability is Applicability.SAFE


def color_profile(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An embedded ICC profile, when there is one, converts colours like sRGB (measured, whatever its name)."""
    for rel, image in _readable(tile):
        replace = _image_fix(rel, "replace the unusable profile with sRGB (browsers ignore it and show sRGB)",
                             profile="replace")
        if image.icc_error:
            yield Problem(rel, f"{image.icc_error}; convert the image to sRGB and export it again", fix=replace)
            continue
        if image.icc_description is None:
            continue
        try:
            deviation = reader.srgb_deviation(image.icc, params["grid_steps"])
        except ValueError as exc:
            yield Problem(rel, f"the embedded colour profile '{image.icc_description}' cannot convert RGB colours "
                          f"({exc}); convert the image to sRGB and export it again", fix=replace)
            continue
        if deviation > params["tolerance"]:
            yield Problem(rel, f"the embedded colour profile '{image.icc_description}' is not sRGB: it shifts colours "
                          f"by up to {deviation} of 255 per channel; convert the image to sRGB (e.g. 'Convert to "
                          "Profile > sRGB IEC61966-2.1') and export it with that profile",
                          fix=_image_fix(rel, f"convert its colours from '{image.icc_description}' to sRGB",
                                         profile="convert"))


def untagged_color(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Some colour information is present: an ICC profile, a PNG sRGB, gAMA or cHRM chunk, or EXIF sRGB."""
    for rel, image in _readable(tile):
        if (image.icc_description is None and not image.icc_error and not image.srgb_chunk and not image.exif_srgb
                and not image.gamma_chunks):
            yield Problem(rel, "the image carries no colour profile, so viewers assume sRGB; export it with an "
                          "embedded sRGB profile to be sure its colours show as intended",
                          fix=_image_fix(rel, "embed an sRGB profile (pixels unchanged)", profile="embed"))


def file_name(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The file name's stem uses letters, digits, '_' and '-' only."""
    pattern = re.compile(params["stem_pattern"])
    for rel in tile.memo(images):
        name = rel.rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0] if "." in name else name
        if pattern.fullmatch(stem):
            continue
        bad = dict.fromkeys(ch for ch in stem if not pattern.fullmatch(ch))
        named = ", ".join(_describe(ch) for ch in bad)
        proposal = proposed_name(tile, rel, pattern)
        changes = rename(tile, rel, proposal)
        fix = Fix(f"rename it to '{proposal.rpartition('/')[2]}' and update its references", changes) if changes else None
        yield Problem(rel, f"the file name {name!r} contains {named}; use letters, digits, '_' and '-' only: rename "
                      f"it to '{proposal.rpartition('/')[2]}' and update image_url and the README", fix=fix)


def proposed_name(tile: Tile, rel: str, pattern: re.Pattern[str]) -> str:
    """A tile-relative name for the image that passes the stem pattern, with a lower-case extension, that no other
    file of its folder has."""
    folder, slash, name = rel.rpartition("/")
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")
    clean = clean if clean and pattern.fullmatch(clean) else "image"
    return unused_name(tile, f"{folder}{slash}{clean}{dot}{extension.lower()}", rel)


def _describe(char: str) -> str:
    import unicodedata

    if char == " ":
        return "a space"
    if char == ".":
        return "an extra dot"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'a control character')}"


def _rotated(image: reader.ImageInfo) -> str:
    if image.stored == (image.width, image.height):
        return ""
    return f" as displayed (stored {image.stored[0]}x{image.stored[1]}, EXIF orientation {image.orientation})"


CHECKS = {
    "image.unreadable": Check(unreadable, UNREADABLE_PARAMS),
    "image.file_size": Check(file_size, SIZE_PARAMS),
    "image.width": Check(width, WIDTH_PARAMS),
    "image.height": Check(height, HEIGHT_PARAMS),
    "image.aspect_ratio": Check(aspect_ratio, RATIO_PARAMS),
    "image.color_mode": Check(color_mode, MODE_PARAMS),
    "image.color_profile": Check(color_profile, PROFILE_PARAMS),
    "image.untagged_color": Check(untagged_color, NO_PARAMS),
    "image.file_name": Check(file_name, NAME_PARAMS),
}
