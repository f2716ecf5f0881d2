"""The registry of checks that rules data can name (``check:`` in rules/*.yaml)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.checks import changelog, manifest, readme, tilefiles
from toolkit.checks._schema import NO_PARAMS
from toolkit.findings import Problem
from toolkit.tile import Tile

CheckFn = Callable[[Tile, Mapping[str, Any]], Iterator[Problem]]


@dataclass(frozen=True)
class Check:
    run: CheckFn
    params: Mapping[str, Any]  # JSON Schema for the params of the rules that use this check


CHECKS: dict[str, Check] = {
    "readme.present": Check(readme.present, NO_PARAMS),
    "readme.required_sections": Check(readme.required_sections, readme.SECTIONS_PARAMS),
    "readme.empty_sections": Check(readme.empty_sections, readme.SECTIONS_PARAMS),
    "readme.setup_subsections": Check(readme.setup_subsections, readme.SETUP_PARAMS),
    "readme.broken_anchors": Check(readme.broken_anchors, readme.ANCHOR_PARAMS),
    "readme.images_exist": Check(readme.images_exist, readme.IMAGE_PARAMS),
    "readme.ascii_only": Check(readme.ascii_only, readme.ASCII_PARAMS),
    "manifest.parses": Check(manifest.parses, NO_PARAMS),
    "manifest.unique_keys": Check(manifest.unique_keys, NO_PARAMS),
    "manifest.schema": Check(manifest.schema, manifest.SCHEMA_PARAMS),
    "manifest.classifier_tags": Check(manifest.classifier_tags, manifest.TAGS_PARAMS),
    "changelog.present": Check(changelog.present, NO_PARAMS),
    "changelog.has_entries": Check(changelog.has_entries, NO_PARAMS),
    "changelog.heading_format": Check(changelog.heading_format, changelog.FORMAT_PARAMS),
    "changelog.dates": Check(changelog.dates, NO_PARAMS),
    "changelog.order": Check(changelog.order, NO_PARAMS),
    "changelog.section_labels": Check(changelog.section_labels, changelog.LABEL_PARAMS),
    "tile.encoding": Check(tilefiles.encoding, tilefiles.ENCODING_PARAMS),
    "tile.placeholder": Check(tilefiles.placeholders, tilefiles.PLACEHOLDER_PARAMS),
}
