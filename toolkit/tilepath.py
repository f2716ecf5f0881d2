"""Paths inside a tile: what a name is on disk (stated before anything is opened), and what a
reference string found in a tile (a media ``image_url``, a README image or link, a manifest asset
path) names. Every check goes through here, so one string gets one answer everywhere.

Nothing here follows a link out of the tile, and nothing opens a file that is not a regular file:
a FIFO would block the reader for ever, a device may do worse.
"""

from __future__ import annotations

import enum
import errno
import functools
import os
import posixpath
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple
from urllib.parse import unquote

if TYPE_CHECKING:
    from toolkit.tile import Tile


class Kind(enum.Enum):
    FILE = "file"  # a regular file inside the tile
    FOLDER = "folder"
    MISSING = "missing"
    SPECIAL = "special"  # a FIFO, socket or device: never opened
    UNREADABLE = "unreadable"  # the OS refused to stat or open it (permissions, a link loop, I/O)
    OUTSIDE = "outside"  # '..' or a link that leads out of the tile: never followed
    URL = "url"  # a reference with a scheme (https:, data:, //host)
    ABSOLUTE = "absolute"  # a reference that is an absolute path


class Entry(NamedTuple):
    """What a tile-relative name is on disk."""

    kind: Kind
    size: int = 0
    reason: str = ""  # for SPECIAL and UNREADABLE: what it is or what the OS said


class Resolved(NamedTuple):
    """What a reference string names in the tile."""

    reference: str
    kind: Kind
    rel: str = ""  # the tile-relative path (``/``) it leads to, as the file system spells it
    near: str = ""  # MISSING only: an existing file whose name differs only in case
    reason: str = ""  # SPECIAL, UNREADABLE: the entry's reason


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]|^\\\\")
_SPECIAL_NAMES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def special_name(mode: int) -> str:
    return next((name for test, name in _SPECIAL_NAMES if test(mode)), "not a regular file")


def os_reason(exc: OSError) -> str:
    """An OS error in a partner's words, with what to do about permissions."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; make it readable (e.g. `chmod a+rX` on it and its folders)"
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop"
    return exc.strerror or str(exc)


def probe(root: Path, rel: str) -> Entry:
    """``root/rel`` stated, links followed only while they stay inside the tile; never opened."""
    path = os.path.join(root, rel)
    if not _inside(root, rel, path):
        return Entry(Kind.OUTSIDE, reason="a link that leads outside the tile, which tilekit never follows")
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return Entry(Kind.MISSING)
    except OSError as exc:
        return Entry(Kind.UNREADABLE, reason=os_reason(exc))
    except ValueError:  # a NUL in the name
        return Entry(Kind.MISSING)
    if stat.S_ISREG(info.st_mode):
        return Entry(Kind.FILE, info.st_size)
    if stat.S_ISDIR(info.st_mode):
        return Entry(Kind.FOLDER)
    return Entry(Kind.SPECIAL, reason=f"{special_name(info.st_mode)}, not a regular file; tilekit never opens it")


class ReadResult(NamedTuple):
    data: bytes | None  # None when not read; then ``entry`` says why
    entry: Entry


def open_regular(root: Path, rel: str, entry: Entry | None = None) -> BinaryIO | Entry:
    """A binary handle on a regular file of the tile, or the Entry that says why there is none.

    The file is stated first (``entry``, when the caller already has it), then opened without
    blocking and stated again through its handle, so a file swapped for a FIFO in between is
    still never read.
    """
    entry = entry or probe(root, rel)
    if entry.kind is not Kind.FILE:
        return entry
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return Entry(Kind.UNREADABLE, reason=os_reason(exc))
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        return Entry(Kind.UNREADABLE, reason=os_reason(exc))
    if not stat.S_ISREG(mode):
        os.close(fd)
        return Entry(Kind.SPECIAL, reason=f"{special_name(mode)}, not a regular file; tilekit never reads it")
    return os.fdopen(fd, "rb")


def read_bytes(root: Path, rel: str, cap: int, entry: Entry | None = None) -> ReadResult:
    """The bytes of a regular file of the tile, if it is one and holds at most ``cap`` bytes."""
    entry = entry or probe(root, rel)
    if entry.kind is Kind.FILE and entry.size > cap:
        return ReadResult(None, entry)
    handle = open_regular(root, rel, entry)
    if isinstance(handle, Entry):
        return ReadResult(None, handle)
    try:
        with handle:
            # sized by the file as stated, not by the cap: a buffer of the cap's size costs more than the read;
            # a file that grew since is read on, up to the cap
            data = handle.read(min(cap, entry.size) + 1 if entry.kind is Kind.FILE else cap + 1)
            if entry.kind is Kind.FILE and entry.size < len(data) <= cap:
                data += handle.read(cap + 1 - len(data))
    except OSError as exc:
        return ReadResult(None, Entry(Kind.UNREADABLE, reason=os_reason(exc)))
    return ReadResult(data, Entry(Kind.FILE, len(data)))


def is_inside(root: Path, path: Path) -> bool:
    """Whether ``path``, with every link resolved, stays inside ``root``.

    Only the part below ``root`` is examined (a link above the tile does not matter), and the
    full resolution runs only when that part holds a link.
    """
    rel = os.path.relpath(path, root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return False
    return _links_stay_inside(root, rel.split(os.sep), os.fspath(path))


def _inside(root: Path, rel: str, path: str) -> bool:
    """``is_inside`` for a tile-relative name, as the tile's walk and ``normalise`` give them, without re-deriving
    the relative path."""
    parts = rel.split("/")
    if not rel or os.pardir in parts or rel.startswith("/") or "\\" in rel:
        return is_inside(root, Path(path))  # anything unusual takes the general way
    return _links_stay_inside(root, parts, path)


def _links_stay_inside(root: Path, parts: list[str], path: str) -> bool:
    """Each component below the root checked for a link (one lstat each); only when one is found is ``path``
    resolved and compared with the root."""
    current = os.fspath(root)
    for part in parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            try:
                return os.path.realpath(path).startswith(_real(root) + os.sep)
            except (OSError, RuntimeError, ValueError):
                return False
    return True


@functools.lru_cache(maxsize=64)
def _real(root: Path) -> str:
    return os.path.realpath(root)


def normalise(reference: str) -> Resolved | str:
    """The tile-relative path a reference spells, or a Resolved saying why it names no path in the tile."""
    if _SCHEME.match(reference):
        return Resolved(reference, Kind.URL)
    if reference.startswith(("/", "\\")) or _WINDOWS_ABSOLUTE.match(reference):
        return Resolved(reference, Kind.ABSOLUTE)
    rel = posixpath.normpath(reference.replace("\\", "/")) if reference else ""
    if rel in ("", ".") or rel == ".." or rel.startswith("../"):
        return Resolved(reference, Kind.OUTSIDE if rel.startswith("..") else Kind.MISSING)
    return rel


def url_path(reference: str) -> str:
    """A reference read as a URL path: query and fragment dropped, %-escapes decoded."""
    return unquote(reference.split("#", 1)[0].split("?", 1)[0])


def resolve(tile: Tile, reference: str) -> Resolved:
    """What ``reference`` names in ``tile``.

    The string is tried as written first, then, when that names nothing and it reads differently as
    a URL path (``shot%201.png``, ``a.png#center``), as that URL path: a README and a manifest that
    spell a file the same way get the same answer.
    """
    first = _resolve_as(tile, reference, reference)
    if first.kind is Kind.MISSING and not first.near:
        decoded = url_path(reference)
        if decoded != reference:
            second = _resolve_as(tile, reference, decoded)
            if second.kind is not Kind.MISSING or second.near:
                return second
    return first


def _resolve_as(tile: Tile, reference: str, spelled: str) -> Resolved:
    rel = normalise(spelled)
    if isinstance(rel, Resolved):
        return rel._replace(reference=reference)
    entry = tile.entry(rel)
    if entry.kind is Kind.FILE:
        actual = tile.exact_case(rel)
        if actual is not None and actual != rel:  # a case-insensitive file system found it; GitHub will not
            return Resolved(reference, Kind.MISSING, rel, near=actual)
    elif entry.kind is Kind.MISSING:
        return Resolved(reference, Kind.MISSING, rel, near=tile.exact_case(rel) or "")
    return Resolved(reference, entry.kind, rel, reason=entry.reason)
