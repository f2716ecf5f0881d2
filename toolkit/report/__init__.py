"""Output formats. Each module has a pure ``render(report) -> str``; the CLI only echoes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.findings import Finding, Severity, count
from toolkit.rules import Rule


@dataclass(frozen=True)
class Report:
    findings: list[Finding]  # sorted
    tiles: list[str]  # display paths of the tiles checked
    rules: list[Rule]  # the rules that ran
    color: bool = False
    noun: str = "tile"  # what was checked: tiles, or a video
    stray_files: int = 0  # files named that belong to no tile
    note: str = ""  # replaces the summary when nothing was checked for a reason worth saying

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)

    def summary_line(self) -> str:
        if self.note and not self.findings:
            return self.note
        if not self.tiles and not self.findings and self.stray_files:  # pre-commit named only files outside tiles
            return f"no tile among the {plural(self.stray_files, 'file')}; nothing checked"
        tiles = f"{plural(len(self.tiles), self.noun)} checked"
        if not self.findings:
            return f"{tiles}: no problems found"
        return f"{tiles}: {plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def location(finding: Finding) -> str:
    """``path:line:col``, leaving out what the finding has not got."""
    if finding.line is None:
        return finding.path
    column = f":{finding.column}" if finding.column is not None else ""
    return f"{finding.path}:{finding.line}{column}"


def formatters() -> dict[str, Callable[[Report], str]]:
    from toolkit.report import github, json_, sarif, text

    return {"text": text.render, "json": json_.render, "github": github.render, "sarif": sarif.render}


FORMATS = ("text", "json", "github", "sarif")
