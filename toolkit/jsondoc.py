"""JSON with positions: values from the C parser, lines of keys from a scan done only when needed.

``json.loads`` is fast and exact but says nothing about where a value sits. Findings need the
line of the offending key, so on demand a second, position-only pass over the (already valid)
text maps each JSON path to the line and column of its key (object members) or of its value
(array items and the root), and notes duplicate keys, which ``json.loads`` silently merges.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

JsonPath = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_CONSTANTS = re.compile(r'"(?:[^"\\]|\\.)*"|-Infinity|Infinity|NaN')
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NESTING_REPORTED_AT = 500


class SyntaxProblem(NamedTuple):
    message: str
    line: int | None
    column: int | None
    advice: str = "fix the syntax (a trailing comma, a missing comma or an unquoted key is typical)"


class Duplicate(NamedTuple):
    path: JsonPath  # of the object holding the key
    key: str
    line: int
    column: int
    first_line: int


@dataclass
class JsonDoc:
    text: str
    value: Any = None
    error: SyntaxProblem | None = None
    has_duplicates: bool = False
    _newlines: list[int] = field(default_factory=list, repr=False)
    _walks: int = field(default=0, repr=False)

    def position(self, path: JsonPath) -> tuple[int, int]:
        """Line and column of the key at ``path``, or of its nearest ancestor that has one. Found by walking down
        the path, the values beside it skipped by the C decoder: a finding on a 40 kB dashboard costs no scan of
        every token. Each walk skips the values before its own, so a file with many findings (10,000 media
        entries) is scanned once instead, after which every position is a lookup."""
        if "_scan" in self.__dict__ or self._walks >= _WALKS_BEFORE_SCAN:
            positions = self._scan[0]
            while path not in positions and path:
                path = path[:-1]
            return positions.get(path, (1, 1))
        self._walks += 1
        offset = _find(self.text, path)
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    @property
    def duplicates(self) -> list[Duplicate]:
        return self._scan[1] if self.has_duplicates else []

    @cached_property
    def _scan(self) -> tuple[dict[JsonPath, tuple[int, int]], list[Duplicate]]:
        self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return _scan(self.text, self._line_col)

    def _line_col(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, offset - start + 1


def parse(text: str, duplicates: bool = False) -> JsonDoc:
    """Parse JSON text; syntax errors, excessive nesting and huge numbers become ``error``. With ``duplicates``,
    repeated keys are noticed too (a Python callback per object: several times slower on a large file, so only for
    the files whose repeated keys a rule reports)."""
    doc = JsonDoc(text)

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            doc.has_duplicates = True
        return obj

    def reject_constant(name: str) -> Any:
        raise _NotJson(name)

    try:
        doc.value = json.loads(text, object_pairs_hook=pairs_hook if duplicates else None,
                               parse_constant=reject_constant)
    except _NotJson as exc:  # Python accepts NaN and Infinity; JSON and Datadog's parsers do not
        line, column = _constant_at(text, exc.args[0])
        doc.error = SyntaxProblem(f"{exc.args[0]} is not a JSON value", line, column, "write a number or null")
    except json.JSONDecodeError as exc:
        doc.error = SyntaxProblem(exc.msg, exc.lineno, exc.colno)
    except RecursionError:
        deep_line, deep_column = _too_deep_at(text)
        doc.error = SyntaxProblem(f"nesting deeper than {_NESTING_REPORTED_AT} levels", deep_line, deep_column,
                                  "flatten the structure")
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        doc.error = SyntaxProblem(str(exc), None, None, "write a shorter number")
    return doc


class _NotJson(ValueError):
    """A constant Python's parser accepts but JSON does not."""


def _constant_at(text: str, name: str) -> tuple[int, int]:
    """Where ``name`` first stands outside a string."""
    for match in _CONSTANTS.finditer(text):
        if match.group() == name:
            line = text.count("\n", 0, match.start()) + 1
            return line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return 1, 1


def pointer(path: JsonPath) -> str:
    """``("tile", "media", 0)`` -> ``$.tile.media[0]``."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


_SKIP = json.JSONDecoder()
_WALKS_BEFORE_SCAN = 16  # a walk costs up to a C pass over the file; the full scan, a Python pass


def _find(text: str, path: JsonPath) -> int:
    """The offset of the key at ``path`` (of the item, for an array index; of the value, for the root), or of its
    deepest ancestor that exists, in valid JSON ``text``; the first of repeated keys, as the full scan records."""
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    found = pos
    for step in path:
        if isinstance(step, str):
            if text.startswith("{", pos):
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
                while not text.startswith("}", pos):
                    start = pos
                    key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
                    pos = _WS.match(text, text.index(":", pos) + 1).end()  # type: ignore[union-attr]
                    if key == step:
                        break
                    pos = _after(text, pos)
                else:
                    return found
                found = start
                continue
            return found
        if not text.startswith("[", pos):
            return found
        pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        for _ in range(step):
            if text.startswith("]", pos):
                return found
            pos = _after(text, pos)
        if text.startswith("]", pos):
            return found
        found = pos
    return found


def _after(text: str, pos: int) -> int:
    """Past the value at ``pos`` and the comma after it (the decoder skips the value in C)."""
    pos = _SKIP.raw_decode(text, pos)[1]
    pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
    return _WS.match(text, pos + 1).end() if text.startswith(",", pos) else pos  # type: ignore[union-attr]


def value_spans(text: str) -> dict[JsonPath, tuple[int, int]]:
    """Where each value of the (valid) JSON ``text`` starts and ends: character offsets [start, end), the first
    occurrence of a repeated key. For `tilekit fix`, which replaces values in place."""
    spans: dict[JsonPath, tuple[int, int]] = {}
    _scan(text, lambda offset: (0, 0), spans)
    return spans


class _Frame:
    __slots__ = ("index", "is_object", "key", "keys", "path", "start", "want_key")

    def __init__(self, path: JsonPath, is_object: bool, start: int = 0) -> None:
        self.start = start
        self.path = path
        self.is_object = is_object
        self.index = 0
        self.key = ""
        self.want_key = is_object
        self.keys: dict[str, int] = {}


def _scan(text: str, line_col: Any,
          spans: dict[JsonPath, tuple[int, int]] | None = None) -> tuple[dict[JsonPath, tuple[int, int]], list[Duplicate]]:
    """Walk valid JSON text iteratively (no recursion limit) recording positions, and each value's span when asked."""
    positions: dict[JsonPath, tuple[int, int]] = {}
    duplicates: list[Duplicate] = []
    stack: list[_Frame] = []
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    positions[()] = line_col(pos)
    end = len(text)
    while pos < end:
        char = text[pos]
        top = stack[-1] if stack else None
        if char in ", \t\n\r":
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            continue
        if char in "}]":
            done = stack.pop()
            pos += 1
            if spans is not None:
                spans.setdefault(done.path, (done.start, pos))
            continue
        if top is not None and top.is_object and top.want_key:
            where = line_col(pos)
            key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
            if key in top.keys:
                duplicates.append(Duplicate(top.path, key, where[0], where[1], top.keys[key]))
            else:
                top.keys[key] = where[0]
            positions.setdefault(top.path + (key,), where)
            top.key, top.want_key = key, False
            pos = text.index(":", pos) + 1
            continue
        if top is None:
            path: JsonPath = ()
        elif top.is_object:
            path, top.want_key = top.path + (top.key,), True
        else:
            path = top.path + (top.index,)
            top.index += 1
            positions.setdefault(path, line_col(pos))
        start = pos
        if char in "{[":
            stack.append(_Frame(path, char == "{", start))
            pos += 1
            continue
        if char == '"':
            pos = json.decoder.scanstring(text, pos + 1)[1]  # type: ignore[attr-defined]
        else:
            literal = _LITERAL.match(text, pos)
            pos = literal.end() if literal else pos + 1
        if spans is not None:
            spans.setdefault(path, (start, pos))
    return positions, duplicates


def _too_deep_at(text: str) -> tuple[int | None, int | None]:
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > _NESTING_REPORTED_AT:
                line = text.count("\n", 0, match.start()) + 1
                return line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        elif token in "]}":
            depth -= 1
    return None, None
