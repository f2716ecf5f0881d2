"""What checks report (Problem) and what the runner makes of it (Finding)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

INTERNAL_ERROR = "tilekit/internal-error"  # reported by the runner when a rule crashes; always on


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Applicability(enum.StrEnum):
    """Whether a fix keeps everything the partner made visible (safe), or changes what a viewer sees (unsafe:
    padding, cropping, lossy compression, a renamed heading) and so runs only with ``tilekit fix --unsafe``."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Edit(NamedTuple):
    """Replace ``delete`` characters at ``line``:``column`` of a text file with ``insert``. Positions count in the
    text as checks see it (``\\n`` newlines, no BOM); ``\\n`` in ``insert`` is written as the file's own newline."""

    file: str
    line: int
    column: int = 1
    delete: int = 0
    insert: str = ""


class Op(NamedTuple):
    """A change the fixer knows how to make as a whole: ``image`` (re-encode: args say what to repair), ``rename``
    (``to``: the new tile-relative name), ``json-set`` (``path``, ``value``: a value of a JSON file, written at its
    place so formatting and key order are kept), ``strip-bom``."""

    kind: str
    file: str
    args: Mapping[str, Any] = {}


class Fix(NamedTuple):
    """What `tilekit fix` would do about one problem: changes applied all together or not at all."""

    title: str  # what it does, for the fix report ("convert P (palette) to RGB")
    changes: tuple[Edit | Op, ...]
    applicability: Applicability = Applicability.SAFE
    # For an unsafe fix: when the fixer, having read the file, finds the safe form of it enough (an alpha channel
    # that is fully opaque, a size reached losslessly), it applies that without --unsafe. Empty: never.
    safe_when: str = ""


class Problem(NamedTuple):
    """A check's report: which file of the tile (tile-relative, ``/``), where, and what."""

    file: str
    message: str
    line: int | None = None  # 1-based; None for whole-file problems (image pixels)
    column: int | None = None
    # What the defect is, when other files show it too ("section:Support": the missing README section and
    # the manifest anchor that names it): a rule that supersedes another drops its findings of the same key.
    key: str | None = None
    fix: Fix | None = None


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A problem stamped with its rule, the rule's severity, and paths relative to the cwd."""

    rule: str
    severity: Severity
    tile: str
    path: str
    line: int | None
    column: int | None
    message: str
    repair: Fix | None = field(default=None, compare=False)  # the check's fix, when its rule is declared fixable

    @property
    def fix(self) -> str | None:
        """'safe', 'unsafe' or None: what outputs say about fixing this finding."""
        return self.repair.applicability.value if self.repair else None

    def sort_key(self) -> tuple[str, str, int, int, str]:
        return (self.tile, self.path, self.line or 0, self.column or 0, self.rule)


def count(findings: list[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)


def clipped(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[:width - 3] + "..."


def printable(text: str) -> str:
    """``text`` safe for every output: a lone surrogate (from a JSON ``\\ud800`` escape or an undecodable
    file name) is written as its escape instead of failing the whole report."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def exit_code(findings: list[Finding], strict: bool = False) -> int:
    """2 when a rule crashed (the report is incomplete), else 0 when no error (warnings allowed), 1 on
    any error, or on any finding at all with --strict."""
    if any(f.rule == INTERNAL_ERROR for f in findings):
        return 2
    if strict and findings:
        return 1
    return 1 if count(findings, Severity.ERROR) else 0
