"""Verdicts remembered between runs in the user's cache, keyed by a digest of everything they depend on.

Some checks cost more in imports and set-up than the rest of a run (the rules data and the manifest checked
against their JSON Schemas need jsonschema, 30 ms to import). What they conclude depends only on their inputs, so
a verdict is stored under a digest of those inputs and tilekit's version; any change to any input is a new digest
and a fresh check. A cache that cannot be read or written is no cache: the check simply runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def digest(parts: Iterable[bytes]) -> str:
    from toolkit import __version__

    hashed = hashlib.sha256(__version__.encode())
    for part in parts:
        hashed.update(len(part).to_bytes(8, "big") + part)
    return hashed.hexdigest()[:32]


def _file(kind: str, key: str) -> Path:
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "tilekit" / f"{kind}-{key}.json"


def recall(kind: str, key: str) -> Any:
    """The stored verdict, or None when there is none (or it cannot be read)."""
    try:
        return json.loads(_file(kind, key).read_bytes())
    except (OSError, ValueError):
        return None


def remember(kind: str, key: str, verdict: Any) -> None:
    """Store a verdict: replaced atomically like toolkit.atomic.write, but not synced to disk, since a verdict lost
    in a crash only costs a check (and a first run stores one per tile)."""
    import tempfile  # only when something new is stored

    target = _file(kind, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".tmp", delete=False, encoding="utf-8") as out:
            json.dump(verdict, out)
        os.replace(out.name, target)
    except OSError:
        pass  # a read-only home: the check runs again next time
