"""Markdown parsing with source lines: mistune's AST, plus the line each top-level block starts on.

mistune 3 tokens carry no positions. Its block parser appends every top-level token through
``BlockState.append_token`` / ``add_paragraph`` while ``state.cursor`` still points at the start
of the block, so a ``BlockState`` subclass can stamp the line there. That relies on mistune
internals, as does the quicker reading of plain reference definitions (``parse_ref_link``), hence
the ``mistune>=3.4,<4`` pin and the tests in ``tests/test_markdown.py``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, NamedTuple

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.util import escape_url, unikey

LINE = "_line"


class _LineState(BlockState):
    """A top-level block state that can turn an offset in its source into a 1-based line."""

    def process(self, src: str) -> None:
        super().process(src)
        if self.parent is None:
            self._newlines = [m.start() for m in re.finditer("\n", src)]

    def line_at(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def add_paragraph(self, text: str) -> None:
        # The cursor is at the paragraph's first character here; a setext heading is a converted
        # paragraph, so it keeps this line too.
        super().add_paragraph(text)
        if self.parent is None:
            self.tokens[-1].setdefault(LINE, self.line_at(self.cursor))


# A reference definition alone on its line, `[label]: destination`, with no title on the next line: the common form,
# which mistune reads a character at a time (a sixth of a README's parse on integrations-extras). The destination has
# nothing mistune would unescape, nest or stop at: no angle brackets around it, no backslash, parenthesis, white space
# or control character.
_PLAIN_DEFINITION = re.compile(r"[ \t]*([^\s<()\\\x00-\x1f\x7f][^\s()\\\x00-\x1f\x7f]*)[ \t]*\n(?![ \t\r\f]*[\"'(])")


class _LineBlockParser(BlockParser):
    state_cls = _LineState

    def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
        # Block rules match at the start of their block. Lists and lazy block quotes insert their
        # token before others, and a list may parse the block that ends it on the same state, so
        # stamp every unstamped token from just before the call on (inner calls stamp first).
        if not isinstance(state, _LineState) or state.parent is not None:
            return super().parse_method(m, state)
        first = max(len(state.tokens) - 1, 0)
        end = super().parse_method(m, state)
        line = state.line_at(m.start())
        for token in state.tokens[first:]:
            token.setdefault(LINE, line)
        return end

    def parse_ref_link(self, m: re.Match[str], state: BlockState) -> int | None:
        """A plain reference definition (``_PLAIN_DEFINITION``) read in one match, with the result mistune's reading
        gives it; any other definition, or one that continues a paragraph, is left to mistune."""
        plain = _PLAIN_DEFINITION.match(state.src, m.end())
        last = state.last_token()
        key = unikey(m.group("reflink_1"))
        if plain is None or not key or (last and last["type"] == "paragraph"):
            return super().parse_ref_link(m, state)
        state.env["ref_links"].setdefault(key, {"url": escape_url(plain.group(1)), "label": m.group("reflink_1")})
        return plain.end()


class _LazyInlineMarkdown(mistune.Markdown):
    """Inline-parses only what the checks read: headings, and blocks that may hold an image.

    Inline parsing is most of mistune's time, and the checks never look inside ordinary prose;
    such blocks keep their text as a single raw text child.
    """

    def _iter_render(self, tokens: Iterable[dict[str, Any]], state: BlockState) -> Iterable[dict[str, Any]]:
        for tok in tokens:
            text = tok.get("text")
            if "children" not in tok and text is not None and tok["type"] != "heading":
                lowered = text.lower()
                if "![" not in text and "<img" not in lowered:
                    del tok["text"]
                    tok["children"] = [{"type": "text", "raw": text.strip(" \r\n\t\f")}]
        return super()._iter_render(tokens, state)


@cache
def _parser() -> mistune.Markdown:
    return _LazyInlineMarkdown(renderer=None, block=_LineBlockParser())


class Heading(NamedTuple):
    level: int
    text: str
    line: int
    style: str  # "atx" or "setext"
    nested: bool  # inside a list item or block quote: not a section heading


class Section(NamedTuple):
    """A top-level H2, the tokens up to the next H1 or H2, and that next heading (None at the end)."""

    heading: Heading
    body: list[dict[str, Any]]
    next: Heading | None


@dataclass
class Document:
    """A parsed Markdown file: top-level tokens (each with its line) and the source lines."""

    tokens: list[dict[str, Any]]
    lines: list[str]
    ref_links: dict[str, dict[str, Any]]

    @cached_property
    def all_headings(self) -> list[Heading]:
        """Every heading, top-level or nested, in document order."""
        found: list[Heading] = []
        for token in self.tokens:
            line = token.get(LINE, 1)
            for tok, nested in _walk_blocks(token, nested=False):
                if tok["type"] == "heading":
                    heading = _heading(tok, line, nested)
                    # A nested heading shares its container's stamp; find its own line by its text.
                    found.append(heading._replace(line=self.find_line(heading.text, line)) if nested else heading)
        return found

    @cached_property
    def h2_sections(self) -> list[Section]:
        """Each top-level H2 with its content: what Datadog cuts the tile's tabs from."""
        out: list[Section] = []
        current: tuple[Heading, list[dict[str, Any]]] | None = None
        for token in self.tokens:
            if token["type"] == "heading" and token["attrs"]["level"] <= 2:
                heading = _heading(token, token.get(LINE, 1), nested=False)
                if current:
                    out.append(Section(*current, heading))
                current = (heading, []) if heading.level == 2 else None
            elif current:
                current[1].append(token)
        if current:
            out.append(Section(*current, None))
        return out

    def find_line(self, fragment: str, start: int) -> int:
        """The first line at or after ``start`` that contains ``fragment`` (``start`` if none)."""
        for number in range(start, len(self.lines) + 1):
            if fragment in self.lines[number - 1]:
                return number
        return start

    def sections(self, level: int = 2) -> list[Heading]:
        """Top-level headings of exactly ``level``."""
        return [h for h in self.all_headings if h.level == level and not h.nested]


def _heading(token: dict[str, Any], line: int, nested: bool) -> Heading:
    return Heading(token["attrs"]["level"], inline_text(token), line, token.get("style", "atx"), nested)


def _walk_blocks(token: dict[str, Any], nested: bool) -> Iterator[tuple[dict[str, Any], bool]]:
    yield token, nested
    if token["type"] in ("list", "list_item", "block_quote"):
        for child in token.get("children", ()):
            yield from _walk_blocks(child, nested=True)


def inline_text(token: dict[str, Any]) -> str:
    """The plain text of a token's inline children (emphasis, links and code flattened)."""
    parts: list[str] = []
    for child in token.get("children", ()):
        if "raw" in child:
            parts.append(child["raw"])
        elif child["type"] in ("softbreak", "linebreak"):
            parts.append(" ")
        else:
            parts.append(inline_text(child))
    return "".join(parts).strip()


def parse(text: str) -> Document:
    """Parse Markdown text (newlines already normalised to ``\\n``)."""
    tokens, state = _parser().parse(text)
    assert isinstance(tokens, list)
    return Document(tokens, text.split("\n"), state.env.get("ref_links", {}))
