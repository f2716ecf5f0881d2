"""service_checks.json checks: the verdicts of ddev's `validate service-checks` (hosted by Datadog since 2025).

Each finding is at the line of the entry or key at fault, from the JSON position scanner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from toolkit import tilepath
from toolkit.checks._schema import NAMES, Check, params
from toolkit.findings import Problem
from toolkit.jsondoc import JsonDoc, pointer
from toolkit.tile import Tile
from toolkit.tilepath import Kind

ENTRY_PARAMS = params(keys=NAMES, statuses=NAMES)
NAME_PARAMS = params(invalid_characters={"type": "string", "format": "regex"},
                     invalid_sequences={"type": "string", "format": "regex"})


class Source(NamedTuple):
    rel: str
    doc: JsonDoc


def source(tile: Tile) -> Source | None:
    """The manifest's service-checks file, parsed, when ddev would check it (an integration block naming one)."""
    path = tile.manifest_get("assets", "integration", "service_checks", "metadata_path")
    if not isinstance(path, str) or not path:
        return None
    where = tilepath.resolve(tile, path)
    doc = tile.json(where.rel) if where.kind is Kind.FILE else None  # a missing file is assets/missing-file's
    return Source(where.rel, doc) if doc is not None else None


def _entries(tile: Tile) -> Iterator[tuple[Source, int, dict[str, Any]]]:
    found = tile.memo(source)
    if found is None or found.doc.error is not None or not isinstance(found.doc.value, list):
        return
    for index, entry in enumerate(found.doc.value):
        if isinstance(entry, dict):
            yield found, index, entry


def _at(found: Source, message: str, *path: str | int) -> Problem:
    """A finding on the service-checks file at the line of the key or entry at ``path``."""
    line, column = found.doc.position(tuple(path))
    return Problem(found.rel, message, line=line, column=column)


def invalid(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The file is JSON, a list (``[]`` when there are none, not ``{}``), of objects."""
    found = tile.memo(source)
    if found is None:
        return
    doc = found.doc
    if doc.error is not None:
        yield Problem(found.rel, f"not valid JSON: {doc.error.message}; {doc.error.advice}", line=doc.error.line,
                      column=doc.error.column)
    elif not isinstance(doc.value, list):
        what = "an empty object ({})" if doc.value == {} else f"a JSON {type(doc.value).__name__}"
        yield _at(found, f"the file is {what}; it must be a list of service checks, [] when there are none")
    else:
        for index, entry in enumerate(doc.value):
            if not isinstance(entry, dict):
                yield _at(found, f"{pointer((index,))} is not an object; each service check is an object with "
                          "agent_version, check, description, groups, integration, name and statuses", index)


def schema(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each entry has exactly ddev's keys, each of the right kind."""
    keys, statuses = params["keys"], params["statuses"]
    for found, index, entry in _entries(tile):
        where = pointer((index,))
        extra = [k for k in entry if k not in keys]
        missing = [k for k in keys if k not in entry]
        if extra:
            yield _at(found, f"{where} has the unknown key{'s' if len(extra) > 1 else ''} "
                          f"{', '.join(map(repr, extra))}; an entry has exactly: {', '.join(keys)}", index, extra[0])
        if missing:
            yield _at(found, f"{where} is missing {', '.join(map(repr, missing))}; an entry has exactly: "
                          f"{', '.join(keys)}", index)
        version = entry.get("agent_version")
        # ddev counts the numeric parts: "7.40.0" has three
        if "agent_version" in entry and not (isinstance(version, str)
                                             and sum(part.isdigit() for part in version.split(".")) == 3):
            yield _at(found, f"{where}.agent_version {version!r} is not a version of 3 numbers, e.g. \"7.40.0\"",
                      index, "agent_version")
        for key in ("description", "name", "check"):
            if key in entry and not (isinstance(entry[key], str) and entry[key]):
                yield _at(found, f"{where}.{key} must be a non-empty string", index, key)
        if "groups" in entry and not isinstance(entry["groups"], list):
            yield _at(found, f"{where}.groups must be a list (of tag names; [] for none)", index, "groups")
        given = entry.get("statuses")
        if "statuses" in entry and not (isinstance(given, list) and given and all(s in statuses for s in given)):
            yield _at(found, f"{where}.statuses must be a non-empty list of {', '.join(statuses)}", index,
                      "statuses")


def check_name(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """``check`` uses letters, digits, '_' and '.', without '_.', '..', '__' or an outer '_'; no check or name
    repeats."""
    characters, sequences = re.compile(params["invalid_characters"]), re.compile(params["invalid_sequences"])
    seen: dict[str, dict[str, int]] = {"check": {}, "name": {}}
    for found, index, entry in _entries(tile):
        check = entry.get("check")
        if isinstance(check, str) and check:
            bad = characters.findall(check) + sequences.findall(check) + re.findall(r"^_+|_+$", check)
            if bad:
                yield _at(found, f"check {check!r} contains {', '.join(map(repr, bad))}; use letters, digits, '_' "
                          "and '.', e.g. acme_cloud.can_connect", index, "check")
                continue
        for key in ("check", "name"):
            value = entry.get(key)
            if not isinstance(value, str) or not value:
                continue
            if value in seen[key]:
                yield _at(found, f"{key} {value!r} repeats the entry at line {seen[key][value]}; each service "
                          f"check has its own {key}", index, key)
            else:
                seen[key][value] = found.doc.position((index, key))[0]


def integration(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """``integration`` is the manifest's assets.integration.source_type_name (what ddev calls its display name)."""
    expected = tile.manifest_get("assets", "integration", "source_type_name")
    for found, index, entry in _entries(tile):
        if "integration" in entry and entry["integration"] != expected:
            yield _at(found, f"{pointer((index,))}.integration is {entry['integration']!r}; it must be the "
                          f"manifest's source_type_name, {expected!r}", index, "integration")


CHECKS = {
    "service_checks.invalid": Check(invalid, params()),
    "service_checks.schema": Check(schema, ENTRY_PARAMS),
    "service_checks.check_name": Check(check_name, NAME_PARAMS),
    "service_checks.integration": Check(integration, params()),
}
