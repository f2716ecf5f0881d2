"""assets/* rules: the files the manifest names, the asset files it does not, and the assets every tile needs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import edit_manifest, findings, found, write

M = "acme_cloud/manifest.json"


def line_of(tile: Path, needle: str) -> int:
    lines = (tile / "manifest.json").read_text().splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


def test_the_example_has_every_asset(tile: Path) -> None:
    assert found("acme_cloud", select="assets/") == []


def test_each_path_the_manifest_names_must_exist(tile: Path) -> None:
    (tile / "assets/dashboards/acme_cloud_overview.json").rename(tile / "assets/dashboards/Acme_Cloud_Overview.json")
    edit_manifest(tile, lambda m: (m["assets"]["integration"].update(configuration={"spec": "assets/configuration/spec.yaml"}),
                                   m.update(legal_terms={"eula": "../eula.pdf"})))
    result = found("acme_cloud", select="assets/")
    assert result == [
        ("assets/unreferenced-file", "acme_cloud/assets/dashboards/Acme_Cloud_Overview.json", None),
        ("assets/missing-file", M, line_of(tile, '"spec"')),
        ("assets/missing-file", M, line_of(tile, '"Acme Cloud Overview"')),
        ("assets/missing-file", M, line_of(tile, '"eula"')),
    ]
    messages = [f["message"] for f in findings("acme_cloud", select="assets/missing-file")]
    assert "the file is named 'assets/dashboards/Acme_Cloud_Overview.json' (GitHub is case-sensitive)" in messages[1]
    assert "not a path inside the tile" in messages[2]


def test_a_missing_changelog_is_one_finding(tile: Path) -> None:
    (tile / "CHANGELOG.md").unlink()
    assert [f for f in found("acme_cloud") if f[0] in ("changelog/missing", "assets/missing-file")] == [
        ("changelog/missing", "acme_cloud/CHANGELOG.md", None)]


def test_an_asset_file_the_manifest_does_not_name(tile: Path) -> None:
    write(tile / "assets/monitors/forgotten.json", "{}")
    [f] = findings("acme_cloud", select="assets/")
    assert (f["rule"], f["path"], f["line"]) == ("assets/unreferenced-file", "acme_cloud/assets/monitors/forgotten.json",
                                                 None)
    assert f["message"] == ("assets/monitors/forgotten.json not found in manifest.json. Add it to the manifest or "
                            "remove the file.")
    edit_manifest(tile, lambda m: m["assets"]["monitors"].update(Forgotten="assets/monitors/forgotten.json"))
    assert found("acme_cloud", select="assets/") == []  # the advice, followed


def test_dashboard_monitor_and_logo_are_asked_for(tile: Path) -> None:
    edit_manifest(tile, lambda m: (m["assets"].pop("dashboards"), m["assets"].pop("monitors")))
    for folder in ("dashboards", "monitors"):
        for path in (tile / "assets" / folder).iterdir():
            path.unlink()
    (tile / "assets/logos/acme_cloud.svg").unlink()
    line = line_of(tile, '"assets"')
    assert found("acme_cloud", select="assets/") == [
        ("assets/logo", "acme_cloud/assets/", None),
        ("assets/dashboard-required", M, line), ("assets/monitor-recommended", M, line)]
    assert all(f["severity"] == "warning" for f in findings("acme_cloud", select="assets/"))


def test_no_metrics_no_monitor_needed_and_a_logo_may_sit_in_assets(tile: Path) -> None:
    edit_manifest(tile, lambda m: m["assets"].pop("monitors"))
    (tile / "assets/monitors/api_requests_stopped.json").unlink()
    write(tile / "metadata.csv", (tile / "metadata.csv").read_text().splitlines()[0] + "\n")
    (tile / "assets/logos/acme_cloud.svg").rename(tile / "assets/Logo.SVG")
    assert found("acme_cloud", select="assets/") == []


def test_a_manifest_that_is_not_json_names_nothing(tile: Path) -> None:
    write(tile / "manifest.json", json.dumps({"x": 1})[:-1])
    assert found("acme_cloud", select="assets/") == []
