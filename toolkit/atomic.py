"""Writing a file whole: a temporary file in the same folder, then an atomic rename, so that readers (and an
interrupted run) see the old file or the new one, never a part. Used by `tilekit fix` and `tilekit preview`."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write(path: Path, data: bytes, mode_from: Path | None = None, exclusive: bool = False) -> None:
    """Write ``path`` atomically: readers see the old file or the new one, never a part. The new file gets the
    permissions of ``mode_from`` (by default the file it replaces). ``exclusive``: fail with FileExistsError
    rather than replace an existing file."""
    source = mode_from or path
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tilekit-tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.chmod(temporary, stat.S_IMODE(os.stat(source).st_mode))
        except FileNotFoundError:
            os.chmod(temporary, 0o644)
        if exclusive:
            os.link(temporary, path)  # refuses an existing name, atomically
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
