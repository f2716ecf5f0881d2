"""The one error type that stops a run: the tool could not do its job (exit 2)."""

from __future__ import annotations

import click


class ToolkitError(click.ClickException):
    """Bad arguments, unreadable config or rules data, a missing ffprobe: exit 2 with a message."""

    exit_code = 2
