"""The one error type that stops a run: the tool could not do its job (exit 2)."""

from __future__ import annotations


class ToolkitError(Exception):
    """Bad arguments, unreadable config or rules data, a missing ffprobe: exit 2 with a message.

    Not a click exception: the modules that check tiles raise it, and worker processes that import them never need
    click (about 11 ms of start-up each). The command line turns it into click's error display (toolkit.cli)."""

    exit_code = 2
