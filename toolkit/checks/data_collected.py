"""Whether a tile collects data, which makes the README's 'Data Collected' section required."""

from __future__ import annotations

from toolkit import tilepath
from toolkit.tile import Tile
from toolkit.tilepath import Kind

METADATA = "metadata.csv"
SERVICE_CHECKS = "assets/service_checks.json"


def reasons(tile: Tile) -> list[str]:
    """Why the tile collects data, in words for a message; empty when it collects none."""
    found = []
    metrics = _metric_rows(tile)
    if metrics:
        found.append(f"{METADATA} lists {metrics} metric{'s' if metrics != 1 else ''}")
    path = tile.manifest_get("assets", "integration", "service_checks", "metadata_path")
    path = path if isinstance(path, str) and path else SERVICE_CHECKS
    where = tilepath.resolve(tile, path)
    doc = tile.json(where.rel) if where.kind is Kind.FILE else None
    if doc is not None and doc.error is None:
        checks = doc.value
        if isinstance(checks, list) and checks:
            found.append(f"{path} defines {len(checks)} service check{'s' if len(checks) != 1 else ''}")
    if tile.manifest_get("assets", "integration", "events", "creates_events") is True:
        found.append("the manifest sets creates_events")
    if tile.manifest_get("assets", "logs"):
        found.append("the manifest declares assets.logs")
    pipelines = [name for name in tile.files if name.startswith("assets/logs/")
                 and name.endswith((".yaml", ".yml")) and not name.rsplit(".", 1)[0].endswith("_tests")]
    if pipelines:
        found.append(f"it ships the log pipeline {pipelines[0]}")
    tags = tile.manifest_get("tile", "classifier_tags")
    submitted = [t for t in tags if isinstance(t, str) and t.startswith("Submitted Data Type::")] \
        if isinstance(tags, list) else []
    if submitted:
        found.append(f"the manifest tags it '{submitted[0]}'")
    return found


def _metric_rows(tile: Tile) -> int:
    table = tile.csv(METADATA)
    if table is None:
        return 0
    return sum(1 for _line, row in table.rows[1:] if any(cell.strip() for cell in row))
