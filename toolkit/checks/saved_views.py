"""Saved views named in ``assets.saved_views``: ddev's `validate saved-views` rules, with its vocabularies in
rules/ddev-saved-views.json."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from toolkit.assetfiles import not_json, objects
from toolkit.checks._schema import Check, params
from toolkit.findings import Problem
from toolkit.resources import load_json
from toolkit.tile import Tile

VOCABULARY_PARAMS = params(vocabulary={"type": "string", "pattern": r"^[\w.-]+\.json$"})


@cache
def _vocabulary(name: str) -> tuple[dict[str, Any], frozenset[str], dict[str, frozenset[str]]]:
    """ddev's lists, read once per run: the whole file, every key a saved view may have, the options by page."""
    data = load_json(name)
    allowed = {"stream": data["stream_options"], "analytics": data["analytics_options"],
               "process_overview": data["process_options"]}
    allowed.update({page: [] for page in data["no_options_pages"]})
    known = frozenset(data["required_headers"]) | frozenset(data["optional_headers"])
    return data, known, {page: frozenset(options) for page, options in allowed.items()}


def schema(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Required name, page, query and type; type and page from ddev's lists; only the options that page allows."""
    yield from not_json(tile, "saved_views", "export the saved view from Datadog again")
    data, known, by_page = _vocabulary(params["vocabulary"])
    for view, value in objects(tile, "saved_views"):
        missing = [key for key in data["required_headers"] if key not in value]
        if missing:
            yield view.problem(f"the saved view has no {', '.join(missing)}")
        for key in (k for k in value if k not in known):
            yield view.problem(f"'{key}' is not a key of a saved view ({', '.join(sorted(known))})", key)
        if "type" in value and value["type"] not in data["valid_types"]:
            yield view.problem(f"type {value['type']!r} is not one of {', '.join(data['valid_types'])}", "type")
        page = value.get("page")
        if "page" in value and page not in data["valid_pages"]:
            yield view.problem(f"page {page!r} is not a page a saved view can open (`tilekit rules saved-views/schema` "
                               "lists them)", "page")
        options = value.get("options")
        if options and not isinstance(options, dict):
            yield view.problem("options must be an object", "options")
        elif isinstance(options, dict) and page in by_page and not set(options) <= by_page[page]:
            extra = sorted(set(options) - by_page[page])
            allowed = ", ".join(sorted(by_page[page])) or "none"
            yield view.problem(f"the {page} page takes no option {', '.join(map(repr, extra))} (it takes: {allowed})",
                               "options")


CHECKS = {
    "saved_views.schema": Check(schema, VOCABULARY_PARAMS),
}
