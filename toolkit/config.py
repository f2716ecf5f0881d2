"""User configuration: ``[tool.tilekit]`` in pyproject.toml, or ``.tilekit.toml``, nearest first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.resources import load_json
from toolkit.rules import Settings

DOTFILE = ".tilekit.toml"
PYPROJECT = "pyproject.toml"


def find(start: Path) -> Path | None:
    """The nearest config at or above ``start``; a pyproject.toml counts only with [tool.tilekit]."""
    for folder in (start, *start.parents):
        if (folder / DOTFILE).is_file():
            return folder / DOTFILE
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and "tilekit" in _read(pyproject).get("tool", {}):
            return pyproject
    return None


def load(path: Path | None) -> Settings:
    """Settings from a config file (empty without one); exit 2 when it is unreadable or wrong."""
    if path is None:
        return Settings()
    data = _read(path)
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("tilekit", {})
    from jsonschema import Draft202012Validator

    errors = list(Draft202012Validator(load_json("config.schema.json")).iter_errors(data))
    if errors:
        from toolkit.jsondoc import pointer

        details = "; ".join(f"{pointer(tuple(e.absolute_path))}: {e.message}" for e in errors)
        raise ToolkitError(f"{path}: invalid tilekit configuration: {details}")
    per_rule: dict[str, dict[str, Any]] = data.get("rules", {})
    return Settings(
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        severity={rule: opts["severity"] for rule, opts in per_rule.items() if "severity" in opts},
        params={rule: opts["params"] for rule, opts in per_rule.items() if "params" in opts},
        repository=data.get("repository", "extras"),
        jobs=data.get("jobs"),
        source=str(path),
    )


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a config file to read

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ToolkitError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ToolkitError(f"{path}: not valid TOML: {exc}") from exc
