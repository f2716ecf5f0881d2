"""SARIF 2.1.0, the shape ``github/codeql-action/upload-sarif`` accepts."""

from __future__ import annotations

import json
from typing import Any

from toolkit import __version__
from toolkit.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://github.com/tilekit/tilekit"


def render(report: Report) -> str:
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    rules = [
        {
            "id": rule.id,
            "name": rule.id.replace("/", "-"),
            "shortDescription": {"text": rule.summary[:1024]},
            "fullDescription": {"text": rule.summary},
            "help": {"text": f"{rule.summary} See {rule.help}"},
            "helpUri": rule.help,
            "defaultConfiguration": {"level": rule.severity.value},
        }
        for rule in report.rules
    ]
    results = []
    for f in report.findings:
        location: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
        if f.line is not None:
            location["region"] = {"startLine": f.line, **({"startColumn": f.column} if f.column else {})}
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": f.severity.value,
            "message": {"text": f.message},
            "locations": [{"physicalLocation": location}],
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.fix:
            result["properties"] = {"tilekitFix": f.fix}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "tilekit", "version": __version__, "informationUri": HOME, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
