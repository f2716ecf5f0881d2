"""tile/placeholder and tile/encoding over every text file of a tile."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import edit_manifest, findings, found, write


def test_placeholders_in_every_text_file_each_with_its_line(tile: Path) -> None:
    readme = (tile / "README.md").read_text().replace("Acme Cloud runs", "[[TODO: what Acme Cloud does]] runs")
    write(tile / "README.md", readme)
    write(tile / "assets/dashboards/overview.json", '{\n  "description": "[[TODO: describe]]"\n}\n')
    write(tile / "CHANGELOG.md", (tile / "CHANGELOG.md").read_text() + "\n!!! Add notes !!!\n")
    assert found("acme_cloud", select="tile/placeholder") == [
        ("tile/placeholder", "acme_cloud/CHANGELOG.md", 15),
        ("tile/placeholder", "acme_cloud/README.md", 5),
        ("tile/placeholder", "acme_cloud/assets/dashboards/overview.json", 2),
    ]


def test_two_placeholders_on_one_line_are_two_findings(tile: Path) -> None:
    write(tile / "metadata.csv", "a,b\n[[TODO: metric]],**LINK_TO_INTEGRATION_SITE**\n")
    result = findings("acme_cloud", select="tile/placeholder")
    assert [(f["line"], f["column"]) for f in result] == [(2, 1), (2, 18)]


def test_placeholder_in_a_manifest_field_is_the_only_finding_there(tile: Path) -> None:
    edit_manifest(tile, lambda m: m["author"].update(support_email="[[TODO: support e-mail]]"))
    assert found("acme_cloud", select="manifest/") == [("manifest/schema", "acme_cloud/manifest.json", 73)]
    assert found("acme_cloud") == [("tile/placeholder", "acme_cloud/manifest.json", 73)]


def test_hidden_folders_and_other_extensions_are_not_scanned(tile: Path) -> None:
    write(tile / ".git/notes.md", "[[TODO: x]]\n")
    write(tile / "images/logo.svg", "[[TODO: x]]\n")
    assert found("acme_cloud", select="tile/") == []


def test_symlink_to_a_text_file_outside_is_not_read(tile: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.md", "[[TODO: x]]\n")
    (tile / "images/linked.md").symlink_to(outside)
    assert found("acme_cloud", select="tile/") == []
