"""The rules reviewers and integrations-extras CI apply to a pull request: partials, reference links, OAuth
uninstallation, at least 3 images, CHANGELOG spacing, scaffold guide files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import edit_manifest, findings, found, write

R, M, C = "acme_cloud/README.md", "acme_cloud/manifest.json", "acme_cloud/CHANGELOG.md"


def readme(tile: Path, extra: str, select: str) -> list[tuple[str, str, int | None]]:
    base = (tile / "README.md").read_text()
    write(tile / "README.md", base + extra)
    return [(rule, path, line - base.count("\n") if line else line) for rule, path, line in
            found("acme_cloud", select=select)]


@pytest.mark.parametrize(
    ("extra", "lines"),
    [
        ("\n{{< tabs >}}\n{{% tab \"Host\" %}}\nx\n{{% /tab %}}\n{{< /tabs >}}\n", [2]),
        ("\n{{< code-block lang=\"yaml\" >}}\na: 1\n{{< /code-block >}}\n\n{{< code-block lang=\"text\" >}}\n", [2, 6]),
        ("\nText.\n\n  {{< site-region region=\"us\" >}}\nUS only.\n{{< /site-region >}}\n", [4]),
        ("\n<!-- partial\n{{< site-region region=\"us\" >}}\nUS only.\n{{< /site-region >}}\npartial -->\n", []),
        ("\n<!-- xxx tabs xxx -->\n<!-- xxx tab \"Host\" xxx -->\nx\n<!-- xxz tab xxx -->\n<!-- xxz tabs xxx -->\n", []),
        (("\nSend to {{< region-param key=\"http_endpoint\" code=\"true\" >}}.\n\n1. {{< integration-api-key-picker >}}\n"
          "\n{{< partial name=\"whats-next/whats-next.html\" >}}\n"), []),
    ],
)
def test_partials(tile: Path, extra: str, lines: list[int]) -> None:
    assert readme(tile, extra, "readme/partials") == [("readme/partials", R, line) for line in lines]


@pytest.mark.parametrize(
    ("extra", "lines"),
    [
        ("\nSee [the docs][docs].\n\n[docs]: https://acme.example/docs\n", [4]),
        ("\n[91]: https://a.example\n[91]: https://b.example\n", [3]),
        ("\n[91]: https://a.example\n[91]: https://a.example\n", []),
        ("\n```yaml\n[notalink]: x\n", [2]),
        ("\n1. Run:\n   ```shell\n   acme setup\n    ```\n\n[92]: https://b.example\n", []),
    ],
)
def test_reference_links(tile: Path, extra: str, lines: list[int]) -> None:
    assert readme(tile, extra, "readme/reference-links") == [("readme/reference-links", R, line) for line in lines]


def test_oauth_tiles_say_what_uninstalling_does(tile: Path) -> None:
    edit_manifest(tile, lambda m: m["assets"].update(oauth={}))
    text = (tile / "README.md").read_text()
    start = text.index("## Uninstallation")
    end = text.index("## ", start + 3)

    def uninstallation(body: str) -> None:
        write(tile / "README.md", text[:start] + f"## Uninstallation\n\n{body}\n\n" + text[end:])

    uninstallation("Once uninstalled, any previous authorizations are revoked. Also disable all API keys of the "
                   "integration by searching for its name on the API Keys page.")
    assert found("acme_cloud", select="readme/oauth-uninstall") == []
    uninstallation("Click Uninstall.")
    [f] = findings("acme_cloud", select="readme/oauth-uninstall")
    line = (tile / "README.md").read_text().splitlines().index("## Uninstallation") + 1
    assert (f["rule"], f["severity"], f["line"]) == ("readme/oauth-uninstall", "warning", line)
    assert "revokes the integration's authorizations and that its API keys should be disabled" in f["message"]


def test_fewer_than_three_images(tile: Path) -> None:
    edit_manifest(tile, lambda m: m["tile"].update(media=m["tile"]["media"][:2]))
    [f] = findings("acme_cloud", select="media/min-images")
    assert (f["severity"], f["path"], f["message"][:38]) == ("warning", M, "$.tile.media has 2 images; reviewers a")


def test_a_leftover_scaffold_guide(tile: Path) -> None:
    write(tile / "images/IMAGES_README.md", "# Images\n")
    assert found("acme_cloud", select="tile/leftover-guide") == [
        ("tile/leftover-guide", "acme_cloud/images/IMAGES_README.md", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# CHANGELOG\n\n## 1.0.0 / 2024-01-01\n\n***Added***:\n\n* Initial Release\n", []),
        ("# CHANGELOG\n\n## 1.0.0 / 2024-01-01\n***Added***:\n\n* Initial Release\n", [3]),
        ("# CHANGELOG\n\n## 1.0.0 / 2024-01-01\n\n***Added***:\n* Initial Release\n", [5]),
        ("# CHANGELOG\n\n## 1.0.0 / 2024-01-01\n\n***Added***:  \n\n* Initial Release\n", [5]),
        ("# CHANGELOG\n\n## 1.0.0 / 2024-01-01\n\n***Added***:\n\n- One\n- Two\n", [7]),
    ],
)
def test_changelog_spacing(tile: Path, text: str, expected: list[int]) -> None:
    write(tile / "CHANGELOG.md", text)
    assert found("acme_cloud", select="changelog/spacing") == [("changelog/spacing", C, line) for line in expected]
