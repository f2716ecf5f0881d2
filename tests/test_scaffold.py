"""tilekit new: the template's output, its round trip through validate, ddev's rules, and safety."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import ROOT, findings, run_cli, write
from toolkit import cli

ALL_OPTIONS = [
    "--author", "Acme Corp", "--homepage", "https://acme.example", "--support-email", "support@acme.example",
    "--sales-email", "sales@acme.example", "--description", "Track Acme Cloud spend and API health.",
    "--metric-prefix", "acme_cloud.",
]
DDEV_METADATA_HEADER = ("metric_name,metric_type,interval,unit_name,per_unit_name,description,orientation,"
                        "integration,short_name,curated_metric")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: False)
    return tmp_path


def new(*args: str, code: int = 0) -> str:
    result = run_cli("new", *args)
    assert result.exit_code == code, result.output
    return result.output


def fill_placeholders(tile: Path) -> None:
    """What the partner still writes: the README's prose, and the SVG logo only they have."""
    for path in tile.rglob("*.md"):
        text = re.sub(r"\[\[TODO: [^\]]*\]\]", "Written by the partner.", path.read_text())
        path.write_text(text)
    write(tile / "assets/logos/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>\n')
    from tests.imaging import make_image

    media = [{"media_type": "image", "caption": f"Screen {n}", "image_url": make_image(
        tile / f"images/screen_{n}.png").relative_to(tile).as_posix()} for n in range(3)]
    manifest = json.loads((tile / "manifest.json").read_text())
    manifest["tile"]["media"] = media
    (tile / "manifest.json").write_text(json.dumps(manifest, indent=2))


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_fresh_scaffold_has_only_placeholder_errors_each_with_a_line(workdir: Path) -> None:
    output = new("Acme Cloud", "--no-input")
    assert "Created acme_cloud/" in output
    result = findings("acme_cloud")
    # Placeholders, and the logo only the partner has (a warning).
    assert result and {f["rule"] for f in result} == {"tile/placeholder", "assets/logo", "media/min-images"}
    assert {f["rule"] for f in result if f["severity"] == "error"} == {"tile/placeholder"}
    assert all(isinstance(f["line"], int) for f in result if f["rule"] == "tile/placeholder")
    assert not (workdir / "home").exists()  # cookiecutter's replay file is not left in $HOME
    assert sorted(p.name for p in (workdir / "acme_cloud").rglob("*") if p.is_file()) == [
        ".gitkeep", "CHANGELOG.md", "README.md", "acme_cloud_overview.json", "manifest.json",
        "metadata.csv", "service_checks.json",
    ]  # no guide file in images/: reviewers ask partners to delete ddev's IMAGES_README.md


def test_with_every_option_only_readme_prose_is_left(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", *ALL_OPTIONS)
    assert {f["path"] for f in findings("acme_cloud")} == {"acme_cloud/README.md", "acme_cloud/assets/",
                                                           "acme_cloud/manifest.json"}  # the carousel, still empty


def test_filled_in_scaffold_has_no_error_and_no_warning(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", *ALL_OPTIONS)
    fill_placeholders(workdir / "acme_cloud")
    result = run_cli("validate", "acme_cloud", "--strict")
    assert result.exit_code == 0, result.output


def test_scaffold_content(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", *ALL_OPTIONS)
    tile = workdir / "acme_cloud"
    manifest = json.loads((tile / "manifest.json").read_text())
    assert manifest["app_id"] == "acme-cloud"
    assert manifest["tile"]["title"] == "Acme Cloud" and manifest["tile"]["media"] == []
    assert manifest["author"] == {"name": "Acme Corp", "homepage": "https://acme.example",
                                  "support_email": "support@acme.example", "sales_email": "sales@acme.example"}
    assert manifest["assets"]["integration"]["source_type_name"] == "Acme Cloud"
    assert manifest["assets"]["dashboards"] == {"Acme Cloud Overview": "assets/dashboards/acme_cloud_overview.json"}
    assert (tile / "CHANGELOG.md").read_text().splitlines()[:6] == [
        "# CHANGELOG - Acme Cloud", "", f"## 1.0.0 / {__import__('datetime').date.today().isoformat()}", "",
        "***Added***:", "",
    ]
    headings = [line for line in (tile / "README.md").read_text().splitlines() if line.startswith("#")]
    assert headings == ["# Acme Cloud", "## Overview", "## Setup", "### Installation", "### Configuration",
                        "### Validation", "## Uninstallation", "## Data Collected", "### Metrics", "### Events",
                        "### Service Checks", "## Support"]


def test_two_scaffolds_get_different_app_uuids(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", "-o", "one")
    new("Acme Cloud", "--no-input", "-o", "two")
    uuids = {json.loads((workdir / d / "acme_cloud/manifest.json").read_text())["app_uuid"] for d in ("one", "two")}
    assert len(uuids) == 2


# ddev's own rules (REFERENCE.md section G): the scaffold must pass them too.

def test_ddev_readme_rules(workdir: Path) -> None:
    new("Acme Cloud", "--no-input")
    lines = (workdir / "acme_cloud/README.md").read_text().splitlines()
    overview = lines.index("## Overview")
    assert lines[overview + 1] == "" and lines[overview + 2].strip()  # a paragraph right after the H2
    setup = lines.index("## Setup")
    assert lines[setup + 2].startswith("### ")  # not empty: an H3 counts as content
    assert all(ord(ch) <= 256 for line in lines for ch in line)


def test_ddev_metadata_and_metric_prefix(workdir: Path) -> None:
    new("Acme Cloud", "--no-input")
    tile = workdir / "acme_cloud"
    assert (tile / "metadata.csv").read_text() == DDEV_METADATA_HEADER + "\n"
    metrics = json.loads((tile / "manifest.json").read_text())["assets"]["integration"]["metrics"]
    assert metrics["prefix"] == "acme_cloud." and metrics["metadata_path"] == "metadata.csv"
    assert metrics["check"] == []  # every listed check must be in metadata.csv, which has no rows yet


def test_ddev_service_checks(workdir: Path) -> None:
    new("Acme Cloud", "--no-input")
    tile = workdir / "acme_cloud"
    path = json.loads((tile / "manifest.json").read_text())["assets"]["integration"]["service_checks"]
    checks = json.loads((tile / path["metadata_path"]).read_text())
    keys = {"agent_version", "check", "description", "groups", "integration", "name", "statuses"}
    assert isinstance(checks, list) and all(set(c) == keys for c in checks)


def test_ddev_dashboards(workdir: Path) -> None:
    new("Acme Cloud", "--no-input")
    tile = workdir / "acme_cloud"
    manifest = json.loads((tile / "manifest.json").read_text())
    for path in manifest["assets"]["dashboards"].values():
        dashboard = json.loads((tile / path).read_text())
        assert {"description", "template_variables", "widgets"} <= set(dashboard)
        assert "layout_type" in dashboard and "title" in dashboard  # the new /dashboard payload format
        for widget in dashboard["widgets"]:
            assert "definition" in widget
            app_id = widget["definition"].get("app_id")
            assert app_id in (None, manifest["app_uuid"])


def test_dashboard_template_variables_survive_verbatim(workdir: Path) -> None:
    new("Acme Cloud", "--no-input")
    dashboard = json.loads((workdir / "acme_cloud/assets/dashboards/acme_cloud_overview.json").read_text())
    assert "{{host.name}}" in dashboard["widgets"][0]["definition"]["content"]


def test_values_reach_json_through_an_encoder(workdir: Path) -> None:
    tricky = 'Say "hi" \\ {{ 7*7 }} {% if x %}'
    new("Acme Cloud", "--no-input", "--description", tricky[:80], "--author", 'Acme "Q" {{x}}')
    manifest = json.loads((workdir / "acme_cloud/manifest.json").read_text())
    assert manifest["tile"]["description"] == tricky
    assert manifest["author"]["name"] == 'Acme "Q" {{x}}'


def test_marketplace(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", "--marketplace", *ALL_OPTIONS)
    tile = workdir / "acme_corp_acme_cloud"
    manifest = json.loads((tile / "manifest.json").read_text())
    assert manifest["author"]["vendor_id"] == "acme-corp"
    assert manifest["pricing"] == []
    assert "Offering::Software License" in manifest["tile"]["classifier_tags"]
    fill_placeholders(tile)
    assert run_cli("validate", "acme_corp_acme_cloud", "--strict").exit_code == 0


def test_marketplace_description_limit_is_70(workdir: Path) -> None:
    options = [o if o != "Track Acme Cloud spend and API health." else "D" * 75 for o in ALL_OPTIONS]
    output = new("Acme Cloud", "--no-input", "--marketplace", *options, code=2)
    assert "at most 70" in output
    assert [p.name for p in workdir.iterdir() if p.name != "home"] == []


def test_marketplace_needs_the_partner_name(workdir: Path) -> None:
    assert "--marketplace needs --author" in new("Acme Cloud", "--no-input", "--marketplace", code=2)


def test_bad_option_value_is_exit_2_and_writes_nothing(workdir: Path) -> None:
    output = new("Acme Cloud", "--no-input", "--support-email", "support at acme", code=2)
    assert "--support-email 'support at acme': Write an e-mail address such as support@example.com" in output
    assert [p.name for p in workdir.iterdir() if p.name != "home"] == []


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("A" * 51, "51 characters"),
        ("{{ 7*7 }}", "template syntax"),
        ("Acme {% if x %}", "template syntax"),
        ("Acme/Cloud", "'/'; use ASCII letters"),
        ("Acme\nCloud", "'\\n'"),
        ("Acme\u202fCloud", "'\\u202f'"),
        ("Datadog Acme", "starts with 'Datadog'"),
        ("datadog-thing", "starts with 'Datadog'"),
        ("1Password", "start with a letter"),
    ],
)
def test_refused_names_exit_2_and_create_nothing(workdir: Path, name: str, words: str) -> None:
    output = new(name, "--no-input", code=2)
    assert words in output
    assert [p.name for p in workdir.iterdir() if p.name != "home"] == []


def test_existing_folder_is_never_touched(workdir: Path) -> None:
    write(workdir / "acme_cloud/README.md", "# mine\n")
    write(workdir / "acme_cloud/keep/data.bin", b"\x00\x01")
    before = tree(workdir / "acme_cloud")
    output = new("Acme Cloud", "--no-input", code=2)
    assert "already exists" in output
    assert tree(workdir / "acme_cloud") == before
    assert sorted(p.name for p in workdir.iterdir()) == ["acme_cloud"]


def test_output_dir_is_created(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", "-o", "deep/down")
    assert (workdir / "deep/down/acme_cloud/manifest.json").is_file()


def test_interactive_prompts_for_what_was_not_given(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    answers = "n\nAcme Corp\nsupport@acme.example\n\nCloud costs, watched.\n\n"
    result = run_cli_with_input("new", "Acme Cloud", "--homepage", "https://given.example", input_text=answers)
    assert result.exit_code == 0, result.output
    assert "Company (partner) name" in result.output and "Company homepage" not in result.output
    assert "One-sentence description (at most 80 characters)" in result.output
    assert "Metric prefix [acme_cloud.]" in result.output
    manifest = json.loads((workdir / "acme_cloud/manifest.json").read_text())
    assert manifest["author"]["name"] == "Acme Corp"
    assert manifest["author"]["homepage"] == "https://given.example"
    assert manifest["author"]["support_email"] == "support@acme.example"
    assert manifest["tile"]["description"] == "Cloud costs, watched."
    assert manifest["author"]["sales_email"].startswith("[[TODO:")  # skipped with an empty answer


def test_a_bad_answer_is_asked_again_with_the_reason(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    answers = "y\nAcme Corp\nacme.example\nhttps://acme.example\nsupport at acme\nsupport@acme.example\n\n" \
        + "D" * 71 + "\nCloud costs, watched.\nAcme Cloud.\nacme_cloud.\n"
    result = run_cli_with_input("new", "Acme Cloud", input_text=answers)
    assert result.exit_code == 0, result.output
    assert "Error: Write a full web address starting with https://" in result.output
    assert "Error: Write an e-mail address such as support@example.com" in result.output
    assert "One-sentence description (at most 70 characters)" in result.output  # a Marketplace listing
    assert "Error: 71 characters; at most 70 are allowed" in result.output
    assert "Error: use lower-case letters" in result.output
    manifest = json.loads((workdir / "acme_corp_acme_cloud/manifest.json").read_text())
    assert manifest["author"]["homepage"] == "https://acme.example"
    assert manifest["tile"]["description"] == "Cloud costs, watched."


def test_the_target_folder_is_checked_before_the_first_question(workdir: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    (workdir / "acme_cloud").mkdir()
    result = run_cli_with_input("new", "Acme Cloud", "--no-marketplace", input_text="Acme Corp\n")
    assert result.exit_code == 2 and "already exists" in result.output
    assert "Company" not in result.output


def test_categories_supported_os_and_support_from_the_contacts(workdir: Path) -> None:
    new("Acme Cloud", "--no-input", *ALL_OPTIONS, "--category", "cloud", "--category", "Category::Cost Management",
        "--supported-os", "Linux", "--supported-os", "macos")
    tile = workdir / "acme_cloud"
    manifest = json.loads((tile / "manifest.json").read_text())
    assert manifest["tile"]["classifier_tags"] == [
        "Category::Cloud", "Category::Cost Management", "Offering::Integration", "Submitted Data Type::Metrics",
        "Supported OS::Linux", "Supported OS::macOS"]
    readme = (tile / "README.md").read_text()
    assert "## Support\n\nNeed help? E-mail Acme Corp support at <support@acme.example> or visit " \
        "<https://acme.example>.\n" in readme
    output = new("Acme Cloud", "-o", "other", "--no-input", "--category", "Clouds and more", code=2)
    assert "'Clouds and more' is not a known Category; choose from: Alerting, Automation" in output


def run_cli_with_input(*args: str, input_text: str) -> Result:
    return CliRunner().invoke(cli.cli, list(args), input=input_text, catch_exceptions=False)


def test_no_prompt_without_a_terminal(workdir: Path) -> None:
    result = run_cli("new", "Acme Cloud")
    assert result.exit_code == 0 and "Company" not in result.output


def test_validate_does_not_import_cookiecutter(tmp_path: Path) -> None:
    code = ("import sys; from toolkit.cli import cli\n"
            "try:\n    cli(['validate', sys.argv[1]])\nexcept SystemExit: pass\n"
            "print('cookiecutter' in sys.modules, 'PIL.Image' in sys.modules)")
    tile = tmp_path / "acme_cloud"  # without carousel images, so that Pillow has nothing to do either
    shutil.copytree(ROOT / "examples/acme_cloud", tile)
    manifest = json.loads((tile / "manifest.json").read_text())
    manifest["tile"]["media"] = []
    (tile / "manifest.json").write_text(json.dumps(manifest))
    out = subprocess.run([sys.executable, "-c", code, str(tile)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
