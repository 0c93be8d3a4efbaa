"""Render the report document (see `shopgen.report`) as a terminal table, CSV or JSON; HTML lives
in `shopgen.report_html`.

CSV layout: one block per section, in the order of `SECTIONS`, blocks separated by one empty
row. A block's first row is its header: ``section`` followed by the section's column keys (the
JSON keys); each following row starts with the section's key (``totals``, ``days``,
``top_searches``, ``no_result_searches``, ``top_products``, ``filters``, ``sorts``,
``calls_by_product``, ``calls_by_brand``, ``funnel``). `totals` and `funnel` have one row. An
empty value is written as an empty cell, rates as fractions. Text that a spreadsheet would run
as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """One section of the report: its JSON key, title and columns (JSON key, heading)."""

    key: str
    title: str
    columns: tuple[tuple[str, str], ...]


SECTIONS: tuple[Section, ...] = (
    Section("totals", "Totals", (
        ("visits", "Visits"), ("visitors", "Visitors"), ("pageviews", "Pageviews"),
        ("searches", "Searches"), ("views", "Product views"), ("calls", "Call clicks"),
        ("events", "Events"))),
    Section("days", "Visitors and pageviews per day", (
        ("date", "Date"), ("visitors", "Visitors"), ("visits", "Visits"),
        ("pageviews", "Pageviews"))),
    Section("top_searches", "Top searches", (
        ("query", "Search"), ("searches", "Searches"), ("visitors", "Visitors"),
        ("average_results", "Avg results"))),
    Section("no_result_searches", "Searches with no result", (
        ("query", "Search"), ("searches", "Searches"), ("visitors", "Visitors"),
        ("last_searched", "Last searched"))),
    Section("top_products", "Most viewed products", (
        ("sku", "SKU"), ("name", "Product"), ("brand", "Brand"), ("views", "Views"),
        ("visitors", "Visitors"), ("calls", "Calls"), ("view_to_call_rate", "View→call"))),
    Section("filters", "Filter use", (
        ("facet", "Facet"), ("value", "Value"), ("uses", "Uses"), ("visitors", "Visitors"))),
    Section("sorts", "Sort use", (
        ("sort", "Sort"), ("uses", "Uses"), ("visitors", "Visitors"))),
    Section("calls_by_product", "Call clicks per product", (
        ("sku", "SKU"), ("name", "Product"), ("brand", "Brand"), ("calls", "Calls"),
        ("visitors", "Visitors"))),
    Section("calls_by_brand", "Call clicks per brand", (
        ("brand", "Brand id"), ("name", "Brand"), ("calls", "Calls"), ("visitors", "Visitors"),
        ("products", "Products"))),
    Section("funnel", "Funnel per visit: search → view → call", (
        ("visits", "Visits"), ("searched", "Searched"), ("viewed", "Then viewed"),
        ("called", "Then called"), ("search_rate", "Search rate"), ("view_rate", "View rate"),
        ("call_rate", "Call rate"))),
)

MAX_CELL = 48


def section_rows(document: dict[str, Any], section: Section) -> list[dict[str, Any]]:
    """The rows of one section (`totals` and `funnel` are one row each)."""
    value = document[section.key]
    return [value] if isinstance(value, dict) else list(value)


def display_text(value: Any, *, rate: bool = False, width: int = MAX_CELL) -> str:
    """A cell for people: rates as percentages, no control characters, long text shortened."""
    if value is None:
        return "–"
    if rate:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = "".join(
        "\N{REPLACEMENT CHARACTER}" if unicodedata.category(c) in ("Cc", "Cf") else c
        for c in str(value)
    )
    return text if len(text) <= width else text[: width - 1] + "…"


def is_rate(column: str) -> bool:
    """Whether a column holds a fraction shown as a percentage."""
    return column.endswith("_rate")


def _table(title: str, headings: list[str], rows: list[list[str]], numeric: list[bool]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headings)]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if right else c.ljust(w)
            for c, w, right in zip(cells, widths, numeric, strict=True)
        ]
        return "  " + "  ".join(parts).rstrip()

    out = [title, "=" * len(title), line(headings), line(["-" * w for w in widths])]
    out += [line(r) for r in rows] if rows else ["  (none)"]
    return "\n".join(out)


def render_table(document: dict[str, Any]) -> str:
    """A readable plain-text report for the terminal."""
    bots = "bots included" if document["include_bots"] else "bots excluded"
    head = f"shopgen activity report: {document['since']} to {document['until']} ({bots})"
    if document["empty"]:
        return f"{head}\n\n{document['message']}\n"
    blocks = [head]
    for section in SECTIONS:
        rows = section_rows(document, section)
        keys = [key for key, _ in section.columns]
        numeric = [
            bool(rows) and all(isinstance(r.get(k), int | float) or r.get(k) is None for r in rows)
            and k not in ("sku", "name", "query", "value")
            for k in keys
        ]
        cells = [[display_text(r.get(k), rate=is_rate(k)) for k in keys] for r in rows]
        blocks.append(_table(section.title, [h for _, h in section.columns], cells, numeric))
    return "\n\n".join(blocks) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(document: dict[str, Any]) -> str:
    """The report as CSV blocks, one per section (layout in this module's docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for index, section in enumerate(SECTIONS):
        if index:
            writer.writerow([])
        keys = [key for key, _ in section.columns]
        writer.writerow(["section", *keys])
        for row in section_rows(document, section):
            writer.writerow([section.key, *(_csv_cell(row.get(k)) for k in keys)])
    return buffer.getvalue()


def render_json(document: dict[str, Any]) -> str:
    """The report document as indented JSON (keys documented in `shopgen.report`)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _render_html(document: dict[str, Any]) -> str:
    from shopgen.report_html import render_html

    return render_html(document)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "html": _render_html,
}


def render_report(document: dict[str, Any], fmt: str) -> str:
    """Render the document in one of `RENDERERS`' formats."""
    return RENDERERS[fmt](document)
