"""MkDocs hook: the pages' TeX becomes MathML when the site is built, so equations need no network.

``pymdownx.arithmatex`` (generic mode) leaves each formula in the page as
``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``.
This hook swaps each for the MathML that ``latex2mathml`` writes; browsers draw
MathML themselves (no script, no CDN, no font download). A formula that cannot be
converted fails the build, naming the page and the formula.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*'
    r"(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])"
    r"\s*</(?P=tag)>",
    re.DOTALL,
)


def to_mathml(tex: str, display: bool) -> str:
    """One formula's TeX as a MathML ``<math>`` element (``display="block"`` on its own line)."""
    return convert(tex.strip(), display="block" if display else "inline")


def on_page_content(content: str, page: Any, **_: Any) -> str:
    """Replace every arithmatex formula of the page's HTML with MathML."""

    def replace(match: re.Match) -> str:
        display = match["block"] is not None
        tex = html.unescape(match["block"] if display else match["inline"])
        try:
            mathml = to_mathml(tex, display)
        except Exception as err:  # latex2mathml raises bare exceptions of several kinds
            where = page.file.src_path
            raise ValueError(f"{where}: cannot convert the formula {tex!r}: {err}") from err
        return f'<div class="arithmatex">{mathml}</div>' if display else mathml

    return ARITHMATEX.sub(replace, content)
