"""Where the shipped data lives: ``rules/`` and ``templates/`` inside the installed package.

The wheel maps both folders to ``toolkit/_data/``. An editable install or a source checkout has
no ``_data``; there the folders sit beside the package, at the project root.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder, as files on disk (wheels are installed unpacked; importlib.resources costs 4 ms to import)."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def load_json(name: str) -> Any:
    """A JSON file from the shipped ``rules/`` folder (exit 2 when it is broken)."""
    try:
        return json.loads((data_dir("rules") / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ToolkitError(f"rules/{name}: cannot be loaded: {exc}") from exc
