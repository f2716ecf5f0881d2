"""Carousel checks over manifest ``tile.media``: count, captions, and where each image_url leads."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit.carousel import Media, entries, images, info
from toolkit.checks._schema import COUNT, NAMES, NO_PARAMS, POSITIVE, STRING, Check, params
from toolkit.findings import Fix, Problem
from toolkit.references import rename, unused_name
from toolkit.tile import MANIFEST, Tile

COUNT_PARAMS = params(max_items=COUNT, max_videos=COUNT, max_images_with_video=COUNT)
CAPTION_PARAMS = params(max_length=POSITIVE)
MIN_IMAGES_PARAMS = params(min_images=POSITIVE)
EXTENSION_PARAMS = params(extensions=NAMES)
_FORMATS = {"type": "object", "additionalProperties": STRING}
RENAME_PARAMS = params(extensions=NAMES, formats=_FORMATS)
FORMAT_PARAMS = params(formats=_FORMATS)


def _at(tile: Tile, *path: str | int) -> tuple[int, int]:
    assert tile.manifest is not None
    return tile.manifest.position(("tile", "media", *path))


def count(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At most 8 entries, at most 1 video, and at most 7 images beside a video."""
    media = tile.memo(entries)
    if not media:
        return
    videos = sum(1 for m in media if m.media_type == "video")
    pictures = sum(1 for m in media if m.media_type == "image")
    messages = []
    if len(media) > params["max_items"]:
        messages.append(f"$.tile.media has {len(media)} entries; the carousel shows at most {params['max_items']}: "
                        f"remove {len(media) - params['max_items']}")
    if videos > params["max_videos"]:
        messages.append(f"$.tile.media has {videos} videos; at most {params['max_videos']} is allowed")
    elif videos and pictures > params["max_images_with_video"]:
        messages.append(f"$.tile.media has {pictures} images beside a video; at most "
                        f"{params['max_images_with_video']} are allowed with a video: remove "
                        f"{pictures - params['max_images_with_video']}")
    for message in messages:
        line, column = _at(tile)
        yield Problem(MANIFEST, message, line=line, column=column)


def min_images(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At least 3 images in the carousel, as reviewers ask."""
    items = tile.manifest_get("tile", "media")
    if not isinstance(items, list) or tile.manifest is None:
        return  # manifest/schema reports a missing or wrong tile.media
    pictures = sum(1 for m in tile.memo(entries) if m.media_type == "image")
    least = params["min_images"]
    if pictures < least:
        line, column = _at(tile)
        yield Problem(MANIFEST, f"$.tile.media has {pictures} image{'s' if pictures != 1 else ''}; reviewers ask for at "
                      f"least {least}: add screenshots of the dashboard, the setup and the data in Datadog",
                      line=line, column=column)


def captions(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every caption says something, in at most 300 characters."""
    limit = params["max_length"]
    for media in tile.memo(entries):
        if not isinstance(media.caption, str):
            continue  # a missing or non-string caption is manifest/schema's finding
        where = f"$.tile.media[{media.position}].caption"
        if not media.caption.strip():
            message = f"{where} is empty; describe what the image shows (at most {limit} characters)"
        elif len(media.caption) > limit:
            message = (f"{where} is {len(media.caption)} characters long; at most {limit} are allowed: shorten it "
                       f"by {len(media.caption) - limit}")
        else:
            continue
        line, column = _at(tile, media.position, "caption")
        yield Problem(MANIFEST, message, line=line, column=column)


def _url_problem(tile: Tile, media: Media, detail: str) -> Problem:
    """A finding on an entry's image_url, at that key's line."""
    line, column = _at(tile, media.position, "image_url")
    return Problem(MANIFEST, f"$.tile.media[{media.position}].image_url '{media.url}' {detail}", line=line,
                   column=column)


def missing_files(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each image_url names a file that exists, with that exact case."""
    yield from (_url_problem(tile, m, m.missing) for m in tile.memo(entries) if m.missing)


def safe_paths(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each image_url is a relative path to a file inside the tile."""
    yield from (_url_problem(tile, m, m.unsafe) for m in tile.memo(entries) if m.unsafe)


def extensions(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each image_url ends in one of the allowed extensions, in any case as ddev's own check (.PNG passes,
    .jpeg does not)."""
    allowed = params["extensions"]
    for media in tile.memo(entries):
        if not isinstance(media.url, str) or media.unsafe or not media.url:
            continue
        suffix = posixpath.splitext(media.url)[1]
        if suffix.lower() in allowed:
            continue
        stem = posixpath.splitext(media.url)[0]
        better = ".jpg" if suffix.lower() == ".jpeg" else ".png"
        fix = None
        if media.rel is not None:
            found = info(tile, media.rel).format
            right = next((ext for ext, fmt in params["formats"].items() if fmt == found), None)
            fix = _renamed(tile, media.rel, right) if right and found else None
            better = right or better
        yield _url_problem(tile, media, f"has the extension '{suffix or '(none)'}'; carousel images must end in "
                           f"{' or '.join(allowed)}: rename the file to '{stem}{better}' and update image_url")._replace(
                               fix=fix)


def _renamed(tile: Tile, rel: str, extension: str) -> Fix | None:
    """Renaming the image to ``extension`` (unique in its folder), with every reference updated."""
    new_rel = unused_name(tile, posixpath.splitext(rel)[0] + extension, rel)
    changes = rename(tile, rel, new_rel)
    name = new_rel.rpartition("/")[2]
    return Fix(f"rename it to '{name}' and update its references", changes) if changes else None


def format_matches(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The image's real format is the one its extension claims (a JPEG is not named .png)."""
    formats: Mapping[str, str] = params["formats"]
    for rel in tile.memo(images):
        image = info(tile, rel)
        expected = formats.get(posixpath.splitext(rel)[1].lower())
        if image.error or not image.format or expected is None or image.format == expected:
            continue
        right = next((ext for ext, fmt in formats.items() if fmt == image.format), None)
        advice = f"rename it to '{posixpath.splitext(rel)[0]}{right}'" if right else "re-export it as PNG or JPEG"
        yield Problem(rel, f"the file is {image.format} data but its name says {expected}; {advice} and update "
                      "image_url, or re-export it in the named format", fix=_renamed(tile, rel, right) if right else None)


def committed_videos(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No video file is committed: carousel videos are e-mailed to Datadog, which returns a vimeo_id."""
    wanted = tuple(params["extensions"])
    for name in tile.files:
        if name.lower().endswith(wanted):
            yield Problem(name, "video files are not committed to the tile: e-mail the video to "
                          "marketplace@datadoghq.com, put the vimeo_id Datadog returns in the manifest's media "
                          "entry, and delete this file (check it first with `tilekit video`)")


CHECKS = {
    "media.min_images": Check(min_images, MIN_IMAGES_PARAMS),
    "media.count": Check(count, COUNT_PARAMS),
    "media.captions": Check(captions, CAPTION_PARAMS),
    "media.missing_files": Check(missing_files, NO_PARAMS),
    "media.safe_paths": Check(safe_paths, NO_PARAMS),
    "media.extensions": Check(extensions, RENAME_PARAMS),
    "media.format_matches": Check(format_matches, FORMAT_PARAMS),
    "media.committed_videos": Check(committed_videos, EXTENSION_PARAMS),
}
