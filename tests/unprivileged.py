"""Run the real CLI as a user the file system can refuse, in a forked child, bounded in time.

CI runs as root, for whom no permission bit counts. Re-executing the interpreter as ``nobody`` may
fail (a pyenv under ``/root``), so the child is forked from this process, with everything it needs
already imported, and drops to ``nobody`` before calling the console script's ``main``.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

NOBODY = 65534


class Outcome(NamedTuple):
    code: int
    stdout: str
    stderr: str


def _warm_up(args: list[str], cwd: Path) -> None:
    """Run the same read-only command once in-process, as the tests' own user, so that every module and
    data file it loads from the checkout or site-packages is loaded before the child drops privileges. It runs
    with a cache of its own, empty: the verdicts tilekit remembers would otherwise spare it imports (jsonschema)
    that the child, which cannot read the tests' cache, needs."""
    import tempfile

    from click.testing import CliRunner

    from toolkit.cli import cli

    here = Path.cwd()
    os.chdir(cwd)
    try:
        with tempfile.TemporaryDirectory() as cache:
            CliRunner().invoke(cli, args, env={"XDG_CACHE_HOME": cache})
    finally:
        os.chdir(here)


def run_cli(args: list[str], cwd: Path, timeout: float = 30) -> Outcome:
    """``tilekit ARGS`` (a read-only command) in ``cwd`` as ``nobody``, or as the current user when that
    is not root."""
    _warm_up(args, cwd)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            os.chdir(cwd)
            sys.argv = ["tilekit", *args]
            sys.stdout = os.fdopen(1, "w", closefd=False)
            sys.stderr = os.fdopen(2, "w", closefd=False)
            from toolkit._main import main

            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 - a traceback is exactly what the tests look for
            import traceback

            traceback.print_exception(exc)
            code = 71
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(out_w)
    os.close(err_w)
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    deadline = time.monotonic() + timeout
    open_fds = [out_r, err_r]
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"tilekit {' '.join(args)} did not finish in {timeout} s")
        ready, _, _ = select.select(open_fds, [], [], left)
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                open_fds.remove(fd)
                os.close(fd)
    _, status = os.waitpid(pid, 0)
    return Outcome(os.waitstatus_to_exitcode(status), b"".join(chunks[out_r]).decode(),
                   b"".join(chunks[err_r]).decode())


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder ``nobody`` can enter (pytest's tmp_path sits in a folder only its owner can), removed after
    with whatever permissions a test left inside it."""
    folder = Path(tempfile.mkdtemp(prefix="tilekit-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        _open_up(folder)
        shutil.rmtree(folder)


def _open_up(folder: Path) -> None:
    folder.chmod(0o755)  # before listing it: a test may have made it unlistable
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            _open_up(child)
