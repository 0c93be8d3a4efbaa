"""Numbers the theme writes in two places, which must agree: a list page's length (the build's
numbered pages and the script's "Show more") and the first screenful of cards (laid out at
once by the stylesheet, listed before the frame by the script)."""

from __future__ import annotations

import re
from pathlib import Path

from shopgen.build.render import LIST_PAGE

THEME = Path(__file__).resolve().parent.parent / "templates"


def number_in(path: str, pattern: str) -> int:
    found = re.findall(pattern, (THEME / path).read_text(encoding="utf-8"))
    assert len(found) == 1, f"{path}: {pattern!r} found {len(found)} times"
    return int(found[0])


def test_the_script_lists_as_many_products_a_page_as_the_build() -> None:
    assert number_in("js/view.js", r"\bconst PAGE = (\d+);") == LIST_PAGE


def test_the_stylesheet_lays_out_at_once_the_cards_the_script_lists_first() -> None:
    first = number_in("js/shop.js", r"\bconst FIRST_CARDS = (\d+);")
    assert number_in("css/style.css", r"\.grid > li:nth-child\(-n\+(\d+)\)") == first
