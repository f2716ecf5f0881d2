"""Dashboard checks on every file the manifest names in ``assets.dashboards``: ddev's `validate dashboards` (now run
by Datadog's hosted asset check) and what Datadog's docs require of a dashboard."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from toolkit.assetfiles import not_json, objects
from toolkit.checks._schema import NAMES, STRING, Check, params
from toolkit.findings import Fix, Op, Problem
from toolkit.jsondoc import JsonPath, pointer
from toolkit.tile import Tile

SCHEMA_PARAMS = params(required=NAMES, format_keys=NAMES, widget_format_keys=NAMES)
LAYOUT_PARAMS = params(layout=STRING)


def invalid_json(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The file is JSON, and a JSON object."""
    yield from not_json(tile, "dashboards", "export the dashboard as JSON from Datadog (Share > Export dashboard JSON)")


def schema(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """description, template_variables and widgets are there, in the /dashboard payload format."""
    for board, value in objects(tile, "dashboards"):
        missing = [key for key in params["required"] if key not in value]
        if missing:
            yield board.problem(f"the dashboard has no {', '.join(missing)}; every dashboard has "
                                f"{', '.join(params['required'])} (use [] when it has no template variables)")
        widgets = value.get("widgets")
        if "widgets" in value and not isinstance(widgets, list):
            yield board.problem("widgets is not a list", "widgets")
            continue
        widget_keys = [key for widget in widgets or () if isinstance(widget, dict) for key in widget]
        if not any(key in value for key in params["format_keys"]) \
                and not any(key in params["widget_format_keys"] for key in widget_keys):
            yield board.problem("the dashboard is not in the /dashboard payload format (it has none of "
                                f"{', '.join(params['format_keys'])}); export it again from Datadog")


def _foreign_app_ids(value: dict[str, Any], expected: str) -> Iterator[tuple[JsonPath, str]]:
    """The JSON path and value of every widget's definition.app_id that is set and is not ``expected``, group
    widgets' members included (iteratively: no depth limit). Paths are built only for those: a dashboard holds
    hundreds of widgets, nearly always right."""
    pending: list[tuple[JsonPath, Any]] = [(("widgets",), value.get("widgets"))]
    while pending:
        path, widgets = pending.pop()
        for index, widget in enumerate(widgets if isinstance(widgets, list) else ()):
            definition = widget.get("definition") if isinstance(widget, dict) else None
            if not isinstance(definition, dict):
                continue
            given = definition.get("app_id")
            if given and given != expected:
                yield (*path, index), given
            if isinstance(definition.get("widgets"), list):
                pending.append(((*path, index, "definition", "widgets"), definition["widgets"]))


def app_uuid(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every widget's definition.app_id, where there is one, is the manifest's app_uuid."""
    expected = tile.manifest_get("app_uuid")
    if not isinstance(expected, str):
        return  # manifest/schema reports it
    for board, value in objects(tile, "dashboards"):
        if '"app_id"' not in board.doc.text and "\\u" not in board.doc.text:
            continue  # the key is nowhere, not even spelt with escapes: no widget to walk
        for path, given in _foreign_app_ids(value, expected):  # positions looked up only for a finding
            at = (*path, "definition", "app_id")
            problem = board.problem(f"{pointer(path)}.definition.app_id is {given!r}, the app UUID of the org the "
                                    f"dashboard was exported from; it must be the manifest's app_uuid {expected!r}",
                                    *at)
            fix = Fix(f"set it to {expected!r}", (Op("json-set", board.rel, {"path": at, "value": expected}),))
            # A changed app_uuid is manifest/immutable's defect when --changed-since sees it.
            yield problem._replace(key="manifest:app_uuid", fix=fix)


def title_description(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A title and a description, each non-empty (a missing description is dashboard/schema's)."""
    for board, value in objects(tile, "dashboards"):
        title = value.get("title")
        if not isinstance(title, str) or not title.strip():
            yield board.problem("the dashboard has no title; give it one (Datadog: a title and description is "
                                "required)", *(("title",) if "title" in value else ()))
        description = value.get("description")
        if "description" in value and (not isinstance(description, str) or not description.strip()):
            yield board.problem("the dashboard's description is empty; say what it shows (Datadog: a title and "
                                "description is required)", "description")


def layout(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """layout_type is 'ordered', Datadog's default, which every tile made since 2023 uses."""
    for board, value in objects(tile, "dashboards"):
        given = value.get("layout_type")
        if given is not None and given != params["layout"]:
            yield board.problem(f"layout_type is {given!r}; Datadog's tiles use {params['layout']!r} dashboards "
                                "(rebuild it as an ordered dashboard)", "layout_type")


CHECKS = {
    "dashboard.invalid_json": Check(invalid_json, params()),
    "dashboard.schema": Check(schema, SCHEMA_PARAMS),
    "dashboard.app_uuid": Check(app_uuid, params()),
    "dashboard.title_description": Check(title_description, params()),
    "dashboard.layout": Check(layout, LAYOUT_PARAMS),
}
