"""The project keeps its promises: README's commands are the ones CI runs, and SPEC's rule ids exist."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _readme_commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv .+)\n```", (ROOT / "README.md").read_text())


def test_readme_has_the_two_setup_commands() -> None:
    main_job, tests = _readme_commands()[:2]
    assert "tilekit validate" in main_job
    assert "pytest" in tests


def test_readmes_main_job_command_works(tmp_path: Path) -> None:
    """README's first command, verbatim after the install step, against this checkout's tilekit."""
    command = _readme_commands()[0]
    install, rest = command.split(" && .venv/bin/pip install . && ")
    assert install == "python3 -m venv .venv"
    shim = tmp_path / ".venv" / "bin" / "tilekit"
    shim.parent.mkdir(parents=True)
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m toolkit \"$@\"\n")
    shim.chmod(0o755)
    result = subprocess.run(["bash", "-c", rest], cwd=tmp_path, capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 tile checked: 0 errors, 2 warnings" in result.stdout  # the logo and the images only the partner has
    assert "no SVG logo" in result.stdout and "media/min-images" in result.stdout


def test_ci_runs_exactly_readmes_test_command() -> None:
    test_command = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_every_spec_rule_id_exists() -> None:
    spec = ROOT.parent / "shared" / "SPEC.md"
    if not spec.is_file():
        pytest.skip("../shared/SPEC.md is not beside this checkout")
    required = set(re.findall(r"^\| `([a-z]+/[a-z-]+)` \|", spec.read_text(), flags=re.MULTILINE))
    assert len(required) > 30
    listed = {r["id"] for r in json.loads(subprocess.run(
        [sys.executable, "-m", "toolkit", "rules", "--format", "json"], capture_output=True, text=True, check=True,
    ).stdout)["rules"]}
    missing = required - listed
    assert sorted(missing) == []
