"""Reading a tile's text files without surprises: every way a file can be unusable has a name."""

from __future__ import annotations

import codecs
import enum
import functools
import os
from pathlib import Path
from typing import NamedTuple


class State(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    DIRECTORY = "directory"
    OUTSIDE = "outside"  # a symlink that leaves the tile: never followed
    UNREADABLE = "unreadable"  # the OS refused (permissions, I/O error)
    BINARY = "binary"  # NUL bytes: not text at all
    EMPTY = "empty"  # nothing but white space


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class TextFile(NamedTuple):
    """A text file of a tile. ``text`` has ``\\n`` newlines and no BOM; it is usable when ``state`` is OK."""

    name: str
    state: State
    text: str = ""
    reason: str = ""  # what went wrong, for states other than OK
    bom: bool = False
    decode_error: str = ""  # invalid UTF-8: where; ``text`` then holds U+FFFD replacements

    @property
    def ok(self) -> bool:
        return self.state is State.OK

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def read_text(root: Path, name: str) -> TextFile:
    """Read ``root/name`` as UTF-8 text; never raises for anything the file system or the bytes do."""
    path = root / name
    if not is_inside(root, path):
        if os.path.lexists(path):
            return TextFile(name, State.OUTSIDE, reason=f"{name} leads outside the tile, which tilekit never reads")
        return TextFile(name, State.MISSING, reason=f"{name} does not exist")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return TextFile(name, State.MISSING, reason=f"{name} does not exist")
    except IsADirectoryError:
        return TextFile(name, State.DIRECTORY, reason=f"{name} is a directory, not a file")
    except OSError as exc:
        return TextFile(name, State.UNREADABLE, reason=f"{name} cannot be read: {exc.strerror or exc}")
    return decode(name, data)


def decode(name: str, data: bytes) -> TextFile:
    if data.startswith(_UTF16_BOMS):
        return TextFile(name, State.BINARY, reason=f"{name} is UTF-16 encoded; save it as UTF-8")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return TextFile(name, State.BINARY, reason=f"{name} is binary, not text (a NUL byte at offset {offset})")
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    decode_error = ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        decode_error = f"byte 0x{data[exc.start]:02x} on line {line} is not valid UTF-8"
        text = data.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return TextFile(name, State.EMPTY, reason=f"{name} is empty", bom=bom)
    return TextFile(name, State.OK, text=text, bom=bom, decode_error=decode_error)


def is_inside(root: Path, path: Path) -> bool:
    """Whether ``path``, with every link resolved, stays inside ``root``.

    Only the part below ``root`` is examined (a link above the tile does not matter), and the
    full resolution runs only when that part holds a link.
    """
    rel = os.path.relpath(path, root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return False
    current = str(root)
    for part in rel.split(os.sep):
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
