from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from toolkit.cli import cli

# tilekit remembers checked rules data in the user's cache; the tests keep theirs to themselves (and their
# child processes inherit it).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tilekit-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme_cloud"


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run tilekit in-process; a traceback would surface as an exception, never as a pass."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def tile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the valid example tile, with the cwd at its parent so paths read 'acme_cloud/...'."""
    target = tmp_path / "acme_cloud"
    shutil.copytree(EXAMPLE, target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return target


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def edit_manifest(tile: Path, change: Any) -> None:
    """Load the tile's manifest, let ``change`` mutate the dict, write it back pretty-printed."""
    data = json.loads((tile / "manifest.json").read_text())
    change(data)
    (tile / "manifest.json").write_text(json.dumps(data, indent=2) + "\n")


def findings(*paths: str, select: str | None = None) -> list[dict[str, Any]]:
    args = ["validate", *paths, "--format", "json"]
    if select:
        args += ["--select", select]
    result = run_cli(*args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)["findings"]


def found(*paths: str, select: str | None = None) -> list[tuple[str, str, int | None]]:
    """(rule, path, line) of every finding, in report order."""
    return [(f["rule"], f["path"], f["line"]) for f in findings(*paths, select=select)]
