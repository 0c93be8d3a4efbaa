"""`shopgen report --suggest-synonyms`: searches with no result that are close to catalog words
become a `search.synonyms` block, and the next build's index really uses it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from test_search_index import search_with_engine

from shopgen.catalog import load_catalog
from shopgen.cli import main
from shopgen.report import report_command
from shopgen.report.queries import NoResultRow
from shopgen.report.synonyms import closeness, merged_synonyms, suggest, synonyms_block
from shopgen.search.index import build_search_index
from tracker.migrate import upgrade_database
from tracker.storage import insert_new_events, make_engine

SINCE, UNTIL = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
COLUMNS = ("query", "results", "facet", "value", "selected", "sort", "sku", "path", "referrer")


@pytest.mark.parametrize(
    ("searched", "catalog_word", "kind"),
    [
        ("shoes", "shoe", "plural"), ("shoe", "shoes", "plural"), ("dresses", "dress", "plural"),
        ("berries", "berry", "plural"), ("berry", "berries", "plural"),
        ("sheo", "shoe", "typo"), ("shoo", "shoe", "typo"), ("jackt", "jacket", "typo"),
        ("jackeet", "jacket", "typo"), ("blu", "blue", "prefix"), ("sho", "shoe", "prefix"),
        ("backp", "backpack", "prefix"),
        ("bl", "blue", None), ("hta", "hat", None), ("shoe", "shoe", None),
        ("shoeee", "shoe", None), ("jakcte", "jacket", None),
    ],
)
def test_closeness(searched: str, catalog_word: str, kind: str | None) -> None:
    assert closeness(searched, catalog_word) == kind


def row(term: str, searches: int = 1) -> NoResultRow:
    """A no-result search row."""
    return NoResultRow(term, searches, 1, dt.datetime(2026, 3, 1, tzinfo=dt.UTC))


def test_suggest_prefers_the_closest_kind_and_skips_known_pairs() -> None:
    vocabulary = Counter({"shoe": 5, "shoes": 2, "short": 1, "shorts": 1, "red": 4})
    found = suggest([row("red shoe's"), row("sheo", 3), row("shor"), row("red")], vocabulary,
                    {"shoe": ["sheo"]})
    pairs = [(s.searched, s.catalog_word, s.kind) for s in found]
    # "sheo" → shoe is already in shop.yaml; "shor" is one letter from "shoe" and "short" and
    # a prefix of short/shorts: the typo kind wins, the more frequent catalog word first.
    assert pairs == [("shor", "shoe", "typo"), ("shor", "short", "typo")]
    assert suggest([row("the")], Counter({"there": 1, "these": 1}), {}) == []


def test_merged_block_keeps_existing_entries_and_parses() -> None:
    found = suggest([row("blu"), row("hats", 2)], Counter({"blue": 1, "hat": 3}), {})
    merged = merged_synonyms({"tee": ["tshirt"], "hat": ["cap"]}, found)
    assert merged == {"blue": ["blu"], "hat": ["cap", "hats"], "tee": ["tshirt"]}
    block = synonyms_block(merged)
    assert block.startswith("search:\n  synonyms:\n")
    assert "    hat: [cap, hats]\n" in block
    assert yaml.safe_load(block) == {"search": {"synonyms": merged}}


def write_searches(url: str, terms: list[str]) -> None:
    """Record one search with no result per term (and one that found something)."""
    upgrade_database(url)
    engine = make_engine(url)
    rows = []
    for n, term in enumerate([*terms, "jacket"]):
        received = dt.datetime(2026, 3, 2, 12, n, tzinfo=dt.UTC)
        event: dict[str, Any] = dict.fromkeys(COLUMNS)
        event.update(id=f"s{n}", type="search", page_id=f"p{n}", visitor=f"v{n}", is_bot=False,
                     client_at=received, received_at=received, query=term,
                     results=3 if term == "jacket" else 0)
        rows.append(event)
    insert_new_events(engine, rows)
    engine.dispose()


def test_suggestions_close_the_loop_through_the_search_index(tiny_site: Path,
                                                             tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    write_searches(url, ["Jackt", "fleeces", "backp", "blak", "hike", "zzzz", "the", "café"])
    printed: list[str] = []
    report_command(tiny_site, database=url, echo=printed.append, since=SINCE, until=UNTIL,
                   suggest_synonyms=True)
    text = "\n".join(printed)
    assert "'jackt' (typo, searched 1 time) → jacket" in text
    block = yaml.safe_load(text)  # the comments are YAML comments: it pastes as is
    assert block == {"search": {"synonyms": {
        "backpack": ["rucksack", "backp"],  # rucksack was already in shop.yaml
        "black": ["blak"],
        "fleece": ["fleeces"],
        "hikes": ["hike"],
        "jacket": ["jackt"],
    }}}
    shop = (tiny_site / "shop.yaml").read_text(encoding="utf-8")
    shop = re.sub(r"search:\n(  .*\n)+", "", shop) + yaml.safe_dump(block)
    (tiny_site / "shop.yaml").write_text(shop, encoding="utf-8")
    # The build hands the synonyms to the browser's query side, which finds the products.
    catalog = load_catalog(tiny_site, today=dt.date(2026, 11, 24))
    index = build_search_index(catalog)
    assert [["jackt"], [["jacket"]]] in index["shopgen"]["synonyms"]
    assert [["blak"], [["black"]]] in index["shopgen"]["synonyms"]
    skus = [p.sku for p in catalog.products]
    hits = search_with_engine(index, tmp_path, "jackt", "backp", "blak", "fleeces", "hike")
    assert skus[hits["jackt"][0]] == "AC-1" and skus.index("AC-2") not in hits["jackt"]
    assert skus[hits["backp"][0]] == "AC-2" and skus[hits["blak"][0]] == "AC-2"
    assert skus[hits["fleeces"][0]] == "BO-1" and skus[hits["hike"][0]] == "AC-2"


def test_nothing_to_suggest_says_so(tiny_site: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    write_searches(url, ["zzzz"])
    printed: list[str] = []
    report_command(tiny_site, database=url, echo=printed.append, since=SINCE, until=UNTIL,
                   suggest_synonyms=True)
    assert printed == ["No synonym suggestions: none of the 1 searches without results between "
                       "2026-03-01 and 2026-03-31 is close to a catalog word."]
    printed.clear()
    report_command(tiny_site, database=url, echo=printed.append, since=dt.date(2026, 4, 1),
                   until=dt.date(2026, 4, 2), suggest_synonyms=True)
    assert printed == ["No searches without results between 2026-04-01 and 2026-04-02."]


def test_cli_writes_the_block_to_a_file(tiny_site: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    write_searches(url, ["jackt"])
    out = tmp_path / "synonyms.yaml"
    result = CliRunner().invoke(
        main, ["report", "--site", str(tiny_site), "--since", "2026-03-01", "--until",
               "2026-03-31", "--suggest-synonyms", "--output", str(out)],
        env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote synonym suggestions to {out}"
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["search"]["synonyms"] == {
        "backpack": ["rucksack"], "jacket": ["jackt"]}
