"""Checks over every text file of a tile: encoding, and placeholders the scaffold left to fill in."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit.checks._schema import REGEX, params
from toolkit.findings import Problem
from toolkit.textfile import State
from toolkit.tile import CHANGELOG, MANIFEST, README, Tile

EXTENSIONS: dict[str, Any] = {"type": "array", "items": {"type": "string", "pattern": r"^\.\w+$"}, "minItems": 1}
ENCODING_PARAMS = params(extensions=EXTENSIONS)
PLACEHOLDER_PARAMS = params(extensions=EXTENSIONS, patterns={"type": "array", "items": REGEX, "minItems": 1})
_MAIN = (README, MANIFEST, CHANGELOG)  # their unreadable states are their own rules' findings


def text_files(tile: Tile, extensions: list[str]) -> list[str]:
    """The tile's files with these extensions (any case)."""
    wanted = tuple(extensions)
    return [name for name in tile.files if name.lower().endswith(wanted)]


def encoding(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Text files are UTF-8 without a byte-order mark, and readable."""
    for name in text_files(tile, params["extensions"]):
        source = tile.text(name)
        if source.state is State.BINARY or (source.state is State.UNREADABLE and name not in _MAIN):
            yield Problem(name, f"{source.reason}; tile text files must be UTF-8 text")
        if source.decode_error:
            yield Problem(name, f"{source.decode_error}; save the file as UTF-8")
        if source.bom:
            yield Problem(name, "starts with a UTF-8 byte-order mark (EF BB BF), which JSON parsers and "
                          "Datadog's tools reject; save it as UTF-8 without BOM", line=1, column=1)


def placeholders(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No scaffold placeholder is left: each one is a line the partner still has to write."""
    pattern = re.compile("|".join(f"(?:{p})" for p in params["patterns"]))
    for name in text_files(tile, params["extensions"]):
        source = tile.text(name)
        if not source.ok:
            continue
        for number, line in enumerate(source.lines, start=1):
            for match in pattern.finditer(line):
                text = match.group()
                shown = text if len(text) <= 80 else text[:77] + "..."
                yield Problem(name, f"unfilled placeholder {shown}; replace it with your own content",
                              line=number, column=match.start() + 1)
