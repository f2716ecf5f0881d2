"""toolkit.markdown: mistune's AST with a line on every top-level block (mistune has none)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.markdown import LINE, parse


def heads(text: str) -> list[tuple[int, str, int, str, bool]]:
    return [(h.level, h.text, h.line, h.style, h.nested) for h in parse(text).all_headings]


def test_atx_and_setext_headings_carry_their_source_line() -> None:
    text = "# Title\n\nintro\nmore intro\n\n## Overview\n\ntext\n\nSetup\n-----\n\n### Step ###\n"
    assert heads(text) == [
        (1, "Title", 1, "atx", False),
        (2, "Overview", 6, "atx", False),
        (2, "Setup", 10, "setext", False),
        (3, "Step", 13, "atx", False),
    ]


def test_code_and_html_blocks_hide_headings() -> None:
    text = "```\n## fenced\n```\n\n    ## indented\n\n<div>\n## in html\n</div>\n\n## Real\n"
    assert heads(text) == [(2, "Real", 11, "atx", False)]


def test_headings_in_lists_and_quotes_are_nested_with_their_own_line() -> None:
    text = "## A\n\n- item\n\n  ### Inside\n\n> ## Quoted\n\n## B\n"
    assert heads(text) == [
        (2, "A", 1, "atx", False),
        (3, "Inside", 5, "atx", True),
        (2, "Quoted", 7, "atx", True),
        (2, "B", 9, "atx", False),
    ]


def test_blocks_after_lists_keep_exact_lines() -> None:
    doc = parse("- a\n- b\n## After\npara\n\n1. x\n\ntext\n")
    assert [(t["type"], t[LINE]) for t in doc.tokens if t["type"] != "blank_line"] == [
        ("list", 1), ("heading", 3), ("paragraph", 4), ("list", 6), ("paragraph", 8),
    ]


def test_inline_markup_is_flattened_in_heading_text() -> None:
    assert heads("## Data **Collected** `now`\n") == [(2, "Data Collected now", 1, "atx", False)]


def test_long_documents_number_lines_exactly() -> None:
    text = "".join(f"## H{i}\n\npara {i}\n\n" for i in range(500))
    assert [h.line for h in parse(text).all_headings][-3:] == [1989, 1993, 1997]


# Reference definitions: the plain ones are read without mistune's character loop; every reading must be mistune's.
DEFINITIONS = [
    "[1]: https://docs.datadoghq.com/agent/", "[2]: https://example.com/a_b?x=1&y=%20#frag",
    "[Two Words]: https://example.com", "[two  words]: https://other.example", "[1]: https://second.example",
    "[x]: <https://angle.example>", '[x]: https://t.example "Title"', "[x]: https://t.example 'Title'",
    "[x]: https://t.example (Title)", '[x]: https://t.example\n"Title on the next line"',
    "[x]: https://t.example\n  'indented title'", "[x]: https://t.example\n(paren title)",
    "[x]: https://t.example\n\f\"after a form feed\"", "[x]: https://t.example\n\v\"after a vertical tab\"",
    "[x]:\nhttps://next-line.example", "[x]: https://paren.example/a(b)", "[x]: https://paren.example/a(b",
    "[x]: https://paren.example/a)b", "[x]: https://esc.example/a\\_b",
    "[x]: https://tail.example   ", "[]: https://empty.example", "[ ]: https://blank.example",
    "[x]: https://nbsp.example\u00a0tail", "[x]: https://lt.example/a<b>c", "[ünï]: https://ünïcode.example/ä",
    "[x]: https://amp.example/?a=1&amp;b=2", "[x]: https://ctl.example/\x01", "[x]:https://no-space.example",
    "   [x]: https://indented.example", "[x]: https://t.example \"unclosed", "[x]: https://t.example \"t\" trailing",
]
OTHER_LINES = ["", "text", "more text", "- item", "  [y]: https://in-item.example", "> [q]: https://quote.example",
               "## Heading", "```", "    code", "![img][x]", "[link][1]", "<div>", "1. step"]


def _reference_parse(text: str) -> tuple[list, dict]:
    """mistune's own parse, its reference-definition reading untouched."""
    from mistune.block_parser import BlockParser

    from toolkit import markdown

    class Untouched(markdown._LineBlockParser):
        parse_ref_link = BlockParser.parse_ref_link

    tokens, state = markdown._LazyInlineMarkdown(renderer=None, block=Untouched()).parse(text)
    return tokens, state.env["ref_links"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(DEFINITIONS + OTHER_LINES), max_size=12), st.booleans())
def test_reference_definitions_read_as_mistune_reads_them(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if final_newline else "")
    doc = parse(text)
    assert (doc.tokens, doc.ref_links) == _reference_parse(text)


def test_a_plain_definition_keeps_its_url_label_and_the_lines_after_it() -> None:
    doc = parse("[1]: https://example.com/ä?q=1\n[1]: https://later.example\n[Docs]: https://example.com/a b\n\n## Next\n")
    assert doc.ref_links == {"1": {"url": "https://example.com/%C3%A4?q=1", "label": "1"}}  # the first one counts
    # A destination followed by text that is no title is no definition: the line is a paragraph.
    assert [(t["type"], t[LINE]) for t in doc.tokens] == [("paragraph", 3), ("blank_line", 4), ("heading", 5)]
