"""monitor/* rules on real monitor template files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, edit_manifest, findings, found, write

MON = "acme_cloud/assets/monitors/api_requests_stopped.json"
GOOD: dict[str, Any] = json.loads((EXAMPLE / "assets/monitors/api_requests_stopped.json").read_text())


def monitor(tile: Path, change: Any) -> list[tuple[str, str, int | None]]:
    value = copy.deepcopy(GOOD)
    change(value)
    write(tile / "assets/monitors/api_requests_stopped.json", json.dumps(value, indent=2))
    return found("acme_cloud", select="monitor/")


def line_of(tile: Path, needle: str, file: str = "assets/monitors/api_requests_stopped.json") -> int:
    """The last line holding ``needle`` (the template's own tags come after the definition's)."""
    lines = (tile / file).read_text().splitlines()
    return max(i for i, text in enumerate(lines, start=1) if needle in text)


@pytest.mark.parametrize(
    ("change", "rule", "needle"),
    [
        (lambda m: m.pop("created_at"), "monitor/schema", None),  # at the top of the file
        (lambda m: m.update(author="me"), "monitor/schema", '"author"'),
        (lambda m: m.update(version="2"), "monitor/schema", '"version"'),
        (lambda m: m.update(last_updated_at="2025-02-30"), "monitor/schema", '"last_updated_at"'),
        (lambda m: m.update(description=""), "monitor/schema", '"description"'),
        (lambda m: m["definition"].pop("query"), "monitor/schema", '"definition"'),
        (lambda m: m.update(tags=["integration:acme-cloud", "team:core"]), "monitor/tags", '"tags": ['),
        (lambda m: m.update(tags=["product:x"]), "monitor/tags", '"tags": ['),
        (lambda m: m.update(title="CPU on {{host.name}}"), "monitor/style", '"title"'),
        (lambda m: m.update(description=m["title"]), "monitor/style", '"description"'),
        (lambda m: m["definition"]["options"].update(notify_no_data=True), "monitor/style", '"notify_no_data"'),
        (lambda m: m["definition"]["options"].update(silenced={"*": None}), "monitor/style", '"silenced"'),
    ],
)
def test_each_rule_at_its_line(tile: Path, change: Any, rule: str, needle: str | None) -> None:
    assert monitor(tile, change) == [(rule, MON, line_of(tile, needle) if needle else 1)]


def test_the_example_template_passes_and_broken_json_is_found(tile: Path) -> None:
    assert found("acme_cloud", select="monitor/") == []
    write(tile / "assets/monitors/api_requests_stopped.json", '{"version": 2,')
    assert found("acme_cloud", select="monitor/") == [("monitor/invalid-json", MON, 1)]


def test_an_empty_silenced_is_called_a_leftover_not_a_mute(tile: Path) -> None:
    monitor(tile, lambda m: m["definition"]["options"].update(silenced={}))
    [f] = findings("acme_cloud", select="monitor/")
    assert "is a leftover of the export" in f["message"] and f["severity"] == "warning"


def test_more_than_ten_monitors(tile: Path) -> None:
    names = {f"Monitor {i}": f"assets/monitors/m{i}.json" for i in range(11)}
    for path in names.values():
        write(tile / path, json.dumps(GOOD))
    (tile / "assets/monitors/api_requests_stopped.json").unlink()
    edit_manifest(tile, lambda m: m["assets"].update(monitors=names))
    assert found("acme_cloud", select="monitor/count") == [
        ("monitor/count", "acme_cloud/manifest.json", line_of(tile, '"monitors"', "manifest.json"))]
