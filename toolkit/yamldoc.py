"""YAML with lines: the value PyYAML's safe loader builds, and the line of every mapping key and sequence item,
read from the nodes it composes. A file that does not parse is an error with its line, never an exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.jsondoc import JsonPath


@dataclass
class YamlDoc:
    value: Any = None
    error: str = ""
    error_line: int | None = None
    lines: dict[JsonPath, int] = field(default_factory=dict)

    def line(self, path: JsonPath) -> int:
        """The line of the key or item at ``path``, or of its nearest ancestor that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def parse(text: str) -> YamlDoc:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = " ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
        return YamlDoc(error=reason or str(exc), error_line=mark.line + 1 if mark else None)
    except RecursionError:
        return YamlDoc(error="nesting too deep to read", error_line=None)
    finally:
        loader.dispose()
    return YamlDoc(value, lines=_lines(node) if node is not None else {})


def _lines(root: Any) -> dict[JsonPath, int]:
    """The line of each key and item, walked iteratively; a node reached again through an alias is not re-walked,
    so an alias bomb costs no more than its text."""
    import yaml

    lines: dict[JsonPath, int] = {(): root.start_mark.line + 1}
    seen: set[int] = set()
    pending: list[tuple[JsonPath, Any]] = [((), root)]
    while pending:
        path, node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, child in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark.line)
                lines.setdefault((*path, name), key.start_mark.line + 1)
                pending.append(((*path, name), child))
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                lines.setdefault((*path, index), child.start_mark.line + 1)
                pending.append(((*path, index), child))
    return lines
