"""A tile (a directory holding manifest.json), its files parsed once, and finding tiles from paths."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from toolkit import jsondoc, tilepath, yamldoc
from toolkit.errors import ToolkitError
from toolkit.textfile import TextFile, read_text

if TYPE_CHECKING:
    from toolkit import markdown
    from toolkit.gitchanges import Changes

MANIFEST = "manifest.json"
README = "README.md"
CHANGELOG = "CHANGELOG.md"
T = TypeVar("T")


class Limits(NamedTuple):
    """How many bytes tilekit reads of a text file before calling it too large (rules data, tile/unreadable)."""

    caps: Mapping[str, int]  # by lower-case extension; other files read as text get the largest

    def cap(self, name: str) -> int:
        return self.caps.get(posixpath.splitext(name)[1].lower()) or max(self.caps.values())


class Listing(NamedTuple):
    """A walk of the tile: its files, and what could not be walked or is not a file at all."""

    files: list[str]  # every non-folder entry, links and special files included, tile-relative with ``/``
    unlisted: dict[str, str]  # folder -> why it could not be listed
    special: frozenset[str]  # FIFOs, sockets, devices, found from the directory entry without a stat


class Tile:
    """One tile. Every file is read and parsed at most once, the first time a check asks."""

    def __init__(self, root: Path, cwd: Path, limits: Limits, changes: Changes | None = None) -> None:
        self.root = root
        self.display = display_path(root, cwd)
        self.limits = limits
        self.changes = changes  # with --changed-since: what the checkout was at the merge base
        self._texts: dict[str, TextFile] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}
        self.consulted: set[str] = set()  # files of the checkout that checks looked at (checkout_path)

    @property
    def name(self) -> str:
        return self.root.name

    def path(self, name: str) -> str:
        """A tile-relative file name as findings show it: relative to the cwd, ``/`` separators."""
        if not name:
            return self.display
        return name if self.display == "." else f"{self.display}/{name}"

    def entry(self, rel: str) -> tilepath.Entry:
        """What ``rel`` is on disk, stated once per tile."""
        return self.memo(_entry, rel)

    def probed(self) -> list[str]:
        """Every tile-relative name a check looked up on disk, listed in the tile or not."""
        return [key[1] for key in self._memo if key[0] is _entry]

    def checkout_path(self, rel: str) -> Path:
        """A file of the checkout the tile sits in (``rel`` from the tile's parent folder), for the checks that
        consult one; every such file is named here, so that what the findings depend on is known."""
        self.consulted.add(rel)
        return self.root.parent / rel

    def text(self, name: str) -> TextFile:
        if name not in self._texts:
            self._texts[name] = read_text(self.root, name, self.limits.cap(name), self.entry(name))
        return self._texts[name]

    def memo(self, derive: Callable[..., T], *args: Any) -> T:
        """``derive(self, *args)``, computed once per tile however many checks ask for it."""
        key = (derive, *args)
        if key not in self._memo:
            self._memo[key] = derive(self, *args)
        return self._memo[key]  # type: ignore[no-any-return]

    @cached_property
    def listing(self) -> Listing:
        """The tile walked once: hidden folders and links to folders are not entered."""
        files: list[str] = []
        unlisted: dict[str, str] = {}
        special: list[str] = []
        pending = [""]
        while pending:
            rel = pending.pop()
            try:
                with os.scandir(self.root / rel if rel else self.root) as scan:
                    children = sorted(scan, key=lambda e: e.name)
            except OSError as exc:
                unlisted[rel or "."] = tilepath.os_reason(exc)
                continue
            folders = []
            for child in children:
                name = f"{rel}/{child.name}" if rel else child.name
                if child.is_dir(follow_symlinks=False):
                    if not child.name.startswith("."):
                        folders.append(name)
                elif child.is_symlink():
                    if not _links_to_folder(child):  # a link to a folder is not entered
                        files.append(name)
                else:
                    files.append(name)
                    if not child.is_file(follow_symlinks=False):
                        special.append(name)
            pending += reversed(folders)
        return Listing(sorted(files), unlisted, frozenset(special))

    @property
    def files(self) -> list[str]:
        return self.listing.files

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def exact_case(self, rel: str) -> str | None:
        """``rel`` as the file system spells it, matched case-insensitively; None if no such file in the tile.

        macOS and Windows ignore case, GitHub does not: 'images/Shot.png' is not 'images/shot.png' there.
        """
        if rel in self._file_set:
            return rel
        lowered = rel.lower()
        return next((name for name in self.files if name.lower() == lowered), None)

    @cached_property
    def readme(self) -> markdown.Document | None:
        return _markdown(self.text(README))

    @cached_property
    def changelog(self) -> markdown.Document | None:
        return _markdown(self.text(CHANGELOG))

    @cached_property
    def manifest(self) -> jsondoc.JsonDoc | None:
        """The parsed manifest, or None when the file cannot be read as text at all."""
        return self.json(MANIFEST)

    @property
    def parsed_manifest(self) -> jsondoc.JsonDoc | None:
        """The manifest when it parsed: checks that compare with it stay silent on one manifest/invalid-json reports."""
        doc = self.manifest
        return doc if doc is not None and doc.error is None else None

    def json(self, rel: str) -> jsondoc.JsonDoc | None:
        """A JSON file of the tile parsed once, or None when it cannot be read as text."""
        return self.memo(_json, rel)

    def yaml(self, rel: str) -> yamldoc.YamlDoc | None:
        """A YAML file of the tile parsed once, or None when it cannot be read as text."""
        return self.memo(_yaml, rel)

    def csv(self, rel: str) -> CsvTable | None:
        """A CSV file of the tile parsed once, or None when it cannot be read as text."""
        return self.memo(_csv, rel)

    def manifest_get(self, *keys: str) -> Any:
        """A nested manifest value, or None when any step is absent or of the wrong type."""
        node = self.manifest.value if self.manifest else None
        for key in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node


def _links_to_folder(link: os.DirEntry[str]) -> bool:
    try:
        return link.is_dir()
    except OSError:  # a loop: a file-like name that tile/unreadable reports when it is stated
        return False


def _entry(tile: Tile, rel: str) -> tilepath.Entry:
    return tilepath.probe(tile.root, rel)


class CsvTable(NamedTuple):
    rows: list[tuple[int, list[str]]]  # (the line the row starts on, its fields), the header first
    error: str = ""  # why parsing stopped (the rows before it are kept)
    error_line: int | None = None


def _csv(tile: Tile, rel: str) -> CsvTable | None:
    import csv

    source = tile.text(rel)
    if not source.ok:
        return None
    # The csv module refuses fields over 131,072 characters by default; a field may be as long as the
    # file's cap allows. The limit is process-wide, so it is put back after this one read.
    limit = csv.field_size_limit(max(len(source.text), 131_072))
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(source.lines)
    try:
        start = 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        return CsvTable(rows, str(exc), reader.line_num)
    finally:
        csv.field_size_limit(limit)
    return CsvTable(rows)


def _yaml(tile: Tile, rel: str) -> yamldoc.YamlDoc | None:
    source = tile.text(rel)
    return yamldoc.parse(source.text) if source.ok else None


def _json(tile: Tile, rel: str) -> jsondoc.JsonDoc | None:
    source = tile.text(rel)
    return jsondoc.parse(source.text, duplicates=rel == MANIFEST) if source.ok else None  # manifest/duplicate-key


def _markdown(source: TextFile) -> markdown.Document | None:
    from toolkit import markdown  # here: a run whose tiles are all remembered parses no Markdown

    return markdown.parse(source.text) if source.ok else None


def display_path(path: Path, cwd: Path) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()


class Discovery(NamedTuple):
    """What PATHs name (SPEC section 3): tile roots, each once, in the order first named."""

    roots: list[Path]
    unreadable: dict[Path, str]  # folders that may be tiles but cannot be looked into: why
    stray_files: int  # files named that belong to no tile (when nothing else was named: "nothing checked")


def _is_tile(directory: Path) -> bool | str:
    """Whether ``directory`` holds a manifest.json (a dangling link counts: it is the tile's to report),
    or why that cannot be known."""
    try:
        os.lstat(directory / MANIFEST)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        return tilepath.os_reason(exc)
    return True


def discover(paths: Iterable[str], cwd: Path) -> Discovery:
    """The tiles PATHs name: a tile, a folder inside one, a folder of tiles (one level down), or a file
    inside a tile. Exit 2 for a PATH that does not exist or a folder with no tile in or under it."""
    roots: dict[Path, None] = {}
    unreadable: dict[Path, str] = {}
    stray = 0
    for raw in paths:
        path = Path(os.path.normpath(cwd / raw))
        if not os.path.lexists(path):
            raise ToolkitError(f"{raw}: no such file or directory")
        if os.path.isdir(path):
            tile = _is_tile(path)
            if isinstance(tile, str):
                raise ToolkitError(f"{raw}: cannot look into the folder: {tile}")
            found = [path] if tile else [enclosing] if (enclosing := _enclosing_tile(path)) else []
            if not found:
                found, blocked = _child_tiles(raw, path)
                unreadable.update(blocked)
                if not found and not blocked:
                    raise ToolkitError(f"no tile in {raw}: a tile is a folder with {MANIFEST} (a folder of tiles "
                                       "is searched one level down)")
        else:
            found = [owner] if (owner := _enclosing_tile(path)) else []
            stray += not found
        for root in found:
            roots.setdefault(root, None)
    unique: dict[str, Path] = {}
    for root in roots:
        unique.setdefault(os.path.realpath(root), root)
    return Discovery(list(unique.values()), unreadable, stray)


def _child_tiles(raw: str, directory: Path) -> tuple[list[Path], dict[Path, str]]:
    try:
        with os.scandir(directory) as scan:
            children = sorted(Path(entry.path) for entry in scan if entry.is_dir())
    except OSError as exc:
        raise ToolkitError(f"{raw}: cannot list the folder: {tilepath.os_reason(exc)}") from exc
    found, blocked = [], {}
    for child in children:
        tile = _is_tile(child)
        if isinstance(tile, str):
            blocked[child] = tile
        elif tile:
            found.append(child)
    return found, blocked


def _enclosing_tile(path: Path) -> Path | None:
    for parent in path.parents:
        if _is_tile(parent) is True:
            return parent
    return None
