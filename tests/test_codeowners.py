"""codeowners/* rules, for a tile inside a checkout with .github/CODEOWNERS."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import findings, found, write

LOGS = "**/assets/logs/                          @DataDog/logs-integrations-reviewers\n"


@pytest.fixture
def checkout(tile: Path) -> Path:
    write(tile / "assets/logs/acme.yaml", "id: acme-cloud\n")
    write(tile.parent / ".github/CODEOWNERS", "/acme_cloud/    @acme-dev @DataDog/ecosystems-review\n\n" + LOGS)
    return tile


def test_an_owned_tile_passes(checkout: Path) -> None:
    assert found("acme_cloud", select="codeowners/") == []


def test_outside_a_checkout_nothing_is_checked(tile: Path) -> None:
    assert found("acme_cloud", select="codeowners/") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("/other/ @x\n" + LOGS, "has no '/acme_cloud/' line"),
        ("/acme_cloud/\n" + LOGS, "names no owner"),
        ("/acme_cloud/ dev@acme.example @x\n" + LOGS, "is 'dev@acme.example', not a GitHub user or team"),
    ],
)
def test_the_tile_needs_an_owner_line(checkout: Path, text: str, words: str) -> None:
    write(checkout.parent / ".github/CODEOWNERS", text)
    [f] = findings("acme_cloud", select="codeowners/")
    assert (f["rule"], f["path"], f["line"]) == ("codeowners/missing", "acme_cloud", None)
    assert words in f["message"]


def test_log_pipelines_need_the_logs_team_last(checkout: Path) -> None:
    write(checkout.parent / ".github/CODEOWNERS", LOGS + "/acme_cloud/    @acme-dev\n")
    [f] = findings("acme_cloud", select="codeowners/")
    assert f["rule"] == "codeowners/logs"
    assert "line 2 ('/acme_cloud/') wins" in f["message"]
    write(checkout.parent / ".github/CODEOWNERS", "/acme_cloud/    @acme-dev\n/acme_cloud/assets/logs/ @acme-dev "
          "@DataDog/logs-integrations-reviewers\n")
    assert found("acme_cloud", select="codeowners/") == []
