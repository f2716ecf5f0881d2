"""How the fixer touches the disk: every file written whole (``toolkit.atomic``), never over a file it did not
mean to replace, and each original copied to a backup folder outside the tile first."""

from __future__ import annotations

import datetime
import errno
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from toolkit.atomic import write


def link(old: Path, new: Path) -> bool:
    """Give the file ``old`` the second name ``new`` (which must not exist); False when the two names are one file
    already (a change of case only, on a file system that ignores case): the caller renames it in one step."""
    try:
        os.link(old, new)
    except FileExistsError:
        if os.path.samefile(old, new):
            return False
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        write(new, old.read_bytes(), mode_from=old, exclusive=True)  # no hard links here: a copy
    return True


class Backups:
    """Originals of the files a run rewrites or renames, under ``folder/<tile>/<path in the tile>``; the folder is
    made when the first file is saved. Each file is saved once per run, before its first change."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder  # None: --no-backup
        self.used = False
        self._tiles: dict[Path, str] = {}
        self._saved: set[Path] = set()

    def name_tiles(self, roots: Iterable[Path]) -> None:
        """Name each tile's folder up front, in order: worker processes saving at once then agree on the names."""
        for root in roots:
            self._name(root)

    def _name(self, root: Path) -> str:
        name = self._tiles.get(root)
        if name is None:
            name, number = root.name, 1
            while name in self._tiles.values():  # two tiles of one name in a run
                number += 1
                name = f"{root.name}_{number}"
            self._tiles[root] = name
        return name

    def save(self, root: Path, rel: str) -> None:
        source = root / rel
        if self.folder is None or source in self._saved:
            return
        target = self.folder / self._name(root) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
        self.used = True
        self._saved.add(source)

    def made(self, path: Path) -> None:
        """``path`` was written by this run: a later change to it has nothing original to save."""
        self._saved.add(path)


def default_folder() -> Path:
    """``$XDG_CACHE_HOME/tilekit/backups/<UTC timestamp>`` (``~/.cache`` without XDG_CACHE_HOME), a new one."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, number = Path(home) / "tilekit" / "backups" / stamp, 1
    while folder.exists():
        number += 1
        folder = folder.with_name(f"{stamp}-{number}")
    return folder
