"""README checks: the H2 sections Datadog's tile is built from, anchors, images, characters."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolkit import tilepath
from toolkit.checks import data_collected
from toolkit.checks._schema import NAMES, NO_PARAMS, REGEX, STRING, Check, params
from toolkit.findings import Applicability, Edit, Fix, Op, Problem
from toolkit.markdown import Document, Heading, inline_text
from toolkit.references import image_urls
from toolkit.textfile import State
from toolkit.tile import MANIFEST, README, Tile
from toolkit.tilepath import Kind

_NEAR_MISSES = {"near_misses": {"type": "object", "additionalProperties": NAMES}}
SECTIONS_PARAMS = params(_NEAR_MISSES, sections=NAMES, data_sections=NAMES)
REQUIRED_PARAMS = params(_NEAR_MISSES, sections=NAMES, data_sections=NAMES, anchors=NAMES)
SETUP_PARAMS = params({"not_steps": NAMES}, section=STRING, level={"type": "integer", "minimum": 3, "maximum": 6})
ANCHOR_PARAMS = params(keys=NAMES)
IMAGE_PARAMS = params(raw_url_prefixes=NAMES)
ASCII_PARAMS = params(
    {"replacements": {"type": "object", "additionalProperties": STRING}},
    max_codepoint={"type": "integer", "minimum": 127},
)


def present(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """README.md exists, is a readable file inside the tile, and is not empty."""
    source = tile.text(README)
    if source.state is State.MISSING:
        yield Problem(README, "no README.md in the tile; create it with the sections Datadog requires "
                      "(## Overview, ## Setup, ## Uninstallation, ## Support)")
    elif source.state in (State.DIRECTORY, State.OUTSIDE, State.EMPTY):
        yield Problem(README, f"{source.reason}; README.md must be a text file with the tile's sections")


def required_sections(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each required H2 is present as a top-level heading with that exact text. The finding names the manifest
    anchor that points at the section or at its near miss, so readme/broken-anchor stays silent on it."""
    doc = tile.readme
    if doc is None:
        return
    headings = doc.all_headings
    present_h2 = {h.text for h in doc.sections(2)}
    anchors = _anchors(tile, params["anchors"])
    for name, why in _required(tile, params):
        if name in present_h2:
            continue
        near = _near_miss(name, headings, params.get("near_misses", {}).get(name, ()))
        because = f" (required because {why})" if why else ""
        to_missing = [key for key, target in anchors.items() if _same_anchor(target, name)]
        if near is None:
            already = f"; manifest.json's {_keys(to_missing)} already points at it" if to_missing else ""
            yield Problem(README, f"missing H2 section '## {name}'{because}; add it (headings match exactly, "
                          f"case-sensitive){already}", key=f"section:{name}")
            continue
        to_near = [key for key, target in anchors.items() if near.text != name and _same_anchor(target, near.text)]
        if to_near:
            update = f", and set {_keys(to_near)} in manifest.json to 'README.md#{name}' (it points at the old heading)"
        elif to_missing:
            update = f" (manifest.json's {_keys(to_missing)} already points at README.md#{name})"
        else:
            update = ""
        yield Problem(README, f"missing H2 section '## {name}'{because}; found {_describe(near)} at line "
                      f"{near.line}: {_advice(name, near)}{update}", line=near.line, column=1, key=f"section:{name}",
                      fix=_promote(doc, name, near, to_near))


def _promote(doc: Document, name: str, near: Heading, anchors: list[str]) -> Fix | None:
    """Make the near miss the top-level '## name' and point the manifest anchors that named it there: unsafe, since
    the visible heading (its words or its level) changes. A heading inside a list or quote is left to the partner."""
    if near.nested:
        return None
    after = [h for h in doc.all_headings if not h.nested and h.line > near.line]
    following = next((h for h in after if h.level <= 2), None)
    if any(2 < h.level <= near.level for h in after if following is None or h.line < following.line):
        return None  # promoted, it would take in the sibling headings after it: the partner's decision
    lines = 2 if near.style == "setext" else 1
    source = "\n".join(doc.lines[near.line - 1:near.line - 1 + lines])
    changes: list[Edit | Op] = [Edit(README, near.line, 1, len(source), f"## {name}")]
    changes += [Op("json-set", MANIFEST, {"path": ("tile", key), "value": f"{README}#{name}"}) for key in anchors]
    return Fix(f"make '{_markup(near)}' the section '## {name}'" + (f" and point {_keys(anchors)} at it" if anchors else ""),
               tuple(changes), Applicability.UNSAFE)


def _anchors(tile: Tile, keys: Any) -> dict[str, str]:
    """The manifest's ``tile.<key>`` anchors into the README: key -> the heading named after '#'."""
    found = {}
    for key in keys:
        value = tile.manifest_get("tile", key)
        if isinstance(value, str) and value.startswith(f"{README}#"):
            found[key] = value.split("#", 1)[1]
    return found


def _same_anchor(anchor: str, heading: str) -> bool:
    return anchor == heading or _slug(anchor) == _slug(heading)


def _keys(keys: list[str]) -> str:
    return " and ".join(f"tile.{key}" for key in keys)


def empty_sections(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each required H2 that is present has some content before the next H2."""
    doc = tile.readme
    if doc is None:
        return
    seen: set[str] = set()
    for name, _why in _required(tile, params):
        for heading, body, next_heading in doc.h2_sections:
            if heading.text != name or name in seen:
                continue
            seen.add(name)
            if not any(t["type"] != "blank_line" for t in body):
                until = f"before '{_markup(next_heading)}' at line {next_heading.line}" if next_heading else "at the end of the file"
                yield Problem(README, f"section '## {name}' is empty: nothing {until}; write its content "
                              "(Datadog shows it on the tile)", line=heading.line, column=1)


def setup_subsections(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """``## Setup`` is divided into H3 steps; another section's heading misplaced inside it (an H3 Uninstallation)
    is not a step."""
    doc = tile.readme
    if doc is None:
        return
    name, level = params["section"], params["level"]
    others = {_normal(text) for text in params.get("not_steps", ())}
    for heading, body, _next in doc.h2_sections:
        if heading.text != name:
            continue
        if not any(t["type"] == "heading" and t["attrs"]["level"] == level and
                   _normal(inline_text(t)) not in others for t in body):
            hashes = "#" * level
            yield Problem(README, f"section '## {name}' has no H{level} steps; divide it, e.g. "
                          f"'{hashes} Installation', '{hashes} Configuration', '{hashes} Validation'",
                          line=heading.line, column=1)
        return


def broken_anchors(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each manifest ``tile.*`` value ``README.md#X`` names a heading of the README."""
    doc, manifest = tile.readme, tile.manifest
    if doc is None or manifest is None:
        return
    headings = doc.all_headings
    targets = {h.text for h in headings} | {_slug(h.text) for h in headings}
    for key, anchor in _anchors(tile, params["keys"]).items():
        if anchor in targets or _slug(anchor) in targets:
            continue
        line, column = manifest.position(("tile", key))
        h2 = ", ".join(h.text for h in doc.sections(2)) or "none"
        # Keyed by the section it names: when that is a required section readme/missing-section reports, that
        # finding (which names this anchor) is the one shown.
        yield Problem(MANIFEST, f"$.tile.{key} points at 'README.md#{anchor}' but README.md has no heading "
                      f"'{anchor}' (its H2s: {h2}); add '## {anchor}' to the README or point the anchor at an "
                      "existing heading", line=line, column=column, key=f"section:{anchor}")


def images_exist(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every image the README takes from this tile exists, with the exact case of its name."""
    doc = tile.readme
    if doc is None:
        return
    for url, line in image_urls(doc):
        reference = _in_this_tile(url, tile.name, params["raw_url_prefixes"])
        if reference is None:
            continue
        where = tilepath.resolve(tile, reference)
        if where.kind is Kind.MISSING:
            hint = (f"the file is named '{where.near}' (GitHub is case-sensitive)" if where.near
                    else "add the file under images/ or fix the path")
            problem = f"does not exist in the tile (looked for {tile.path(where.rel)}); {hint}"
        elif where.kind is Kind.FOLDER:
            problem = f"is the folder {tile.path(where.rel)}, not an image file; name the image itself"
        else:
            continue  # a file (tile/unreadable reports one that cannot be read), or a place outside the tile
        yield Problem(README, f"image '{url}' {problem}", line=line, column=doc.lines[line - 1].find(url) + 1 or None)


def ascii_only(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """No character above ``max_codepoint``: ddev's README check rejects them in integrations-extras."""
    doc = tile.readme
    if doc is None:
        return
    limit = params["max_codepoint"]
    replacements: Mapping[str, str] = params.get("replacements", {})
    wide_char = re.compile(f"[^\\x00-\\U{limit:08x}]")
    if not wide_char.search(tile.text(README).text):
        return  # one search over the file: most READMEs have no such character
    for number, text in enumerate(doc.lines, start=1):
        wide = [m for m in wide_char.finditer(text)]
        if not wide:
            continue
        names = ", ".join(dict.fromkeys(_char_name(m.group(), replacements) for m in wide))
        edits = tuple(Edit(README, number, m.start() + 1, 1, replacements[m.group()]) for m in wide
                      if m.group() in replacements)
        replaced = "".join(dict.fromkeys(m.group() for m in wide if m.group() in replacements))
        fix = Fix(f"replace {replaced} with ASCII", edits) if edits else None
        yield Problem(README, f"{len(wide)} character{'s' if len(wide) > 1 else ''} above U+{limit:04X}, which "
                      f"ddev rejects in integrations-extras READMEs: {names}", line=number, column=wide[0].start() + 1,
                      fix=fix)


def partials(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The Hugo shortcodes integrations-extras' check_partials workflow rejects, every occurrence (the workflow
    stops at the first of each kind per file)."""
    doc = tile.readme
    if doc is None:
        return
    text = "\n".join(doc.lines)
    for rule in params["forbidden"]:
        for match in re.finditer(rule["pattern"], text):
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            line = text.count("\n", 0, start) + 1
            yield Problem(README, rule["message"], line=line, column=start - (text.rfind("\n", 0, start) + 1) + 1)


# Indentation is not counted: a fence inside a list item is indented like the item, as the docs build accepts.
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(\S+)")


def reference_links(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """What breaks Datadog's docs build: a reference definition whose label is not a number, a number defined twice
    with different URLs, a code fence never closed."""
    doc = tile.readme
    if doc is None:
        return
    fence: tuple[str, int] | None = None
    numbers: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(doc.lines, start=1):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0][0] and len(opening.group(1)) >= len(fence[0]) \
                    and not line.strip().lstrip(fence[0][0]):
                fence = None
            continue
        if opening:
            fence = (opening.group(1), number)
            continue
        definition = _DEFINITION.match(line)
        if definition is None:
            continue
        label, url = definition.groups()
        if not label.isdigit():
            yield Problem(README, f"reference link [{label}] has a label that is not a number; Datadog's docs build "
                          f"reads only numbered references: write [{len(numbers) + 1}]: and cite it as [text][N]",
                          line=number, column=1)
        elif label in numbers and numbers[label][0] != url:
            yield Problem(README, f"reference [{label}] is defined again with another URL (first at line "
                          f"{numbers[label][1]}); the docs build fails on it: give this one its own number",
                          line=number, column=1)
        else:
            numbers.setdefault(label, (url, number))
    if fence is not None:
        yield Problem(README, f"the code fence opened at line {fence[1]} is never closed; close it with "
                      f"{fence[0]} (the docs build fails on it)", line=fence[1], column=1)


def oauth_uninstall(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An OAuth tile's Uninstallation section says that authorizations are revoked and API keys should be disabled;
    a section at the wrong level (readme/missing-section's) is read all the same."""
    doc = tile.readme
    if doc is None or tile.manifest_get("assets", "oauth") is None:
        return
    headings = [h for h in doc.all_headings if not h.nested]
    wanted = _normal(params["section"])
    found = next((h for h in headings if h.level == 2 and h.text == params["section"]), None) or \
        next((h for h in headings if _normal(h.text) == wanted), None)
    if found is None:
        return
    following = next((h for h in headings if h.line > found.line and h.level <= found.level), None)
    end = following.line - 1 if following else len(doc.lines)
    text = " ".join(doc.lines[found.line:end]).lower()
    lacking = [what for what, words in params["sentences"].items() if not any(w in text for w in words)]
    if lacking:
        yield Problem(README, f"'{_markup(found)}' of an OAuth tile must say {' and '.join(lacking)}; "
                      "Datadog's OAuth guide asks for both sentences", line=found.line, column=1)


def _required(tile: Tile, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(section, why) pairs: the always-required ones, then the data ones when the tile collects data."""
    required = [(name, "") for name in params["sections"]]
    why = tile.memo(data_collected.reasons) if params["data_sections"] else []
    if why:
        required += [(name, "; ".join(why)) for name in params["data_sections"]]
    return required


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _near_miss(name: str, headings: list[Heading], synonyms: Any) -> Heading | None:
    """The heading most likely meant as section ``name``: wrong level or nesting, spelling, a synonym."""
    key = _normal(name)
    tests = (
        lambda h: h.text == name,
        lambda h: _normal(h.text) == key,
        lambda h: _normal(h.text) in {_normal(s) for s in synonyms},
        lambda h: key in _normal(h.text),
    )
    for test in tests:
        for heading in headings:
            if test(heading):
                return heading
    return None


def _markup(heading: Heading) -> str:
    return f"{'#' * heading.level} {heading.text}"


def _describe(heading: Heading) -> str:
    where = " inside a list or quote" if heading.nested else ""
    style = " (setext)" if heading.style == "setext" else ""
    return f"'{_markup(heading)}'{style}{where}"


def _advice(name: str, near: Heading) -> str:
    if near.text == name:
        what = "nested" if near.nested else f"an H{near.level}"
        return f"it is {what}; Datadog reads only top-level H2s, so make it '## {name}'"
    return f"rename it '## {name}'"


def _slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _in_this_tile(url: str, tile_name: str, prefixes: Any) -> str | None:
    """The reference an image URL makes to this tile (its raw GitHub URL made relative), or None when
    it points at another tile."""
    for prefix in prefixes:
        if url.startswith(prefix):
            rest = url[len(prefix):]
            return rest[len(tile_name) + 1:] if rest.startswith(f"{tile_name}/") else None
    return url


def _char_name(char: str, replacements: Mapping[str, str]) -> str:
    import unicodedata

    name = unicodedata.name(char, "unnamed character")
    fix = replacements.get(char)
    return f"'{char}' (U+{ord(char):04X} {name}{', use ' + repr(fix) if fix else ''})"


PARTIALS_PARAMS = params(forbidden={"type": "array", "items": params(pattern=REGEX, message=STRING)})
OAUTH_PARAMS = params(section=STRING, sentences={"type": "object", "additionalProperties": NAMES})

CHECKS = {
    "readme.partials": Check(partials, PARTIALS_PARAMS),
    "readme.reference_links": Check(reference_links, NO_PARAMS),
    "readme.oauth_uninstall": Check(oauth_uninstall, OAUTH_PARAMS),
    "readme.present": Check(present, NO_PARAMS),
    "readme.required_sections": Check(required_sections, REQUIRED_PARAMS),
    "readme.empty_sections": Check(empty_sections, SECTIONS_PARAMS),
    "readme.setup_subsections": Check(setup_subsections, SETUP_PARAMS),
    "readme.broken_anchors": Check(broken_anchors, ANCHOR_PARAMS),
    "readme.images_exist": Check(images_exist, IMAGE_PARAMS),
    "readme.ascii_only": Check(ascii_only, ASCII_PARAMS),
}
