"""The report's sessions from `session_days` (kept at ingest) equal the sessions grouped from
the events themselves, on SQLite and PostgreSQL: for windows in time zones whose midnights
fall inside UTC days, windows cut inside a day, bots in or out, a session that runs across
UTC midnight and one whose events are partly flagged as a bot's. And the rows kept at ingest
equal the rows recomputed from the events, batches sent twice included."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from analyticskit import DAYS, store
from pgkit import fresh_postgres_database
from sqlalchemy import Engine, text

from shopgen.report.rows import Window
from shopgen.report.sessions import query_session_groups
from tracker import session_days
from tracker.storage import RequestFacts, event_rows, insert_new_events, make_engine
from tracker.validation import ValidEvent

ZONES = ("UTC", "Europe/Paris", "Pacific/Auckland", "America/St_Johns", "Asia/Kathmandu")


def _event(number: int, kind: str, fields: dict) -> ValidEvent:
    return ValidEvent(f"{number:08d}-0000-4000-8000-00000000beef", kind,
                      dt.datetime(2026, 3, 2, tzinfo=dt.UTC), fields)


def _post(engine: Engine, visitor: str, at: dt.datetime, events: list[ValidEvent],
          is_bot: bool = False) -> int:
    return insert_new_events(engine, event_rows(events, RequestFacts("p", visitor, is_bot, at)))


def _more_events(engine: Engine) -> None:
    """Through the tracker, request by request: a visitor active across UTC midnight (2 to 3
    March: two sessions), a session with a bot-flagged request (a prefetch) in it, and
    batches sent twice."""
    night = dt.datetime(2026, 3, 2, 23, 50, tzinfo=dt.UTC)
    batches = [
        ("night", night, [_event(1, "pageview", {"path": "/?utm_campaign=late"}),
                          _event(2, "search", {"query": "tent", "results": 3})], False),
        ("night", night + dt.timedelta(minutes=20), [_event(3, "view", {"sku": "TS-1"})], False),
        ("night", night + dt.timedelta(minutes=25), [_event(4, "call", {"sku": "TS-1"})], False),
        ("mixed", night - dt.timedelta(hours=5), [_event(5, "pageview", {"path": "/"})], True),
        ("mixed", night - dt.timedelta(hours=4, minutes=50),
         [_event(6, "pageview", {"path": "/", "referrer": "https://t.co/x"}),
          _event(7, "view", {"sku": "TS-2"})], False),
    ]
    for visitor, at, events, is_bot in batches:
        assert _post(engine, visitor, at, events, is_bot) == len(events)
    for visitor, at, events, is_bot in batches[:2]:  # resent: nothing new, nothing added
        assert _post(engine, visitor, at, events, is_bot) == 0


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Engine]:
    """A tracker database holding the analytics plan and `_more_events`."""
    sqlite = f"sqlite:///{tmp_path_factory.mktemp('session_days') / 'tracker.sqlite3'}"
    with (fresh_postgres_database("session_days_test", timezone="Pacific/Auckland")
          if request.param == "postgresql" else contextlib.nullcontext(sqlite)) as url:
        store(url)
        engine = make_engine(url)
        _more_events(engine)
        yield engine
        engine.dispose()


def _rows(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        found = connection.execute(text(
            f"SELECT {', '.join(session_days.COLUMNS)} FROM session_days "
            "ORDER BY day, session_id, is_bot")).all()
    return [(str(day), sid, bool(bot), *rest) for day, sid, bot, *rest in found]


def test_rows_kept_at_ingest_equal_rows_recomputed_from_the_events(engine: Engine) -> None:
    kept = _rows(engine)
    night = [row for row in kept if row[3] == "night"]
    assert [(row[0], row[8]) for row in night] == [("2026-03-02", 2), ("2026-03-03", 2)]
    assert len({row[1] for row in night}) == 2  # a session ends at midnight UTC
    mixed = [row for row in kept if row[3] == "mixed"]
    assert sorted((row[2], row[8]) for row in mixed) == [(False, 2), (True, 1)]
    with engine.begin() as connection:
        session_days.rebuild(connection)
    assert _rows(engine) == kept


def _windows() -> Iterator[Window]:
    first, last = DAYS[0] - dt.timedelta(days=1), DAYS[-1] + dt.timedelta(days=1)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    for zone, bots in itertools.product(ZONES, (False, True)):
        for since, until in ((days[0], days[-1]), (DAYS[1], DAYS[1]), (DAYS[1], DAYS[2]),
                             (DAYS[0], DAYS[2]), (DAYS[2], DAYS[3])):
            yield Window(since, until, bots, zone)


def test_sessions_from_session_days_equal_sessions_from_the_events(engine: Engine) -> None:
    compared = 0
    with engine.connect() as connection:
        for window in _windows():
            groups, visitors = query_session_groups(connection, window)
            raw_groups, raw_visitors = query_session_groups(connection, window, rolled_up=False)
            key = lambda group: (group.day, group.channel or "", group.source or "",  # noqa: E731
                                 group.campaign or "")
            assert sorted(groups, key=key) == sorted(raw_groups, key=key), window
            assert visitors == raw_visitors, window
            compared += sum(group.sessions for group in raw_groups)
    assert compared > 1000  # the windows held sessions to compare


def test_a_window_cut_inside_a_utc_day_reads_the_edges_from_the_events(engine) -> None:
    # Europe/Paris: 3 March begins at 23:00 UTC on 2 March, inside a UTC day: the session that
    # began at 23:50 UTC is read from the events, and counts on the 3rd.
    window = Window(dt.date(2026, 3, 3), dt.date(2026, 3, 3), zone="Europe/Paris")
    with engine.connect() as connection:
        groups, _ = query_session_groups(connection, window)
    late = [group for group in groups if group.campaign == "late"]
    assert [(g.day, g.sessions, g.events, g.searches) for g in late] == [
        (dt.date(2026, 3, 3), 1, 2, 1)]
