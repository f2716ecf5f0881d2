"""toolkit.markdown: mistune's AST with a line on every top-level block (mistune has none)."""

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
