"""Where the shipped data lives: ``rules/`` and ``templates/`` inside the installed package.

The wheel maps both folders to ``toolkit/_data/``. An editable install or a source checkout has
no ``_data``; there the folders sit beside the package, at the project root.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def data_dir(name: str) -> Traversable:
    packaged = resources.files("toolkit") / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name
