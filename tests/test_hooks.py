"""The pre-commit hook: its file pattern, batches split any way, and the real pre-commit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE, ROOT

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_hook_definition() -> None:
    hook, fixer = HOOKS
    assert hook["id"] == "tilekit-validate" and hook["language"] == "python"
    assert hook["entry"] == "tilekit validate"
    assert fixer["id"] == "tilekit-fix" and fixer["entry"] == "tilekit fix" and fixer["require_serial"] is True


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("acme/README.md", True),
        ("acme/manifest.json", True),
        ("acme/CHANGELOG.md", True),
        ("acme/metadata.csv", True),
        ("acme/assets/service_checks.json", True),
        ("acme/assets/dashboards/overview.json", True),
        ("acme/images/Screen Shot 1.png", True),
        ("acme/demo.mp4", True),
        ("acme/images/tour.mov", True),
        ("README.md", True),  # matched, then ignored: it belongs to no tile
        ("acme/datadog_checks/acme/check.py", False),
        ("acme/tests/test_acme.py", False),
        (".github/workflows/ci.yml", False),
    ],
)
def test_files_pattern(path: str, matched: bool) -> None:
    assert bool(re.search(HOOKS[0]["files"], path)) is matched


def _tile_with_problems(root: Path) -> list[str]:
    tile = root / "acme_cloud"
    shutil.copytree(EXAMPLE, tile)
    readme = (tile / "README.md").read_text().replace("## Support", "## Troubleshooting")
    (tile / "README.md").write_text(readme)
    (tile / "CHANGELOG.md").write_text("# CHANGELOG\n\n## 1.0.0\n\n* Initial Release\n")
    return sorted(str(p.relative_to(root)) for p in tile.rglob("*") if p.is_file())


def _json_run(root: Path, files: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "toolkit", "validate", "--format", "json", *files], cwd=root,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_batches_split_any_way_report_every_problem_and_no_false_one(tmp_path: Path) -> None:
    files = _tile_with_problems(tmp_path)
    whole = json.loads(_json_run(tmp_path, ["acme_cloud"]).communicate()[0])["findings"]
    assert {f["rule"] for f in whole} == {"readme/missing-section", "changelog/heading-format"}
    batches = [files[0::3], files[1::3], files[2::3]]  # as pre-commit might split them, run in parallel
    running = [_json_run(tmp_path, batch) for batch in batches]
    results = [json.loads(proc.communicate()[0])["findings"] for proc in running]
    assert all(result == whole for result in results)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pre-commit") is None and not Path(sys.executable).with_name("pre-commit").exists():
        pytest.fail("pre-commit is a test dependency: pip install -e '.[test]'")
    if not (ROOT / ".git").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the pre-commit tests, which need this project as a git checkout")
        pytest.skip("pre-commit needs this project as a git checkout")
    return tmp_path_factory.mktemp("pre-commit-home")


def _pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("pre-commit")
    command = [str(exe)] if exe.exists() else ["pre-commit"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(command + list(args), cwd=repo, capture_output=True, text=True, env=env, timeout=600,
                          check=False)


@pytest.fixture
def tile_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "extras"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "partner@example.com")
    _git(repo, "config", "user.name", "Partner")
    _tile_with_problems(repo)
    (repo / "README.md").write_text("# integrations-extras fork\n")
    _git(repo, "add", "-A")
    return repo


def _fix(repo: Path) -> None:
    tile = repo / "acme_cloud"
    (tile / "README.md").write_text((tile / "README.md").read_text().replace("## Troubleshooting", "## Support"))
    (tile / "CHANGELOG.md").write_text("# CHANGELOG\n\n## 1.0.0 / 2024-11-20\n\n***Added***:\n\n* Initial Release\n")
    _git(repo, "add", "-A")


@pytest.mark.slow
def test_pre_commit_try_repo_refuses_then_passes(tile_repo: Path, pre_commit_home: Path) -> None:
    broken = _pre_commit(tile_repo, pre_commit_home, "try-repo", str(ROOT), "tilekit-validate")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "acme_cloud/README.md:42:1: error readme/missing-section" in broken.stdout
    assert "acme_cloud/CHANGELOG.md:3:1: error changelog/heading-format" in broken.stdout
    assert broken.stdout.count("readme/missing-section") == 1  # each tile once, however many files changed
    _fix(tile_repo)
    fixed = _pre_commit(tile_repo, pre_commit_home, "try-repo", str(ROOT), "tilekit-validate")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert re.search(r"tilekit validate.*Passed", fixed.stdout)


@pytest.mark.slow
def test_fix_hook_repairs_then_fails_so_the_change_is_reviewed(tile_repo: Path, pre_commit_home: Path) -> None:
    changelog = tile_repo / "acme_cloud" / "CHANGELOG.md"
    changelog.write_text("# CHANGELOG\n\n### 1.0.0 / 2024-11-20\n\n***Added***:\n\n* Initial Release\n")
    _git(tile_repo, "add", "-A")
    first = _pre_commit(tile_repo, pre_commit_home, "try-repo", str(ROOT), "tilekit-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert changelog.read_text().startswith("# CHANGELOG\n\n## 1.0.0 / 2024-11-20\n")
    assert "readme/missing-section" in first.stdout  # what fix cannot do is still reported
    _git(tile_repo, "add", "-A")
    second = _pre_commit(tile_repo, pre_commit_home, "try-repo", str(ROOT), "tilekit-fix")
    assert "files were modified by this hook" not in second.stdout, second.stdout


@pytest.mark.slow
def test_installed_hook_refuses_the_commit(tile_repo: Path, pre_commit_home: Path) -> None:
    head = _git(ROOT, "rev-parse", "HEAD").stdout.strip()
    (tile_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: tilekit-validate\n"
    )
    _git(tile_repo, "add", "-A")
    assert _pre_commit(tile_repo, pre_commit_home, "install").returncode == 0
    refused = _git(tile_repo, "commit", "-m", "Add Acme Cloud tile")
    assert refused.returncode != 0
    assert "readme/missing-section" in refused.stdout + refused.stderr
    assert _git(tile_repo, "rev-parse", "HEAD").returncode != 0  # nothing was committed
    _fix(tile_repo)
    accepted = _git(tile_repo, "commit", "-m", "Add Acme Cloud tile")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
