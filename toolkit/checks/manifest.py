"""manifest.json checks: parseable JSON, Datadog's v2 fields (a JSON Schema in rules/), classifier tags."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from toolkit.checks._schema import NAMES, NO_PARAMS, Check, params
from toolkit.findings import Fix, Op, Problem, clipped
from toolkit.jsondoc import pointer
from toolkit.resources import load_json
from toolkit.textfile import State
from toolkit.tile import MANIFEST, Tile

SCHEMA_PARAMS = params(schema={"type": "string", "pattern": r"^[\w.-]+\.json$"},
                       overrides={"type": "object", "propertyNames": {"pattern": "^(/[^/]+)+$"}})
TAGS_PARAMS = params(known={**NAMES, "minItems": 1})


def parses(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """manifest.json is a readable, non-empty file that parses as JSON."""
    source = tile.text(MANIFEST)
    if source.state in (State.DIRECTORY, State.OUTSIDE, State.EMPTY):
        yield Problem(MANIFEST, f"{source.reason}; it must hold the tile's manifest v2 JSON object")
        return
    doc = tile.manifest
    if doc is not None and doc.error is not None:
        error = doc.error
        yield Problem(MANIFEST, f"not valid JSON: {error.message}; {error.advice}", line=error.line,
                      column=error.column)


def unique_keys(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No object repeats a key: JSON parsers silently keep only the last value."""
    doc = tile.parsed_manifest
    if doc is None:
        return
    for dup in doc.duplicates:
        yield Problem(MANIFEST, f"{pointer(dup.path)} repeats the key '{dup.key}' (first at line {dup.first_line}); "
                      "parsers keep only the last value, so remove one of them", line=dup.line, column=dup.column)


@cache
def _validator(name: str, overrides: str = "{}") -> Any:
    """The schema ``name`` with ``overrides`` (JSON: pointer -> value) applied, compiled once."""
    import json

    from jsonschema import Draft202012Validator

    schema = load_json(name)
    for where, value in json.loads(overrides).items():  # e.g. the Marketplace's shorter description
        *path, last = where.strip("/").split("/")
        node = schema
        for step in path:
            node = node.setdefault(step, {})
        node[last] = value
    return Draft202012Validator(_inline_refs(schema, schema.get("$defs", {})))


def _inline_refs(node: Any, defs: Mapping[str, Any]) -> Any:
    """The schema with each local ``{"$ref": "#/$defs/x"}`` replaced by that definition.

    Resolving references through jsonschema's registry on every tile costs more than the rest of
    the validation; the manifest schema has no recursive definitions, so inlining once is exact.
    """
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
        return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
    return {key: _inline_refs(value, defs) for key, value in node.items()}


def schema(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The manifest follows Datadog's manifest v2 fields; one finding per violation, at its key. The verdict on a
    manifest is remembered (toolkit.verdicts): an unchanged manifest is not validated, nor jsonschema imported,
    again."""
    import json

    from toolkit import verdicts

    doc = tile.parsed_manifest
    if doc is None:
        return
    overrides = json.dumps(params["overrides"], sort_keys=True)
    key = verdicts.digest([params["schema"].encode(), _schema_bytes(params["schema"]), overrides.encode(),
                           doc.text.encode("utf-8", "surrogatepass")])
    found = verdicts.recall("manifest-schema", key)
    if not isinstance(found, list):
        found = _violations(doc, _validator(params["schema"], overrides))
        verdicts.remember("manifest-schema", key, found)
    for message, line, column in found:
        yield Problem(MANIFEST, message, line=line, column=column)


@cache
def _schema_bytes(name: str) -> bytes:
    from toolkit.resources import data_dir

    return (data_dir("rules") / name).read_bytes()


def _violations(doc: Any, validator: Any) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for error in sorted(validator.iter_errors(doc.value), key=lambda e: doc.position(tuple(e.absolute_path))):
        path = tuple(error.absolute_path)
        line, column = doc.position(path)
        message = _explain(error, pointer(path))
        if not any(line == seen_line and message == seen for seen, seen_line, _c in found):
            found.append((message, line, column))  # two branches of the schema may say the same thing once
    return found


def classifier_tags(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each ``tile.classifier_tags`` value is one Datadog lists (the list is open, so this warns)."""
    doc, tags = tile.manifest, tile.manifest_get("tile", "classifier_tags")
    if doc is None or not isinstance(tags, list):
        return
    known = params["known"]
    spellings = _spellings(tuple(known))
    claimed: set[str] = set()
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or tag in known:
            continue
        respelt = spellings.get(same_meaning(tag))
        hint = f"write '{respelt}'" if respelt else "use a tag from Datadog's list (`tilekit rules manifest/classifier-tag`)"
        path = ("tile", "classifier_tags", index)
        line, column = doc.position(path)
        fix = None
        if respelt and respelt not in tags and respelt not in claimed:  # a repeat is the partner's to drop
            claimed.add(respelt)
            fix = Fix(f"write '{respelt}'", (Op("json-set", MANIFEST, {"path": path, "value": respelt}),))
        yield Problem(MANIFEST, f"classifier tag '{tag}' is not in Datadog's known list; {hint}",
                      line=line, column=column, fix=fix)


@cache
def _spellings(known: tuple[str, ...]) -> dict[str, str]:
    """Each known tag under its same-meaning form; the first spelling listed is the one suggested ("macOS" before
    "Mac OS"). Built once per vocabulary, not per tile."""
    spellings: dict[str, str] = {}
    for tag in known:
        spellings.setdefault(same_meaning(tag), tag)
    return spellings


def same_meaning(tag: str) -> str:
    """A tag with case, spacing, punctuation and a plural 's' taken away: respellings of one tag meet here,
    tags of different meaning (SIEM, SNMP) do not."""
    prefix, _, value = tag.partition("::")
    words = re.findall(r"[a-z0-9]+", value.lower())
    return re.sub(r"[^a-z0-9]", "", prefix.lower()) + "::" + "".join(w.removesuffix("s") for w in words)


def metric_to_check(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each metric named in assets.integration.metrics.check is a row of metadata.csv (Datadog reads it to tell
    whether the integration sends data)."""
    from toolkit.checks.metadata import table

    doc, named = tile.manifest, tile.manifest_get("assets", "integration", "metrics", "check")
    data = tile.memo(table)
    if doc is None or data is None or data.empty:
        return
    listed = {row.fields.get("metric_name") for row in data.rows}
    names = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    for index, name in enumerate(names):
        if isinstance(name, str) and name and name not in listed:
            path = ("assets", "integration", "metrics", "check") + ((index,) if isinstance(named, list) else ())
            line, column = doc.position(path)
            yield Problem(MANIFEST, f"{pointer(path)} names the metric {name!r}, which {data.path} does not list; name "
                          f"a metric the integration always sends, as listed in {data.path}", line=line, column=column)


def immutable(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """With --changed-since: the keys Datadog's asset check refuses to see changed after publication kept their
    value since the merge base (asset short names may be added, not renamed or removed), and
    display_on_public_website did not go from true to false."""
    import json

    doc = tile.parsed_manifest
    if tile.changes is None or doc is None:
        return
    before_bytes = tile.changes.before(tile.root / MANIFEST)
    try:
        before = json.loads(before_bytes) if before_bytes else None
    except ValueError:
        before = None
    if not isinstance(before, dict):
        return  # a new tile, or one whose old manifest did not parse: nothing was published to keep
    since = f"since {tile.changes.ref} ({tile.changes.base[:8]})"
    advice = "Datadog's asset check refuses this after push: revert it"
    for dotted in params["keys"]:
        path = tuple(dotted.split("."))
        old, new = _get(before, path), tile.manifest_get(*path)
        if old is not None and new != old:
            line, column = doc.position(path)
            yield Problem(MANIFEST, f"{pointer(path)} changed {since}: {_short(old)} became {_short(new)}; {advice}",
                          line=line, column=column, key=f"manifest:{dotted}")
    for dotted in params["maps"]:
        path = tuple(dotted.split("."))
        old, new = _get(before, path), tile.manifest_get(*path)
        gone = [key for key in old if not isinstance(new, dict) or key not in new] if isinstance(old, dict) else []
        for key in gone:
            line, column = doc.position(path)
            yield Problem(MANIFEST, f"{pointer(path)} no longer has the key {key!r} it had {since}; asset short names "
                          f"cannot be renamed or removed: {advice}", line=line, column=column)
    for dotted in params["no_unpublishing"]:
        path = tuple(dotted.split("."))
        if _get(before, path) is True and tile.manifest_get(*path) is False:
            line, column = doc.position(path)
            yield Problem(MANIFEST, f"{pointer(path)} went from true to false {since}; once true it cannot change: "
                          "set it back to true", line=line, column=column)


def _get(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _explain(error: Any, where: str) -> str:
    """A jsonschema error in a partner's words: what is wrong, the value, what is required, the fix."""
    kind, value, expected = error.validator, error.instance, error.validator_value
    if kind == "required":
        # jsonschema reports each missing key as its own error, naming it only in the message.
        missing = [k for k in expected if isinstance(value, dict) and k not in value]
        key = next((k for k in missing if repr(k) in error.message), missing[0] if missing else expected)
        text = f"{where} is missing the required key '{key}'; add it"
    elif kind == "type":
        text = f"{where} is {_type_name(value)} ({_short(value)}); it must be {_article(expected)}"
    elif kind == "maxLength":
        text = f"{where} is {len(value)} characters long; at most {expected} are allowed: shorten it"
    elif kind == "minLength":
        text = f"{where} is empty; write a value"
    elif kind in ("const", "enum"):
        allowed = [expected] if kind == "const" else expected
        text = f"{where} is {_short(value)}; it must be {' or '.join(_short(a) for a in allowed)}"
    elif kind == "pattern":
        form = "" if error.schema.get("x-hint") else f" ({expected})"
        text = f"{where} {_short(value)} is not in the required form{form}"
    elif kind == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        text = f"{where} has unexpected key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}; remove or rename"
    elif kind in ("maxItems", "minItems"):
        bound = "at most" if kind == "maxItems" else "at least"
        text = f"{where} has {len(value)} items; {bound} {expected} are allowed"
    else:
        text = f"{where}: {error.message}"
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    return f"{text}. {hint}" if hint else text


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array",
             dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _article(expected: Any) -> str:
    kinds: list[str] = expected if isinstance(expected, list) else [expected]
    words: dict[str, str] = {"boolean": "a boolean (true or false, without quotes)", "integer": "an integer (no quotes)",
             "string": "a string", "object": "an object", "array": "an array", "number": "a number"}
    return " or ".join(words.get(kind, kind) for kind in kinds)


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return clipped(text, 60)


CHECKS = {
    "manifest.parses": Check(parses, NO_PARAMS),
    "manifest.unique_keys": Check(unique_keys, NO_PARAMS),
    "manifest.schema": Check(schema, SCHEMA_PARAMS),
    "manifest.classifier_tags": Check(classifier_tags, TAGS_PARAMS),
    "manifest.metric_to_check": Check(metric_to_check, NO_PARAMS),
    "manifest.immutable": Check(immutable, params(keys=NAMES, maps=NAMES, no_unpublishing=NAMES)),
}
