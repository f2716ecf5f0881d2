"""`--changed-since REF`: which files changed between the merge base of REF and the working tree (committed, staged,
unstaged and untracked), and what a file was at that merge base. Through the real `git`, with every failure a clear
exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from toolkit.errors import ToolkitError


class Changes(NamedTuple):
    ref: str
    base: str  # the merge base's commit
    top: Path  # the checkout's root
    files: frozenset[Path]  # absolute paths, deleted and renamed-away ones included
    renamed: dict[str, str]  # new path -> old path (relative to top), for files git sees as renamed

    def touches(self, root: Path) -> bool:
        """Whether any changed file lies in the folder ``root``."""
        resolved = Path(os.path.realpath(root))
        return any(path == resolved or resolved in path.parents for path in self.files)

    def before(self, path: Path) -> bytes | None:
        """The content of ``path`` (a file of the checkout) at the merge base; None if it did not exist."""
        rel = Path(os.path.realpath(path)).relative_to(self.top).as_posix()
        rel = self.renamed.get(rel, rel)
        run = _git(self.top, "show", f"{self.base}:{rel}", check=False, text=False)
        return run.stdout if run.returncode == 0 else None


def _git(cwd: Path, *args: str, check: bool = True, text: bool = True) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    git = shutil.which("git")
    if git is None:
        raise ToolkitError("--changed-since needs git, which is not installed (apt-get install git)")
    try:
        run = subprocess.run([git, *args], cwd=cwd, capture_output=True, text=text, timeout=120, check=False,
                             env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolkitError(f"git {args[0]} failed: {exc}") from exc
    if check and run.returncode != 0:
        said = (run.stderr if text else run.stderr.decode("utf-8", "replace")).strip().splitlines()
        raise ToolkitError(f"git {' '.join(args)}: {said[-1] if said else 'failed'}")
    return run


def changed_since(ref: str, cwd: Path) -> Changes:
    inside = _git(cwd, "rev-parse", "--show-toplevel", check=False)
    if inside.returncode != 0:
        raise ToolkitError(f"--changed-since {ref}: {cwd} is not in a git checkout")
    top = Path(os.path.realpath(inside.stdout.strip()))
    if _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).returncode != 0:
        raise ToolkitError(f"--changed-since {ref}: no such commit or branch in this checkout; fetch it first "
                           f"(git fetch origin {ref})")
    merge = _git(top, "merge-base", ref, "HEAD", check=False)
    if merge.returncode != 0:
        shallow = _git(top, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == "true"
        if shallow:
            raise ToolkitError(f"--changed-since {ref}: this shallow clone lacks the history that joins {ref} and "
                               "HEAD; fetch it (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
        raise ToolkitError(f"--changed-since {ref}: {ref} and HEAD have no common commit")
    base = merge.stdout.strip()
    names = _git(top, "diff", "--name-only", "-z", "--no-renames", base).stdout.split("\0")
    names += _git(top, "ls-files", "--others", "--exclude-standard", "-z").stdout.split("\0")
    renamed: dict[str, str] = {}
    fields = iter(_git(top, "diff", "--name-status", "-z", "-M", base).stdout.split("\0"))
    for status in fields:  # "M", path; or "R100", old path, new path
        if status[:1] in ("R", "C"):
            old, new = next(fields, ""), next(fields, "")
            renamed[new] = old
        elif status:
            next(fields, "")
    return Changes(ref, base, top, frozenset(top / name for name in names if name), renamed)
