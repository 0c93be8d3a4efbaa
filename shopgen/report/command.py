"""`shopgen report`: what customers searched, did not find, viewed, filtered, sorted and called
about, read from the tracker's database (queries: `shopgen.report.queries`).

Formats: ``table`` (terminal), ``csv``, ``json``, ``html`` (`shopgen.report.formats`,
`shopgen.report.html`). All of them render the one JSON document below, whose keys are stable
(version 1); rates are fractions between 0 and 1 (null when their denominator is 0), dates are
ISO ``YYYY-MM-DD`` (UTC days), times ISO 8601 in UTC.

JSON document:

- ``version`` (1), ``since``, ``until`` (the inclusive UTC days covered), ``include_bots``,
  ``generated_at``, ``empty`` (true when nothing was recorded in the window) and ``message``
  (``"No activity recorded between … and …"`` when empty, else null).
- ``totals``: ``events``, ``visits`` (page loads), ``visitors`` (sum of the daily visitors: the
  visitor hash rotates daily, so someone coming back on another day counts again),
  ``pageviews``, ``searches``, ``views``, ``calls``.
- ``days``: one entry per day of the window, oldest first, zero-filled:
  ``date``, ``visitors``, ``visits``, ``pageviews`` (a visit counts on the day it began).
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
- ``funnel`` (per visit): ``visits``, ``searched`` (visits with a search), ``viewed`` (of those,
  visits that viewed a product), ``called`` (of those, visits that clicked Call),
  ``search_rate`` (searched / visits), ``view_rate`` (viewed / searched), ``call_rate``
  (called / viewed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect

from shopgen.atomic_files import atomic_write
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

DEFAULT_DAYS = 30
JSON_VERSION = 1
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


def report_document(
    data: ReportData, catalog: ReportCatalog, generated_at: dt.datetime | None = None
) -> dict[str, Any]:
    """The report as the JSON document described in this module's docstring."""
    window = data.window
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    empty = data.is_empty
    return {
        "version": JSON_VERSION,
        "since": window.since.isoformat(),
        "until": window.until.isoformat(),
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
) -> ReportData:
    """Run every section of the report against the database at ``database`` (on PostgreSQL,
    on three connections sharing one snapshot)."""
    return _with_database(
        database,
        lambda engine: collect_report_concurrently(engine, window, catalog.brand_of(), limits),
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
) -> None:
    """Print (or write to ``output``) the activity report, or the synonym suggestions."""
    from shopgen.report.formats import render_report
    from shopgen.report.synonyms import render_suggestions

    first, last = resolve_window(since, until)
    window = Window(first, last, include_bots)
    catalog = load_report_catalog(Path(site))
    if suggest_synonyms:
        no_result = _with_database(database, lambda engine: _no_result_searches(engine, window))
        text = render_suggestions(no_result, catalog, first, last)
        _deliver(text, output, echo, "synonym suggestions")
        return
    document = report_document(build_report(database, window, catalog), catalog)
    _deliver(render_report(document, fmt), output, echo, f"the {fmt} report")
    if output is not None and document["empty"]:
        echo(document["message"])
