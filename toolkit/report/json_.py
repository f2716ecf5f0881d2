"""One JSON object; its key names are an API (SPEC section 4) and do not change."""

from __future__ import annotations

import json

from toolkit import __version__
from toolkit.report import Report


def render(report: Report) -> str:
    return json.dumps(
        {
            "tool": {"name": "tilekit", "version": __version__},
            "tiles": report.tiles,
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity.value,
                    "tile": f.tile,
                    "path": f.path,
                    "line": f.line,
                    "column": f.column,
                    "message": f.message,
                    "fix": f.fix,
                }
                for f in report.findings
            ],
            "summary": {"tiles": len(report.tiles), "errors": report.errors, "warnings": report.warnings},
        },
        indent=2,
        ensure_ascii=False,
    )
