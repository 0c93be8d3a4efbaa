"""Retention: delete events (and daily salts) older than a cut-off, in small batches.

Each batch is its own short transaction deleting at most `BATCH` events by primary key, so
the tracker keeps inserting between batches instead of waiting on one long DELETE. Then the
sessions' totals (`session_days`) of the UTC days before the cut-off are deleted and those of
the day it falls in recomputed from the events left.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

from sqlalchemy import Engine, delete, select

from tracker import session_days
from tracker.models import daily_salts_table, events_table, session_days_table

BATCH = 5000
_AGE = re.compile(r"\s*(\d+)\s*([dwmy])\s*")


def parse_age(text: str) -> tuple[int, str]:
    """``13m`` → (13, "m"): a number of days (d), weeks (w), months (m) or years (y)."""
    match = _AGE.fullmatch(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not an age like 90d, 12w, 13m or 2y")
    return int(match.group(1)), match.group(2)


def _months_before(moment: dt.datetime, months: int) -> dt.datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def cutoff(age: str, now: dt.datetime) -> dt.datetime:
    """The instant ``age`` (as `parse_age` reads it) before ``now``."""
    count, unit = parse_age(age)
    if unit == "d":
        return now - dt.timedelta(days=count)
    if unit == "w":
        return now - dt.timedelta(weeks=count)
    return _months_before(now, count * (12 if unit == "y" else 1))


def prune_events(engine: Engine, before: dt.datetime, batch: int = BATCH,
                 progress: Callable[[int], object] | None = None) -> int:
    """Delete events received before ``before`` and salts of days before it, ``batch``
    events a transaction; return how many events were deleted."""
    deleted = 0
    old_ids = (
        select(events_table.c.id).where(events_table.c.received_at < before).limit(batch)
    ).scalar_subquery()
    while True:
        with engine.begin() as connection:
            count = connection.execute(
                delete(events_table).where(events_table.c.id.in_(old_ids))
            ).rowcount
        deleted += count
        if progress is not None and count:
            progress(deleted)
        if count < batch:
            break
    cut_day = before.astimezone(dt.UTC).date()
    with engine.begin() as connection:
        connection.execute(
            delete(session_days_table).where(session_days_table.c.day < cut_day))
        session_days.rebuild(connection, cut_day, cut_day)
        connection.execute(
            delete(daily_salts_table).where(daily_salts_table.c.day < before.date())
        )
    return deleted
