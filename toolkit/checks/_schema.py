"""JSON Schema pieces shared by the checks' ``params`` contracts."""

from typing import Any

NO_PARAMS: dict[str, Any] = {"type": "object", "additionalProperties": False}
NAMES: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}
