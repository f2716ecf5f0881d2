"""Where a tile refers to its image files, so that a rename can update every reference in the same fix: the
carousel's ``image_url`` values and the README's images (Markdown, reference definitions and ``<img>`` tags),
spelled as a path or as a URL path (``a%20b.png``), relative or as a raw GitHub URL to the tile."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from toolkit import tilepath
from toolkit.carousel import entries
from toolkit.findings import Edit, Op
from toolkit.markdown import LINE, Document
from toolkit.tile import MANIFEST, README, Tile
from toolkit.tilepath import Kind

_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def image_urls(doc: Document) -> Iterator[tuple[str, int]]:
    """(url, line) for Markdown images, reference images and HTML ``<img>`` tags."""
    for token in doc.tokens:
        start = token.get(LINE, 1)
        for url in _urls_in(token):
            yield url, doc.find_line(url, start)


def _urls_in(token: dict[str, Any]) -> Iterator[str]:
    if token["type"] == "image":
        yield token["attrs"]["url"]
    elif token["type"] in ("block_html", "inline_html"):
        for match in _IMG_SRC.finditer(token.get("raw", "")):
            yield next(g for g in match.groups() if g is not None)
    for child in token.get("children", ()):
        yield from _urls_in(child)


def rename(tile: Tile, rel: str, new_rel: str) -> tuple[Edit | Op, ...] | None:
    """The changes that rename the tile file ``rel`` to ``new_rel`` (same folder) and update every reference to it;
    None when a reference cannot be rewritten in place (then renaming would break it)."""
    old_name, new_name = rel.rpartition("/")[2], new_rel.rpartition("/")[2]
    changes: list[Edit | Op] = [Op("rename", rel, {"to": new_rel})]
    for media in tile.memo(entries):
        if media.rel == rel:
            url = _retarget(media.url, old_name, new_name)
            if url is None:
                return None
            changes.append(Op("json-set", MANIFEST, {"path": ("tile", "media", media.position, "image_url"),
                                                     "value": url}))
    doc = tile.readme
    places: set[tuple[int, int, str]] = set()
    for url, line in image_urls(doc) if doc is not None else ():
        if not _names(tile, url, rel):
            continue
        new_url = _retarget(url, old_name, new_name)
        text = doc.lines[line - 1] if doc is not None else ""
        found = [m.start() for m in re.finditer(re.escape(url), text)]
        if new_url is None or not found:
            return None
        places.update((line, column + 1, url) for column in found)
    for line, column, url in sorted(places):
        new_url = _retarget(url, old_name, new_name)
        assert new_url is not None
        changes.append(Edit(README, line, column, len(url), new_url))
    return tuple(changes)


def _names(tile: Tile, url: str, rel: str) -> bool:
    """Whether a README image URL names the tile file ``rel``: relative, or a web URL to this tile's file."""
    where = tilepath.resolve(tile, url)
    if where.kind is Kind.URL:
        return tilepath.url_path(url).endswith(f"/{tile.name}/{rel}")
    return where.kind is Kind.FILE and where.rel == rel


def _retarget(url: Any, old_name: str, new_name: str) -> str | None:
    """``url`` with its last path segment, ``old_name`` as written or %-encoded, replaced by ``new_name``."""
    if not isinstance(url, str):
        return None
    head, slash, tail = url.rpartition("/")
    if tail == old_name:
        return f"{head}{slash}{new_name}"
    path = url.split("#", 1)[0].split("?", 1)[0]
    head, slash, tail = path.rpartition("/")
    if unquote(tail) == old_name:
        return f"{head}{slash}{new_name}{url[len(path):]}"
    return None


def unused_name(tile: Tile, wanted: str, renamed: str) -> str:
    """A new name for the file ``renamed``: ``wanted`` (tile-relative), or ``stem_2.ext``, ``stem_3.ext``... when
    another file of the tile already has that name in any case (names that differ only in case collide on macOS
    and Windows)."""
    folder, slash, name = wanted.rpartition("/")
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    taken = {f.lower() for f in tile.files if f != renamed}
    candidate, number = stem, 1
    while f"{folder}{slash}{candidate}{dot}{extension}".lower() in taken:
        number += 1
        candidate = f"{stem}_{number}"
    return f"{folder}{slash}{candidate}{dot}{extension}"
