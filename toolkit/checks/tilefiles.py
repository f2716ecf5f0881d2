"""Checks over every text file of a tile: encoding, and placeholders the scaffold left to fill in."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit import tilepath
from toolkit.checks._schema import NAMES, POSITIVE, REGEX, Check, params
from toolkit.findings import Fix, Op, Problem, clipped
from toolkit.textfile import State
from toolkit.tile import Tile
from toolkit.tilepath import Kind

EXTENSIONS: dict[str, Any] = {"type": "array", "items": {"type": "string", "pattern": r"^\.\w+$"}, "minItems": 1}
ENCODING_PARAMS = params(extensions=EXTENSIONS)
PLACEHOLDER_PARAMS = params(extensions=EXTENSIONS, patterns={"type": "array", "items": REGEX, "minItems": 1})
CAPS_PARAMS = params(max_bytes={"type": "object", "minProperties": 1,
                                 "propertyNames": {"pattern": r"^\.\w+$"}, "additionalProperties": POSITIVE})


def text_files(tile: Tile, extensions: list[str]) -> list[str]:
    """The tile's files with these extensions (any case)."""
    wanted = tuple(extensions)
    return [name for name in tile.files if name.lower().endswith(wanted)]


def encoding(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Text files are UTF-8 without a byte-order mark, and readable."""
    for name in text_files(tile, params["extensions"]):
        source = tile.text(name)
        if source.state is State.BINARY:
            yield Problem(name, f"{source.reason}; tile text files must be UTF-8 text")
        if source.decode_error:
            yield Problem(name, f"{source.decode_error}; save the file as UTF-8")
        if source.bom:
            yield Problem(name, "starts with a UTF-8 byte-order mark (EF BB BF), which JSON parsers and "
                          "Datadog's tools reject; save it as UTF-8 without BOM", line=1, column=1,
                          fix=Fix("remove the byte-order mark", (Op("strip-bom", name),)))


def unreadable(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every folder can be listed and every file read; nothing is a FIFO, socket or device; no text file
    is over its cap. Other rules stay silent on such files: this is their one finding."""
    listing = tile.listing
    for folder, why in listing.unlisted.items():
        yield Problem(folder if folder == "." else f"{folder}/", f"this folder cannot be listed: {why}")
    caps = params["max_bytes"]
    for name in tile.files:
        path = os.path.join(tile.root, name)
        if name in listing.special:
            try:
                what = tilepath.special_name(os.lstat(path).st_mode)
            except OSError:
                continue  # gone since the walk
            yield Problem(name, f"this is {what}, not a regular file; tilekit never opens it: replace it with the "
                          "real file or delete it")
            continue
        entry = tile.entry(name)
        if entry.kind in (Kind.SPECIAL, Kind.UNREADABLE):  # through a link inside the tile, or stat refused
            yield Problem(name, f"cannot be read: {entry.reason}")
        elif entry.kind is Kind.FILE and not os.access(path, os.R_OK):
            yield Problem(name, "cannot be read: permission denied; make it readable (e.g. `chmod a+r` on it)")
        elif entry.kind is Kind.FILE and entry.size > caps.get(posixpath.splitext(name)[1].lower(), entry.size):
            cap = tile.limits.cap(name)
            yield Problem(name, f"the file is {entry.size:,} bytes, over the {cap:,}-byte cap for this kind of "
                          "file, so it was not checked; real tile files are far smaller: is it the right file?")


def leftover_guide(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No scaffold guide file is left in the tile (reviewers ask for ddev's images/IMAGES_README.md to go)."""
    for name in params["files"]:
        if name in tile.files:
            yield Problem(name, "this is ddev's scaffold guide, not part of the tile; delete it (reviewers ask for it)")


def placeholders(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No scaffold placeholder is left: each one is a line the partner still has to write."""
    pattern = re.compile("|".join(f"(?:{p})" for p in params["patterns"]))
    # Each pattern alone over the whole file first: most files have no placeholder and are done at once, and a
    # pattern alone starts with a literal that the regex engine finds much faster than the first of several.
    separate = [re.compile(p) for p in params["patterns"]]
    for name in text_files(tile, params["extensions"]):
        source = tile.text(name)
        if not source.ok or not any(p.search(source.text) for p in separate):
            continue
        for number, line in enumerate(source.lines, start=1):
            for match in pattern.finditer(line):
                text = match.group()
                shown = clipped(text, 80)
                yield Problem(name, f"unfilled placeholder {shown}; replace it with your own content",
                              line=number, column=match.start() + 1)


GUIDE_PARAMS = params(files=NAMES)

CHECKS = {
    "tile.leftover_guide": Check(leftover_guide, GUIDE_PARAMS),
    "tile.encoding": Check(encoding, ENCODING_PARAMS),
    "tile.placeholder": Check(placeholders, PLACEHOLDER_PARAMS),
    "tile.unreadable": Check(unreadable, CAPS_PARAMS),
}
