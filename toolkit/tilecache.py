"""Each tile's findings remembered between `tilekit validate` runs, so that an unchanged tile costs a walk of its
folder and a few stats instead of every parse and every rule.

What a tile's findings depend on, and how each is known to be unchanged:
- its files: the walk of the tile lists the same names, and each listed file, each other path a check looked at
  (a name the manifest refers to, even one that does not exist) and each file of the checkout a check read
  (CODEOWNERS, .ddev/config.toml) states the same type, size, inode and modification and change times;
- the rules as configured, tilekit's code and the libraries installed beside it, the user (permissions), the
  date (a CHANGELOG date in the future), and where the run looks from (paths are shown relative to the cwd):
  one digest, the run's key.

Findings are stored only when nothing they depend on changed within ``RACY_SECONDS`` of the run's start: a file
rewritten with the same size within one tick of the file system's clock would otherwise look unchanged (git's
"racily clean" entries). The entries of the tiles of one folder are kept in one file, read once and written once
per run that checked any of them: creating a file costs more than checking a small tile. A cache that cannot be
read or written is no cache: the tile is simply checked; entries lost to two runs writing at once only cost a
check.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit import verdicts
from toolkit.findings import INTERNAL_ERROR, Applicability, Edit, Finding, Fix, Op, Severity

if TYPE_CHECKING:
    from toolkit.rules import Rule
    from toolkit.tile import Tile

RACY_SECONDS = 2.0  # the coarsest timestamp tick of common file systems (FAT: 2 s; HFS+: 1 s)


class Stamp(NamedTuple):
    """What a worker process needs to make a tile's entry: the run's key and when the run started."""

    key: str
    started_ns: int

    def entry(self, tile: Tile, findings: list[Finding]) -> dict[str, Any] | None:
        """What to remember of checking ``tile``; None when a rule crashed or a file changed too recently to tell.
        Stated after the check: a file changed during it is newer than the run's start."""
        if any(f.rule == INTERNAL_ERROR for f in findings):
            return None
        names = dict.fromkeys([*tile.files, *tile.probed(), *(f"../{rel}" for rel in sorted(tile.consulted))])
        stats = {name: _stat(tile, name) for name in names}
        newest = self.started_ns - int(RACY_SECONDS * 1e9)
        if any(isinstance(s, list) and max(s[2], s[3]) >= newest for s in stats.values()):
            return None
        return {"key": self.key, "listing": _listing(tile), "stats": stats, "findings": [_row(f) for f in findings]}


class TileCache:
    """The entries of one run: recalled before tiles are checked, the new ones saved after."""

    def __init__(self, rules: Iterable[Rule], cwd: Path) -> None:
        settings = [[r.id, r.severity.value, r.check, r.params, r.fix, list(r.supersedes)] for r in rules]
        key = verdicts.digest([
            json.dumps(settings, sort_keys=True, default=repr).encode(), os.fsencode(cwd),
            str(os.geteuid() if hasattr(os, "geteuid") else "").encode(),
            datetime.date.today().isoformat().encode(), verdicts.installation(),
        ])
        self.stamp = Stamp(key, time.time_ns())
        self._books: dict[Path, dict[str, Any]] = {}  # folder of tiles -> tile name -> entry
        self._changed: set[Path] = set()

    def recall(self, tile: Tile) -> list[Finding] | None:
        """The findings stored for ``tile``, if nothing they depend on changed since."""
        entry = self._book(tile.root.parent).get(tile.root.name)
        try:
            if entry is None or entry["key"] != self.stamp.key or entry["listing"] != _listing(tile):
                return None
            if any(_stat(tile, name) != stored for name, stored in entry["stats"].items()):
                return None
            return [_finding(row) for row in entry["findings"]]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # an entry this code cannot read: the tile is checked

    def keep(self, root: Path, entry: dict[str, Any]) -> None:
        self._book(root.parent)[root.name] = entry
        self._changed.add(root.parent)

    def save(self) -> None:
        for folder in self._changed:
            verdicts.store(_slot(folder), json.dumps(self._books[folder]).encode())  # ASCII: odd names escaped

    def _book(self, folder: Path) -> dict[str, Any]:
        if folder not in self._books:
            try:
                book = json.loads(_slot(folder).read_bytes())
            except (OSError, ValueError):
                book = None
            self._books[folder] = book if isinstance(book, dict) else {}
        return self._books[folder]


def _slot(folder: Path) -> Path:
    return verdicts.cache_dir() / "tiles" / f"{verdicts.digest([os.fsencode(folder)])}.json"


def _listing(tile: Tile) -> list[Any]:
    listing = tile.listing
    return [listing.files, listing.unlisted, sorted(listing.special)]


def _stat(tile: Tile, name: str) -> list[int] | str:
    """What ``name`` (tile-relative; ``../`` for the checkout) is on disk, links followed, in JSON's terms."""
    try:
        info = os.stat(os.path.join(tile.root, name))
    except OSError as exc:
        return f"error {exc.errno}"
    except ValueError:  # a NUL in a name the manifest gave
        return "invalid"
    return [info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _row(finding: Finding) -> list[Any]:
    fix = finding.repair
    return [finding.rule, finding.severity.value, finding.tile, finding.path, finding.line, finding.column,
            finding.message, None if fix is None else
            [fix.title, [["edit", *change] if isinstance(change, Edit) else ["op", *change] for change in fix.changes],
             fix.applicability.value, fix.safe_when]]


def _finding(row: list[Any]) -> Finding:
    rule, severity, tile, path, line, column, message, fix = row
    repair = None
    if fix is not None:
        title, changes, applicability, safe_when = fix
        # JSON has no tuples: a change's arguments come back with lists where the check made tuples, which the
        # fixer reads as any sequence
        repair = Fix(title, tuple(Edit(*c[1:]) if c[0] == "edit" else Op(*c[1:]) for c in changes),
                     Applicability(applicability), safe_when)
    return Finding(rule=rule, severity=Severity(severity), tile=tile, path=path, line=line, column=column,
                   message=message, repair=repair)
