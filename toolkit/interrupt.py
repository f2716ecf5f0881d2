"""Ctrl-C, noticed even where Python cannot raise it.

Python raises KeyboardInterrupt wherever the main thread is when SIGINT arrives. Inside a finalizer (a
``__del__`` method or a weakref callback, which file objects and child processes have) it cannot
propagate: Python prints "Exception ignored" and the run goes on as if nothing had happened. So the handler also
records the interrupt, such an interrupt is not printed, and the long loops call ``checkpoint()``, which raises
it again where it can end the command.

This module imports nothing: the console script installs the handler before anything else is imported.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

pending = False


def handler(signum: int, frame: FrameType | None) -> None:
    global pending
    pending = True
    raise KeyboardInterrupt


def unraisable(event: Any) -> None:
    """``sys.unraisablehook``: an interrupt caught by a finalizer waits for the next checkpoint; anything else is
    reported as Python would."""
    if not (pending and isinstance(event.exc_value, KeyboardInterrupt)):
        sys.__unraisablehook__(event)


def checkpoint() -> None:
    """Raise an interrupt that arrived where it could not be raised."""
    if pending:
        raise KeyboardInterrupt
