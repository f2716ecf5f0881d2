"""The registry of checks that rules data can name (``check:`` in rules/*.yaml).

Each family module ends with its own ``CHECKS``, keys prefixed by the module's name: one hop from a
YAML ``check:`` to its code.
"""

from __future__ import annotations

from toolkit.checks import (
    assets,
    changelog,
    codeowners,
    dashboard,
    dataflows,
    image,
    logs,
    manifest,
    media,
    metadata,
    monitor,
    readme,
    saved_views,
    service_checks,
    tilefiles,
    video,
)
from toolkit.checks._schema import Check

CHECKS: dict[str, Check] = {
    **readme.CHECKS,
    **manifest.CHECKS,
    **changelog.CHECKS,
    **tilefiles.CHECKS,
    **media.CHECKS,
    **image.CHECKS,
    **video.CHECKS,
    **metadata.CHECKS,
    **service_checks.CHECKS,
    **dashboard.CHECKS,
    **assets.CHECKS,
    **monitor.CHECKS,
    **logs.CHECKS,
    **dataflows.CHECKS,
    **saved_views.CHECKS,
    **codeowners.CHECKS,
}
