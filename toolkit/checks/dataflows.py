"""``assets/dataflows.yaml``: what the tile's data flows are (Datadog's hosted `validate-dataflows` check, 2026)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit.checks._schema import NAMES, POSITIVE, REGEX, STRING, Check, params
from toolkit.findings import Problem
from toolkit.tile import Tile
from toolkit.yamldoc import YamlDoc

SCHEMA_PARAMS = params(file=STRING, refused=NAMES, lists=NAMES, keys=NAMES, id_pattern=REGEX, id_min_length=POSITIVE)
TYPE_PARAMS = params(file=STRING, data_types=NAMES)


def _entries(doc: YamlDoc, lists: list[str]) -> Iterator[tuple[str, int, Any]]:
    if not isinstance(doc.value, dict):
        return
    for kind in lists:
        items = doc.value.get(kind)
        for index, entry in enumerate(items if isinstance(items, list) else ()):
            yield kind, index, entry


def schema(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A .yaml file with provides/uses lists of entries that have id, always_on, data_type and direction; ids in
    lower case, at least 3 characters, each provided once."""
    name = params["file"]
    for refused in params["refused"]:
        if refused in tile.files:
            yield Problem(refused, f"Datadog reads only {name}; rename {refused} to {name}")
    doc = tile.yaml(name) if name in tile.files else None
    if doc is None:
        return
    if doc.error:
        yield Problem(name, f"not valid YAML: {doc.error}", line=doc.error_line)
        return
    lists = params["lists"]
    if not isinstance(doc.value, dict) or not any(isinstance(doc.value.get(kind), list) for kind in lists):
        yield Problem(name, f"the file has no {' or '.join(lists)} list; list the data the integration "
                      f"{'provides' if 'provides' in lists else 'uses'}", line=1)
        return
    pattern, shortest = re.compile(params["id_pattern"]), params["id_min_length"]
    provided: dict[str, int] = {}
    for kind, index, entry in _entries(doc, lists):
        line = doc.line((kind, index))
        if not isinstance(entry, dict):
            yield Problem(name, f"{kind} item {index + 1} is not a mapping of {', '.join(params['keys'])}", line=line)
            continue
        missing = [key for key in params["keys"] if key not in entry]
        if missing:
            yield Problem(name, f"{kind} item {index + 1} has no {', '.join(missing)}", line=line)
        flow_id = entry.get("id")
        if "id" in entry and (not isinstance(flow_id, str) or not pattern.fullmatch(flow_id) or len(flow_id) < shortest):
            yield Problem(name, f"id {flow_id!r} must be lower-case letters, digits and '-', at least {shortest} "
                          "characters, e.g. <app_id>-metrics", line=doc.line((kind, index, "id")))
        elif kind == "provides" and isinstance(flow_id, str):
            if flow_id in provided:
                yield Problem(name, f"id {flow_id!r} is provided twice (first at line {provided[flow_id]})",
                              line=doc.line((kind, index, "id")))
            provided.setdefault(flow_id, doc.line((kind, index, "id")))


def data_type(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """data_type is one Datadog is known to take (its own list is longer and not public, so this warns)."""
    name = params["file"]
    doc = tile.yaml(name) if name in tile.files else None
    if doc is None or doc.error:
        return
    for kind, index, entry in _entries(doc, ["provides", "uses"]):
        given = entry.get("data_type") if isinstance(entry, dict) else None
        if given is not None and given not in params["data_types"]:
            yield Problem(name, f"data_type {given!r} is not one tilekit knows ({', '.join(params['data_types'])}); "
                          "check the spelling", line=doc.line((kind, index, "data_type")))


CHECKS = {
    "dataflows.schema": Check(schema, SCHEMA_PARAMS),
    "dataflows.data_type": Check(data_type, TYPE_PARAMS),
}
