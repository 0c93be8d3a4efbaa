"""Days in the report's time zone (any IANA zone, checked by the standard library's zoneinfo).

A report's days, periods and window edges are local days of the zone; the events' receive
times are stored in UTC. PostgreSQL converts with ``timezone(zone, ts)``; SQLite has no time
zones, so its local day is ``date(ts, <offset>)`` with the offset picked by a CASE over the
zone's UTC-offset changes inside the window (DST), computed here with zoneinfo.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import Date, case, cast, func, literal, literal_column
from sqlalchemy.sql.elements import ColumnElement

from shopgen.config.shop_yaml import timezone_problem

_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_zone(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone (like Europe/Paris), or None when it is one."""
    # The name is spliced into PostgreSQL's SQL as a literal: only zone-name characters pass.
    if not _ZONE_NAME.fullmatch(name) or name not in _known_zones() | {"UTC"}:
        return f"{name!r} is not an IANA time zone like Europe/Paris or UTC"
    return timezone_problem(name)


def local_midnight(day: dt.date, zone: str) -> dt.datetime:
    """The UTC instant at which ``day`` begins in ``zone``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def offset_changes(start: dt.datetime, end: dt.datetime, zone: str) -> list[tuple[dt.datetime,
                                                                                 int]]:
    """The zone's UTC offset (minutes) from ``start``, then each change before ``end``:
    [(from this UTC instant, offset), …]."""
    tz = ZoneInfo(zone)

    def offset(moment: dt.datetime) -> int:
        delta = moment.astimezone(tz).utcoffset() or dt.timedelta()
        return int(delta.total_seconds() // 60)

    changes = [(start, offset(start))]
    moment = start
    while moment < end:  # a day at a time; where the offset changed, bisect to the instant
        step_end = min(moment + dt.timedelta(days=1), end)
        if offset(step_end) == changes[-1][1]:
            moment = step_end
            continue
        low, high = moment, step_end
        while high - low > dt.timedelta(seconds=1):
            middle = low + (high - low) / 2
            low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
        minute = high.replace(second=0, microsecond=0)  # zones change on whole minutes
        changes.append((minute if minute > low else high, offset(high)))
        moment = high
    return changes


def _sqlite_text(moment: dt.datetime) -> str:
    # How SQLAlchemy stores a DateTime in SQLite (UTC wall-clock text), so text compares work.
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def local_day(column: Any, dialect_name: str, zone: str, start: dt.datetime,
              end: dt.datetime) -> ColumnElement[Any]:
    """The local calendar day in ``zone`` of a UTC timestamp column (rows between ``start``
    and ``end``), per dialect; the zone is a literal, so GROUP BY sees one expression."""
    if check_zone(zone):  # never splice an unchecked name into SQL
        raise ValueError(f"unknown time zone {zone!r}")
    if dialect_name == "postgresql":
        return cast(func.timezone(literal_column(f"'{zone}'"), column), Date)
    changes = offset_changes(start, end, zone)
    if len(changes) == 1 and changes[0][1] == 0:
        return func.date(column)
    if len(changes) == 1:
        return func.date(column, literal_column(f"'{changes[0][1]:+d} minutes'"))
    shift = case(
        *((column < literal(_sqlite_text(moment)), literal(f"{before:+d} minutes"))
          for (moment, _), (_, before) in zip(changes[1:], changes, strict=False)),
        else_=literal(f"{changes[-1][1]:+d} minutes"),
    )
    return func.date(column, shift)
