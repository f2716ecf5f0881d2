"""The validate command: discovery, exit codes, selection, config, automatic GitHub format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import found, run_cli, write


def break_support(tile: Path) -> None:
    write(tile / "README.md", (tile / "README.md").read_text().replace("## Support", "## Troubleshooting"))


def test_clean_tile_exits_0(tile: Path) -> None:
    result = run_cli("validate", "acme_cloud")
    assert result.exit_code == 0, result.output
    assert result.output == "1 tile checked: no problems found\n"


def test_error_exits_1_and_warning_alone_exits_0(tile: Path) -> None:
    write(tile / "README.md", (tile / "README.md").read_text().replace("Acme Cloud runs", "Acme Cloud \u2014 runs"))
    assert run_cli("validate", "acme_cloud").exit_code == 0
    assert run_cli("validate", "acme_cloud", "--strict").exit_code == 1
    break_support(tile)
    assert run_cli("validate", "acme_cloud").exit_code == 1


def test_default_path_is_the_current_folder(tile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tile)
    break_support(tile)
    assert found() == [("readme/missing-section", "README.md", 42)]


def test_folder_of_tiles_is_scanned_one_level_down(tile: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(tile, tmp_path / "zeta")
    (tmp_path / "not_a_tile").mkdir()
    write(tmp_path / "not_a_tile/README.md", "nothing")
    break_support(tmp_path / "zeta")
    result = run_cli("validate", ".", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["tiles"] == ["acme_cloud", "zeta"]
    assert {f["tile"] for f in data["findings"]} == {"zeta"}


def test_files_map_to_their_tile_once(tile: Path, tmp_path: Path) -> None:
    write(tmp_path / "outside.md", "not in a tile")
    result = run_cli("validate", "acme_cloud/README.md", "acme_cloud/images/overview.png", "acme_cloud/manifest.json",
                     "outside.md", "--format", "json")
    assert json.loads(result.output)["tiles"] == ["acme_cloud"]


def test_only_files_outside_tiles_check_nothing(tile: Path, tmp_path: Path) -> None:
    write(tmp_path / "outside.md", "x")
    result = run_cli("validate", "outside.md")
    assert (result.exit_code, result.output) == (0, "no tile among the 1 file; nothing checked\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "nope"], "nope: no such file or directory"),
        (["validate", "empty"], "no tile in empty: a tile is a folder with manifest.json"),
        (["validate", "acme_cloud", "--select", "readme/nope"], "unknown rule or family 'readme/nope'"),
        (["validate", "acme_cloud", "--ignore", "bogus"], "unknown rule or family 'bogus'"),
        (["validate", "acme_cloud", "--format", "xml"], "Invalid value for '--format'"),
        (["validate", "acme_cloud", "--config", "missing.toml"], "no such file"),
    ],
)
def test_tool_level_problems_exit_2_with_a_message(tile: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_select_and_ignore_by_id_and_family(tile: Path) -> None:
    break_support(tile)
    assert found("acme_cloud", select="readme/missing-section") == [
        ("readme/missing-section", "acme_cloud/README.md", 42)
    ]
    result = run_cli("validate", "acme_cloud", "--ignore", "readme", "--format", "json")
    assert json.loads(result.output)["findings"] == []
    assert result.exit_code == 0


def test_config_in_pyproject_sets_severity_params_and_ignore(tile: Path, tmp_path: Path) -> None:
    break_support(tile)
    write(tile / "README.md", (tile / "README.md").read_text() + "\nUnicode \u2014 dash\n")
    write(tmp_path / "pyproject.toml", """
[tool.tilekit]
ignore = ["readme/broken-anchor"]

[tool.tilekit.rules."readme/non-ascii"]
severity = "error"

[tool.tilekit.rules."readme/missing-section".params]
sections = ["Overview", "Setup"]
""")
    result = run_cli("validate", "acme_cloud", "--format", "json")
    assert [(f["rule"], f["severity"]) for f in json.loads(result.output)["findings"]] == [
        ("readme/non-ascii", "error")
    ]


def test_dotfile_config_is_found_from_a_subfolder(tile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    break_support(tile)
    write(tmp_path / ".tilekit.toml", 'ignore = ["readme/"]\n')
    monkeypatch.chdir(tile)
    assert run_cli("validate").exit_code == 0


def test_command_line_select_replaces_config_select(tile: Path, tmp_path: Path) -> None:
    break_support(tile)
    write(tmp_path / ".tilekit.toml", 'select = ["changelog/"]\n')
    assert run_cli("validate", "acme_cloud").exit_code == 0
    assert run_cli("validate", "acme_cloud", "--select", "readme/").exit_code == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("select = [", "not valid TOML"),
        ('colour = "red"\n', "invalid tilekit configuration"),
        ('[rules."readme/nope"]\nseverity = "error"\n', "unknown rule 'readme/nope'"),
        ('[rules."readme/missing"]\nseverity = "fatal"\n', "invalid tilekit configuration"),
        ('[rules."readme/non-ascii".params]\nmax_codepoint = "x"\n', "parameters of readme/non-ascii"),
    ],
)
def test_bad_config_exits_2(tile: Path, tmp_path: Path, config: str, message: str) -> None:
    write(tmp_path / ".tilekit.toml", config)
    result = run_cli("validate", "acme_cloud")
    assert result.exit_code == 2 and message in result.output, result.output


def test_explicit_config_file(tile: Path, tmp_path: Path) -> None:
    break_support(tile)
    write(tmp_path / "ci.toml", 'ignore = ["readme/"]\n')
    assert run_cli("validate", "acme_cloud", "--config", "ci.toml").exit_code == 0


def test_github_format_is_automatic_in_actions_and_writes_the_summary(tile: Path, tmp_path: Path) -> None:
    break_support(tile)
    summary = tmp_path / "summary.md"
    write(summary, "earlier step\n")
    result = run_cli("validate", "acme_cloud", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert result.output.startswith("::group::acme_cloud/README.md\n::error file=acme_cloud/README.md,line=42,col=1,")
    text = summary.read_text()
    assert text.startswith("earlier step\n### tilekit: 1 tile checked: 1 error, 0 warnings\n")
    assert "| error | `readme/missing-section` | `acme_cloud/README.md:42:1` |" in text


def test_module_entry_point_and_version(tile: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("tilekit, version ")


def test_rules_json_lists_every_rule_with_its_data() -> None:
    result = run_cli("rules", "--format", "json")
    rules = json.loads(result.output)["rules"]
    by_id = {r["id"]: r for r in rules}
    assert set(rules[0]) >= {"id", "severity", "summary", "params"}
    assert by_id["readme/non-ascii"]["params"]["max_codepoint"] == 256
    assert by_id["changelog/no-entries"]["severity"] == "warning"


def test_rules_text_lists_ids_and_severity() -> None:
    result = run_cli("rules")
    assert result.exit_code == 0
    assert "readme/missing-section  [error, fixable with --unsafe]" in result.output
    assert "readme/empty-section  [error]" in result.output
    assert "image/color-mode  [error, fixable]" in result.output
