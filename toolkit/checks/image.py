"""Image checks on every carousel image (video thumbnails included), from header facts only."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit import images as reader
from toolkit.carousel import images, info
from toolkit.checks._schema import NAMES, NO_PARAMS, POSITIVE, RATIO, REGEX, Check, params
from toolkit.findings import Problem
from toolkit.tile import Tile

UNREADABLE_PARAMS = params(max_pixels=POSITIVE)
SIZE_PARAMS = params(max_bytes=POSITIVE)
# The dimension rules share their parameters (rules data: group image-dimensions); each declares its own.
_DIMENSIONS = {"min_width": POSITIVE, "max_width": POSITIVE, "ratio": RATIO, "min_height": POSITIVE,
               "max_height": POSITIVE}
WIDTH_PARAMS = params(_DIMENSIONS, min_width=POSITIVE, max_width=POSITIVE)
RATIO_PARAMS = params(_DIMENSIONS, ratio=RATIO)
HEIGHT_PARAMS = params(_DIMENSIONS, min_height=POSITIVE, max_height=POSITIVE)
MODE_PARAMS = params(modes={**NAMES, "minItems": 1})
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
            yield Problem(rel, f"the file is {size:,} bytes; at most {limit:,} are allowed (over by "
                          f"{size - limit:,}): compress it, e.g. save the PNG optimized or export as JPEG")


def target_size(width: int, params: Mapping[str, Any]) -> tuple[int, int] | None:
    """The size nearest ``width`` that satisfies every dimension rule as configured (None if none can)."""
    rw, rh = params["ratio"]
    step = rw // math.gcd(rw, rh)  # widths whose exact height is a whole number of pixels
    low, high = -(-params["min_width"] // step) * step, params["max_width"] // step * step
    sizes = [(w, w * rh // rw) for w in range(low, high + 1, step)
             if params["min_height"] <= w * rh // rw <= params["max_height"]]
    return min(sizes, key=lambda size: (abs(size[0] - width), size[0])) if sizes else None


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
                          f"{_to(w, params)}")
        else:
            units = min(w // rw, h // rh)
            crop = f"crop {w - units * rw}x{h - units * rh} px (to {units * rw}x{units * rh}) or pad, then " \
                if units else "pad it, then "
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is not {rw}:{rh} ({w}:{h}) and not {wanted} wide; "
                          f"{crop}{_to(w, params)}")


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
                          f"{w}x{exact}")
        else:
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is not {rw}:{rh} ({w}:{h}); crop or pad it to {rw}:{rh}, "
                          f"then {_to(w, params)}")


def height(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    low, high = params["min_height"], params["max_height"]
    for rel, image in _readable(tile):
        if not _fits(image, params)[2]:
            yield Problem(rel, f"the image is {image.height} px high{_rotated(image)}; it must be {low}-{high} px: "
                          f"{_to(image.width, params)}")


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
            yield Problem(rel, f"the colour mode is {image.mode} ({what}); it must be {' or '.join(modes)}: {advice}")


def color_profile(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An embedded ICC profile, when there is one, converts colours like sRGB (measured, whatever its name)."""
    for rel, image in _readable(tile):
        if image.icc_error:
            yield Problem(rel, f"{image.icc_error}; convert the image to sRGB and export it again")
            continue
        if image.icc_description is None:
            continue
        try:
            deviation = reader.srgb_deviation(image.icc, params["grid_steps"])
        except ValueError as exc:
            yield Problem(rel, f"the embedded colour profile '{image.icc_description}' cannot convert RGB colours "
                          f"({exc}); convert the image to sRGB and export it again")
            continue
        if deviation > params["tolerance"]:
            yield Problem(rel, f"the embedded colour profile '{image.icc_description}' is not sRGB: it shifts colours "
                          f"by up to {deviation} of 255 per channel; convert the image to sRGB (e.g. 'Convert to "
                          "Profile > sRGB IEC61966-2.1') and export it with that profile")


def untagged_color(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Some colour information is present: an ICC profile, a PNG sRGB, gAMA or cHRM chunk, or EXIF sRGB."""
    for rel, image in _readable(tile):
        if (image.icc_description is None and not image.icc_error and not image.srgb_chunk and not image.exif_srgb
                and not image.gamma_chunks):
            yield Problem(rel, "the image carries no colour profile, so viewers assume sRGB; export it with an "
                          "embedded sRGB profile to be sure its colours show as intended")


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
        yield Problem(rel, f"the file name {name!r} contains {named}; use letters, digits, '_' and '-' only: rename "
                      f"it to '{proposal}' and update image_url and the README")


def proposed_name(tile: Tile, rel: str, pattern: re.Pattern[str]) -> str:
    """A name for the image that passes the stem pattern and no other file of its folder has."""
    folder, _, name = rel.rpartition("/")
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")
    clean = clean if clean and pattern.fullmatch(clean) else "image"
    taken = {f.lower() for f in tile.files}
    candidate, number = clean, 1
    while f"{folder}/{candidate}{dot}{extension}".lstrip("/").lower() in taken:
        number += 1
        candidate = f"{clean}_{number}"
    return f"{candidate}{dot}{extension}"


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
