"""SPEC section 9 for text files: every bad input is a finding or exit 2 with a message, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import findings, found, run_cli, write

R, M, C = "acme_cloud/README.md", "acme_cloud/manifest.json", "acme_cloud/CHANGELOG.md"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("README.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [("tile/encoding", R, None)]),
        ("CHANGELOG.md", "## 1.0.0 / 2024-01-01\n".encode("utf-16"), [("tile/encoding", C, None)]),
        ("manifest.json", b"\x00\x01\x02", [("tile/encoding", M, None)]),
    ],
)
def test_binary_text_files(tile: Path, name: str, content: bytes, expected: list) -> None:
    write(tile / name, content)
    assert found("acme_cloud", select="tile/encoding") == expected
    assert run_cli("validate", "acme_cloud").exit_code == 1


def test_non_utf8_readme_is_reported_and_still_checked(tile: Path) -> None:
    text = (tile / "README.md").read_text().replace("## Support", "## Troubleshooting")
    text = text.replace("Acme Cloud runs", "Acme Caf\xe9 runs")
    write(tile / "README.md", text.encode("latin-1"))
    result = found("acme_cloud", select="tile/encoding")
    assert result == [("tile/encoding", R, None)]
    [f] = findings("acme_cloud", select="readme/missing-section")
    assert f["line"] == 42 and "Troubleshooting" in f["message"]


def test_bom_is_reported_and_the_manifest_still_parses(tile: Path) -> None:
    write(tile / "manifest.json", b"\xef\xbb\xbf" + (tile / "manifest.json").read_bytes())
    write(tile / "README.md", b"\xef\xbb\xbf" + (tile / "README.md").read_bytes())
    assert found("acme_cloud") == [("tile/encoding", R, 1), ("tile/encoding", M, 1)]


def test_crlf_everywhere_is_fine(tile: Path) -> None:
    for name in ("README.md", "CHANGELOG.md", "manifest.json", "metadata.csv"):
        write(tile / name, (tile / name).read_bytes().replace(b"\n", b"\r\n"))
    assert found("acme_cloud") == []


@pytest.mark.parametrize("name", ["README.md", "CHANGELOG.md", "manifest.json"])
def test_directory_where_a_file_should_be(tile: Path, name: str) -> None:
    (tile / name).unlink()
    (tile / name).mkdir()
    rule = {"README.md": "readme/missing", "CHANGELOG.md": "changelog/missing", "manifest.json": "manifest/invalid-json"}
    [f] = findings("acme_cloud", select=rule[name])
    assert (f["rule"], f["line"]) == (rule[name], None) and "is a directory" in f["message"]


def test_symlinked_readme_outside_the_tile_is_not_followed(tile: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "secret.md", "## Overview\n\nsecret\n")
    (tile / "README.md").unlink()
    (tile / "README.md").symlink_to(outside)
    [f] = findings("acme_cloud", select="readme/")
    assert f["rule"] == "readme/missing" and "outside the tile" in f["message"]


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        ('{"a": 1,,}', "manifest/invalid-json", 1),
        ('{"tile": {"title": "x" "description": "y"}}', "manifest/invalid-json", 1),
        ("", "manifest/invalid-json", None),
        ('"just a string"', "manifest/schema", 1),
        ("[" * 50_000, "manifest/invalid-json", 1),
        ("1" * 5000, "manifest/invalid-json", None),
    ],
)
def test_broken_manifests(tile: Path, text: str, rule: str, line: int | None) -> None:
    write(tile / "manifest.json", text)
    assert found("acme_cloud", select="manifest/") == [(rule, M, line)]


def test_duplicate_keys_in_manifest(tile: Path) -> None:
    write(tile / "manifest.json", (tile / "manifest.json").read_text().replace("{\n", '{\n  "app_id": "x",\n', 1))
    assert found("acme_cloud", select="manifest/duplicate-key") == [("manifest/duplicate-key", M, 5)]


def test_odd_file_names_inside_the_tile_are_fine(tile: Path) -> None:
    for name in ("images/screen shot.md", "images/narrow\u202fspace.md", "images/new\nline.md"):
        write(tile / name, "[[TODO: caption]]\n")
    result = run_cli("validate", "acme_cloud", "--format", "json", "--select", "tile/")
    assert result.exit_code == 1
    assert sorted(f["path"] for f in json.loads(result.output)["findings"]) == [
        "acme_cloud/images/narrow\u202fspace.md",
        "acme_cloud/images/new\nline.md",
        "acme_cloud/images/screen shot.md",
    ]


def test_validate_never_writes_into_the_tile(tile: Path) -> None:
    write(tile / "README.md", "\ufeff## Overview\r\n\r\nbad \u2014\r\n")
    before = {p: p.read_bytes() for p in tile.rglob("*") if p.is_file()}
    run_cli("validate", "acme_cloud")
    assert {p: p.read_bytes() for p in tile.rglob("*") if p.is_file()} == before
