"""Run the enabled rules over tiles, one tile at a time, and stamp what the checks report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from toolkit.checks import CHECKS
from toolkit.errors import ToolkitError
from toolkit.findings import INTERNAL_ERROR, Finding, Problem, Severity, printable
from toolkit.rules import Rule
from toolkit.tile import Discovery, Limits, Tile, display_path

if TYPE_CHECKING:
    from toolkit.gitchanges import Changes

UNREADABLE = "tile/unreadable"


class Subject(Protocol):
    """What checks run on: a Tile, or a Video for `tilekit video`."""

    display: str

    def path(self, name: str) -> str: ...


def check(subject: Subject, rules: Iterable[Rule]) -> list[Finding]:
    """Every enabled rule's findings on one subject, one per defect. A rule that crashes costs only its own
    findings: it becomes a tilekit/internal-error finding, and the other rules still run."""
    found: list[tuple[Rule, Problem]] = []
    crashed: list[Finding] = []
    for rule in rules:
        if rule.check is None:
            continue  # reported by the runner itself
        try:
            found += [(rule, problem) for problem in CHECKS[rule.check].run(subject, rule.params)]
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - any bug in a check; reported, never a traceback
            crashed.append(_internal_error(subject, rule, exc))
    tile, kept = printable(subject.display), _one_per_defect(found)
    return crashed + [
        Finding(rule=rule.id, severity=rule.severity, tile=tile, path=printable(subject.path(p.file)), line=p.line,
                column=p.column, message=printable(p.message))
        for rule, p in kept
    ]


def _one_per_defect(found: list[tuple[Rule, Problem]]) -> list[tuple[Rule, Problem]]:
    """Drop what another finding already explains: a rule's ``supersedes`` (rules data) names the rules whose
    findings on the same defect it explains, the same defect being the same key, or the same file and line
    (the same whole file, for findings without a line)."""
    explained: set[tuple[str, str, Any]] = set()
    for rule, problem in found:
        for victim in rule.supersedes:
            explained.add((victim, problem.file, problem.line))
            if problem.key is not None:
                explained.add((victim, "", problem.key))
    return [(rule, p) for rule, p in found
            if (rule.id, p.file, p.line) not in explained and (rule.id, "", p.key) not in explained]


def _internal_error(subject: Subject, rule: Rule, exc: Exception) -> Finding:
    detail = printable(str(exc))
    detail = detail if len(detail) <= 200 else detail[:197] + "..."
    return Finding(
        rule=INTERNAL_ERROR, severity=Severity.ERROR, tile=printable(subject.display),
        path=printable(subject.path("")), line=None, column=None,
        message=f"the rule {rule.id} crashed on this tile ({type(exc).__name__}: {detail}); its findings are "
                "missing, every other rule ran. This is a bug in tilekit: please report it with the tile's files",
    )


def limits(rules: Iterable[Rule]) -> Limits:
    """The size caps for reading text files: tile/unreadable's parameters, as configured, or as shipped
    when that rule is not enabled (the caps protect every rule that reads)."""
    from toolkit.rules import catalogue

    rule = next((r for r in rules if r.id == UNREADABLE), None)
    rule = rule or next(r for r in catalogue() if r.id == UNREADABLE)
    return Limits(rule.params["max_bytes"])


def run(discovery: Discovery, rules: list[Rule], cwd: Path, changes: Changes | None = None) -> list[Finding]:
    """Findings over every tile, sorted; each tile is dropped once checked, so memory stays flat."""
    caps = limits(rules)
    findings = _unreadable_folders(discovery, cwd, rules)
    for root in discovery.roots:
        findings += check(Tile(root, cwd, caps, changes), rules)
    findings.sort(key=Finding.sort_key)
    return findings


def _unreadable_folders(discovery: Discovery, cwd: Path, rules: Iterable[Rule]) -> list[Finding]:
    """The folders among the tiles that could not be looked into: each may be a tile, so each is reported."""
    rule = next((r for r in rules if r.id == UNREADABLE), None)
    if rule is None:
        return []
    shown = {folder: printable(display_path(folder, cwd)) for folder in discovery.unreadable}
    return [Finding(rule=rule.id, severity=rule.severity, tile=shown[folder], path=shown[folder], line=None,
                    column=None, message=f"cannot look into this folder to see whether it is a tile: {why}")
            for folder, why in discovery.unreadable.items()]
