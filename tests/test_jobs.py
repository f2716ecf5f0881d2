"""`validate --jobs N`: worker processes give the same report, in the same order, as one process."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, run_cli, write


@pytest.fixture
def many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """40 tiles, every third with findings of several rules and files."""
    for index in range(40):
        tile = tmp_path / f"tile_{index:02}"
        shutil.copytree(EXAMPLE, tile)
        if index % 3 == 0:
            write(tile / "README.md", (tile / "README.md").read_text().replace("## Support", "## Help"))
            write(tile / "CHANGELOG.md", "# CHANGELOG\n\n## 1.0.0\n\n- x\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "github"])
def test_workers_report_exactly_what_one_process_does(many: Path, fmt: str) -> None:
    one = run_cli("validate", ".", "--jobs", "1", "--format", fmt)
    two = run_cli("validate", ".", "--jobs", "2", "--format", fmt)
    assert (one.exit_code, one.output) == (two.exit_code, two.output)
    assert one.exit_code == 1


def test_the_config_sets_the_workers(many: Path) -> None:
    write(many / ".tilekit.toml", "jobs = 2\n")
    assert run_cli("validate", ".", "--format", "json").exit_code == 1
    write(many / ".tilekit.toml", "jobs = 0\n")
    result = run_cli("validate", ".")
    assert result.exit_code == 2 and "jobs" in result.output


def test_a_worker_that_dies_costs_only_its_tile(many: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that kills its process (as a crash in a C library would) on one tile: that tile gets an internal
    error, every other tile is still reported, and the run exits 2."""
    from toolkit.checks import CHECKS, _schema

    real = CHECKS["readme.ascii_only"]

    def dies_on_tile_07(tile: Any, params: Any) -> Any:
        if tile.name == "tile_07":
            os._exit(3)
        return real.run(tile, params)

    monkeypatch.setitem(CHECKS, "readme.ascii_only", _schema.Check(dies_on_tile_07, real.params))
    result = run_cli("validate", ".", "--jobs", "2", "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.output)
    crashed = [f for f in report["findings"] if f["rule"] == "tilekit/internal-error"]
    assert [(f["tile"], f["path"]) for f in crashed] == [("tile_07", "tile_07")]
    assert "the worker process checking this tile stopped" in crashed[0]["message"]
    serial = json.loads(run_cli("validate", ".", "--jobs", "1", "--format", "json", "--ignore", "readme/non-ascii")
                        .output)
    others = [f for f in report["findings"] if f["rule"] != "tilekit/internal-error"]
    assert [f for f in others if f["tile"] != "tile_07"] == [f for f in serial["findings"] if f["tile"] != "tile_07"]
