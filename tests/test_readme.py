"""readme/* rules: passing and failing inputs with the exact (rule, path, line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import edit_manifest, findings, found, write

R = "acme_cloud/README.md"
M = "acme_cloud/manifest.json"

BASE = """# Acme

## Overview

Acme does things.

## Setup

### Installation

Install it.

## Uninstallation

Remove it.

## Support

Mail us.
"""


@pytest.fixture
def tile_no_data(tile: Path) -> Path:
    """The example tile without metrics, so 'Data Collected' is not required."""
    _collect_nothing(tile)
    write(tile / "README.md", BASE)
    return tile


def _collect_nothing(tile: Path) -> None:
    write(tile / "metadata.csv", (tile / "metadata.csv").read_text().splitlines()[0] + "\n")
    edit_manifest(tile, lambda m: m["tile"].update(classifier_tags=[
        t for t in m["tile"]["classifier_tags"] if not t.startswith("Submitted Data Type::")]))


def test_example_tile_has_no_readme_findings(tile: Path) -> None:
    assert found("acme_cloud", select="readme/") == []


def test_missing_readme(tile: Path) -> None:
    (tile / "README.md").unlink()
    assert found("acme_cloud", select="readme/") == [("readme/missing", R, None)]


def test_empty_readme_is_one_finding(tile: Path) -> None:
    write(tile / "README.md", "  \n\n")
    assert found("acme_cloud", select="readme/") == [("readme/missing", R, None)]


def test_readme_that_is_a_directory(tile: Path) -> None:
    (tile / "README.md").unlink()
    (tile / "README.md").mkdir()
    [(rule, path, line)] = found("acme_cloud", select="readme/")
    assert (rule, path, line) == ("readme/missing", R, None)


def test_troubleshooting_instead_of_support_is_one_finding_naming_the_anchor(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Support", "## Troubleshooting"))
    [f] = findings("acme_cloud", select="readme/")  # the broken tile.support anchor is the same defect
    assert (f["rule"], f["path"], f["line"]) == ("readme/missing-section", R, 17)
    assert f["message"] == ("missing H2 section '## Support'; found '## Troubleshooting' at line 17: rename it "
                            "'## Support' (manifest.json's tile.support already points at README.md#Support)")


def test_a_rename_names_the_anchor_that_points_at_the_old_heading(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Support", "## Troubleshooting"))
    edit_manifest(tile_no_data, lambda m: m["tile"].update(support="README.md#Troubleshooting"))
    [f] = findings("acme_cloud", select="readme/")
    assert f["message"].endswith("rename it '## Support', and set tile.support in manifest.json to "
                                 "'README.md#Support' (it points at the old heading)")
    # Following the advice leaves nothing to report.
    write(tile_no_data / "README.md", BASE)
    edit_manifest(tile_no_data, lambda m: m["tile"].update(support="README.md#Support"))
    assert findings("acme_cloud", select="readme/") == []


def test_an_anchor_to_a_heading_that_is_not_required_is_still_reported(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Support", "## Troubleshooting"))
    edit_manifest(tile_no_data, lambda m: m["tile"].update(support="README.md#Help"))
    assert found("acme_cloud", select="readme/") == [("readme/missing-section", R, 17),
                                                      ("readme/broken-anchor", M, 10)]


def test_nested_h3_uninstallation_is_a_near_miss(tile_no_data: Path) -> None:
    text = BASE.replace("## Uninstallation\n\nRemove it.\n\n", "").replace("Install it.\n", "Install it.\n\n### Uninstallation\n\nRemove it.\n")
    write(tile_no_data / "README.md", text)
    result = found("acme_cloud", select="readme/missing-section")
    assert result == [("readme/missing-section", R, 13)]


def test_spelling_variant_is_a_near_miss(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Uninstallation", "## Un-installation"))
    assert found("acme_cloud", select="readme/missing-section") == [("readme/missing-section", R, 13)]


def test_missing_section_without_near_miss_has_no_line(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Overview\n\nAcme does things.\n\n", ""))
    assert found("acme_cloud", select="readme/missing-section") == [("readme/missing-section", R, None)]


def test_headings_are_case_sensitive(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Support", "## support"))
    assert found("acme_cloud", select="readme/missing-section") == [("readme/missing-section", R, 17)]


def test_setext_sections_count(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Overview\n", "Overview\n--------\n"))
    assert found("acme_cloud", select="readme/") == []


def test_heading_in_code_block_does_not_count(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Support\n\nMail us.\n", "```\n## Support\n```\n"))
    assert ("readme/missing-section", R, None) in found("acme_cloud", select="readme/")


@pytest.mark.parametrize(
    ("setup", "why"),
    [
        (lambda t: None, "metadata.csv"),  # the example lists one metric
        (lambda t: write(t / "assets/service_checks.json", '[{"check": "acme.up"}]'), "service_checks"),
        (lambda t: edit_manifest(t, lambda m: m["assets"]["integration"]["events"].update(creates_events=True)), "events"),
        (lambda t: edit_manifest(t, lambda m: m["assets"].update(logs={"source": "acme"})), "assets.logs"),
        (lambda t: write(t / "assets/logs/acme.yaml", "id: acme-cloud\n"), "log pipeline assets/logs/acme.yaml"),
        (lambda t: edit_manifest(t, lambda m: m["tile"]["classifier_tags"].append("Submitted Data Type::Logs")),
         "'Submitted Data Type::Logs'"),
    ],
)
def test_data_collected_required_when_tile_collects_data(tile: Path, setup, why: str) -> None:
    if why != "metadata.csv":
        _collect_nothing(tile)
    setup(tile)
    write(tile / "README.md", BASE)
    [f] = findings("acme_cloud", select="readme/missing-section")
    assert (f["rule"], f["path"], f["line"]) == ("readme/missing-section", R, None)
    assert f["message"].startswith("missing H2 section '## Data Collected' (required because") and why in f["message"]


def test_log_pipeline_tests_alone_do_not_count_as_data(tile_no_data: Path) -> None:
    write(tile_no_data / "assets/logs/acme_tests.yaml", "id: acme-cloud\n")
    assert found("acme_cloud", select="readme/") == []


def test_data_collected_not_required_without_data(tile_no_data: Path) -> None:
    assert found("acme_cloud", select="readme/") == []


def test_empty_required_section(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("Remove it.\n\n", ""))
    assert found("acme_cloud", select="readme/empty-section") == [("readme/empty-section", R, 13)]


def test_empty_last_section(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("Mail us.\n", ""))
    assert found("acme_cloud", select="readme/empty-section") == [("readme/empty-section", R, 17)]


def test_h3_counts_as_content(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("Remove it.", "### Steps"))
    assert found("acme_cloud", select="readme/empty-section") == []


def test_setup_without_h3_steps_warns(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("### Installation\n\n", ""))
    assert found("acme_cloud", select="readme/setup-subsections") == [("readme/setup-subsections", R, 7)]


def test_dangling_support_anchor_points_at_manifest_key(tile_no_data: Path) -> None:
    edit_manifest(tile_no_data, lambda m: m["tile"].update(support="README.md#Help"))
    assert found("acme_cloud", select="readme/broken-anchor") == [("readme/broken-anchor", M, 10)]


def test_anchor_may_use_the_github_slug(tile: Path) -> None:
    edit_manifest(tile, lambda m: m["tile"].update(overview="README.md#data-collected"))
    assert found("acme_cloud", select="readme/broken-anchor") == []


def test_missing_relative_and_raw_url_images(tile_no_data: Path) -> None:
    write(tile_no_data / "images/there.png", b"png")
    raw = "https://raw.githubusercontent.com/DataDog/integrations-extras/master/acme_cloud/images/"
    text = BASE + (
        f"\n![ok](images/there.png)\n\n![gone](images/gone.png)\n\n"
        f'<img src="{raw}also-gone.png" width="50%">\n\n'
        f"![raw ok]({raw}there.png)\n\n![other tile](https://raw.githubusercontent.com/DataDog/"
        "integrations-extras/master/other/images/x.png)\n\n![web](https://example.com/x.png)\n\n"
        "![escape](../other/x.png)\n"
    )
    write(tile_no_data / "README.md", text)
    assert found("acme_cloud", select="readme/image-missing") == [
        ("readme/image-missing", R, 23),
        ("readme/image-missing", R, 25),
    ]


def test_image_with_wrong_case_is_missing_on_github(tile_no_data: Path) -> None:
    write(tile_no_data / "images/Shot.png", b"png")
    write(tile_no_data / "README.md", BASE + "\n![s](images/shot.png)\n")
    [f] = findings("acme_cloud", select="readme/image-missing")
    assert (f["rule"], f["path"], f["line"]) == ("readme/image-missing", R, 21)
    assert "named 'images/Shot.png'" in f["message"]


def test_reference_style_image_resolves(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE + "\n![s][1]\n\n[1]: images/ref.png\n")
    assert found("acme_cloud", select="readme/image-missing") == [("readme/image-missing", R, 23)]


def test_characters_ddev_rejects(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("Acme does things.", "Acme — “does” things. Café é ok"))
    assert found("acme_cloud", select="readme/non-ascii") == [("readme/non-ascii", R, 5)]


def test_latin1_range_is_accepted(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("Acme does things.", "Café, naïve, 50\u00a0%"))
    assert found("acme_cloud", select="readme/non-ascii") == []


def test_crlf_readme_has_the_same_lines(tile_no_data: Path) -> None:
    write(tile_no_data / "README.md", BASE.replace("## Support", "## Troubleshooting").replace("\n", "\r\n"))
    assert found("acme_cloud", select="readme/missing-section") == [("readme/missing-section", R, 17)]
