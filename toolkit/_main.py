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
    from click import Abort, ClickException

    from toolkit.cli import cli

    # While a command runs, Ctrl-C raises KeyboardInterrupt so that its clean-up (a staging folder,
    # a child process) runs before tilekit leaves.
    signal.signal(signal.SIGINT, signal.default_int_handler)
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
    # The work is done and its output written: an interrupt now would only lose the exit code. (Python
    # resets its own handlers to the default, deadly one while it shuts down, but leaves SIG_IGN.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
