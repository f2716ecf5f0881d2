"""The JSON asset files a manifest names in a short-name map (``assets.dashboards``, ``assets.monitors``), each
resolved, read and parsed once through the tile, with findings at the line of a key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from toolkit import tilepath
from toolkit.findings import Problem
from toolkit.jsondoc import JsonDoc
from toolkit.tile import Tile
from toolkit.tilepath import Kind


class JsonAsset(NamedTuple):
    rel: str
    doc: JsonDoc

    def problem(self, message: str, *path: str | int) -> Problem:
        """A finding on this file at the line of the key at ``path`` (the top of the file without one)."""
        line, column = self.doc.position(tuple(path))
        return Problem(self.rel, message, line=line, column=column)

    @property
    def value(self) -> Any:
        return self.doc.value if self.doc.error is None else None


def named(tile: Tile, kind: str) -> list[JsonAsset]:
    """Each file ``assets.<kind>`` names, parsed, once each (a missing one is assets/missing-file's)."""
    mapping = tile.manifest_get("assets", kind)
    found: dict[str, JsonAsset] = {}
    for path in mapping.values() if isinstance(mapping, dict) else ():
        where = tilepath.resolve(tile, path) if isinstance(path, str) and path else None
        if where is not None and where.kind is Kind.FILE and where.rel not in found:
            doc = tile.json(where.rel)
            if doc is not None:
                found[where.rel] = JsonAsset(where.rel, doc)
    return list(found.values())


def objects(tile: Tile, kind: str) -> list[tuple[JsonAsset, dict[str, Any]]]:
    """The named files that are JSON objects, with their values."""
    return [(asset, asset.value) for asset in tile.memo(named, kind) if isinstance(asset.value, dict)]


def not_json(tile: Tile, kind: str, advice: str) -> Iterator[Problem]:
    """A finding for each named file that is not JSON (at the syntax error) or not a JSON object."""
    for asset in tile.memo(named, kind):
        error = asset.doc.error
        if error is not None:
            yield Problem(asset.rel, f"not valid JSON: {error.message}; {error.advice}", line=error.line,
                          column=error.column)
        elif not isinstance(asset.value, dict):
            yield asset.problem(f"the file is not a JSON object; {advice}")
