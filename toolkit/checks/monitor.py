"""Monitor template checks on every file the manifest names in ``assets.monitors`` (Datadog's hosted
`validate-monitors` check, schema v2, and its docs)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit.assetfiles import not_json, objects
from toolkit.checks._schema import NAMES, POSITIVE, Check, params
from toolkit.findings import Problem
from toolkit.tile import MANIFEST, Tile

SCHEMA_PARAMS = params(required=NAMES, optional_keys=NAMES, definition=NAMES, dates=NAMES, strings=NAMES)
TAGS_PARAMS = params(keys=NAMES)
COUNT_PARAMS = params(max_monitors=POSITIVE)
_TEMPLATE = re.compile(r"\{\{.*?\}\}")


def invalid_json(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The file is JSON, and a JSON object."""
    yield from not_json(tile, "monitors", "export the monitor from Datadog and wrap it in the template's version, "
                        "title, description and definition")


def schema(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The v2 template: its keys and no other, real dates, non-empty title and description, a whole definition."""
    allowed = set(params["required"]) | set(params["optional_keys"])
    for monitor, value in objects(tile, "monitors"):
        missing = [key for key in params["required"] if key not in value]
        if missing:
            yield monitor.problem(f"the monitor template has no {', '.join(missing)}; a template has "
                                  f"{', '.join(params['required'])} (and optionally {', '.join(params['optional_keys'])})")
        for key in (k for k in value if k not in allowed):
            yield monitor.problem(f"'{key}' is not a key of a monitor template; remove it or move it into definition",
                                  key)
        if "version" in value and (not isinstance(value["version"], int | float) or isinstance(value["version"], bool)):
            yield monitor.problem("version must be a number, e.g. 2", "version")
        for key in params["dates"]:
            if key in value and not _is_date(value[key]):
                yield monitor.problem(f"{key} {value[key]!r} is not a real date written YYYY-MM-DD", key)
        for key in params["strings"]:
            if key in value and (not isinstance(value[key], str) or not value[key].strip()):
                yield monitor.problem(f"{key} is empty; a monitor template needs a {key}", key)
        definition = value.get("definition")
        if "definition" in value and not isinstance(definition, dict):
            yield monitor.problem("definition must be the monitor as exported from Datadog (an object)", "definition")
        elif isinstance(definition, dict):
            lacking = [key for key in params["definition"] if key not in definition]
            if lacking:
                yield monitor.problem(f"definition has no {', '.join(lacking)}; export the monitor again from "
                                      "Datadog (Export to JSON)", "definition")


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def tags(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The template's tags include integration:<app_id> and use only the keys Datadog allows."""
    app_id = tile.manifest_get("app_id")
    for monitor, value in objects(tile, "monitors"):
        given = value.get("tags")
        if not isinstance(given, list):
            continue  # tags are optional
        keys = [tag.split(":", 1)[0] for tag in given if isinstance(tag, str)]
        foreign = [key for key in keys if key not in params["keys"]]
        if foreign:
            yield monitor.problem(f"tags use the key{'s' if len(foreign) > 1 else ''} {', '.join(map(repr, foreign))}; "
                                  f"a template's tags may only use {', '.join(params['keys'])}", "tags")
        if isinstance(app_id, str) and f"integration:{app_id}" not in given:
            yield monitor.problem(f"tags lack 'integration:{app_id}' (the manifest's app_id); add it", "tags")


def count(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At most 10 monitor templates per integration."""
    named = tile.manifest_get("assets", "monitors")
    limit = params["max_monitors"]
    if isinstance(named, dict) and len(named) > limit and tile.manifest is not None:
        line, column = tile.manifest.position(("assets", "monitors"))
        yield Problem(MANIFEST, f"$.assets.monitors names {len(named)} monitors; Datadog takes at most {limit} per "
                      f"integration: keep the {limit} most useful", line=line, column=column)


def style(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """What reviewers ask: a plain title, a description that says more than the title, no options that Datadog's
    own sweeps removed."""
    for monitor, value in objects(tile, "monitors"):
        title, description = value.get("title"), value.get("description")
        if isinstance(title, str) and _TEMPLATE.search(title):
            yield monitor.problem("the title holds template variables ({{...}}); the template's title is shown as is "
                                  "in the monitor gallery: write it plainly", "title")
        if isinstance(title, str) and isinstance(description, str) and title.strip() == description.strip():
            yield monitor.problem("the description repeats the title; say what the monitor watches and why",
                                  "description")
        options = value.get("definition", {}).get("options") if isinstance(value.get("definition"), dict) else None
        if isinstance(options, dict):
            if "notify_no_data" in options:
                yield monitor.problem("definition.options.notify_no_data is the old setting; use on_missing_data "
                                      "(e.g. \"show_and_notify_no_data\")", "definition", "options", "notify_no_data")
            if "silenced" in options:
                effect = "mutes the monitor when it is created" if options["silenced"] else \
                    "is a leftover of the export (filled in, it would create the monitor muted)"
                yield monitor.problem(f"definition.options.silenced {effect}; remove it", "definition", "options",
                                      "silenced")


CHECKS = {
    "monitor.invalid_json": Check(invalid_json, params()),
    "monitor.schema": Check(schema, SCHEMA_PARAMS),
    "monitor.tags": Check(tags, TAGS_PARAMS),
    "monitor.count": Check(count, COUNT_PARAMS),
    "monitor.style": Check(style, params()),
}
