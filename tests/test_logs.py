"""logs/* rules on real log pipeline and tests files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import edit_manifest, findings, found, write
from tests.samples import log_pipeline

P, T = "acme_cloud/assets/logs/acme.yaml", "acme_cloud/assets/logs/acme_tests.yaml"
PIPELINE = log_pipeline()
TESTS = """id: acme-cloud
tests:
  - sample: "2025-03-04 12:00:00 INFO request served"
    result:
      custom:
        status: info
      message: request served
    timestamp: 1741089600000
"""


@pytest.fixture
def logs_tile(tile: Path) -> Path:
    write(tile / "assets/logs/acme.yaml", PIPELINE)
    write(tile / "assets/logs/acme_tests.yaml", TESTS)
    edit_manifest(tile, lambda m: m["assets"].update(logs={"source": "acme_cloud"}))
    return tile


def test_a_pipeline_with_its_tests_passes(logs_tile: Path) -> None:
    assert found("acme_cloud", select="logs/") == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("acme.yaml", PIPELINE.replace("  name: Acme Cloud\n", "  name: [Acme\n"), [("logs/invalid-yaml", P, 7)]),
        ("acme_tests.yaml", "- just\n- a list\n", [("logs/invalid-yaml", T, 1)]),
        ("acme.yaml", PIPELINE.replace("id: acme-cloud", "id: acme"), [("logs/id", P, 1), ("logs/id", T, 1)]),
        ("acme.yaml", PIPELINE.replace("id: acme-cloud", "id: acme\nmetric_id: acme-cloud"), [("logs/id", T, 1)]),
        ("acme_tests.yaml", TESTS.replace("id: acme-cloud", "id: other"), [("logs/id", T, 1)]),
        ("acme_tests.yaml", TESTS.replace("""    result:
      custom:
        status: info
      message: request served
""", "    result: {}\n"), [("logs/result", T, 3)]),
        ("acme_tests.yaml", "id: acme-cloud\ntests: []\n", [("logs/result", T, 2)]),
    ],
)
def test_each_rule_at_its_line(logs_tile: Path, name: str, text: str, expected: list[tuple[str, str, int]]) -> None:
    write(logs_tile / "assets/logs" / name, text)
    assert found("acme_cloud", select="logs/") == expected


def test_a_pipeline_needs_its_tests_and_tests_their_pipeline(logs_tile: Path) -> None:
    (logs_tile / "assets/logs/acme_tests.yaml").rename(logs_tile / "assets/logs/other_tests.yaml")
    assert found("acme_cloud", select="logs/missing-tests") == [
        ("logs/missing-tests", P, None), ("logs/missing-tests", "acme_cloud/assets/logs/other_tests.yaml", None)]
    [first, _] = findings("acme_cloud", select="logs/missing-tests")
    assert "add assets/logs/acme_tests.yaml" in first["message"]


def test_a_pipeline_without_assets_logs_warns(logs_tile: Path) -> None:
    edit_manifest(logs_tile, lambda m: m["assets"].pop("logs"))
    [f] = findings("acme_cloud", select="logs/")
    assert (f["rule"], f["severity"], f["path"]) == ("logs/manifest", "warning", "acme_cloud/manifest.json")


def test_an_alias_bomb_costs_nothing(logs_tile: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    write(logs_tile / "assets/logs/acme.yaml", "id: acme-cloud\n" + bomb)
    assert found("acme_cloud", select="logs/") == []
