"""`shopgen report`: what customers searched, did not find, viewed, filtered, sorted and called
about, where they came from and how many sessions ended in a call, read from the tracker's
database (queries: `shopgen.report.queries` and `shopgen.report.sessions`).

Formats: ``table`` (terminal), ``csv`` (printed: one block per section; with ``--output DIR``:
one tidy file per section), ``json``, ``html`` (`shopgen.report.formats`,
`shopgen.report.html`). All of them render the one JSON document below, whose keys are stable;
its JSON Schema is ``docs/report.schema.json``. Rates are fractions between 0 and 1 (null when
their denominator is 0), dates are ISO ``YYYY-MM-DD`` local days of the report's time zone
(``--tz``, else shop.yaml's ``timezone``, else UTC), times ISO 8601 in UTC.

Version 2 (this one) keeps every key of version 1 and adds ``timezone``, ``period``,
``compared_with``, ``comparison``, ``series``, ``channels``, ``sources``, ``campaigns``,
``funnel_steps``, ``product_funnel`` and new keys in ``totals`` and ``days``. One definition
changed: a *visit* was a page load, it is now a **session** (one visitor's events with no gap
over 30 minutes, by receive time; it ends at midnight UTC, when the visitor hash rotates; see
`shopgen.report.sessions`), so ``visits`` equals ``sessions`` and ``funnel`` counts sessions.

JSON document:

- ``version`` (2), ``since``, ``until`` (the inclusive local days covered), ``timezone`` (IANA
  name), ``period`` (``day``, ``week`` or ``month``: the ``series``' buckets),
  ``compared_with`` (``{since, until}`` of the ``--compare`` window, or null),
  ``include_bots``, ``generated_at``, ``empty`` (true when nothing was recorded in the window)
  and ``message`` (``"No activity recorded between … and …"`` when empty, else null).
- ``totals``: ``events``, ``visits`` (= ``sessions``), ``sessions``, ``visitors`` (sum of the
  daily visitors — a day's visitors are the distinct visitor hashes of the sessions that began
  that day; the hash rotates daily, so someone coming back on another day counts again),
  ``pageviews``, ``searches``, ``views``, ``calls``, ``converted_sessions`` (sessions
  with a call click), ``conversion_rate`` (converted_sessions / sessions),
  ``events_per_session``.
- ``comparison`` (empty without ``--compare``): one row per figure, ``metric`` (visitors,
  sessions, pageviews, events_per_session, searches, views, calls, converted_sessions,
  conversion_rate), ``current``, ``previous`` (the compared window: ``previous`` = the same
  number of days just before, ``year`` = the same dates a year before), ``change_rate``
  ((current − previous) / previous, null when previous is 0).
- ``days``: one entry per day of the window, oldest first, zero-filled: ``date``,
  ``visits`` (= sessions), ``visitors``, ``sessions``, ``pageviews``, ``events_per_session``,
  ``calls``, ``converted_sessions``, ``conversion_rate``. A session counts, with its events,
  on the day it began.
- ``series``: the same figures per period (``--period``), ``period_start`` and
  ``period_end`` (weeks start on Monday; a period cut by the window starts or ends with it).
- ``channels``, ``sources``, ``campaigns``: sessions by their entry's traffic source
  (classified at ingest, `tracker.sources`), keyed by ``channel``; ``source`` and
  ``channel``; ``campaign``, ``source`` and ``channel`` (only sessions with a campaign):
  ``sessions``, ``searches``, ``views``, ``calls``, ``converted_sessions``,
  ``conversion_rate``. ``(none)`` when the session had no such value.
- ``funnel_steps``: ``step`` (sessions, searched or filtered, viewed a product, clicked to
  call; each step counts the sessions of the previous one that also did it), ``sessions``,
  ``share_of_first``, ``share_of_previous``.
- ``product_funnel`` (100 products most viewed by sessions): ``sku``, ``name``, ``brand``,
  ``views``, ``view_sessions``, ``calls``, ``call_sessions``, ``call_rate``
  (call_sessions / view_sessions).
- ``top_searches`` (25 most frequent terms; a term is the query trimmed and lower-cased):
  ``query``, ``searches``, ``visitors``, ``average_results``.
- ``no_result_searches`` (50 most frequent terms that found nothing): ``query``, ``searches``,
  ``visitors``, ``last_searched``.
- ``top_products`` (25 most viewed): ``sku``, ``name`` (null when the SKU is not in the
  catalog), ``brand`` (display name, ``"(unknown)"`` when not in the catalog), ``views``,
  ``visitors`` (who viewed it), ``calls``, ``view_to_call_rate`` (calls / views).
- ``filters`` (every facet value switched on; switching off is not a use): ``facet``,
  ``value``, ``uses``, ``visitors``.
- ``sorts``: ``sort``, ``uses``, ``visitors``.
- ``calls_by_product`` (25 most called): ``sku``, ``name``, ``brand``, ``calls``, ``visitors``.
- ``calls_by_brand`` (all): ``brand`` (id, or ``"(unknown)"`` for SKUs not in the catalog),
  ``name``, ``calls``, ``visitors``, ``products``.
- ``funnel`` (per session, the version 1 shape of ``funnel_steps``): ``visits`` (sessions),
  ``searched`` (sessions that searched or filtered), ``viewed`` (of those, sessions that viewed
  a product), ``called`` (of those, sessions that clicked Call), ``search_rate``
  (searched / visits), ``view_rate`` (viewed / searched), ``call_rate`` (called / viewed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, event, inspect

from shopgen.atomic_files import atomic_write
from shopgen.config.shop_yaml import load_shop_block
from shopgen.database import check_database_url, database_errors, safe_url
from shopgen.errors import ShopgenError
from shopgen.report.catalog import ReportCatalog, load_report_catalog
from shopgen.report.parallel import collect_report_concurrently
from shopgen.report.queries import (
    Limits,
    NoResultRow,
    ReportData,
    Window,
    query_no_result_searches,
)
from shopgen.report.sections import SECTIONS
from shopgen.report.zones import check_zone

DEFAULT_DAYS = 30
JSON_VERSION = 2
UPGRADE_HINT = "run `shopgen db upgrade`"


def resolve_window(
    since: dt.date | None, until: dt.date | None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The report's days: by default the last 30 days up to today (UTC), both inclusive."""
    until = until or today or dt.datetime.now(dt.UTC).date()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ShopgenError(f"--since {since} is after --until {until}")
    return since, until


def empty_message(since: dt.date, until: dt.date) -> str:
    """The plain sentence shown when the window holds no activity."""
    return f"No activity recorded between {since} and {until}."


def _sqlite_unicode_lower(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's lower() only folds ASCII; PostgreSQL folds every letter. Same terms on both.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def open_report_engine(url: str) -> Engine:
    """An engine on the tracker's database, refusing to create an empty SQLite file."""
    parsed = check_database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:") and not Path(
            path
        ).is_file():
            raise ShopgenError(f"there is no tracker database at {path}: {UPGRADE_HINT}")
    connect_args = {"connect_timeout": 10} if backend == "postgresql" else {}
    engine = create_engine(parsed, connect_args=connect_args)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_unicode_lower)
    return engine


def _with_database(url: str, work: Callable[[Engine], Any]) -> Any:
    """Run ``work`` on an engine for ``url`` once the events table is known to exist, turning
    database failures into a readable ShopgenError."""
    engine = open_report_engine(url)
    try:
        with database_errors(url, "read", f"If its schema is missing, {UPGRADE_HINT}."):
            with engine.connect() as conn:
                has_events = inspect(conn).has_table("events")
            if not has_events:
                raise ShopgenError(
                    f"the tracker database {safe_url(url)} has no events table: {UPGRADE_HINT}"
                )
            return work(engine)
    finally:
        engine.dispose()


def _no_result_searches(engine: Engine, window: Window) -> list[NoResultRow]:
    with engine.connect() as conn:
        return query_no_result_searches(conn, window, limit=1000)


def comparison_window(window: Window, compare: str | None) -> Window | None:
    """The window ``--compare`` puts beside ``window``: ``previous``, the same number of days
    just before; ``year``, the same dates a year before (29 February → 28 February)."""
    if compare is None:
        return None
    if compare == "previous":
        length = window.until - window.since
        until = window.since - dt.timedelta(days=1)
        return window.shifted(until - length, until)
    if compare == "year":
        return window.shifted(_year_before(window.since), _year_before(window.until))
    raise ValueError(f"unknown comparison {compare!r}")


def _year_before(day: dt.date) -> dt.date:
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def report_document(
    data: ReportData, catalog: ReportCatalog, generated_at: dt.datetime | None = None
) -> dict[str, Any]:
    """The report as the JSON document described in this module's docstring."""
    window = data.window
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    empty = data.is_empty
    previous = data.previous.window if data.previous else None
    return {
        "version": JSON_VERSION,
        "since": window.since.isoformat(),
        "until": window.until.isoformat(),
        "timezone": window.zone,
        "period": data.period,
        "compared_with": None if previous is None else {
            "since": previous.since.isoformat(), "until": previous.until.isoformat()},
        "include_bots": window.include_bots,
        "generated_at": generated_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "empty": empty,
        "message": empty_message(window.since, window.until) if empty else None,
        **{section.key: section.rows(data, catalog) for section in SECTIONS},
    }


def build_report(
    database: str,
    window: Window,
    catalog: ReportCatalog,
    limits: Limits | None = None,
    previous: Window | None = None,
) -> ReportData:
    """Run every section of the report against the database at ``database`` (on PostgreSQL,
    on three connections sharing one snapshot); ``previous``: the window compared with."""
    return _with_database(
        database,
        lambda engine: collect_report_concurrently(engine, window, catalog.brand_of(), limits,
                                                   previous=previous),
    )


def _deliver(text: str, output: Path | None, echo: Callable[[str], Any], what: str) -> None:
    if output is None:
        echo(text.rstrip("\n"))
        return
    try:
        with atomic_write(output, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as error:
        raise ShopgenError(f"cannot write {output}: {error.strerror or error}") from None
    echo(f"Wrote {what} to {output}")


def report_zone(site: Path, tz: str | None) -> str:
    """The report's time zone: ``--tz``, else shop.yaml's ``timezone``, else UTC."""
    zone = tz or load_shop_block(Path(site), "timezone") or "UTC"
    problem = check_zone(zone)
    if problem:
        raise ShopgenError(problem)
    return zone


def _today(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


def report_command(
    site: Path,
    *,
    database: str,
    echo: Callable[[str], Any],
    since: dt.date | None = None,
    until: dt.date | None = None,
    fmt: str = "table",
    output: Path | None = None,
    include_bots: bool = False,
    suggest_synonyms: bool = False,
    period: str = "day",
    compare: str | None = None,
    tz: str | None = None,
) -> None:
    """Print (or write to ``output``) the activity report, or the synonym suggestions.

    With ``fmt="csv"`` and an ``output``, ``output`` is a folder that receives one CSV file per
    section (`shopgen.report.formats.write_csv_folder`)."""
    from shopgen.report.formats import render_report, write_csv_folder
    from shopgen.report.synonyms import render_suggestions

    zone = report_zone(site, tz)
    first, last = resolve_window(since, until, _today(zone))
    window = Window(first, last, include_bots, zone)
    catalog = load_report_catalog(Path(site))
    if suggest_synonyms:
        no_result = _with_database(database, lambda engine: _no_result_searches(engine, window))
        text = render_suggestions(no_result, catalog, first, last)
        _deliver(text, output, echo, "synonym suggestions")
        return
    data = build_report(database, window, catalog, previous=comparison_window(window, compare))
    document = report_document(dataclasses.replace(data, period=period), catalog)
    if fmt == "csv" and output is not None:
        written = write_csv_folder(document, output)
        echo(f"Wrote {len(written)} CSV files to {output}")
    else:
        _deliver(render_report(document, fmt), output, echo, f"the {fmt} report")
    if output is not None and document["empty"]:
        echo(document["message"])
