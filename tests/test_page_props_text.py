"""No text is ever built into a `.props()`, `.classes()` or `.style()` string in pages/.

Those strings are parsed: a quote in user text closes the attribute and adds others (an event
handler, or a `:prop` that NiceGUI evaluates as JavaScript). Values go in as values instead:
`element.props['aria-label'] = text`, `element.style['background'] = colour`. The rule is kept
absolute (only plain string literals and names of constants are passed), so that no one has to
decide, call by call, whether a formatted value could ever hold user text.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pages.markup import text

PAGES = Path(__file__).resolve().parent.parent / 'pages'
PARSED = {'props', 'classes', 'style', 'tailwind'}


def built_strings(source: str) -> list[tuple[int, str]]:
    """(line, call) for each props/classes/style call whose argument is built, not written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in PARSED:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.JoinedStr | ast.BinOp | ast.Call | ast.IfExp | ast.Subscript):
                found.append((node.lineno, f'.{node.func.attr}({ast.unparse(arg)})'))
    return found


@pytest.mark.parametrize('module', sorted(PAGES.glob('*.py')), ids=lambda p: p.name)
def test_no_page_builds_a_props_classes_or_style_string(module: Path) -> None:
    assert built_strings(module.read_text(encoding='utf-8')) == []


def test_the_check_finds_the_reviewed_hole() -> None:
    """The tag-filter chip the outside review exploited, as it was written."""
    before = 'ui.chip(tag).props(f\'aria-label="Remove tag filter {tag}"\')'
    after = "chip = ui.chip(tag)\nchip.props['aria-label'] = f'Remove tag filter {tag}'"
    assert built_strings(before) == [(1, '.props(f\'aria-label="Remove tag filter {tag}"\')')]
    assert built_strings(after) == []


def test_hand_built_html_escapes_quotes_and_angle_brackets() -> None:
    payload = '"><img src=x onerror=alert(1)>\''
    assert text(payload) == '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#x27;'
