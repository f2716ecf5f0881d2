"""action.yml: a composite action whose inputs reach the shell only through env, run as GitHub would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOW = yaml.safe_load((ROOT / "examples/workflows/tilekit.yml").read_text())


def _steps() -> list[dict[str, Any]]:
    return ACTION["runs"]["steps"]  # type: ignore[no-any-return]


def test_composite_structure() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"paths", "sarif-file", "changed-since", "args", "python-version"}
    runs = [step for step in _steps() if "run" in step]
    assert runs and all(step.get("shell") == "bash" for step in runs)


def test_inputs_reach_scripts_only_through_env() -> None:
    for step in _steps():
        assert "${{" not in step.get("run", ""), step["run"]
    validate = _validate_step()
    assert validate["env"] == {"TILEKIT_PATHS": "${{ inputs.paths }}", "TILEKIT_ARGS": "${{ inputs.args }}",
                               "TILEKIT_SARIF": "${{ inputs.sarif-file }}",
                               "TILEKIT_CHANGED_SINCE": "${{ inputs.changed-since }}"}


def test_installs_from_the_actions_own_checkout() -> None:
    install = next(step for step in _steps() if "pip install" in step.get("run", ""))
    assert '"$GITHUB_ACTION_PATH"' in install["run"]


def test_example_workflow_checks_out_the_history_and_leaves_the_choice_of_tiles_to_the_action() -> None:
    steps = WORKFLOW["jobs"]["tilekit"]["steps"]
    checkout = next(step for step in steps if str(step.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # --changed-since needs the pull request's base commit
    use = next(step for step in steps if str(step.get("uses", "")).startswith("tilekit/tilekit"))
    assert "paths" not in use["with"] and "changed-since" not in use["with"]


def _validate_step() -> dict[str, Any]:
    return next(step for step in _steps() if "tilekit validate" in step.get("run", ""))


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    """A job's environment: tilekit on PATH (this checkout's), Actions variables set."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tilekit"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m toolkit "$@"\n')
    shim.chmod(0o755)
    python = bin_dir / "python"  # what actions/setup-python puts on PATH
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
            "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}


def _run_step(workspace: Path, env: dict[str, str], paths: str, sarif: str = "", args: str = "") -> Any:
    env = {**env, "TILEKIT_PATHS": paths, "TILEKIT_ARGS": args, "TILEKIT_SARIF": sarif}
    return subprocess.run(["bash", "-e", "-c", _validate_step()["run"]], cwd=workspace, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_step_annotates_summarises_and_writes_sarif(tmp_path: Path, runner_env: dict[str, str]) -> None:
    workspace = tmp_path / "extras"
    shutil.copytree(EXAMPLE, workspace / "acme_cloud")
    readme = workspace / "acme_cloud/README.md"
    readme.write_text(readme.read_text().replace("## Support", "## Troubleshooting"))
    manifest = workspace / "acme_cloud/manifest.json"
    manifest.write_text(manifest.read_text().replace('"README.md#Support"', '"README.md#Help"'))
    result = _run_step(workspace, runner_env, "acme_cloud\n", sarif="tilekit.sarif", args="--ignore readme/non-ascii")
    assert result.returncode == 1, result.stderr
    assert "::error file=acme_cloud/README.md,line=42,col=1,title=readme/missing-section::" in result.stdout
    summary = Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("### tilekit: 1 tile checked: 2 errors, 0 warnings")
    assert "| error | `readme/broken-anchor` | `acme_cloud/manifest.json:10:5` |" in summary
    log = json.loads((workspace / "tilekit.sarif").read_text())
    assert log["version"] == "2.1.0" and len(log["runs"][0]["results"]) == 2


def test_a_clean_tile_passes(tmp_path: Path, runner_env: dict[str, str]) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "acme_cloud")
    assert _run_step(tmp_path, runner_env, "acme_cloud").returncode == 0


def test_inputs_are_data_not_shell(tmp_path: Path, runner_env: dict[str, str]) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "acme_cloud")
    result = _run_step(tmp_path, runner_env, 'acme_cloud; touch pwned $(touch pwned2) `touch pwned3` *')
    assert result.returncode == 2  # the odd words are taken as paths that do not exist
    assert not list(tmp_path.glob("pwned*"))
    assert re.search(r"no such file or directory", result.stdout + result.stderr)


def test_on_a_pull_request_only_the_touched_tile_is_checked(tmp_path: Path, runner_env: dict[str, str]) -> None:
    workspace = tmp_path / "fork"
    for name in ("alpha", "beta"):
        shutil.copytree(EXAMPLE, workspace / name)
    (workspace / "alpha/CHANGELOG.md").write_text("no entries\n")  # someone else's problem, on main already

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=workspace,
                              check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "main")
    base = git("rev-parse", "HEAD")
    git("checkout", "-qb", "pr")
    readme = workspace / "beta/README.md"
    readme.write_text(readme.read_text().replace("## Support", "## Help"))
    git("commit", "-qam", "the pull request")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": git("rev-parse", "HEAD")}}}))
    env = {**runner_env, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    result = _run_step(workspace, env, ".")
    assert result.returncode == 1, result.stderr
    files = set(re.findall(r"::(?:error|warning) file=([^,]+),", result.stdout))
    assert files == {"beta/README.md"}
    assert "alpha" not in result.stdout
    # The same step on a push checks every tile.
    result = _run_step(workspace, {**runner_env, "GITHUB_EVENT_NAME": "push"}, ".")
    assert "alpha/CHANGELOG.md" in result.stdout
