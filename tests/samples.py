"""Tile file contents shared by the tests and the benchmark (nothing else here: benchmarks/bench.py imports it)."""

from __future__ import annotations


def log_pipeline(processors: str = "") -> str:
    """The Acme Cloud log pipeline (assets/logs/), with ``processors`` (YAML list items, indented 4) or none."""
    return ("id: acme-cloud\nbackend_only: false\nfacets: null\npipeline:\n  type: pipeline\n  name: Acme Cloud\n"
            "  enabled: true\n  filter:\n    query: source:acme_cloud\n"
            + (f"  processors:\n{processors}" if processors else "  processors: []\n"))
