"""Image checks on every carousel image (video thumbnails included), from header facts only."""

from __future__ import annotations

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
RANGE_PARAMS = params(min=POSITIVE, max=POSITIVE)
RATIO_PARAMS = params(ratio=RATIO)
MODE_PARAMS = params(modes={**NAMES, "minItems": 1})
PROFILE_PARAMS = params(srgb_descriptions={"type": "array", "items": REGEX})
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
    """Each image is a whole, identifiable image within a sane pixel count."""
    cap = params["max_pixels"]
    for rel in tile.memo(images):
        image = info(tile, rel)
        if image.error and not image.access:
            yield Problem(rel, f"the image {image.error}; re-export it as PNG or JPEG")
        elif image.width * image.height > cap:
            yield Problem(rel, f"the image declares {image.width}x{image.height} pixels, over the {cap:,}-pixel cap "
                          "for carousel images (a decompression bomb?); it was not decoded")


def file_size(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At most 1,000,000 bytes (Datadog's own validator counts bytes, not MiB)."""
    limit = params["max_bytes"]
    for rel in tile.memo(images):
        size = info(tile, rel).bytes
        if size > limit:
            yield Problem(rel, f"the file is {size:,} bytes; at most {limit:,} are allowed (over by "
                          f"{size - limit:,}): compress it, e.g. save the PNG optimized or export as JPEG")


def width(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    low, high = params["min"], params["max"]
    wanted = f"{low} px" if low == high else f"{low}-{high} px"
    for rel, image in _readable(tile):
        if not low <= image.width <= high:
            yield Problem(rel, f"the image is {image.width} px wide{_rotated(image)}; it must be {wanted}: resize it "
                          f"to {low}x{low * 9 // 16}")


def height(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    low, high = params["min"], params["max"]
    for rel, image in _readable(tile):
        if not low <= image.height <= high:
            yield Problem(rel, f"the image is {image.height} px high{_rotated(image)}; it must be {low}-{high} px")


def aspect_ratio(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Exactly 16:9: ``w*9 == h*16``, with the nearest valid size named."""
    rw, rh = params["ratio"]
    for rel, image in _readable(tile):
        w, h = image.width, image.height
        if w * rh == h * rw:
            continue
        exact, remainder = divmod(w * rh, rw)
        if remainder == 0:
            off = h - exact
            side = "short of" if off < 0 else "over"
            fix = f"crop or pad to {w}x{exact}"
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is {abs(off)} px {side} {rw}:{rh}; {fix}")
        else:
            nearest = max(rw, round(w / rw) * rw)
            yield Problem(rel, f"{w}x{h}{_rotated(image)} is not {rw}:{rh} (its width is not a multiple of {rw}); "
                          f"resize to {nearest}x{nearest * rh // rw}")


def color_mode(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    modes = params["modes"]
    for rel, image in _readable(tile):
        if image.mode not in modes:
            what = _MODE_NAMES.get(image.mode, image.mode)
            yield Problem(rel, f"the colour mode is {image.mode} ({what}); it must be {' or '.join(modes)}: "
                          "flatten it and save it as RGB (no alpha channel, no palette)")


def color_profile(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An embedded ICC profile, when there is one, is sRGB."""
    patterns = [re.compile(p) for p in params["srgb_descriptions"]]
    for rel, image in _readable(tile):
        if image.icc_error:
            yield Problem(rel, f"{image.icc_error}; convert the image to sRGB and export it again")
        elif image.icc_description is not None and not any(p.search(image.icc_description) for p in patterns):
            yield Problem(rel, f"the embedded colour profile is '{image.icc_description}', not sRGB; convert it to "
                          "sRGB (e.g. 'Convert to Profile > sRGB IEC61966-2.1') and export again")


def untagged_color(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Some colour information is present: an ICC profile, a PNG sRGB chunk, or EXIF ColorSpace sRGB."""
    for rel, image in _readable(tile):
        if image.icc_description is None and not image.icc_error and not image.srgb_chunk and not image.exif_srgb:
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
        clean = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "image"
        yield Problem(rel, f"the file name {name!r} contains {named}; use letters, digits, '_' and '-' only, e.g. "
                      f"'{clean}{name[len(stem):]}' (and update image_url)")


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
    "image.width": Check(width, RANGE_PARAMS),
    "image.height": Check(height, RANGE_PARAMS),
    "image.aspect_ratio": Check(aspect_ratio, RATIO_PARAMS),
    "image.color_mode": Check(color_mode, MODE_PARAMS),
    "image.color_profile": Check(color_profile, PROFILE_PARAMS),
    "image.untagged_color": Check(untagged_color, NO_PARAMS),
    "image.file_name": Check(file_name, NAME_PARAMS),
}
