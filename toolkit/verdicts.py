"""Verdicts remembered between runs in the user's cache, keyed by a digest of everything they depend on.

Some checks cost more in imports and set-up than the rest of a run (the rules data and the manifest checked
against their JSON Schemas need jsonschema, 30 ms to import). What they conclude depends only on their inputs, so
a verdict is stored under a digest of those inputs and tilekit's version; any change to any input is a new digest
and a fresh check. A cache that cannot be read or written is no cache: the check simply runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def digest(parts: Iterable[bytes]) -> str:
    from toolkit import __version__

    hashed = hashlib.sha256(__version__.encode())
    for part in parts:
        hashed.update(len(part).to_bytes(8, "big") + part)
    return hashed.hexdigest()[:32]


def cache_dir() -> Path:
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "tilekit"


def _file(kind: str, key: str) -> Path:
    return cache_dir() / f"{kind}-{key}.json"


@functools.cache
def installation() -> bytes:
    """What the code that reaches verdicts is, beyond tilekit's version number: the state of tilekit's sources and
    data files (an edited check in a development install is new code) and of the folders its libraries are
    installed in (pip adds and removes a folder there with every install, upgrade or removal)."""
    from toolkit.resources import data_dir

    state = []
    for top in (Path(__file__).parent, data_dir("rules")):
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(s for s in subfolders if s != "__pycache__")
            for name in sorted(files):
                state.append(f"{folder}/{name} {_stamp(os.path.join(folder, name))}")
    for entry in sys.path:
        if os.path.basename(entry) == "site-packages":
            state.append(f"{entry} {_stamp(entry)}")
    return "\n".join(state).encode("utf-8", "surrogateescape")


def _stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError as exc:  # removed while this run looks (an upgrade under way): a state of its own
        return f"error {exc.errno}"
    return f"{info.st_size} {info.st_mtime_ns}"


def recall(kind: str, key: str) -> Any:
    """The stored verdict, or None when there is none (or it cannot be read)."""
    try:
        return json.loads(_file(kind, key).read_bytes())
    except (OSError, ValueError):
        return None


def remember(kind: str, key: str, verdict: Any) -> None:
    """Store a verdict: replaced atomically like toolkit.atomic.write, but not synced to disk, since a verdict lost
    in a crash only costs a check (and a first run stores one per tile)."""
    store(_file(kind, key), json.dumps(verdict).encode())


def store(target: Path, data: bytes) -> None:
    """Write a file of the cache: replaced atomically, never half-written, nothing raised (a read-only home: the
    check runs again next time)."""
    import tempfile  # only when something new is stored

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as out:
            out.write(data)
        os.replace(out.name, target)
    except OSError:
        pass
