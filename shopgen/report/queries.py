"""The report's queries over the `events` table: SQLAlchemy Core, the same SQL on SQLite and
PostgreSQL (only the day expression is picked per dialect, in `shopgen.report.zones`).

Every query is scoped by a `Window`: events *received* on or after `since` 00:00 and before
`until + 1 day` 00:00 in the window's time zone, bots left out unless `include_bots`. Results
are plain frozen dataclasses (`shopgen.report.rows`); `collect_report` runs every section on
one connection and can time each one.

Definitions the numbers follow:
- sessions, days, the funnel and traffic sources are in `shopgen.report.sessions`; a
  *visitor* is a distinct visitor hash, and since the hash rotates every UTC day, the same
  person on two days counts as two visitors;
- a search's *term* is its query trimmed and lower-cased (empty queries are left out);
- a filter counts as *used* only when it is switched on (`selected` is true);
- the funnel looks at each session as a whole (events of one beacon batch share their
  receive time, so order inside a session is not used): sessions that searched or filtered,
  of those the ones that viewed a product, of those the ones that clicked Call.

They live in shopgen, not in the tracker: the Lambda only writes events; the report reads them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    case,
    false,
    func,
    select,
    text,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from shopgen.report.rows import (  # noqa: F401 - importable from here too
    UNKNOWN_BRAND,
    BrandCallRow,
    CallRow,
    DayRow,
    FilterRow,
    Funnel,
    Limits,
    NoResultRow,
    ProductFunnelRow,
    ProductRow,
    ReportData,
    SearchRow,
    SessionGroup,
    SortRow,
    Window,
)
from shopgen.report.sessions import (
    product_funnel,
    query_products,
    query_session_groups,
    top_products,
)
from tracker.models import events_table as events


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_datetime(value: Any) -> dt.datetime:
    # A MAX over a subquery column loses its type on SQLite: the stored text comes back.
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _as_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # SQLite keeps no zone: the tracker stores UTC
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _scope(window: Window, *types: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if len(types) == 1:
        conditions.append(events.c.type == types[0])
    elif types:
        conditions.append(events.c.type.in_(types))
    conditions += [events.c.received_at >= window.start, events.c.received_at < window.end]
    if not window.include_bots:
        conditions.append(events.c.is_bot == false())
    return conditions


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _per_visitor(
    keys: dict[str, ColumnElement[Any]],
    conditions: list[ColumnElement[bool]],
    **extra: ColumnElement[Any],
) -> Subquery:
    """Events grouped by ``keys`` and visitor, with their count ``n`` and ``extra`` aggregates.

    Counting distinct visitors as the rows of this subquery (instead of COUNT(DISTINCT …),
    which sorts every group) lets PostgreSQL hash both levels: about three times faster on a
    million events.
    """
    return (
        select(
            *(column.label(name) for name, column in keys.items()),
            func.count().label("n"),
            *(column.label(name) for name, column in extra.items()),
        )
        .where(*conditions)
        .group_by(*keys.values(), events.c.visitor)
        .subquery()
    )


def _search_keys() -> dict[str, ColumnElement[Any]]:
    return {"term": func.lower(func.trim(events.c.query))}


# The tracker validates that each event type has its fields, so the queries below do not repeat
# `facet IS NOT NULL`, `sku IS NOT NULL`…: PostgreSQL would take those as independent of the
# type and expect a hundred times fewer rows, then pick sort-based plans. Groups without a key
# (an empty query, say) are dropped here instead, which is why the limits ask for two more.
_SPARE = 2


def _keyed(rows: list[Any], limit: int | None = None) -> list[Any]:
    kept = [row for row in rows if row[0] not in (None, "")]
    return kept if limit is None else kept[:limit]


def _mean(total: Any, counted: Any) -> float | None:
    return round(int(total) / int(counted), 2) if counted else None


def query_top_searches(conn: Connection, window: Window, limit: int = 25) -> list[SearchRow]:
    """The most frequent search terms with their visitors and average result count."""
    per = _per_visitor(
        _search_keys(),
        _scope(window, "search"),
        total=func.sum(events.c.results),
        counted=func.count(events.c.results),
    )
    searches = func.sum(per.c.n).label("searches")
    stmt = (
        select(per.c.term, searches, func.count(), func.sum(per.c.total), func.sum(per.c.counted))
        .group_by(per.c.term)
        .order_by(searches.desc(), per.c.term)
        .limit(limit + _SPARE)
    )
    return [
        SearchRow(term, int(n), int(visitors), _mean(total, counted))
        for term, n, visitors, total, counted in _keyed(list(conn.execute(stmt)), limit)
    ]


def query_no_result_searches(
    conn: Connection, window: Window, limit: int = 50
) -> list[NoResultRow]:
    """Search terms that found no product, most frequent first."""
    per = _per_visitor(
        _search_keys(),
        [*_scope(window, "search"), events.c.results == 0],
        last=func.max(events.c.received_at),
    )
    searches = func.sum(per.c.n).label("searches")
    stmt = (
        select(per.c.term, searches, func.count(), func.max(per.c.last))
        .group_by(per.c.term)
        .order_by(searches.desc(), per.c.term)
        .limit(limit + _SPARE)
    )
    return [
        NoResultRow(t, int(n), int(v), _as_utc(_as_datetime(last)))
        for t, n, v, last in _keyed(list(conn.execute(stmt)), limit)
    ]


def query_filters(conn: Connection, window: Window) -> list[FilterRow]:
    """Every facet value switched on, grouped by facet, most used first within a facet."""
    per = _per_visitor(
        {"facet": events.c.facet, "value": events.c.value},
        [*_scope(window, "filter"), events.c.selected == true()],
    )
    uses = func.sum(per.c.n).label("uses")
    stmt = (
        select(per.c.facet, per.c.value, uses, func.count())
        .group_by(per.c.facet, per.c.value)
        .order_by(per.c.facet, uses.desc(), per.c.value)
    )
    rows = [row for row in _keyed(list(conn.execute(stmt))) if row[1] is not None]
    return [FilterRow(f, v, int(n), int(w)) for f, v, n, w in rows]


def query_sorts(conn: Connection, window: Window) -> list[SortRow]:
    """Every sort order chosen, most used first."""
    per = _per_visitor({"sort": events.c.sort}, _scope(window, "sort"))
    uses = func.sum(per.c.n).label("uses")
    stmt = (
        select(per.c.sort, uses, func.count())
        .group_by(per.c.sort)
        .order_by(uses.desc(), per.c.sort)
    )
    return [SortRow(s, int(n), int(v)) for s, n, v in _keyed(list(conn.execute(stmt)))]


def query_calls(
    conn: Connection, window: Window, brand_of: Mapping[str, str], limit: int = 25
) -> tuple[list[CallRow], list[BrandCallRow]]:
    """Call clicks per product (top `limit`) and per brand (all), brands from ``brand_of``.

    The database knows SKUs, not brands, so calls are read per (SKU, visitor) — calls are a
    small share of events — and folded into products and brands here.
    """
    stmt = (
        select(events.c.sku, events.c.visitor, func.count())
        .where(*_scope(window, "call"))
        .group_by(events.c.sku, events.c.visitor)
    )
    product_calls: dict[str, int] = defaultdict(int)
    product_visitors: dict[str, int] = defaultdict(int)
    brand_calls: dict[str, int] = defaultdict(int)
    brand_visitors: dict[str, set[str]] = defaultdict(set)
    brand_products: dict[str, set[str]] = defaultdict(set)
    for sku, visitor, count in conn.execute(stmt):
        if sku is None:
            continue
        brand = brand_of.get(sku, UNKNOWN_BRAND)
        product_calls[sku] += int(count)
        product_visitors[sku] += 1
        brand_calls[brand] += int(count)
        brand_visitors[brand].add(visitor)
        brand_products[brand].add(sku)
    products = sorted(
        (CallRow(sku, product_calls[sku], product_visitors[sku]) for sku in product_calls),
        key=lambda row: (-row.calls, -row.visitors, row.sku),
    )[:limit]
    brands = sorted(
        (
            BrandCallRow(b, brand_calls[b], len(brand_visitors[b]), len(brand_products[b]))
            for b in brand_calls
        ),
        key=lambda row: (-row.calls, -row.visitors, row.brand),
    )
    return products, brands


def tune_session(conn: Connection) -> None:
    """Settings for this report's transaction only, on PostgreSQL: no JIT (compiling costs more
    than it saves on these sub-second scans), enough work_mem to hash in memory, and no
    parallel workers per query (the report runs its sections side by side instead; workers'
    start-up and gathering made every section slower on a million events)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL jit = off"))
        # Sessions sort the window's events by visitor and time: in memory, not on disk.
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


Section = Callable[[Connection], Any]


def report_sections(
    window: Window, brand_of: Mapping[str, str], limits: Limits, previous: Window | None = None
) -> dict[str, Section]:
    """Each section's query as a function of a connection, slowest first (so a pool of
    connections finishes them at about the same time); with ``previous`` (--compare), the
    sessions and visitors of that window too."""
    compared: dict[str, Section] = {}
    if previous is not None:
        compared = {
            "previous_sessions": lambda conn: query_session_groups(conn, previous),
        }
    return compared | {
        "sessions": lambda conn: query_session_groups(conn, window),
        "products": lambda conn: query_products(conn, window),
        "top_searches": lambda conn: query_top_searches(conn, window, limits.searches),
        "filters": lambda conn: query_filters(conn, window),
        "no_result_searches": lambda conn: query_no_result_searches(conn, window, limits.no_result),
        "calls": lambda conn: query_calls(conn, window, brand_of, limits.calls),
        "sorts": lambda conn: query_sorts(conn, window),
    }


def days_and_funnel(
    window: Window, groups: list[SessionGroup], visitors: Mapping[dt.date, int]
) -> tuple[list[DayRow], Funnel]:
    """Every local day of the window (zero-filled) and the funnel, from the session groups."""
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0] * 7)
    funnel = [0, 0, 0, 0]
    for group in groups:
        counts = per_day[group.day]
        for index, value in enumerate((group.sessions, group.pageviews, group.events,
                                       group.searches, group.views, group.calls,
                                       group.converted)):
            counts[index] += value
        for index, value in enumerate((group.sessions, group.engaged, group.engaged_viewed,
                                       group.engaged_called)):
            funnel[index] += value
    days = [DayRow(day, visitors.get(day, 0), *per_day.get(day, [0] * 7))
            for day in window.days()]
    return days, Funnel(*funnel)


def assemble_report(
    window: Window, results: dict[str, Any], timings: dict[str, float],
    previous: Window | None = None, limits: Limits | None = None,
) -> ReportData:
    """The `ReportData` from each section's result (keyed as in `report_sections`)."""
    limits = limits or Limits()
    groups, visitors = results["sessions"]
    days, funnel = days_and_funnel(window, groups, visitors)
    calls, brands = results["calls"]
    earlier = None
    if previous is not None:
        before_groups, before_visitors = results["previous_sessions"]
        before_days, before_funnel = days_and_funnel(previous, before_groups, before_visitors)
        earlier = ReportData(previous, before_days, [], [], [], [], [], [], [], before_funnel,
                             before_groups)
    products = results["products"]
    return ReportData(
        window, days, results["top_searches"], results["no_result_searches"],
        top_products(products, limits.products), results["filters"], results["sorts"], calls,
        brands, funnel, groups, product_funnel(products, limits.product_funnel), earlier,
        timings=timings,
    )


def collect_report(
    conn: Connection,
    window: Window,
    brand_of: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    previous: Window | None = None,
) -> ReportData:
    """Run every section on ``conn``, one after the other (``ReportData.timings``: seconds);
    ``previous`` is the window compared with (or None)."""
    tune_session(conn)
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    sections = report_sections(window, brand_of or {}, limits or Limits(), previous)
    for name, section in sections.items():
        started = time.perf_counter()
        results[name] = section(conn)
        timings[name] = time.perf_counter() - started
    return assemble_report(window, results, timings, previous, limits)
