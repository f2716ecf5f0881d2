"""rules/ data: it loads, it names real checks, a broken file is exit 2, and every rule is tested."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, write
from toolkit import rules
from toolkit.checks import CHECKS
from toolkit.findings import INTERNAL_ERROR


def test_every_rule_names_a_registered_check_but_the_runners_own() -> None:
    assert [r.id for r in rules.catalogue() if r.check is None] == [INTERNAL_ERROR]
    assert all(rule.check in CHECKS for rule in rules.catalogue() if rule.check is not None)


def test_every_registered_check_is_used() -> None:
    assert {rule.check for rule in rules.catalogue()} - {None} == set(CHECKS)


def test_every_rule_id_has_tests_that_expect_it() -> None:
    tests = "".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_rules_data.py")
    untested = [r.id for r in rules.catalogue() if not re.search(rf'"{re.escape(r.id)}"', tests)]
    assert untested == []


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the shipped rules data, used in place of the real one."""
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    monkeypatch.setattr(rules, "data_dir", lambda name: folder)
    rules.catalogue.cache_clear()
    yield folder
    rules.catalogue.cache_clear()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("severity: warning", "severity: fatal", 1), "rules/changelog.yaml::$.rules[1].severity"),
        (lambda t: t.replace("check: changelog.order", "check: changelog.nope"), "unknown check 'changelog.nope'"),
        (lambda t: t.replace("example: '## X.Y.Z / YYYY-MM-DD'", "example: 3"), "$.rules[2].params: $.example"),
        (lambda t: t + "  - id: [unclosed\n", "rules/changelog.yaml: cannot be read"),
        (lambda t: t.replace("id: changelog/order", "id: changelog/missing"), "'changelog/missing' is defined twice"),
    ],
)
def test_broken_rules_data_exits_2(rules_copy: Path, edit, message: str) -> None:
    path = rules_copy / "changelog.yaml"
    write(path, edit(path.read_text()))
    result = run_cli("rules")
    assert result.exit_code == 2
    assert message in result.output, result.output


def test_limits_are_data(rules_copy: Path, tile: Path) -> None:
    """Changing a threshold in rules/ changes behaviour, with no code change."""
    path = rules_copy / "readme.yaml"
    write(path, path.read_text().replace("max_codepoint: 256", "max_codepoint: 127"))
    write(tile / "README.md", (tile / "README.md").read_text().replace("Acme Cloud runs", "Café runs"))
    result = run_cli("validate", "acme_cloud", "--select", "readme/non-ascii", "--strict")
    assert result.exit_code == 1 and "above U+007F" in result.output


def test_checked_rules_data_is_remembered_and_checked_again_when_anything_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    checks: list[int] = []
    real = rules._check
    monkeypatch.setattr(rules, "_check", lambda contents: checks.append(1) or real(contents))
    rules.catalogue.cache_clear()
    first = rules.catalogue()
    rules.catalogue.cache_clear()
    assert rules.catalogue() == first and checks == [1]  # the second run trusts the first run's verdict
    [remembered] = (tmp_path / "cache" / "tilekit").iterdir()
    remembered.write_text("{not json")
    rules.catalogue.cache_clear()
    assert rules.catalogue() == first and checks == [1, 1]  # a damaged cache is checked again, and rewritten
    rules.catalogue.cache_clear()


def test_a_broken_edit_is_caught_even_after_a_good_version_was_remembered(rules_copy: Path) -> None:
    rules.catalogue()  # remembered
    rules.catalogue.cache_clear()
    write(rules_copy / "media.yaml", (rules_copy / "media.yaml").read_text().replace("max_items: 8", "max_items: -1"))
    result = run_cli("rules")
    assert result.exit_code == 2 and "rules/media.yaml" in result.output
