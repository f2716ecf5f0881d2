"""What a check is, and JSON Schema pieces for the checks' ``params`` contracts (rules data is validated
against them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.findings import Problem

# A check takes its subject (a Tile for `validate`, a Video for `video`) and the rule's params.
CheckFn = Callable[[Any, Mapping[str, Any]], Iterator[Problem]]


@dataclass(frozen=True)
class Check:
    run: CheckFn
    params: Mapping[str, Any]  # JSON Schema for the params of the rules that use this check


NAMES: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}
STRING: dict[str, Any] = {"type": "string"}
REGEX: dict[str, Any] = {"type": "string", "format": "regex"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
POSITIVE: dict[str, Any] = {"type": "integer", "minimum": 1}
COLOR: dict[str, Any] = {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}
RATIO: dict[str, Any] = {"type": "array", "items": POSITIVE, "minItems": 2, "maxItems": 2}


def params(optional: dict[str, Any] | None = None, **required: dict[str, Any]) -> dict[str, Any]:
    """An object schema: the keyword properties are required, ``optional`` ones may be left out, no others."""
    return {
        "type": "object",
        "required": list(required),
        "additionalProperties": False,
        "properties": {**required, **(optional or {})},
    }


NO_PARAMS = params()
