"""Reading a tile's text files without surprises: every way a file can be unusable has a name."""

from __future__ import annotations

import codecs
import enum
from pathlib import Path
from typing import NamedTuple

from toolkit import tilepath
from toolkit.tilepath import Kind


class State(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    DIRECTORY = "directory"
    OUTSIDE = "outside"  # a symlink that leaves the tile: never followed
    UNREADABLE = "unreadable"  # the OS refused (permissions, a link loop, I/O error)
    SPECIAL = "special"  # a FIFO, socket or device: never opened
    TOO_LARGE = "too large"  # over the size cap: not read, not parsed
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


def read_text(root: Path, name: str, cap: int, entry: tilepath.Entry | None = None) -> TextFile:
    """Read ``root/name`` as UTF-8 text, at most ``cap`` bytes; never raises, never opens a non-file."""
    data, entry = tilepath.read_bytes(root, name, cap, entry)
    if data is not None and len(data) <= cap:
        return decode(name, data)
    kind = entry.kind
    if kind is Kind.FILE:  # over the cap: grown since it was stated, or stated so
        return TextFile(name, State.TOO_LARGE, reason=f"{name} is {entry.size:,} bytes, over the {cap:,}-byte cap "
                        "for this kind of file, so it was not checked; real tile files are far smaller")
    if kind is Kind.FOLDER:
        return TextFile(name, State.DIRECTORY, reason=f"{name} is a directory, not a file")
    if kind is Kind.OUTSIDE:
        return TextFile(name, State.OUTSIDE, reason=f"{name} leads outside the tile, which tilekit never reads")
    if kind is Kind.SPECIAL:
        return TextFile(name, State.SPECIAL, reason=f"{name} is {entry.reason}")
    if kind is Kind.UNREADABLE:
        return TextFile(name, State.UNREADABLE, reason=f"{name} cannot be read: {entry.reason}")
    return TextFile(name, State.MISSING, reason=f"{name} does not exist")


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
    if "\r" in text:  # one scan, instead of two copies of every file that has none
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return TextFile(name, State.EMPTY, reason=f"{name} is empty", bom=bom)
    return TextFile(name, State.OK, text=text, bom=bom, decode_error=decode_error)
