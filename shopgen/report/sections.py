"""The report's sections, in one list: each one's JSON key, title, columns (JSON key, heading)
and rows, and the rules every format shares for showing a cell (rates, numbers, text).

A new section is one `Section` here (plus its query in `queries.py` and its field in
`rows.ReportData`); the JSON document, the table, the CSV and the HTML all follow this list."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shopgen.report.catalog import ReportCatalog
from shopgen.report.rows import UNKNOWN_BRAND, ReportData

Rows = dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    """One section of the report: its JSON key, title, columns (JSON key, heading) and how its
    rows are made from the queries' data and the catalog (names and brands of SKUs)."""

    key: str
    title: str
    columns: tuple[tuple[str, str], ...]
    rows: Callable[[ReportData, ReportCatalog], Rows]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _product(catalog: ReportCatalog, sku: str) -> dict[str, Any]:
    info = catalog.products.get(sku)
    brand = catalog.brand_name(info.brand) if info and info.brand else UNKNOWN_BRAND
    return {"sku": sku, "name": info.name if info else None, "brand": brand}


def _totals(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return {
        "events": sum(d.events for d in data.days),
        "visits": data.funnel.visits,
        "visitors": sum(d.visitors for d in data.days),
        "pageviews": sum(d.pageviews for d in data.days),
        "searches": data.search_count,
        "views": data.view_count,
        "calls": data.call_count,
    }


def _days(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return [{"date": d.day.isoformat(), "visitors": d.visitors, "visits": d.visits,
             "pageviews": d.pageviews} for d in data.days]


def _top_searches(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return [{"query": r.term, "searches": r.searches, "visitors": r.visitors,
             "average_results": r.average_results} for r in data.top_searches]


def _no_result_searches(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return [{"query": r.term, "searches": r.searches, "visitors": r.visitors,
             "last_searched": r.last_searched.isoformat(timespec="seconds")}
            for r in data.no_result_searches]


def _top_products(data: ReportData, catalog: ReportCatalog) -> Rows:
    return [{**_product(catalog, r.sku), "views": r.views, "visitors": r.visitors,
             "calls": r.calls, "view_to_call_rate": _rate(r.calls, r.views)}
            for r in data.top_products]


def _filters(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return [{"facet": r.facet, "value": r.value, "uses": r.uses, "visitors": r.visitors}
            for r in data.filters]


def _sorts(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return [{"sort": r.sort, "uses": r.uses, "visitors": r.visitors} for r in data.sorts]


def _calls_by_product(data: ReportData, catalog: ReportCatalog) -> Rows:
    return [{**_product(catalog, r.sku), "calls": r.calls, "visitors": r.visitors}
            for r in data.calls_by_product]


def _calls_by_brand(data: ReportData, catalog: ReportCatalog) -> Rows:
    return [{"brand": r.brand,
             "name": UNKNOWN_BRAND if r.brand == UNKNOWN_BRAND else catalog.brand_name(r.brand),
             "calls": r.calls, "visitors": r.visitors, "products": r.products}
            for r in data.calls_by_brand]


def _funnel(data: ReportData, _catalog: ReportCatalog) -> Rows:
    funnel = data.funnel
    return {
        "visits": funnel.visits,
        "searched": funnel.searched,
        "viewed": funnel.viewed,
        "called": funnel.called,
        "search_rate": _rate(funnel.searched, funnel.visits),
        "view_rate": _rate(funnel.viewed, funnel.searched),
        "call_rate": _rate(funnel.called, funnel.viewed),
    }


SECTIONS: tuple[Section, ...] = (
    Section("totals", "Totals", (
        ("visits", "Visits"), ("visitors", "Visitors"), ("pageviews", "Pageviews"),
        ("searches", "Searches"), ("views", "Product views"), ("calls", "Call clicks"),
        ("events", "Events")), _totals),
    Section("days", "Visitors and pageviews per day", (
        ("date", "Date"), ("visitors", "Visitors"), ("visits", "Visits"),
        ("pageviews", "Pageviews")), _days),
    Section("top_searches", "Top searches", (
        ("query", "Search"), ("searches", "Searches"), ("visitors", "Visitors"),
        ("average_results", "Avg results")), _top_searches),
    Section("no_result_searches", "Searches with no result", (
        ("query", "Search"), ("searches", "Searches"), ("visitors", "Visitors"),
        ("last_searched", "Last searched")), _no_result_searches),
    Section("top_products", "Most viewed products", (
        ("sku", "SKU"), ("name", "Product"), ("brand", "Brand"), ("views", "Views"),
        ("visitors", "Visitors"), ("calls", "Calls"), ("view_to_call_rate", "View→call")),
        _top_products),
    Section("filters", "Filter use", (
        ("facet", "Facet"), ("value", "Value"), ("uses", "Uses"), ("visitors", "Visitors")),
        _filters),
    Section("sorts", "Sort use", (
        ("sort", "Sort"), ("uses", "Uses"), ("visitors", "Visitors")), _sorts),
    Section("calls_by_product", "Call clicks per product", (
        ("sku", "SKU"), ("name", "Product"), ("brand", "Brand"), ("calls", "Calls"),
        ("visitors", "Visitors")), _calls_by_product),
    Section("calls_by_brand", "Call clicks per brand", (
        ("brand", "Brand id"), ("name", "Brand"), ("calls", "Calls"), ("visitors", "Visitors"),
        ("products", "Products")), _calls_by_brand),
    Section("funnel", "Funnel per visit: search → view → call", (
        ("visits", "Visits"), ("searched", "Searched"), ("viewed", "Then viewed"),
        ("called", "Then called"), ("search_rate", "Search rate"), ("view_rate", "View rate"),
        ("call_rate", "Call rate")), _funnel),
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


TEXT_COLUMNS = frozenset({"sku", "name", "query", "value"})


def numeric_columns(section: Section, rows: list[dict[str, Any]]) -> set[str]:
    """Columns shown right-aligned: every value a number (or empty), and not an identifier."""
    return {
        key for key, _ in section.columns
        if rows and key not in TEXT_COLUMNS
        and all(isinstance(r.get(key), int | float) or r.get(key) is None for r in rows)
    }
