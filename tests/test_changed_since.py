"""`validate --changed-since REF` and manifest/immutable, in real git repositories made with git."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, run_cli, write


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                          capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An integrations-extras-like checkout: three tiles on main, and a branch to change them on."""
    root = tmp_path / "extras"
    for name in ("alpha", "beta", "gamma"):
        shutil.copytree(EXAMPLE, root / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "three tiles")
    git(root, "checkout", "-qb", "work")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def checked(*args: str) -> dict[str, Any]:
    result = run_cli("validate", ".", "--changed-since", "main", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def edit(tile: Path, change: Any) -> None:
    data = json.loads((tile / "manifest.json").read_text())
    change(data)
    (tile / "manifest.json").write_text(json.dumps(data, indent=2) + "\n")


def test_nothing_changed_checks_nothing(repo: Path) -> None:
    result = run_cli("validate", ".", "--changed-since", "main")
    assert (result.exit_code, result.output) == (0, "no tile changed since main; nothing checked\n")


@pytest.mark.parametrize("how", ["committed", "staged", "unstaged", "untracked", "deleted"])
def test_every_kind_of_change_selects_its_tile(repo: Path, how: str) -> None:
    target = repo / "beta" / ("notes.md" if how == "untracked" else "README.md")
    if how == "deleted":
        (repo / "beta/images/quotas.png").unlink()
    else:
        write(target, (target.read_text() if target.exists() else "") + "\nMore.\n")
    if how in ("committed", "staged"):
        git(repo, "add", "-A")
    if how == "committed":
        git(repo, "commit", "-qm", "beta")
    assert checked()["tiles"] == ["beta"]


def test_a_renamed_tile_is_checked_and_compared_with_its_old_manifest(repo: Path) -> None:
    git(repo, "mv", "gamma", "delta")
    git(repo, "commit", "-qm", "rename")
    edit(repo / "delta", lambda m: m.update(app_uuid="11111111-2222-4333-8444-555555555555"))
    report = checked()
    assert report["tiles"] == ["delta"]
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("manifest/immutable", "delta/manifest.json")]


def test_immutable_keys(repo: Path) -> None:
    edit(repo / "alpha", lambda m: (m.update(app_uuid="11111111-2222-4333-8444-555555555555",
                                              display_on_public_website=False),
                                    m["assets"].update(dashboards={"Renamed": "assets/dashboards/acme_cloud_overview.json"})))
    report = checked()
    lines = (repo / "alpha/manifest.json").read_text().splitlines()

    def line_of(needle: str) -> int:
        return next(i for i, text in enumerate(lines, 1) if needle in text)

    assert [(f["rule"], f["line"]) for f in report["findings"]] == [
        ("manifest/immutable", line_of('"app_uuid"')),
        ("manifest/immutable", line_of('"display_on_public_website"')),
        ("manifest/immutable", line_of('"dashboards"')),
    ]
    messages = [f["message"] for f in report["findings"]]
    assert "no longer has the key 'Acme Cloud Overview'" in messages[2]
    assert "went from true to false" in messages[1]


def test_what_may_change_does_not_trip_immutable(repo: Path) -> None:
    edit(repo / "alpha", lambda m: (m["tile"].update(description="A new description of Acme Cloud."),
                                    m["assets"]["dashboards"].update({"Second": "assets/dashboards/acme_cloud_overview.json"})))
    assert checked()["findings"] == []
    assert run_cli("validate", "alpha", "--format", "json").exit_code == 0  # without the option: no comparison


def test_an_unknown_ref_is_exit_2(repo: Path) -> None:
    result = run_cli("validate", ".", "--changed-since", "origin/nowhere")
    assert result.exit_code == 2 and "no such commit or branch" in result.output


def test_outside_a_checkout_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "plain" / "acme_cloud")
    monkeypatch.chdir(tmp_path / "plain")
    result = run_cli("validate", ".", "--changed-since", "main")
    assert result.exit_code == 2 and "is not in a git checkout" in result.output


def test_a_shallow_clone_without_the_base_says_to_fetch_it(repo: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo / "beta/README.md", (repo / "beta/README.md").read_text() + "\nMore.\n")
    git(repo, "commit", "-qam", "one")
    write(repo / "beta/README.md", (repo / "beta/README.md").read_text() + "\nAgain.\n")
    git(repo, "commit", "-qam", "two")
    git(repo, "checkout", "-q", "main")
    write(repo / "alpha/README.md", (repo / "alpha/README.md").read_text() + "\nOn main.\n")
    git(repo, "commit", "-qam", "main moves on")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(clone)],
                   check=True, capture_output=True, timeout=60)
    git(clone, "checkout", "-q", "work")
    monkeypatch.chdir(clone)
    result = run_cli("validate", ".", "--changed-since", "origin/main")
    assert result.exit_code == 2
    assert "shallow clone lacks the history" in result.output and "fetch-depth: 0" in result.output


def test_fix_changed_since_repairs_only_the_changed_tiles(repo: Path) -> None:
    broken = "# CHANGELOG\n\n### 1.0.0 / 2024-11-20\n\n***Added***:\n\n* Initial Release\n"
    for name in ("alpha", "beta"):
        (repo / name / "CHANGELOG.md").write_text(broken)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "both broken")
    git(repo, "checkout", "-qb", "again")
    (repo / "alpha" / "README.md").write_text((repo / "alpha" / "README.md").read_text() + "\nMore.\n")
    result = run_cli("fix", ".", "--changed-since", "HEAD")
    assert result.exit_code == 0, result.output
    assert "alpha/CHANGELOG.md: fixed changelog/heading-format" in result.output and "beta" not in result.output
    assert (repo / "alpha" / "CHANGELOG.md").read_text().startswith("# CHANGELOG\n\n## 1.0.0 / 2024-11-20")
    assert (repo / "beta" / "CHANGELOG.md").read_text() == broken
