"""changelog/* rules over the real-world shapes of SPEC section 11."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import findings, found, write

C = "acme_cloud/CHANGELOG.md"
GOOD = """# CHANGELOG - Acme Cloud

## 1.2.0 / 2025-03-04

***Fixed***:

* Quota rounding

## 1.1.0 / 2025-03-04

***Added***:

* Quota metrics

***Changed***:

* Faster sync

## 1.0.0 / 2024-11-20

***Added***:

* Initial Release
"""


def check(tile: Path, text: str | bytes) -> list[tuple[str, str, int | None]]:
    write(tile / "CHANGELOG.md", text)
    return found("acme_cloud", select="changelog/")


def test_good_changelog(tile: Path) -> None:
    assert check(tile, GOOD) == []


def test_crlf_changelog_is_read_like_lf(tile: Path) -> None:
    assert check(tile, GOOD.replace("\n", "\r\n")) == []


def test_missing_changelog(tile: Path) -> None:
    (tile / "CHANGELOG.md").unlink()
    assert found("acme_cloud", select="changelog/") == [("changelog/missing", C, None)]


def test_empty_changelog(tile: Path) -> None:
    assert check(tile, "") == [("changelog/no-entries", C, None)]


def test_changelog_without_entries(tile: Path) -> None:
    assert check(tile, "# CHANGELOG - Acme Cloud\n\nNothing yet.\n") == [("changelog/no-entries", C, None)]


@pytest.mark.parametrize(
    ("heading", "fix"),
    [
        ("## 1.0.0", "## 1.0.0 / YYYY-MM-DD"),
        ("### 1.0.0 / 2024-11-20", "## 1.0.0 / 2024-11-20"),
        ("# 1.0.0 / 2024-11-20", "## 1.0.0 / 2024-11-20"),
        ("## 1.0.0/ 2024-11-20", "## 1.0.0 / 2024-11-20"),
        ("## 1.0.0 - 2024-11-20", "## 1.0.0 / 2024-11-20"),
        ("## v1.0.0 / 2024-11-20", "## 1.0.0 / 2024-11-20"),
    ],
)
def test_heading_format_variants(tile: Path, heading: str, fix: str) -> None:
    write(tile / "CHANGELOG.md", GOOD.replace("## 1.0.0 / 2024-11-20", heading))
    [f] = findings("acme_cloud", select="changelog/")
    assert (f["rule"], f["path"], f["line"]) == ("changelog/heading-format", C, 19)
    assert f"write '{fix}'" in f["message"]
    if "YYYY" not in fix:  # the advice, followed (a missing date is the partner's to give, never invented)
        assert check(tile, GOOD.replace("## 1.0.0 / 2024-11-20", fix)) == []


def test_setext_version_heading(tile: Path) -> None:
    text = GOOD.replace("## 1.0.0 / 2024-11-20", "1.0.0 / 2024-11-20\n==================")
    assert check(tile, text) == [("changelog/heading-format", C, 19)]


def test_impossible_and_future_dates(tile: Path) -> None:
    text = GOOD.replace("2025-03-04\n\n***Fixed", "2999-01-01\n\n***Fixed").replace("2024-11-20", "2024-02-30")
    assert check(tile, text) == [("changelog/invalid-date", C, 3), ("changelog/invalid-date", C, 19)]


def test_entries_out_of_order(tile: Path) -> None:
    text = "# CHANGELOG\n\n## 1.0.0 / 2024-11-20\n\n* a\n\n## 1.1.0 / 2025-03-04\n\n* b\n"
    assert check(tile, text) == [("changelog/order", C, 7)]


def test_a_reversed_file_is_one_finding_naming_every_pair(tile: Path) -> None:
    text = "# CHANGELOG\n\n" + "".join(f"## 1.{minor}.0 / 2025-0{minor + 1}-01\n\n* x\n\n" for minor in range(4))
    write(tile / "CHANGELOG.md", text)
    [f] = findings("acme_cloud", select="changelog/")
    assert (f["rule"], f["line"]) == ("changelog/order", 7)
    assert f["message"] == (
        "entries are not newest first: 1.1.0 (line 7) comes after 1.0.0 (line 3) but is newer; 1.2.0 (line 11) "
        "comes after 1.1.0 (line 7) but is newer; 1.3.0 (line 15) comes after 1.2.0 (line 11) but is newer; list "
        "the entries newest first (versions descending, dates not increasing)")
    # The advice, followed: the same entries, newest first.
    write(tile / "CHANGELOG.md", "# CHANGELOG\n\n" + "".join(
        f"## 1.{minor}.0 / 2025-0{minor + 1}-01\n\n* x\n\n" for minor in reversed(range(4))))
    assert findings("acme_cloud", select="changelog/") == []


def test_dates_out_of_order(tile: Path) -> None:
    text = "# CHANGELOG\n\n## 1.1.0 / 2024-01-01\n\n* a\n\n## 1.0.0 / 2025-03-04\n\n* b\n"
    assert check(tile, text) == [("changelog/order", C, 7)]


def test_repeated_version(tile: Path) -> None:
    text = "# CHANGELOG\n\n## 1.0.0 / 2025-03-04\n\n* a\n\n## 1.0.0 / 2024-11-20\n\n* b\n"
    write(tile / "CHANGELOG.md", text)
    [f] = findings("acme_cloud", select="changelog/")
    assert (f["rule"], f["line"]) == ("changelog/order", 7) and "repeats the entry at line 3" in f["message"]


def test_versions_compare_numerically(tile: Path) -> None:
    text = "# CHANGELOG\n\n## 1.10.0 / 2025-03-04\n\n* a\n\n## 1.9.0 / 2024-11-20\n\n* b\n"
    assert check(tile, text) == []


@pytest.mark.parametrize("label", ["**_Changed_**:", "_**Changed**_:", "***Changed:***"])
def test_labels_that_render_the_same_are_accepted(tile: Path, label: str) -> None:
    assert check(tile, GOOD.replace("***Changed***:", label)) == []


@pytest.mark.parametrize(
    ("label", "fix"),
    [
        ("***Added***", "write '***Added***:'"),
        ("### Added", "write '***Added***:'"),
        ("**Features**:", "use one of ***Added***:"),
        ("Bug fixes:", "use one of"),
    ],
)
def test_label_variants_warn(tile: Path, label: str, fix: str) -> None:
    write(tile / "CHANGELOG.md", GOOD.replace("***Changed***:", label))
    [f] = findings("acme_cloud", select="changelog/")
    assert (f["rule"], f["severity"], f["line"]) == ("changelog/section-label", "warning", 15)
    assert fix in f["message"]
    if fix.startswith("write"):  # the advice, followed
        assert check(tile, GOOD.replace("***Changed***:", fix.split("'")[1])) == []


def test_plain_prose_is_not_a_label(tile: Path) -> None:
    assert check(tile, GOOD.replace("* Faster sync", "Faster sync for everyone.\n\nInitial Release")) == []
