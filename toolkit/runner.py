"""Run the enabled rules over tiles, one tile at a time, and stamp what the checks report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from toolkit.checks import CHECKS
from toolkit.errors import ToolkitError
from toolkit.findings import Finding
from toolkit.rules import Rule
from toolkit.tile import Tile


class Subject(Protocol):
    """What checks run on: a Tile, or a Video for `tilekit video`."""

    display: str

    def path(self, name: str) -> str: ...


def check(subject: Subject, rules: Iterable[Rule]) -> list[Finding]:
    """Every enabled rule's findings on one subject."""
    found: list[Finding] = []
    for rule in rules:
        try:
            problems = list(CHECKS[rule.check].run(subject, rule.params))
        except ToolkitError:
            raise
        except Exception as exc:  # a bug must still end as a message and exit 2, not a traceback
            raise ToolkitError(
                f"internal error in {rule.id} on {subject.display}: {type(exc).__name__}: {exc} "
                "(please report this with the file attached)"
            ) from exc
        found += [
            Finding(
                rule=rule.id,
                severity=rule.severity,
                tile=subject.display,
                path=subject.path(p.file),
                line=p.line,
                column=p.column,
                message=p.message,
            )
            for p in problems
        ]
    return _drop_superseded(found, rules)


def _drop_superseded(found: list[Finding], rules: Iterable[Rule]) -> list[Finding]:
    """A finding explains others on its line (a placeholder also fails the e-mail format)."""
    explained = {
        (victim, f.path, f.line)
        for rule in rules
        for victim in rule.supersedes
        for f in found
        if f.rule == rule.id and f.line is not None
    }
    return [f for f in found if (f.rule, f.path, f.line) not in explained]


def run(roots: Iterable[Path], rules: list[Rule], cwd: Path) -> list[Finding]:
    """Findings over every tile, sorted; each tile is dropped once checked, so memory stays flat."""
    findings: list[Finding] = []
    for root in roots:
        findings += check(Tile(root, cwd), rules)
    findings.sort(key=Finding.sort_key)
    return findings
