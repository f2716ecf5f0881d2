"""The console script: Ctrl-C at any moment, start-up included, ends as "Aborted!" and exit 130.

This module imports only what the interpreter has already loaded, so the handler is in place
before click and the rest are imported.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

ABORTED = 130  # 128 + SIGINT, what shells report for an interrupted command


def _abort_at_once(signum: int, frame: FrameType | None) -> None:
    # Start-up and shut-down write nothing to the user's files, so leaving on the spot is safe.
    os.write(2, b"\nAborted!\n")
    os._exit(ABORTED)


def main() -> None:
    signal.signal(signal.SIGINT, _abort_at_once)
    if sys.argv[1:2] == ["validate"]:
        from toolkit import workers

        workers.prepare()  # the first worker warms up while the rest of tilekit is imported
    from click import Abort, ClickException

    from toolkit import interrupt
    from toolkit.cli import cli

    # While a command runs, Ctrl-C raises KeyboardInterrupt so that its clean-up (a staging folder,
    # a child process) runs before tilekit leaves.
    sys.unraisablehook = interrupt.unraisable
    signal.signal(signal.SIGINT, interrupt.handler)
    code: int | str | None
    try:
        code = cli.main(prog_name="tilekit", standalone_mode=False)
    except SystemExit as exc:  # commands end with sys.exit(exit code)
        code = exc.code
    except (Abort, KeyboardInterrupt):  # the command's own clean-up has run on the way here
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write("Aborted!\n")
        code = ABORTED
    except ClickException as exc:
        exc.show()
        code = exc.exit_code
    except BrokenPipeError:  # `tilekit validate | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    # The work is done: an interrupt now would only lose the exit code.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _leave(code)


def _leave(code: int | str | None) -> None:
    """Flush the output and end the process without the interpreter's shut-down. Nothing is left to clean up
    (every command cleans up on its way here), the shut-down's last garbage collection costs about 8 ms, and
    CPython's shut-down can turn an interrupt already handled into a death by SIGINT (seen on `tilekit new`
    interrupted mid-way: "Aborted!" printed, then the process killed itself with SIGINT instead of exiting 130)."""
    if isinstance(code, str):  # sys.exit("message") semantics
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left before the last of the report
        code = 1
    try:
        sys.stderr.flush()
    except OSError:
        pass  # nowhere left to say anything
    os._exit(code or 0)
