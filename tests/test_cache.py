"""`tilekit validate` remembers each tile's findings: an unchanged tile is recalled with exactly the report a check
would give, and any change to anything the findings depend on is checked again."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, edit_manifest, run_cli, write
from toolkit import runner, tilecache, verdicts


@pytest.fixture
def checked(tile: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tiles each run checked (not recalled), in order; files count as settled at once (the
    racy-window tests below put the real margin back)."""
    names: list[str] = []
    real = runner.check

    def counting(subject: Any, rules: Any) -> Any:
        names.append(subject.name)
        return real(subject, rules)

    monkeypatch.setattr(runner, "check", counting)
    monkeypatch.setattr(tilecache, "RACY_SECONDS", 0.0)
    return names


def with_findings(tile: Path) -> None:
    """Findings of several rules and files, fixable ones among them."""
    write(tile / "README.md", (tile / "README.md").read_text().replace("## Support", "## Help") + "Caf\u00e9\n")
    write(tile / "CHANGELOG.md", "# CHANGELOG\n\n## 1.0.0\n\n- x\n")
    edit_manifest(tile, lambda m: m["tile"].update(classifier_tags=["Supported OS::linux"]))


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "github"])
def test_a_recalled_tile_reports_exactly_what_a_check_does(tile: Path, checked: list[str], fmt: str) -> None:
    with_findings(tile)
    first = run_cli("validate", "acme_cloud", "--format", fmt)
    second = run_cli("validate", "acme_cloud", "--format", fmt)
    fresh = run_cli("validate", "acme_cloud", "--format", fmt, "--no-cache")
    assert checked == ["acme_cloud", "acme_cloud"]  # the first run and --no-cache; the second recalled
    assert first.exit_code == 1
    assert (first.exit_code, first.output) == (second.exit_code, second.output) == (fresh.exit_code, fresh.output)


def test_fix_advice_survives_the_cache(tile: Path, checked: list[str]) -> None:
    with_findings(tile)
    first = json.loads(run_cli("validate", "acme_cloud", "--format", "json").output)["findings"]
    second = json.loads(run_cli("validate", "acme_cloud", "--format", "json").output)["findings"]
    assert {"safe", "unsafe"} <= {f["fix"] for f in first} and first == second
    assert checked == ["acme_cloud"]


def test_workers_store_and_recall_with_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tilecache, "RACY_SECONDS", 0.0)  # forked workers inherit it
    for index in range(20):
        shutil.copytree(EXAMPLE, tmp_path / f"tile_{index:02}")
        if index % 3 == 0:
            with_findings(tmp_path / f"tile_{index:02}")
    monkeypatch.chdir(tmp_path)
    cold = run_cli("validate", ".", "--jobs", "2", "--format", "sarif")
    [book] = (verdicts.cache_dir() / "tiles").glob(f"{verdicts.digest([os.fsencode(tmp_path)])}.json")
    assert len(json.loads(book.read_bytes())) == 20  # stored by the workers' entries, in one file
    warm = run_cli("validate", ".", "--jobs", "2", "--format", "sarif")
    assert (cold.exit_code, cold.output) == (warm.exit_code, warm.output)


def _same_size_edit(tile: Path) -> None:
    text = (tile / "README.md").read_text()
    write(tile / "README.md", text.replace("## Support", "## Suppor!"))


def _chmod(tile: Path) -> None:
    os.chmod(tile / "README.md", 0o600)


CHANGES: dict[str, Callable[[Path], object]] = {
    "same-size edit": _same_size_edit,
    "file added": lambda t: write(t / "images" / "notes.txt", "x"),
    "file removed": lambda t: (t / "CHANGELOG.md").unlink(),
    "mode changed": _chmod,
    # in a hidden folder, which the walk of the tile does not enter: known from the check that looked for it
    "a named file appears": lambda t: write(t / "assets" / ".drafts" / "later.json", "{}"),
    "checkout CODEOWNERS": lambda t: write(t.parent / ".github" / "CODEOWNERS", "/acme_cloud/ @acme-dev\n"),
    "checkout .ddev/config.toml": lambda t: write(t.parent / ".ddev" / "config.toml", "[overrides]\n"),
    "config file": lambda t: write(t.parent / ".tilekit.toml", '[rules."readme/missing-section"]\nseverity = "warning"\n'),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_input_of_the_findings_is_noticed(tile: Path, checked: list[str], change: Callable[[Path], object]) -> None:
    edit_manifest(tile, lambda m: m["assets"].update(dashboards={"Later": "assets/.drafts/later.json"}))
    write(tile.parent / ".github" / "CODEOWNERS", "/acme_cloud/ @acme-dev @DataDog/x\n")  # consulted, so a dependency
    before = run_cli("validate", "acme_cloud", "--format", "json").output
    assert run_cli("validate", "acme_cloud", "--format", "json").output == before
    assert checked == ["acme_cloud"]  # unchanged: recalled
    change(tile)
    after = run_cli("validate", "acme_cloud", "--format", "json").output
    assert checked == ["acme_cloud", "acme_cloud"]
    assert after == run_cli("validate", "acme_cloud", "--format", "json", "--no-cache").output


@pytest.mark.parametrize("args", [["--select", "readme/"], ["--ignore", "tile/"]])
def test_other_rules_are_another_run(tile: Path, checked: list[str], args: list[str]) -> None:
    run_cli("validate", "acme_cloud")
    run_cli("validate", "acme_cloud", *args)
    run_cli("validate", "acme_cloud", *args)
    assert len(checked) == 2


def test_paths_shown_from_another_folder_are_another_run(tile: Path, checked: list[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with_findings(tile)
    outside = json.loads(run_cli("validate", "acme_cloud", "--format", "json").output)["findings"]
    monkeypatch.chdir(tile)
    inside = json.loads(run_cli("validate", "--format", "json").output)["findings"]
    assert checked == ["acme_cloud", "acme_cloud"]
    assert [f["path"] for f in inside] == [f["path"].removeprefix("acme_cloud/") for f in outside]
    assert any(f["path"].startswith("acme_cloud/") for f in outside)


def test_another_day_is_another_run(tile: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A CHANGELOG dated tomorrow is in the future today, and no longer tomorrow."""
    import datetime
    from types import SimpleNamespace

    tomorrow = datetime.date.fromordinal(datetime.date.today().toordinal() + 1)
    run_cli("validate", "acme_cloud")
    monkeypatch.setattr(tilecache, "datetime", SimpleNamespace(date=SimpleNamespace(today=lambda: tomorrow)))
    run_cli("validate", "acme_cloud")
    assert len(checked) == 2


def test_an_installed_or_removed_library_is_new_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "lib" / "site-packages"
    site.mkdir(parents=True)
    os.utime(site, ns=(1, 1))
    monkeypatch.syspath_prepend(str(site))
    verdicts.installation.cache_clear()
    before = verdicts.installation()
    (site / "pillow-99.dist-info").mkdir()  # what pip does when it installs or upgrades
    verdicts.installation.cache_clear()
    assert verdicts.installation() != before
    verdicts.installation.cache_clear()


def test_files_changed_just_before_the_run_are_not_remembered(tile: Path, checked: list[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Within the file system's timestamp tick, a same-size rewrite would look unchanged: such a tile is checked
    every time until its files settle."""
    monkeypatch.setattr(tilecache, "RACY_SECONDS", 2.0)
    run_cli("validate", "acme_cloud")
    run_cli("validate", "acme_cloud")
    assert len(checked) == 2


def test_a_crashed_rule_is_not_remembered(tile: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.checks import CHECKS, _schema

    def crashes(subject: Any, params: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(CHECKS, "readme.ascii_only", _schema.Check(crashes, CHECKS["readme.ascii_only"].params))
    assert run_cli("validate", "acme_cloud").exit_code == 2
    assert run_cli("validate", "acme_cloud").exit_code == 2
    assert len(checked) == 2


def test_a_damaged_cache_is_checked_over_and_replaced(tile: Path, checked: list[str]) -> None:
    expected = run_cli("validate", "acme_cloud", "--format", "json").output
    [book] = (verdicts.cache_dir() / "tiles").glob(f"{verdicts.digest([os.fsencode(tile.parent)])}.json")
    for damage in (b"{not json", b"[]", json.dumps({"acme_cloud": {"key": 1}}).encode(),
                   json.dumps({"acme_cloud": {"key": tilecache.TileCache([], tile.parent).stamp.key}}).encode()):
        book.write_bytes(damage)
        assert run_cli("validate", "acme_cloud", "--format", "json").output == expected
    assert len(checked) == 5
    assert run_cli("validate", "acme_cloud", "--format", "json").output == expected
    assert len(checked) == 5  # the last check stored a good entry again


def test_an_unwritable_cache_is_no_cache(tile: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = write(tile.parent / "cache-is-a-file", "x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    results = [run_cli("validate", "acme_cloud", "--format", "json") for _ in range(2)]
    assert [r.exit_code for r in results] == [0, 0] and results[0].output == results[1].output
    assert len(checked) == 2


def test_no_cache_neither_reads_nor_writes(tile: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tile.parent / "fresh-cache"))
    run_cli("validate", "acme_cloud", "--no-cache")
    assert not (tile.parent / "fresh-cache" / "tilekit" / "tiles").exists()
    run_cli("validate", "acme_cloud")
    run_cli("validate", "acme_cloud", "--no-cache")
    assert len(checked) == 3
