"""CODEOWNERS checks, for a tile inside an integrations-extras checkout (``../.github/CODEOWNERS`` exists): ddev's
`validate codeowners`, which extras CI runs."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from toolkit import tilepath
from toolkit.checks._schema import NAMES, STRING, Check, params
from toolkit.findings import Problem
from toolkit.tile import Tile

MISSING_PARAMS = params(file=STRING, ignore_tiles=NAMES)
LOGS_PARAMS = params(file=STRING, logs_team=STRING, logs_folder=STRING)
_CAP = 5_000_000


class Line(NamedTuple):
    number: int
    pattern: str
    owners: list[str]

    @property
    def regex(self) -> re.Pattern[str]:
        """The pattern as GitHub matches it, compiled when first needed (most lines never are)."""
        return _compile(self.pattern)


def _lines(tile: Tile, file: str) -> tuple[str, list[Line]] | None:
    """The checkout's CODEOWNERS (named as the checkout names it) parsed once per version of the file."""
    path = tile.checkout_path(file)
    try:
        info = os.stat(path)
    except OSError:
        return None
    parsed = _parse(str(path.parent), path.name, info.st_mtime_ns, info.st_size)
    return (file, parsed) if parsed is not None else None


@functools.lru_cache(maxsize=4)
def _parse(folder: str, name: str, mtime: int, size: int) -> list[Line] | None:
    data, _entry = tilepath.read_bytes(Path(folder), name, _CAP)
    if data is None:
        return None
    found = []
    for number, text in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        parts = text.split("#", 1)[0].split()
        if parts:
            found.append(Line(number, parts[0], parts[1:]))
    return found


@functools.cache
def _compile(pattern: str) -> re.Pattern[str]:
    """A CODEOWNERS pattern (gitignore syntax) as a regex over paths such as '/x/assets/logs/'."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    regex = re.escape(body).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.compile(("^/" if anchored else "(?:^|/)") + regex + "(?:/|$)")


def missing(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The checkout's CODEOWNERS has a '/<tile>/' line whose first owner is a GitHub user or team."""
    parsed = _lines(tile, params["file"])
    if parsed is None:
        return
    shown, lines = parsed
    own = f"/{tile.name}/"
    entry = next((line for line in reversed(lines) if line.pattern == own), None)
    if entry is None:
        yield Problem("", f"{shown} has no '/{tile.name}/' line; add one naming the tile's owners, e.g. "
                      f"'/{tile.name}/ @your-github-user @DataDog/ecosystems-review'")
    elif not entry.owners:
        yield Problem("", f"{shown}:{entry.number}: '/{tile.name}/' names no owner; add the tile's GitHub users")
    elif not entry.owners[0].startswith("@") and tile.name not in params["ignore_tiles"]:
        yield Problem("", f"{shown}:{entry.number}: the first owner of '/{tile.name}/' is {entry.owners[0]!r}, not a "
                      "GitHub user or team (@name); put a GitHub handle first")


def logs(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A tile with log pipelines has them owned by Datadog's logs reviewers (the last matching line wins)."""
    folder = params["logs_folder"]
    if not any(name.startswith(f"{folder}/") for name in tile.files):
        return
    parsed = _lines(tile, params["file"])
    if parsed is None:
        return
    shown, lines = parsed
    path = f"/{tile.name}/{folder}/"
    winner = next((line for line in reversed(lines) if line.regex.search(path)), None)
    if winner is None or params["logs_team"] not in winner.owners:
        where = f"line {winner.number} ('{winner.pattern}') wins" if winner else "no line matches"
        yield Problem("", f"in {shown}, {path} is not owned by {params['logs_team']} ({where}); keep the "
                      f"'**/{folder}/ {params['logs_team']}' line last in the file")


CHECKS = {
    "codeowners.missing": Check(missing, MISSING_PARAMS),
    "codeowners.logs": Check(logs, LOGS_PARAMS),
}
