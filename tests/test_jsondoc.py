"""JSON positions: the targeted lookup gives exactly what the full scan records, for every path."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import jsondoc

KEYS = st.sampled_from(["a", "b", "tile", "media", 'k"ey', "\u00e9", ""])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=25)


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path, (*path, "absent"), (*path, 7)]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([None, 1, 2]), st.sampled_from(["", "\n", "  "]))
def test_targeted_position_equals_the_full_scan(value: Any, indent: int | None, lead: str) -> None:
    text = lead + json.dumps(value, indent=indent, ensure_ascii=False)
    full = jsondoc.parse(text)
    scanned = full._scan[0]  # forces the full scan, which position() then answers from
    assert scanned
    for path in _paths(value):
        assert jsondoc.parse(text).position(path) == full.position(path), path


def test_repeated_keys_point_at_the_first_as_the_scan_does() -> None:
    text = '{"a": {"x": 1},\n "a": {"y": 2}}'
    assert jsondoc.parse(text).position(("a", "y")) == (1, 2)
    assert jsondoc.parse(text).position(("a", "x")) == (1, 8)


def test_many_positions_in_one_file_cost_one_scan_with_the_same_answers() -> None:
    """Each walk skips every value before its own: a finding on each of 2,000 media entries would cost 2,000
    passes over the file (quadratic: SPEC section 9's 10,000 entries took a minute); the file is scanned once."""
    text = json.dumps({"tile": {"media": [{"image_url": f"images/{i}.png"} for i in range(2000)]}}, indent=2)
    walked = [jsondoc.parse(text).position(("tile", "media", i, "image_url")) for i in range(0, 2000, 97)]
    doc = jsondoc.parse(text)
    answers = [doc.position(("tile", "media", i, "image_url")) for i in range(2000)]
    assert "_scan" in doc.__dict__
    assert answers[::97] == walked
    assert answers[1999] == (5 + 3 * 1999, 9)  # "{", "tile", "media", then 3 lines per entry
