"""dashboard/* rules on real dashboard files, and their verdicts against ddev's `validate dashboards`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests import ddev
from tests.conftest import edit_manifest, findings, found, write
from tests.ddev import Mutation

D = "acme_cloud/assets/dashboards/overview.json"
UUID = "7f9c2a4e-3b1d-4c8e-9f2a-5d6b7c8e9f01"  # the example manifest's app_uuid
GOOD: dict[str, Any] = {
    "title": "Acme Cloud Overview",
    "description": "Spend and API health at a glance.",
    "layout_type": "ordered",
    "template_variables": [],
    "widgets": [
        {"id": 1, "definition": {"type": "group", "title": "API", "widgets": [
            {"id": 2, "definition": {"type": "timeseries", "app_id": UUID, "requests": []}},
        ]}},
    ],
}


def board(**changes: Any) -> dict[str, Any]:
    value = copy.deepcopy(GOOD)
    for key, new in changes.items():
        if new is None:
            value.pop(key)
        else:
            value[key] = new
    return value


def install(tile: Path, content: Any) -> None:
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    write(tile / "assets/dashboards/overview.json", text)
    edit_manifest(tile, lambda m: m["assets"].update(dashboards={"Acme Cloud Overview": "assets/dashboards/overview.json"}))


def line_of(tile: Path, needle: str) -> int:
    lines = (tile / "assets/dashboards/overview.json").read_text().splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


def test_a_good_dashboard_passes(tile: Path) -> None:
    install(tile, GOOD)
    assert found("acme_cloud", select="dashboard/") == []


@pytest.mark.parametrize(
    ("content", "rule", "needle"),
    [
        ('{"title": "x",', "dashboard/invalid-json", None),
        ("[1, 2]", "dashboard/invalid-json", "[1, 2]"),
        (board(template_variables=None), "dashboard/schema", "{"),
        ({"description": "d", "template_variables": [], "widgets": [{"id": 1}]}, "dashboard/schema", "{"),
        (board(title=""), "dashboard/title-description", '"title"'),
        (board(description=" "), "dashboard/title-description", '"description"'),
        (board(layout_type="free"), "dashboard/layout", '"layout_type"'),
    ],
)
def test_each_rule_at_its_line(tile: Path, content: Any, rule: str, needle: str | None) -> None:
    install(tile, content)
    [finding] = findings("acme_cloud", select=rule)
    expected_line = 1 if needle is None else line_of(tile, needle)  # a syntax error: where the text ends
    assert (finding["rule"], finding["path"], finding["line"]) == (rule, D, expected_line)


def test_a_nested_widget_from_another_org_is_named_with_its_path(tile: Path) -> None:
    wrong = board()
    wrong["widgets"][0]["definition"]["widgets"][0]["definition"]["app_id"] = "00000000-1111-2222-3333-444444444444"
    install(tile, wrong)
    [f] = findings("acme_cloud", select="dashboard/")
    assert (f["rule"], f["line"]) == ("dashboard/app-uuid", line_of(tile, "00000000-1111"))
    assert f["message"].startswith("$.widgets[0].definition.widgets[0].definition.app_id is '00000000-1111-2222-3333"
                                   "-444444444444', the app UUID of the org the dashboard was exported from; it must "
                                   f"be the manifest's app_uuid '{UUID}'")


def _board(content: Any) -> Mutation:
    return lambda tile: install(tile, content)


def _deep_widget(app_id: str) -> dict[str, Any]:
    value = board()
    value["widgets"][0]["definition"]["widgets"][0]["definition"]["app_id"] = app_id
    return value


PARITY_CASES: dict[str, Mutation] = {
    "good": _board(GOOD),
    "broken_json": _board('{"title": "x",'),
    "no_widgets": _board(board(widgets=None)),
    "no_template_variables": _board(board(template_variables=None)),
    "no_description": _board(board(description=None)),
    "old_format": _board({"description": "d", "template_variables": [], "widgets": [{"id": 1}]}),
    "only_created_at": _board({"description": "d", "template_variables": [], "widgets": [], "created_at": "x"}),
    "foreign_app_id": _board(_deep_widget("00000000-1111-2222-3333-444444444444")),
    "empty_app_id": _board(_deep_widget("")),
    "free_layout": _board(board(layout_type="free")),
}


@pytest.mark.slow
def test_verdicts_match_ddev_validate_dashboards(tmp_path: Path) -> None:
    """The rules ddev has (invalid JSON, schema, app UUID) fail exactly the tiles ddev fails; an empty title or
    description (Datadog's docs) and a free layout (a warning) are beyond ddev."""
    ddev_fails, crashed, tilekit_fails = ddev.compare(tmp_path, PARITY_CASES, "dashboards",
                                                      "dashboard/invalid-json", "dashboard/schema",
                                                      "dashboard/app-uuid")
    assert crashed == set()
    assert tilekit_fails == ddev_fails
    assert ddev_fails == {"broken_json", "no_widgets", "no_template_variables", "no_description", "old_format",
                          "foreign_app_id"}
