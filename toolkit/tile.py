"""A tile (a directory holding manifest.json), its files parsed once, and finding tiles from paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from toolkit import jsondoc, markdown
from toolkit.errors import ToolkitError
from toolkit.textfile import TextFile, is_inside, read_text

MANIFEST = "manifest.json"
README = "README.md"
CHANGELOG = "CHANGELOG.md"
T = TypeVar("T")


class Tile:
    """One tile. Every file is read and parsed at most once, the first time a check asks."""

    def __init__(self, root: Path, cwd: Path) -> None:
        self.root = root
        self.display = display_path(root, cwd)
        self._texts: dict[str, TextFile] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    @property
    def name(self) -> str:
        return self.root.name

    def path(self, name: str) -> str:
        """A tile-relative file name as findings show it: relative to the cwd, ``/`` separators."""
        return name if self.display == "." else f"{self.display}/{name}"

    def text(self, name: str) -> TextFile:
        if name not in self._texts:
            self._texts[name] = read_text(self.root, name)
        return self._texts[name]

    def memo(self, derive: Callable[..., T], *args: Any) -> T:
        """``derive(self, *args)``, computed once per tile however many checks ask for it."""
        key = (derive, *args)
        if key not in self._memo:
            self._memo[key] = derive(self, *args)
        return self._memo[key]  # type: ignore[no-any-return]

    @cached_property
    def files(self) -> list[str]:
        """Every file of the tile, tile-relative with ``/``; hidden folders and links to folders are skipped."""
        found = []
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rel = Path(os.path.relpath(folder, self.root)).as_posix()
            found += [name if rel == "." else f"{rel}/{name}" for name in sorted(names)]
        return found

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def exact_case(self, rel: str) -> str | None:
        """``rel`` as the file system spells it, matched case-insensitively; None if no such file in the tile.

        macOS and Windows ignore case, GitHub does not: 'images/Shot.png' is not 'images/shot.png' there.
        """
        if rel in self._file_set:
            return rel if is_inside(self.root, self.root / rel) else None
        folder = self.root
        spelled = []
        for part in rel.split("/"):
            try:
                names = [entry.name for entry in folder.iterdir()]
            except OSError:  # not a folder, or not listable
                return None
            actual = part if part in names else next((n for n in names if n.lower() == part.lower()), None)
            if actual is None:
                return None
            spelled.append(actual)
            folder = folder / actual
        return "/".join(spelled) if folder.is_file() and is_inside(self.root, folder) else None

    @cached_property
    def readme(self) -> markdown.Document | None:
        return _markdown(self.text(README))

    @cached_property
    def changelog(self) -> markdown.Document | None:
        return _markdown(self.text(CHANGELOG))

    @cached_property
    def manifest(self) -> jsondoc.JsonDoc | None:
        """The parsed manifest, or None when the file cannot be read as text at all."""
        source = self.text(MANIFEST)
        return jsondoc.parse(source.text) if source.ok else None

    def manifest_get(self, *keys: str) -> Any:
        """A nested manifest value, or None when any step is absent or of the wrong type."""
        node = self.manifest.value if self.manifest else None
        for key in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node


def _markdown(source: TextFile) -> markdown.Document | None:
    return markdown.parse(source.text) if source.ok else None


def display_path(path: Path, cwd: Path) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()


def is_tile(directory: Path) -> bool:
    return (directory / MANIFEST).exists()


def discover(paths: Iterable[str], cwd: Path) -> list[Path]:
    """The roots of the tiles that PATHs name, each once, in the order first named (SPEC section 3)."""
    roots: dict[Path, None] = {}
    for raw in paths:
        path = (cwd / raw).absolute()
        if not path.exists():
            raise ToolkitError(f"{raw}: no such file or directory")
        if path.is_dir():
            found = [path] if is_tile(path) else _child_tiles(path)
            if not found:
                raise ToolkitError(
                    f"{raw}: no tile here (a tile is a directory with a {MANIFEST}; "
                    "a folder of tiles is searched one level down)"
                )
        else:
            found = [tile] if (tile := _enclosing_tile(path)) else []
        for root in found:
            roots.setdefault(Path(os.path.normpath(root)), None)
    unique: dict[Path, Path] = {}
    for root in roots:
        unique.setdefault(root.resolve(), root)
    return list(unique.values())


def _child_tiles(directory: Path) -> list[Path]:
    try:
        children = sorted(directory.iterdir())
    except OSError as exc:
        raise ToolkitError(f"{directory}: cannot list the folder: {exc.strerror or exc}") from exc
    return [child for child in children if child.is_dir() and is_tile(child)]


def _enclosing_tile(file: Path) -> Path | None:
    for parent in Path(os.path.normpath(file)).parents:
        if is_tile(parent):
            return parent
    return None
