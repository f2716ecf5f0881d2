"""dataflows/* and saved-views/* rules on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import edit_manifest, findings, found, write

DF = "acme_cloud/assets/dataflows.yaml"
GOOD = """provides:
  - id: acme-cloud-metrics
    always_on: true
    granular: false
    data_type: metrics
    direction: inbound
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, []),
        (GOOD.replace("provides:", "gives:"), [("dataflows/schema", DF, 1)]),
        (GOOD.replace("    always_on: true\n", ""), [("dataflows/schema", DF, 2)]),
        (GOOD.replace("acme-cloud-metrics", "Acme_Metrics"), [("dataflows/schema", DF, 2)]),
        (GOOD.replace("acme-cloud-metrics", "ab"), [("dataflows/schema", DF, 2)]),
        (GOOD + GOOD.replace("provides:\n", ""), [("dataflows/schema", DF, 7)]),
        (GOOD.replace("data_type: metrics", "data_type: metric"), [("dataflows/data-type", DF, 5)]),
        ("provides: [\n", [("dataflows/schema", DF, 2)]),
    ],
)
def test_dataflows(tile: Path, text: str, expected: list[tuple[str, str, int]]) -> None:
    write(tile / "assets/dataflows.yaml", text)
    assert found("acme_cloud", select="dataflows/") == expected


def test_a_yml_file_is_refused(tile: Path) -> None:
    write(tile / "assets/dataflows.yml", GOOD)
    [f] = findings("acme_cloud", select="dataflows/")
    assert (f["rule"], f["path"]) == ("dataflows/schema", "acme_cloud/assets/dataflows.yml")
    assert "rename assets/dataflows.yml to assets/dataflows.yaml" in f["message"]


SV = "acme_cloud/assets/saved_views/errors.json"
VIEW = {"name": "Acme errors", "page": "stream", "query": "source:acme_cloud status:error", "type": "logs",
        "options": {"columns": ["host"], "show_date_column": True}, "timerange": {"interval_ms": 3600000}}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda v: None, None),
        (lambda v: v.pop("query"), "{"),
        (lambda v: v.update(type="metrics"), '"type"'),
        (lambda v: v.update(page="somewhere"), '"page"'),
        (lambda v: v["options"].update(widget="x"), '"options"'),
        (lambda v: v.update(owner="me"), '"owner"'),
    ],
)
def test_saved_views(tile: Path, change, key: str | None) -> None:
    view = json.loads(json.dumps(VIEW))
    change(view)
    text = json.dumps(view, indent=2)
    write(tile / "assets/saved_views/errors.json", text)
    edit_manifest(tile, lambda m: m["assets"].update(saved_views={"acme_errors": "assets/saved_views/errors.json"}))
    expected = [] if key is None else [
        ("saved-views/schema", SV, next(i for i, line in enumerate(text.splitlines(), 1) if key in line))]
    assert found("acme_cloud", select="saved-views/") == expected
