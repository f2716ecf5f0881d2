"""Output formats: exact text, JSON keys, GitHub escaping, SARIF 2.1.0 structure."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from tests.conftest import ROOT
from toolkit.findings import Applicability, Finding, Fix, Severity
from toolkit.report import Report, github, json_, sarif, text
from toolkit.rules import catalogue

FINDINGS = [
    Finding(rule="readme/missing-section", severity=Severity.ERROR, tile="acme", path="acme/README.md", line=40,
            column=1, message="missing H2 section '## Support'",
            repair=Fix("make '### Support' the section '## Support'", (), Applicability.UNSAFE)),
    Finding(rule="readme/non-ascii", severity=Severity.WARNING, tile="acme", path="acme/README.md", line=7,
            column=12, message="100% bad,\r\nreally: yes", repair=Fix("replace \u2019 with ASCII", ())),
    Finding(rule="changelog/missing", severity=Severity.ERROR, tile="zeta", path="zeta/CHANGELOG.md", line=None,
            column=None, message="no CHANGELOG.md"),
]
RULES = [r for r in catalogue() if r.id in {"readme/missing-section", "readme/non-ascii", "changelog/missing"}]
REPORT = Report(FINDINGS, ["acme", "zeta"], RULES)


def test_text_is_exact() -> None:
    assert text.render(REPORT) == (
        "acme/README.md:40:1: error readme/missing-section missing H2 section '## Support' [fixable with --unsafe]\n"
        "acme/README.md:7:12: warning readme/non-ascii 100% bad,\r\nreally: yes [fixable]\n"
        "\n"
        "zeta/CHANGELOG.md: error changelog/missing no CHANGELOG.md\n"
        "\n"
        "2 tiles checked: 2 errors, 1 warning"
    )


def test_text_colour_only_when_asked() -> None:
    coloured = text.render(Report(FINDINGS, ["acme"], RULES, color=True))
    assert "\x1b[31merror\x1b[0m" in coloured
    assert "\x1b[" not in text.render(REPORT)


def test_json_keys_are_the_api() -> None:
    data = json.loads(json_.render(REPORT))
    assert list(data) == ["tool", "tiles", "findings", "summary"]
    assert data["tool"]["name"] == "tilekit" and set(data["tool"]) == {"name", "version"}
    assert data["tiles"] == ["acme", "zeta"]
    assert list(data["findings"][0]) == ["rule", "severity", "tile", "path", "line", "column", "message", "fix"]
    assert [f["fix"] for f in data["findings"]] == ["unsafe", "safe", None]
    assert data["findings"][2]["line"] is None and data["findings"][2]["column"] is None
    assert data["summary"] == {"tiles": 2, "errors": 2, "warnings": 1}


def test_github_escapes_data_and_properties() -> None:
    odd = Finding(rule="readme/x", severity=Severity.ERROR, tile="t", path="t/a,b:c.md", line=3, column=None,
                  message="50% off\r\nnext")
    out = github.render(Report([odd], ["t"], RULES))
    assert out.splitlines()[1] == "::error file=t/a%2Cb%3Ac.md,line=3,title=readme/x::50%25 off%0D%0Anext"


def test_github_render_is_exact() -> None:
    assert github.render(REPORT).splitlines() == [
        "::group::acme/README.md",
        "::error file=acme/README.md,line=40,col=1,title=readme/missing-section::missing H2 section '## Support'",
        "::warning file=acme/README.md,line=7,col=12,title=readme/non-ascii::100%25 bad,%0D%0Areally: yes",
        "::endgroup::",
        "::group::zeta/CHANGELOG.md",
        "::error file=zeta/CHANGELOG.md,title=changelog/missing::no CHANGELOG.md",
        "::endgroup::",
        "2 tiles checked: 2 errors, 1 warning",
    ]


def test_github_notes_the_annotation_limit_and_summary_has_every_finding() -> None:
    many = [
        Finding(rule="readme/x", severity=Severity.ERROR, tile="t", path="t/README.md", line=i, column=1,
                message=f"problem | {i}")
        for i in range(1, 13)
    ]
    report = Report(many, ["t"], RULES)
    assert "GitHub shows only 10 annotations" in github.render(report)
    table = github.summary(report)
    assert table.count("\n| error |") == 12
    assert "problem \\| 12" in table


def test_summary_is_capped_below_one_megabyte() -> None:
    huge = [
        Finding(rule="readme/x", severity=Severity.ERROR, tile="t", path="t/README.md", line=i, column=1,
                message="x" * 1000)
        for i in range(2000)
    ]
    table = github.summary(Report(huge, ["t"], RULES))
    assert len(table.encode()) < 1_000_000
    assert "more findings not shown" in table


def test_sarif_has_what_upload_sarif_requires() -> None:
    log = json.loads(sarif.render(REPORT))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "tilekit"
    assert {r["id"] for r in driver["rules"]} == {r.id for r in RULES}
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    first, _, whole_file = log["runs"][0]["results"]
    assert first["ruleId"] == "readme/missing-section" and first["level"] == "error"
    assert first["message"]["text"] == "missing H2 section '## Support'"
    location = first["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "acme/README.md"}, "region": {"startLine": 40, "startColumn": 1}}
    assert driver["rules"][first["ruleIndex"]]["id"] == "readme/missing-section"
    assert whole_file["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "zeta/CHANGELOG.md"}}
    assert first["properties"] == {"tilekitFix": "unsafe"} and "properties" not in whole_file


def _run_on_a_tty(no_color: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = "1"
    leader, follower = pty.openpty()
    tile = ROOT / "examples" / "acme_cloud"
    proc = subprocess.run([sys.executable, "-m", "toolkit", "validate", str(tile / "README.md"), "--strict",
                           "--select", "readme/missing"], stdout=follower, stderr=subprocess.PIPE,
                          env=env, cwd=tile, timeout=60, check=False)
    os.close(follower)
    output = os.read(leader, 65536).decode()
    os.close(leader)
    assert proc.returncode == 0, proc.stderr
    return output


def test_colour_on_a_terminal_unless_no_color() -> None:
    assert "\x1b[1m" in _run_on_a_tty(no_color=False)
    assert "\x1b[" not in _run_on_a_tty(no_color=True)
