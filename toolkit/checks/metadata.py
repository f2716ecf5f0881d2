"""metadata.csv checks, with the verdicts of `ddev validate metadata` (integrations-extras CI runs it).

The vocabularies (columns, metric types, units, allowed prefixes) are ddev's, copied into
rules/ddev-metadata.json. Findings carry the CSV line of the row; a defect that repeats on many
rows (an empty column, a foreign prefix) is one finding naming how many rows and the first lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, NamedTuple

from toolkit import tilepath
from toolkit.checks._schema import Check, params
from toolkit.findings import Problem
from toolkit.resources import load_json
from toolkit.tile import MANIFEST, Tile
from toolkit.tilepath import Kind

VOCABULARY_PARAMS = params(vocabulary={"type": "string", "pattern": r"^[\w.-]+\.json$"})
METADATA = "metadata.csv"
_SHOWN = 3  # lines named in a finding about many rows


@cache
def _vocabulary(name: str) -> dict[str, Any]:
    data = load_json(name)
    return {**data, "units": frozenset(data["unit_names"]), "time_units": frozenset(data["time_unit_names"]),
            "all_headers": frozenset(data["required_headers"] + data["optional_headers"]
                                     + data["experimental_headers"]),
            "checked_headers": frozenset(data["required_headers"] + data["optional_headers"]) - {"curated_metric"},
            "name_replacement": re.compile(data["metric_name_replacement_regex"]),
            "name_cleanup": re.compile(data["metric_name_dot_underscore_cleanup_regex"])}


class Row(NamedTuple):
    line: int
    fields: dict[str, str]


class Table(NamedTuple):
    """metadata.csv read as ddev reads it: the header, the rows that fit it, and those that do not."""

    path: str
    header: list[str]
    rows: list[Row]  # rows with as many fields as the header
    ragged: list[tuple[int, int]]  # (line, number of fields) of rows that have more or fewer
    empty: bool  # 0 bytes: not even a header
    error: str = ""
    error_line: int | None = None


def table(tile: Tile) -> Table | None:
    """The tile's metadata.csv, when ddev would check it: a metadata.csv at the tile's root, read from the
    manifest's metadata_path (by default that same file)."""
    if tile.entry(METADATA).kind is not Kind.FILE:
        return None
    path = tile.manifest_get("assets", "integration", "metrics", "metadata_path")
    where = tilepath.resolve(tile, path) if isinstance(path, str) and path else None
    rel = where.rel if where is not None and where.kind is Kind.FILE else METADATA
    if tile.entry(rel).size == 0:
        return Table(rel, [], [], [], empty=True)
    parsed = tile.csv(rel)
    if parsed is None:
        return None  # not text at all: tile/encoding or tile/unreadable says so
    records = [(line, fields) for line, fields in parsed.rows if fields]  # blank lines carry no row
    if not records:
        return Table(rel, [], [], [], empty=False, error=parsed.error, error_line=parsed.error_line)
    header = records[0][1]
    rows, ragged = [], []
    for line, fields in records[1:]:
        if len(fields) == len(header):
            rows.append(Row(line, dict(zip(header, fields))))
        else:
            ragged.append((line, len(fields)))
    return Table(rel, header, rows, ragged, empty=False, error=parsed.error, error_line=parsed.error_line)


def _checked(tile: Tile, params: Mapping[str, Any]) -> Table | None:
    """The table when its rows can be read column by column (its header is sound)."""
    data = tile.memo(table)
    if data is None or data.empty or _header_problems(data, _vocabulary(params["vocabulary"])):
        return None
    return data


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:_SHOWN]))
    return f"line {shown}" if len(lines) == 1 else f"{len(lines)} rows (lines {shown}{', ...' if len(lines) > _SHOWN else ''})"


def _header_problems(data: Table, vocabulary: Mapping[str, Any]) -> list[str]:
    present = set(data.header)
    problems = []
    unknown = [h for h in data.header if h not in vocabulary["all_headers"]]
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
    missing = [h for h in vocabulary["ordered_headers"] if h in vocabulary["checked_headers"] and h not in present]
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}")
    return problems


def header(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A header row with every column ddev checks and no other (ddev looks at it once the file has a row)."""
    data = tile.memo(table)
    if data is None:
        return
    vocabulary = _vocabulary(params["vocabulary"])
    columns = ",".join(vocabulary["ordered_headers"][:-1])  # sample_tags is experimental
    if data.empty:
        yield Problem(data.path, f"the file is empty (0 bytes); it needs the header row at the minimum: {columns}",
                      line=1)
        return
    problems = _header_problems(data, vocabulary) if data.rows else []
    if problems:
        yield Problem(data.path, f"the header has {' and '.join(problems)}; write ddev's header: {columns}",
                      line=1, column=1)


def columns(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every row has as many fields as the header (a comma inside a description needs quotes)."""
    data = tile.memo(table)
    if data is None or data.empty:
        return
    for line, count in data.ragged:
        yield Problem(data.path, f"this row has {count} fields, the header {len(data.header)}; quote a field that "
                      "holds a comma (\"like, this\") or add the missing fields", line=line, column=1)
    if data.error:
        yield Problem(data.path, f"the file stops parsing as CSV here ({data.error}); check its quotes",
                      line=data.error_line)


def metric_name(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each metric name is in Datadog's normalised form, and none repeats."""
    data = _checked(tile, params)
    if data is None:
        return
    vocabulary = _vocabulary(params["vocabulary"])
    seen: dict[str, int] = {}
    for row in data.rows:
        name = row.fields["metric_name"]
        if name and name in seen:
            yield Problem(data.path, f"metric {name!r} repeats line {seen[name]}; each metric has one row",
                          line=row.line, column=1)
            continue
        seen.setdefault(name, row.line)
        normal = vocabulary["name_cleanup"].sub(".", vocabulary["name_replacement"].sub("_", name)).strip("_")
        if name != normal:
            yield Problem(data.path, f"metric name {name!r} is not in Datadog's normalised form; write {normal!r}",
                          line=row.line, column=1)


def _metric_prefix(tile: Tile) -> str:
    prefix = tile.manifest_get("assets", "integration", "metrics", "prefix")
    return prefix if isinstance(prefix, str) and prefix else str(ddev_overrides(tile, "metrics-prefix") or "")


def ddev_overrides(tile: Tile, kind: str) -> Any:
    """The tile's entry in ``[overrides.<kind>]`` of its integrations-extras checkout's ``.ddev/config.toml``."""
    return tile.memo(_repo_config).get("overrides", {}).get(kind, {}).get(tile.name)


def _repo_config(tile: Tile) -> dict[str, Any]:
    config = tile.checkout_path(".ddev/config.toml")
    data, _entry = tilepath.read_bytes(config.parent, config.name, 1_000_000)
    return _parsed_config(data) if data else {}


@cache
def _parsed_config(data: bytes) -> dict[str, Any]:
    """The checkout's config, parsed once however many of its tiles are checked."""
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def prefix(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The manifest names a metric prefix, and every metric starts with it or with a prefix ddev allows."""
    data = tile.memo(table)
    if data is None or tile.parsed_manifest is None:
        return  # a manifest that cannot be read is manifest/invalid-json's
    vocabulary = _vocabulary(params["vocabulary"])
    expected = _metric_prefix(tile)
    if not expected:
        if tile.name not in vocabulary["provider_integrations"] and tile.manifest is not None:
            line, column = tile.manifest.position(("assets", "integration", "metrics"))
            yield Problem(MANIFEST, "$.assets.integration.metrics.prefix is missing; ddev needs it to check "
                          f"{data.path}: add the prefix every metric starts with, e.g. \"{tile.name}.\"",
                          line=line, column=column)
        return
    checked = _checked(tile, params)
    if checked is None:
        return
    allowed = tuple(vocabulary["allowed_prefixes"])
    foreign: dict[str, list[int]] = {}
    for row in checked.rows:
        name = row.fields["metric_name"]
        if not name.startswith(allowed) and not name.startswith(expected):
            foreign.setdefault(name.split(".")[0], []).append(row.line)
    for first, lines in foreign.items():
        yield Problem(checked.path, f"{_lines(lines)} start with '{first}', not with the manifest's metric prefix "
                      f"'{expected}' (or one ddev allows: {', '.join(allowed)}); rename the metrics or fix "
                      "assets.integration.metrics.prefix", line=lines[0], column=1)


def _each_row(tile: Tile, params: Mapping[str, Any]) -> Iterator[tuple[Table, Row]]:
    data = _checked(tile, params)
    if data is not None:
        for row in data.rows:
            yield data, row


def metric_type(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    allowed = _vocabulary(params["vocabulary"])["metric_types"]
    for data, row in _each_row(tile, params):
        value = row.fields["metric_type"]
        if value and value not in allowed:
            yield Problem(data.path, f"metric_type {value!r} is not one of {', '.join(allowed)}", line=row.line)


def unit(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """unit_name and per_unit_name are Datadog units, and not a time per time (that is the fraction unit)."""
    vocabulary = _vocabulary(params["vocabulary"])
    units, times = vocabulary["units"], vocabulary["time_units"]
    for data, row in _each_row(tile, params):
        for column in ("unit_name", "per_unit_name"):
            value = row.fields.get(column, "")
            if value and value not in units:
                yield Problem(data.path, f"{column} {value!r} is not a Datadog unit{_closest_unit(value, units)}",
                              line=row.line)
        if row.fields.get("unit_name") in times and row.fields.get("per_unit_name") in times:
            yield Problem(data.path, f"the unit {row.fields['unit_name']}/{row.fields['per_unit_name']} is a time "
                          "per time; use the unit 'fraction' (or 'percent') and leave per_unit_name empty",
                          line=row.line)


def _closest_unit(value: str, units: frozenset[str]) -> str:
    """A same-meaning spelling (case, a plural 's'), or else the nearest listed unit; `tilekit rules` lists them."""
    key = value.strip().lower()
    for candidate in (key, key.removesuffix("s"), key.removesuffix("es")):
        if candidate in units:
            return f"; write {candidate!r}"
    import difflib  # only for a finding, never on the path of a clean file

    close = difflib.get_close_matches(key, sorted(units), n=1, cutoff=0.8)
    return f"; did you mean {close[0]!r}?" if close else " (`tilekit rules metadata/unit` lists them)"


def orientation(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    allowed = _vocabulary(params["vocabulary"])["orientations"]
    for data, row in _each_row(tile, params):
        value = row.fields["orientation"]
        if value and value not in allowed:
            yield Problem(data.path, f"orientation {value!r} is not one of {', '.join(allowed)} (1: higher is better, "
                          "-1: lower is better, 0: neither)", line=row.line)


def _display_name(tile: Tile) -> str:
    name = ddev_overrides(tile, "display-name") or tile.manifest_get("assets", "integration", "source_type_name")
    return name if isinstance(name, str) else tile.name


def integration(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The integration column is the normalised source_type_name of the manifest, as ddev computes it."""
    if tile.parsed_manifest is None:
        return
    expected = re.sub("_+", "_", re.sub("[^0-9A-Za-z-]", "_", _display_name(tile))).strip("_").lower()
    wrong: dict[str, list[int]] = {}
    path = ""
    for data, row in _each_row(tile, params):
        path = data.path
        if row.fields["integration"] != expected:
            wrong.setdefault(row.fields["integration"], []).append(row.line)
    for value, lines in wrong.items():
        yield Problem(path, f"{_lines(lines)} give integration {value!r}; it must be {expected!r}, the "
                      "manifest's assets.integration.source_type_name normalised", line=lines[0], column=1)


def empty_field(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No required field is empty."""
    required = _vocabulary(params["vocabulary"])["required_headers"]
    empty: dict[str, list[int]] = {}
    path = ""
    for data, row in _each_row(tile, params):
        path = data.path
        for column in required:
            if not row.fields[column]:
                empty.setdefault(column, []).append(row.line)
    for column, lines in empty.items():
        yield Problem(path, f"{column} is empty in {_lines(lines)}; it is required in every row",
                      line=lines[0])


def description(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A description has no '|', the row is ASCII, and the description is at most 400 characters (checked in
    that order, as ddev does, only for rows that have a description)."""
    limit = _vocabulary(params["vocabulary"])["max_description_length"]
    ascii_file: bool | None = None
    for data, row in _each_row(tile, params):
        text = row.fields.get("description", "")
        name = row.fields["metric_name"]
        if not text:
            continue
        if ascii_file is None:  # one test of the whole file, nearly always ASCII, instead of one per row
            ascii_file = tile.text(data.path).text.isascii()
        if "|" in text:
            message = f"the description of {name!r} contains '|'; write it another way (Datadog splits on it)"
        elif not ascii_file and not all(value.isascii() for value in row.fields.values()):
            wide = next(ch for value in row.fields.values() for ch in value if not ch.isascii())
            message = f"the row of {name!r} contains the non-ASCII character {wide!r} (U+{ord(wide):04X}); use ASCII"
        elif len(text) > limit:
            message = f"the description of {name!r} is {len(text)} characters long; at most {limit} are allowed"
        else:
            continue
        yield Problem(data.path, message, line=row.line)


def interval(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    for data, row in _each_row(tile, params):
        value = row.fields.get("interval", "")
        if value and not value.isdigit():
            yield Problem(data.path, f"interval {value!r} is not a whole number of seconds; write e.g. 60 or leave it "
                          "empty", line=row.line)


def curated_metric(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    allowed = _vocabulary(params["vocabulary"])["curated_metric_types"]
    for data, row in _each_row(tile, params):
        value = row.fields.get("curated_metric", "")
        if not value:
            continue
        kinds = value.split("|")
        bad = [k for k in kinds if k not in allowed]
        if bad:
            yield Problem(data.path, f"curated_metric {', '.join(map(repr, bad))} is not one of {', '.join(allowed)}",
                          line=row.line)
        elif len(set(kinds)) != len(kinds):
            yield Problem(data.path, f"curated_metric {value!r} names a type twice", line=row.line)


def empty_description(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    lines = [row.line for _data, row in _each_row(tile, params) if not row.fields.get("description")]
    data = _checked(tile, params)
    if lines and data is not None:
        yield Problem(data.path, f"description is empty in {_lines(lines)}; a sentence on what each metric measures "
                      "helps users (Datadog shows it beside the metric)", line=lines[0])


CHECKS = {
    "metadata.header": Check(header, VOCABULARY_PARAMS),
    "metadata.columns": Check(columns, VOCABULARY_PARAMS),
    "metadata.metric_name": Check(metric_name, VOCABULARY_PARAMS),
    "metadata.prefix": Check(prefix, VOCABULARY_PARAMS),
    "metadata.metric_type": Check(metric_type, VOCABULARY_PARAMS),
    "metadata.unit": Check(unit, VOCABULARY_PARAMS),
    "metadata.orientation": Check(orientation, VOCABULARY_PARAMS),
    "metadata.integration": Check(integration, VOCABULARY_PARAMS),
    "metadata.empty_field": Check(empty_field, VOCABULARY_PARAMS),
    "metadata.description": Check(description, VOCABULARY_PARAMS),
    "metadata.interval": Check(interval, VOCABULARY_PARAMS),
    "metadata.curated_metric": Check(curated_metric, VOCABULARY_PARAMS),
    "metadata.empty_description": Check(empty_description, VOCABULARY_PARAMS),
}
