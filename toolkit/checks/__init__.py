"""The registry of checks that rules data can name (``check:`` in rules/*.yaml)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.checks import changelog, image, manifest, media, readme, tilefiles, video
from toolkit.checks._schema import NO_PARAMS
from toolkit.findings import Problem

# A check takes its subject (a Tile for `validate`, a Video for `video`) and the rule's params.
CheckFn = Callable[[Any, Mapping[str, Any]], Iterator[Problem]]


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
    "media.count": Check(media.count, media.COUNT_PARAMS),
    "media.captions": Check(media.captions, media.CAPTION_PARAMS),
    "media.missing_files": Check(media.missing_files, NO_PARAMS),
    "media.safe_paths": Check(media.safe_paths, NO_PARAMS),
    "media.extensions": Check(media.extensions, media.EXTENSION_PARAMS),
    "media.format_matches": Check(media.format_matches, media.FORMAT_PARAMS),
    "media.committed_videos": Check(media.committed_videos, media.EXTENSION_PARAMS),
    "image.unreadable": Check(image.unreadable, image.UNREADABLE_PARAMS),
    "image.file_size": Check(image.file_size, image.SIZE_PARAMS),
    "image.width": Check(image.width, image.RANGE_PARAMS),
    "image.height": Check(image.height, image.RANGE_PARAMS),
    "image.aspect_ratio": Check(image.aspect_ratio, image.RATIO_PARAMS),
    "image.color_mode": Check(image.color_mode, image.MODE_PARAMS),
    "image.color_profile": Check(image.color_profile, image.PROFILE_PARAMS),
    "image.untagged_color": Check(image.untagged_color, NO_PARAMS),
    "image.file_name": Check(image.file_name, image.NAME_PARAMS),
    "video.unreadable": Check(video.unreadable, NO_PARAMS),
    "video.container": Check(video.container, video.CONTAINER_PARAMS),
    "video.codec": Check(video.codec, video.CODEC_PARAMS),
    "video.file_size": Check(video.file_size, video.SIZE_PARAMS),
    "video.duration": Check(video.duration, video.DURATION_PARAMS),
    "video.aspect_ratio": Check(video.aspect_ratio, video.RATIO_PARAMS),
    "video.resolution": Check(video.resolution, video.RESOLUTION_PARAMS),
    "video.file_name": Check(video.file_name, video.NAME_PARAMS),
    "video.caption": Check(video.caption, video.CAPTION_PARAMS),
}
