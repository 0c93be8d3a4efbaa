"""The report's sections, in one list: each one's JSON key, title, columns (JSON key, heading)
and rows, and the rules every format shares for showing a cell (rates, numbers, text).

A new section is one `Section` here (plus its query in `queries.py` and its field in
`rows.ReportData`); the JSON document, the table, the CSV and the HTML all follow this list."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shopgen.report.catalog import ReportCatalog
from shopgen.report.rows import UNKNOWN_BRAND, DayRow, ReportData

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


def _per_session(part: int, sessions: int) -> float | None:
    return round(part / sessions, 2) if sessions else None


def _totals(data: ReportData, _catalog: ReportCatalog) -> Rows:
    sessions = data.funnel.visits
    events = sum(d.events for d in data.days)
    converted = sum(d.converted for d in data.days)
    return {
        "events": events,
        "visits": sessions,
        "sessions": sessions,
        "visitors": sum(d.visitors for d in data.days),
        "pageviews": sum(d.pageviews for d in data.days),
        "searches": data.search_count,
        "views": data.view_count,
        "calls": data.call_count,
        "converted_sessions": converted,
        "conversion_rate": _rate(converted, sessions),
        "events_per_session": _per_session(events, sessions),
    }


def _day_figures(days: list[DayRow]) -> dict[str, Any]:
    sessions = sum(d.sessions for d in days)
    converted = sum(d.converted for d in days)
    return {
        "visitors": sum(d.visitors for d in days),
        "sessions": sessions,
        "pageviews": sum(d.pageviews for d in days),
        "events_per_session": _per_session(sum(d.events for d in days), sessions),
        "calls": sum(d.calls for d in days),
        "converted_sessions": converted,
        "conversion_rate": _rate(converted, sessions),
    }


def _days(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return [{"date": d.day.isoformat(), "visits": d.sessions, **_day_figures([d])}
            for d in data.days]


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the ``period`` (day, ISO week from Monday, month) holding ``day``."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _series(data: ReportData, _catalog: ReportCatalog) -> Rows:
    buckets: dict[dt.date, list[DayRow]] = {}
    for day in data.days:
        buckets.setdefault(period_start(day.day, data.period), []).append(day)
    # A period cut by the window starts at the window's first day.
    return [{"period_start": days[0].day.isoformat(), "period_end": days[-1].day.isoformat(),
             **_day_figures(days)} for days in buckets.values()]


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


FUNNEL_STEPS = ("sessions", "searched or filtered", "viewed a product", "clicked to call")


def _funnel_steps(data: ReportData, _catalog: ReportCatalog) -> Rows:
    funnel = data.funnel
    counts = (funnel.visits, funnel.searched, funnel.viewed, funnel.called)
    return [{"step": step, "sessions": count, "share_of_first": _rate(count, counts[0]),
             "share_of_previous": _rate(count, counts[index - 1]) if index else _rate(
                 count, count)}
            for index, (step, count) in enumerate(zip(FUNNEL_STEPS, counts, strict=True))]


NO_SOURCE = "(none)"
SOURCE_DIMENSIONS = {
    "channels": ("channel",),
    "sources": ("source", "channel"),
    "campaigns": ("campaign", "source", "channel"),
}


def _by_source(data: ReportData, dimension: str) -> list[dict[str, Any]]:
    keys = SOURCE_DIMENSIONS[dimension]
    totals: dict[tuple[str, ...], list[int]] = {}
    for group in data.session_groups:
        if dimension == "campaigns" and group.campaign is None:
            continue
        key = tuple(getattr(group, name) or NO_SOURCE for name in keys)
        counts = totals.setdefault(key, [0] * 5)
        for index, value in enumerate((group.sessions, group.searches, group.views,
                                       group.calls, group.converted)):
            counts[index] += value
    rows = [{**dict(zip(keys, key, strict=True)), "sessions": n, "searches": searches,
             "views": views, "calls": calls, "converted_sessions": converted,
             "conversion_rate": _rate(converted, n)}
            for key, (n, searches, views, calls, converted) in totals.items()]
    return sorted(rows, key=lambda row: (-row["sessions"], *(row[k] for k in keys)))


def _channels(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return _by_source(data, "channels")


def _sources(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return _by_source(data, "sources")


def _campaigns(data: ReportData, _catalog: ReportCatalog) -> Rows:
    return _by_source(data, "campaigns")


def _product_funnel(data: ReportData, catalog: ReportCatalog) -> Rows:
    return [{**_product(catalog, r.sku), "views": r.views, "view_sessions": r.view_sessions,
             "calls": r.calls, "call_sessions": r.call_sessions,
             "call_rate": _rate(r.call_sessions, r.view_sessions)}
            for r in data.product_funnel]


COMPARED = ("visitors", "sessions", "pageviews", "events_per_session", "searches", "views",
            "calls", "converted_sessions", "conversion_rate")


def _comparison(data: ReportData, catalog: ReportCatalog) -> Rows:
    if data.previous is None:
        return []
    now, before = _totals(data, catalog), _totals(data.previous, catalog)
    assert isinstance(now, dict) and isinstance(before, dict)
    rows = []
    for metric in COMPARED:
        current, previous = now[metric], before[metric]
        change = None
        if current is not None and previous:
            change = round((current - previous) / previous, 4)
        rows.append({"metric": metric, "current": current, "previous": previous,
                     "change_rate": change})
    return rows


FIGURES = (("visitors", "Visitors"), ("sessions", "Sessions"), ("pageviews", "Pageviews"),
           ("events_per_session", "Events/session"), ("calls", "Call clicks"),
           ("converted_sessions", "Sessions with a call"), ("conversion_rate", "Conversion"))
SOURCE_FIGURES = (("sessions", "Sessions"), ("searches", "Searches"), ("views", "Product views"),
                  ("calls", "Call clicks"), ("converted_sessions", "Sessions with a call"),
                  ("conversion_rate", "Conversion"))

SECTIONS: tuple[Section, ...] = (
    Section("totals", "Totals", (
        ("sessions", "Sessions"), ("visitors", "Visitors"), ("pageviews", "Pageviews"),
        ("events_per_session", "Events/session"), ("searches", "Searches"),
        ("views", "Product views"), ("calls", "Call clicks"),
        ("converted_sessions", "Sessions with a call"), ("conversion_rate", "Conversion"),
        ("events", "Events"), ("visits", "Visits")), _totals),
    Section("comparison", "Compared with the period before", (
        ("metric", "Figure"), ("current", "This period"), ("previous", "Compared period"),
        ("change_rate", "Change")), _comparison),
    Section("days", "Sessions, visitors and conversion per day", (
        ("date", "Date"), *FIGURES, ("visits", "Visits")), _days),
    Section("series", "Per period", (
        ("period_start", "From"), ("period_end", "To"), *FIGURES), _series),
    Section("channels", "Traffic sources: channels", (
        ("channel", "Channel"), *SOURCE_FIGURES), _channels),
    Section("sources", "Traffic sources: sources", (
        ("source", "Source"), ("channel", "Channel"), *SOURCE_FIGURES), _sources),
    Section("campaigns", "Traffic sources: campaigns", (
        ("campaign", "Campaign"), ("source", "Source"), ("channel", "Channel"),
        *SOURCE_FIGURES), _campaigns),
    Section("funnel_steps", "Funnel per session", (
        ("step", "Step"), ("sessions", "Sessions"), ("share_of_first", "Share of first"),
        ("share_of_previous", "Share of previous")), _funnel_steps),
    Section("product_funnel", "Products: views → calls, per session", (
        ("sku", "SKU"), ("name", "Product"), ("brand", "Brand"), ("views", "Views"),
        ("view_sessions", "Sessions viewing"), ("calls", "Calls"),
        ("call_sessions", "Sessions calling"), ("call_rate", "Call rate")), _product_funnel),
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
    Section("funnel", "Funnel per session: search or filter → view → call", (
        ("visits", "Sessions"), ("searched", "Searched or filtered"), ("viewed", "Then viewed"),
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
    return column.endswith("_rate") or column.startswith("share_of_")


TEXT_COLUMNS = frozenset({"sku", "name", "query", "value", "source", "campaign", "metric"})


def numeric_columns(section: Section, rows: list[dict[str, Any]]) -> set[str]:
    """Columns shown right-aligned: every value a number (or empty), and not an identifier."""
    return {
        key for key, _ in section.columns
        if rows and key not in TEXT_COLUMNS
        and all(isinstance(r.get(key), int | float) or r.get(key) is None for r in rows)
    }
