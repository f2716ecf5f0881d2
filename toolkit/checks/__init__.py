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


def warm_up() -> None:
    """Import ahead what checking a tile imports only on first use (so that a run whose tiles are all remembered
    never does): Pillow with its format plugins, PyYAML, the Markdown parser's patterns. A worker started early
    (toolkit.workers) does this while tilekit starts up."""
    import yaml  # noqa: F401 - imported for the import's sake
    from PIL import Image, ImageCms  # noqa: F401

    from toolkit import markdown, verdicts  # noqa: F401

    Image.preinit()
    markdown.parse("# T\n\n## S\n\n- i\n\n> q\n\n```\nc\n```\n\n[r]: https://example.com\n")
