"""Asset references: the files the manifest names exist, the asset files exist in the manifest, and the assets
Datadog asks every tile for are there (Datadog's hosted `validate-assets` check and its docs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from toolkit import tilepath
from toolkit.checks._schema import NAMES, Check, params
from toolkit.checks.metadata import table
from toolkit.findings import Problem
from toolkit.jsondoc import JsonPath, pointer
from toolkit.tile import MANIFEST, Tile
from toolkit.tilepath import Kind

PATHS_PARAMS = params(paths=NAMES, maps=NAMES)
FOLDERS_PARAMS = params(folders=NAMES, maps=NAMES)
LOGO_PARAMS = params(folders=NAMES, extension={"type": "string"})


def manifest_paths(tile: Tile, paths: list[str], maps: list[str]) -> list[tuple[JsonPath, str]]:
    """(JSON path, value) of every file path the manifest names: single keys (``tile.changelog``) and every value
    of the short-name maps (``assets.dashboards``)."""
    found: list[tuple[JsonPath, str]] = []
    for dotted in paths:
        keys = tuple(dotted.split("."))
        value = tile.manifest_get(*keys)
        if isinstance(value, str):
            found.append((keys, value))
    for dotted in maps:
        keys = tuple(dotted.split("."))
        mapping = tile.manifest_get(*keys)
        if isinstance(mapping, dict):
            found += [((*keys, name), value) for name, value in mapping.items() if isinstance(value, str)]
    return found


def missing_file(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every path the manifest names leads to a file of the tile."""
    manifest = tile.parsed_manifest
    if manifest is None:
        return
    for path, value in manifest_paths(tile, params["paths"], params["maps"]):
        where = tilepath.resolve(tile, value)
        if where.kind is Kind.MISSING:
            hint = f"the file is named '{where.near}' (GitHub is case-sensitive)" if where.near else \
                "add the file or fix the path"
            problem = f"names '{value}', which does not exist in the tile; {hint}"
        elif where.kind in (Kind.URL, Kind.ABSOLUTE, Kind.OUTSIDE):
            problem = f"names '{value}', which is not a path inside the tile; give it relative to manifest.json"
        elif where.kind is Kind.FOLDER:
            problem = f"names '{value}', which is a folder, not a file"
        else:
            continue  # a file, or one tile/unreadable reports
        line, column = manifest.position(path)
        yield Problem(MANIFEST, f"{pointer(path)} {problem}", line=line, column=column, key=f"file:{where.rel}")


def unreferenced_file(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every file under assets/dashboards/, assets/monitors/ and assets/saved_views/ is named by the manifest."""
    if tile.parsed_manifest is None:
        return
    referenced = set()
    for _path, value in manifest_paths(tile, [], params["maps"]):
        where = tilepath.resolve(tile, value)
        referenced.add(where.rel)
    folders = tuple(f"{folder}/" for folder in params["folders"])
    for name in tile.files:
        if name.startswith(folders) and name not in referenced and not name.rsplit("/", 1)[-1].startswith("."):
            yield Problem(name, f"{name} not found in manifest.json. Add it to the manifest or remove the file.")


def dashboard_required(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An integration (a tile with assets.integration; not a service or a license) names at least one dashboard."""
    manifest = tile.parsed_manifest
    if manifest is None or tile.manifest_get("assets", "dashboards") \
            or not isinstance(tile.manifest_get("assets", "integration"), dict):
        return
    line, column = manifest.position(("assets",))
    yield Problem(MANIFEST, "the tile ships no dashboard; Datadog requires one for every integration: export an "
                  "overview dashboard to assets/dashboards/ and name it in assets.dashboards", line=line, column=column)


def monitor_recommended(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A tile whose metadata.csv lists metrics ships at least one monitor template."""
    manifest = tile.parsed_manifest
    if manifest is None or tile.manifest_get("assets", "monitors"):
        return
    data = tile.memo(table)
    if data is None or not data.rows:
        return
    line, column = manifest.position(("assets",))
    yield Problem(MANIFEST, f"{data.path} lists metrics but the tile ships no monitor; Datadog asks for at least one "
                  "monitor template (assets/monitors/, named in assets.monitors)", line=line, column=column)


def logo(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An SVG logo in assets/logos/ or directly in assets/."""
    folders = {folder.rstrip("/") for folder in params["folders"]}
    for name in tile.files:
        folder, _, file = name.rpartition("/")
        if folder in folders and file.lower().endswith(params["extension"]):
            return
    yield Problem("assets/", "no SVG logo: Datadog asks for an SVG wordmark that reads in light and dark mode, in "
                  "assets/logos/ or directly in assets/")


CHECKS = {
    "assets.missing_file": Check(missing_file, PATHS_PARAMS),
    "assets.unreferenced_file": Check(unreferenced_file, FOLDERS_PARAMS),
    "assets.dashboard_required": Check(dashboard_required, params()),
    "assets.monitor_recommended": Check(monitor_recommended, params()),
    "assets.logo": Check(logo, LOGO_PARAMS),
}
