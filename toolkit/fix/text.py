"""Text edits applied to a file's own bytes: positions given in the text as checks saw it (``\\n`` newlines, no
BOM) are mapped onto the file as it is, so its newlines (CRLF, even mixed) and everything not edited stay as they
were. JSON values are replaced in place at the span the position scanner finds, and the result must parse to
exactly the intended value."""

from __future__ import annotations

import codecs
import copy
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from toolkit import jsondoc
from toolkit.findings import Edit

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Refused(Exception):
    """A file the fixer must not edit; the message says why."""


class Source(NamedTuple):
    """A text file as stored: its text with its own newlines, and whether a BOM precedes it."""

    raw: str
    bom: bool

    @classmethod
    def decode(cls, data: bytes) -> Source:
        bom = data.startswith(codecs.BOM_UTF8)
        try:
            raw = data[len(codecs.BOM_UTF8) if bom else 0:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused("it is not valid UTF-8") from exc
        return cls(raw, bom)

    @property
    def text(self) -> str:
        """The text as checks see it."""
        return self.raw.replace("\r\n", "\n").replace("\r", "\n")

    @property
    def newline(self) -> str:
        """The file's most common newline, which inserted lines get."""
        counts = {"\r\n": self.raw.count("\r\n")}
        counts["\r"] = self.raw.count("\r") - counts["\r\n"]
        counts["\n"] = self.raw.count("\n") - counts["\r\n"]
        return max(counts, key=lambda nl: (counts[nl], nl == "\n"))

    def encode(self, keep_bom: bool = True) -> bytes:
        return (codecs.BOM_UTF8 if self.bom and keep_bom else b"") + self.raw.encode("utf-8")


def offsets(text: str) -> list[int]:
    """Where each line of ``text`` starts (``text`` with ``\\n`` newlines)."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def span(starts: list[int], edit: Edit) -> tuple[int, int]:
    """The [start, end) character range an edit replaces, in the text as checks see it."""
    start = starts[edit.line - 1] + edit.column - 1
    return start, start + edit.delete


def apply(source: Source, edits: Iterable[Edit]) -> Source:
    """``source`` with ``edits`` (which must not overlap) made, bottom-up, in the file's own newlines."""
    text = source.text
    starts = offsets(text)
    raw_starts = [0] + [m.end() for m in _NEWLINE.finditer(source.raw)]

    def raw_offset(offset: int) -> int:
        line = max(0, _line_of(starts, offset))
        return raw_starts[line] + offset - starts[line]

    raw = source.raw
    for edit in sorted(edits, key=lambda e: span(starts, e), reverse=True):
        start, end = span(starts, edit)
        if not 0 <= start <= end <= len(text):
            raise Refused(f"an edit at line {edit.line} falls outside the file")
        insert = edit.insert.replace("\n", source.newline)
        raw = raw[:raw_offset(start)] + insert + raw[raw_offset(end):]
    return Source(raw, source.bom)


def _line_of(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset) - 1


def json_edits(rel: str, text: str, sets: Iterable[Mapping[str, Any]]) -> list[Edit]:
    """The edits that write each ``{"path", "value"}`` at its place in the JSON ``text``, keeping the rest."""
    spans = jsondoc.value_spans(text)
    starts = offsets(text)
    edits = []
    for change in sets:
        path = tuple(change["path"])
        if path not in spans:
            raise Refused(f"{jsondoc.pointer(path)} is not in the file")
        start, end = spans[path]
        line = _line_of(starts, start)
        edits.append(Edit(rel, line + 1, start - starts[line] + 1, end - start,
                          json.dumps(change["value"], ensure_ascii=False)))
    return edits


def expected_json(value: Any, sets: Iterable[Mapping[str, Any]]) -> Any:
    """``value`` with each set made: what the edited file must parse to."""
    result = copy.deepcopy(value)
    for change in sets:
        *parents, last = change["path"]
        node = result
        for key in parents:
            node = node[key]
        node[last] = change["value"]
    return result


def check_json(rel: str, new_text: str, expected: Any) -> None:
    """Refuse an edited JSON file that does not parse to exactly the intended value (a key that appears twice,
    say, whose second value is the one parsers keep)."""
    doc = jsondoc.parse(new_text)
    if doc.error is not None or doc.value != expected:
        raise Refused(f"editing {rel} in place would not give the intended JSON (does a key appear twice?)")
