"""GitHub Actions workflow commands (annotations), escaped as actions/toolkit does, and the step summary."""

from __future__ import annotations

import itertools

from toolkit.report import Report, location, plural

# GitHub keeps 10 annotations of each level per step and drops the rest silently.
ANNOTATION_LIMIT = 10
SUMMARY_LIMIT = 1_000_000  # bytes; a step summary over 1 MiB fails the upload


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for path, group in itertools.groupby(report.findings, key=lambda f: f.path):
        lines.append(f"::group::{escape_data(path)}")
        for f in group:
            props = {"file": f.path, "line": f.line, "col": f.column, "title": f.rule}
            joined = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
            lines.append(f"::{f.severity.value} {joined}::{escape_data(f.message)}")
        lines.append("::endgroup::")
    if report.errors > ANNOTATION_LIMIT or report.warnings > ANNOTATION_LIMIT:
        lines.append(f"GitHub shows only {ANNOTATION_LIMIT} annotations of each level per step; "
                     "the job summary lists every finding.")
    lines.append(report.summary_line())
    return "\n".join(lines)


def summary(report: Report) -> str:
    """The full findings table in GitHub-flavoured Markdown, for ``$GITHUB_STEP_SUMMARY``."""
    head = [f"### tilekit: {report.summary_line()}", ""]
    if not report.findings:
        return "\n".join(head) + "\n"
    head += ["| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
    size = sum(len(line.encode()) + 1 for line in head)
    rows = []
    for index, f in enumerate(report.findings):
        row = f"| {f.severity.value} | `{f.rule}` | `{_cell(location(f))}` | {_cell(f.message)} |"
        size += len(row.encode()) + 1
        if size > SUMMARY_LIMIT:
            rows.append(f"\n{plural(len(report.findings) - index, 'more finding')} not shown: the summary is capped "
                        "at 1 MB; run tilekit locally for the full list.")
            break
        rows.append(row)
    return "\n".join(head + rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
