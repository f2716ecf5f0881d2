"""Datadog's own validator, ddev 14.4.0, run on generated tiles so that tests can compare verdicts with tilekit's.

.ci/run installs it in .venv-ddev; under CI=true its absence fails the tests that need it instead of skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT

Mutation = Callable[[Path], None]


def executable() -> Path:
    for candidate in (os.environ.get("TILEKIT_DDEV"), ROOT / ".venv-ddev/bin/ddev", shutil.which("ddev")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    if os.environ.get("CI"):
        pytest.fail("ddev is not installed; .ci/run installs ddev==14.4.0 into .venv-ddev")
    pytest.skip("ddev is not installed (python3 -m venv .venv-ddev && .venv-ddev/bin/pip install 'ddev==14.4.0')")


def compare(tmp_path: Path, cases: dict[str, Mutation], validation: str,
            *select: str) -> tuple[set[str], set[str], set[str]]:
    """(tiles ddev fails, tiles where ddev crashed, tiles with a tilekit error under ``select``) for ``cases``, each a
    copy of the example tile changed by its mutation, in a git repository that ddev knows as integrations-extras."""
    ddev = executable()
    repo = tmp_path / "integrations-extras"
    for name, mutate in cases.items():
        shutil.copytree(EXAMPLE, repo / name)
        mutate(repo / name)
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "tiles"],
                    [str(ddev), "config", "set", "repos.extras", str(repo)]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True, timeout=120)

    def verdict(name: str) -> tuple[str, int, str]:  # one run per tile: a crash on one must not hide the others
        run = subprocess.run([str(ddev), "--no-interactive", "-e", "validate", validation, name], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
        return name, run.returncode, run.stdout + run.stderr

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        verdicts = list(pool.map(verdict, cases))
    tilekit = [str(ROOT / ".venv/bin/tilekit")] if (ROOT / ".venv/bin/tilekit").exists() else ["tilekit"]
    chosen = [arg for rule in select for arg in ("--select", rule)]
    mine = subprocess.run([*tilekit, "validate", ".", *chosen, "--format", "json"], cwd=repo,
                          capture_output=True, text=True, check=False, timeout=120).stdout
    return ({name for name, code, _ in verdicts if code != 0},
            {name for name, _, output in verdicts if "Traceback" in output},
            {f["tile"] for f in json.loads(mine)["findings"] if f["severity"] == "error"})
