"""CHANGELOG.md checks: '## X.Y.Z / YYYY-MM-DD' entries, newest first, with Datadog's labels."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from toolkit.checks._schema import NAMES, NO_PARAMS, REGEX, STRING, Check, params
from toolkit.findings import Edit, Fix, Problem
from toolkit.markdown import LINE, inline_text
from toolkit.textfile import State
from toolkit.tile import CHANGELOG, Tile

FORMAT_PARAMS = params(pattern=REGEX, example=STRING)
_FORM = {"type": "string", "pattern": "\\{label\\}"}
LABEL_PARAMS = params(labels={**NAMES, "minItems": 1}, form=_FORM, same_rendering={"type": "array", "items": _FORM})

_VERSION = re.compile(r"(?<![\d.])(\d+)\.(\d+)\.(\d+)(?![\d.])")
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_LABEL_LINE = re.compile(r"^(#{1,6}\s+)?([*_\[]*)\s*([A-Za-z][A-Za-z ]{0,40}?)\s*([*_\]]*)\s*(:?)\s*([*_]*)$")


class Entry(NamedTuple):
    """A heading that names a version, however it is written."""

    line: int
    source: str  # the heading's source line, as written
    level: int
    style: str
    version: tuple[int, int, int]
    date: str | None

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


def entries(tile: Tile) -> list[Entry]:
    """The changelog's version headings (none when it cannot be read)."""
    doc = tile.changelog
    found: list[Entry] = []
    if doc is None:
        return found
    for token in doc.tokens:
        if token["type"] != "heading":
            continue
        text = inline_text(token)
        version = _VERSION.search(text)
        if version is None:
            continue
        line = token.get(LINE, 1)
        date = _DATE.search(text)
        found.append(Entry(line, doc.lines[line - 1].strip(), token["attrs"]["level"], token.get("style", "atx"),
                           tuple(int(g) for g in version.groups()), date.group() if date else None))  # type: ignore[arg-type]
    return found


def present(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """CHANGELOG.md exists as a readable file inside the tile."""
    source = tile.text(CHANGELOG)
    if source.state is State.MISSING:
        yield Problem(CHANGELOG, "no CHANGELOG.md in the tile; create it with a first entry "
                      "'## 1.0.0 / YYYY-MM-DD' (the tile's Release Notes tab shows it)", key=f"file:{CHANGELOG}")
    elif source.state in (State.DIRECTORY, State.OUTSIDE):
        yield Problem(CHANGELOG, f"{source.reason}; CHANGELOG.md must be a text file with the release notes")


def has_entries(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At least one version entry."""
    source = tile.text(CHANGELOG)
    if source.state is State.EMPTY:
        yield Problem(CHANGELOG, "CHANGELOG.md is empty; add a first entry '## 1.0.0 / YYYY-MM-DD'")
    elif tile.changelog is not None and not tile.memo(entries):
        yield Problem(CHANGELOG, "CHANGELOG.md has no version entry; add one such as '## 1.0.0 / YYYY-MM-DD'")


def heading_format(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every version heading is an ATX H2 of exactly the documented form."""
    pattern = re.compile(params["pattern"])
    for entry in tile.memo(entries):
        if entry.style == "atx" and pattern.fullmatch(entry.source):
            continue
        date = entry.date or "YYYY-MM-DD"
        fix = f"## {entry.version_text} / {date}"
        what = "a setext heading" if entry.style == "setext" else f"'{entry.source}'"
        missing = "" if entry.date else " with the release date"
        yield Problem(CHANGELOG, f"version heading {what} is not in the form '{params['example']}'; "
                      f"write '{fix}'{missing}", line=entry.line, column=1, fix=_rewrite_heading(tile, entry))


# What a version heading may hold besides its version and date for the rewrite to lose nothing: markup and
# separators, a 'v' or 'version' before the number, and 'Unreleased' (dropped when no date says otherwise).
_HEADING_NOISE = re.compile(r"(?i)[\s#=\-*_/:()\[\]|,.]|\bunreleased\b")
_VERSION_WORD = re.compile(r"(?i)\bv(?:ersion)?\s*(?=\d)")


def _rewrite_heading(tile: Tile, entry: Entry) -> Fix | None:
    """'## X.Y.Z / D' for a heading that holds nothing else (safe: nothing the partner wrote is lost), or
    '## X.Y.Z' when it has no date, which leaves the finding for the partner to date."""
    doc = tile.changelog
    assert doc is not None
    lines = 2 if entry.style == "setext" else 1
    source = "\n".join(doc.lines[entry.line - 1:entry.line - 1 + lines])
    rest = _VERSION.sub("", _VERSION_WORD.sub("", source, count=1), count=1)
    rest = _DATE.sub("", rest, count=1) if entry.date else rest
    if _HEADING_NOISE.sub("", rest):
        return None
    heading = f"## {entry.version_text}" + (f" / {entry.date}" if entry.date else "")
    if heading == source:
        return None
    return Fix(f"rewrite the heading as '{heading}'", (Edit(CHANGELOG, entry.line, 1, len(source), heading),))


def dates(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every entry's date is a real calendar date, not in the future."""
    import datetime

    today = datetime.date.today()
    for entry in tile.memo(entries):
        if entry.date is None:
            continue
        try:
            when = datetime.date.fromisoformat(entry.date)
        except ValueError:
            yield Problem(CHANGELOG, f"{entry.version_text}: '{entry.date}' is not a real calendar date; "
                          "write the release date as YYYY-MM-DD", line=entry.line, column=1)
            continue
        if when > today:
            yield Problem(CHANGELOG, f"{entry.version_text}: date {entry.date} is in the future (today is "
                          f"{today.isoformat()}); write the actual release date", line=entry.line, column=1)


def order(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Entries go newest first: versions strictly descending, dates never increasing. Every pair out of order
    is named in one finding for the file (a reversed file is one defect); each repeated version is its own."""
    seen: dict[tuple[int, int, int], int] = {}
    pairs: list[tuple[Entry, Entry, str]] = []
    previous: Entry | None = None
    for entry in tile.memo(entries):
        if entry.version in seen:
            yield Problem(CHANGELOG, f"version {entry.version_text} repeats the entry at line "
                          f"{seen[entry.version]}; each version has one entry", line=entry.line, column=1)
        elif previous is not None and entry.version > previous.version:
            pairs.append((entry, previous, "is newer"))
        elif previous is not None and _later(entry.date, previous.date):
            pairs.append((entry, previous, f"is dated {entry.date}, after {previous.date}"))
        seen.setdefault(entry.version, entry.line)
        previous = entry
    if not pairs:
        return
    named = [f"{e.version_text} (line {e.line}) comes after {p.version_text} (line {p.line}) but {why}"
             for e, p, why in pairs[:_NAMED]]
    more = f", and {len(pairs) - _NAMED} more" if len(pairs) > _NAMED else ""
    yield Problem(CHANGELOG, f"entries are not newest first: {'; '.join(named)}{more}; list the entries newest "
                  "first (versions descending, dates not increasing)", line=pairs[0][0].line, column=1)


_NAMED = 10  # pairs spelled out in one changelog/order message


def section_labels(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Entry labels are written exactly as Datadog's template does: ``***Added***:`` and its siblings."""
    doc = tile.changelog
    if doc is None:
        return
    valid = {params["form"].format(label=label): label for label in params["labels"]}
    listed = ", ".join(valid)
    # Spellings that render exactly as the canonical form does are not a partner's problem.
    accepted = set(valid) | {form.format(label=label) for form in params["same_rendering"] for label in params["labels"]}
    inside = False
    for token in doc.tokens:
        kind = token["type"]
        if kind == "heading" and _VERSION.search(inline_text(token)):
            inside = True
            continue
        if not inside or kind not in ("heading", "paragraph"):
            continue
        line = token.get(LINE, 1)
        source = doc.lines[line - 1].strip()
        label = _label(source, heading=kind == "heading")
        if label is None or source in accepted:
            continue
        known = next((form for form, name in valid.items() if name.lower() == label.lower()), None)
        advice = f"write '{known}'" if known else f"use one of {listed}"
        text = doc.lines[line - 1]
        fix = Fix(f"write '{known}'", (Edit(CHANGELOG, line, 1, len(text), known),)) if known else None
        yield Problem(CHANGELOG, f"entry label '{source}' is not in Datadog's form; {advice}", line=line, column=1,
                      fix=fix)


def spacing(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The layout Datadog's CHANGELOG normaliser writes: a blank line after each version heading and each label,
    '* ' bullets, no trailing white space after a label. Each kind of slip is one finding for the file."""
    doc = tile.changelog
    if doc is None:
        return
    headings = {entry.line for entry in tile.memo(entries) if entry.style == "atx"}
    labels = {form.format(label=label) for form in [params["form"], *params["same_rendering"]]
              for label in params["labels"]}
    slips: dict[str, list[int]] = {}
    edits: dict[str, list[Edit]] = {}

    def slip(what: str, number: int, edit: Edit) -> None:
        slips.setdefault(what, []).append(number)
        edits.setdefault(what, []).append(edit)

    fenced = False
    lines = doc.lines
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        following = lines[number] if number < len(lines) else ""
        end = Edit(CHANGELOG, number, len(line) + 1, 0, "\n")  # a blank line after this one
        if number in headings and following.strip():
            slip("no blank line after the version heading", number, end)
        if line.strip() in labels:
            if following.strip():
                slip("no blank line after the label", number, end)
            if line != line.rstrip():
                stripped = len(line.rstrip())
                slip("white space after the label", number, Edit(CHANGELOG, number, stripped + 1, len(line) - stripped))
        dash = re.match(r"^\s*- ", line)
        if dash:
            slip("'-' bullets (Datadog writes '* ')", number, Edit(CHANGELOG, number, dash.end() - 1, 1, "*"))
    for what, where in slips.items():
        shown = ", ".join(map(str, where[:3])) + (", ..." if len(where) > 3 else "")
        count = f"{len(where)} lines ({shown})" if len(where) > 1 else f"line {shown}"
        fix = Fix(f"{_SPACING_FIXES[what]} ({count.split(' (')[0]})", tuple(edits[what]))
        yield Problem(CHANGELOG, f"{what}: {count}; Datadog's CHANGELOG layout is '## X.Y.Z / date', a blank line, "
                      "'***Added***:', a blank line, then '* ' bullets", line=where[0], column=1, fix=fix)


_SPACING_FIXES = {
    "no blank line after the version heading": "add a blank line after each version heading",
    "no blank line after the label": "add a blank line after each label",
    "white space after the label": "remove the white space after each label",
    "'-' bullets (Datadog writes '* ')": "write '* ' bullets",
}


def _label(source: str, heading: bool) -> str | None:
    """The word(s) of a line that looks like a section label (emphasised, a heading, or ending in ':')."""
    match = _LABEL_LINE.match(source)
    if match is None:
        return None
    marks = match.group(1) or match.group(2) or match.group(4) or match.group(5) or match.group(6)
    words = match.group(3).split()
    if not (heading or marks) or len(words) > 3:
        return None
    return " ".join(words)


def _later(date: str | None, than: str | None) -> bool:
    return bool(date and than and date > than)


CHECKS = {
    "changelog.spacing": Check(spacing, LABEL_PARAMS),
    "changelog.present": Check(present, NO_PARAMS),
    "changelog.has_entries": Check(has_entries, NO_PARAMS),
    "changelog.heading_format": Check(heading_format, FORMAT_PARAMS),
    "changelog.dates": Check(dates, NO_PARAMS),
    "changelog.order": Check(order, NO_PARAMS),
    "changelog.section_labels": Check(section_labels, LABEL_PARAMS),
}
