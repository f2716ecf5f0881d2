"""The carousel's facts, shared by the media and image checks: the ``tile.media`` entries, where
each ``image_url`` leads, and each image's header, read once."""

from __future__ import annotations

from typing import Any, NamedTuple

from toolkit import images as reader
from toolkit import tilepath
from toolkit.tile import Tile
from toolkit.tilepath import Kind

_UNSAFE = {
    Kind.URL: "is a URL; commit the image under images/ and give its path relative to manifest.json, e.g. "
              "images/overview.png",
    Kind.ABSOLUTE: "is an absolute path; give the path relative to manifest.json, e.g. images/overview.png",
    Kind.FOLDER: "is a folder, not an image file",
}


class Media(NamedTuple):
    """One ``tile.media`` entry and where its image_url leads."""

    position: int  # in tile.media
    media_type: Any
    caption: Any
    url: Any
    rel: str | None  # the tile-relative image file, when the url leads to a readable one
    unsafe: str = ""  # why the url is not a path inside the tile (media/path)
    missing: str = ""  # why no file was found there (media/missing-file)


def entries(tile: Tile) -> list[Media]:
    """The carousel entries that are objects, each with its image_url resolved inside the tile."""
    items = tile.manifest_get("tile", "media")
    if not isinstance(items, list):
        return []
    return [_entry(tile, index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def images(tile: Tile) -> list[str]:
    """Each distinct image file the carousel uses (video thumbnails included)."""
    return list(dict.fromkeys(m.rel for m in tile.memo(entries) if m.rel))


def info(tile: Tile, rel: str) -> reader.ImageInfo:
    """The image's header facts, read once per tile."""
    return tile.memo(_read, rel)


def _read(tile: Tile, rel: str) -> reader.ImageInfo:
    entry = tile.entry(rel)
    handle = tilepath.open_regular(tile.root, rel, entry)
    if isinstance(handle, tilepath.Entry):  # swapped or locked since it was resolved: tile/unreadable's
        return reader.ImageInfo(entry.size, error=f"cannot be read: {handle.reason}", access=True)
    with handle:
        return reader.read(handle, entry.size)


def _entry(tile: Tile, index: int, item: dict[str, Any]) -> Media:
    url = item.get("image_url")
    media = Media(index, item.get("media_type"), item.get("caption"), url, None)
    if not isinstance(url, str) or not url:
        return media  # manifest/schema reports a missing or non-string image_url
    where = tilepath.resolve(tile, url)
    kind = where.kind
    if kind is Kind.FILE:
        return media._replace(rel=where.rel)
    if kind in _UNSAFE:
        return media._replace(unsafe=_UNSAFE[kind])
    if kind is Kind.OUTSIDE:
        how = "is a link that resolves outside the tile; commit the image itself" if where.reason else \
            "leads outside the tile ('..'); keep images in the tile's images/ folder"
        return media._replace(unsafe=how)
    if kind is Kind.MISSING:
        hint = f"the file is named '{where.near}' (GitHub is case-sensitive)" if where.near else \
            "add the image or fix the path"
        return media._replace(missing=f"does not exist in the tile; {hint}")
    return media  # SPECIAL or UNREADABLE: tile/unreadable reports the file itself
