"""``path:line:col: severity rule message``, a blank line between tiles, then a summary line."""

from __future__ import annotations

import itertools

import click

from toolkit.findings import Severity
from toolkit.report import Report, location

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}
_FIXABLE = {"safe": " [fixable]", "unsafe": " [fixable with --unsafe]", None: ""}


def render(report: Report) -> str:
    def style(text: str, **how: object) -> str:
        return click.style(text, **how) if report.color else text  # type: ignore[arg-type]

    blocks = []
    for _tile, group in itertools.groupby(report.findings, key=lambda f: f.tile):
        blocks.append(
            "\n".join(
                f"{style(location(f), bold=True)}: {style(f.severity.value, fg=_COLORS[f.severity])} "
                f"{style(f.rule, dim=True)} {f.message}{style(_FIXABLE[f.fix], fg='cyan')}"
                for f in group
            )
        )
    blocks.append(style(report.summary_line(), bold=True))
    return "\n\n".join(blocks)
