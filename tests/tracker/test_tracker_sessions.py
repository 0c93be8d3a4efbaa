"""Sessions cut when events are stored: gaps over 30 minutes begin a new one, the first event
is marked, and events stored before sessions existed are cut by the migration."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text
from trackerkit import CLIENT_IP, FIREFOX, NOW, encode, envelope, event, stored_events

from tracker.handler import handle_http
from tracker.migrate import upgrade_engine
from tracker.sessions import new_session_id


def post_at(engine, moment: dt.datetime, *events, ua: str = FIREFOX) -> None:
    status, _, payload = handle_http("POST", {"User-Agent": ua}, encode(envelope(*events)),
                                     CLIENT_IP, engine=engine, now=moment)
    assert status == 202, payload


def test_gaps_over_30_minutes_begin_a_new_session(engine):
    first = [event("pageview", at=NOW), event("search", at=NOW + dt.timedelta(seconds=2))]
    post_at(engine, NOW, *first)
    later = NOW + dt.timedelta(minutes=30)  # exactly 30 minutes: the same session
    post_at(engine, later, event("view", at=later))
    again = later + dt.timedelta(minutes=30, seconds=1)  # over 30 minutes: a new one
    post_at(engine, again, event("pageview", at=again), event("call", at=again))
    other = again + dt.timedelta(minutes=1)  # another browser: its own session
    post_at(engine, other, event("pageview", at=other), ua="Mozilla/5.0 Other")
    rows = sorted(stored_events(engine), key=lambda r: (r["received_at"], r["client_at"]))
    sessions = [row["session_id"] for row in rows]
    assert sessions[0] == sessions[1] == sessions[2] != sessions[3] == sessions[4]
    assert sessions[5] not in sessions[:5]
    assert [bool(row["session_start"]) for row in rows] == [True, False, False, True, False,
                                                            True]
    assert sessions[0] == new_session_id(rows[0]["visitor"], NOW)


def test_a_session_ends_at_midnight_utc(engine):
    # The visitor hash rotates at midnight UTC; the rule holds even for the same hash.
    night = dt.datetime(2026, 3, 2, 23, 50, tzinfo=dt.UTC)
    post_at(engine, night, event("pageview", at=night))
    after = night + dt.timedelta(minutes=15)  # 00:05: 15 minutes later, but another UTC day
    post_at(engine, after, event("view", at=after))
    rows = sorted(stored_events(engine), key=lambda r: r["received_at"])
    assert rows[0]["session_id"] != rows[1]["session_id"]
    assert [bool(row["session_start"]) for row in rows] == [True, True]


def test_events_stored_before_sessions_are_cut_by_the_migration(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        upgrade_engine(engine, "0001")
        insert = text(
            "INSERT INTO events (id, type, page_id, visitor, is_bot, client_at, received_at) "
            "VALUES (:id, 'search', 'p', :visitor, false, :at, :at)")
        with engine.begin() as connection:
            for id_, visitor, at in (("a", "v1", "2026-03-01 10:00:00"),
                                     ("b", "v1", "2026-03-01 10:29:00"),
                                     ("c", "v1", "2026-03-01 11:00:00"),
                                     ("d", "v2", "2026-03-01 10:10:00")):
                connection.execute(insert, {"id": id_, "visitor": visitor, "at": at})
        upgrade_engine(engine)
        with engine.connect() as connection:
            found = connection.execute(text(
                "SELECT id, session_id, session_start FROM events ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [(i, s, bool(start)) for i, s, start in found] == [
        ("a", "v1-b1", True), ("b", "v1-b1", False), ("c", "v1-b2", True),
        ("d", "v2-b1", True)]


def test_a_recent_visitor_needs_no_look_up(engine, monkeypatch):
    from tracker import sessions

    post_at(engine, NOW, event("pageview", at=NOW))
    looked_up: list[str] = []
    real = sessions._latest
    monkeypatch.setattr(sessions, "_latest",
                        lambda connection, visitor: looked_up.append(visitor) or real(
                            connection, visitor))
    soon = NOW + dt.timedelta(minutes=10)
    post_at(engine, soon, event("view", at=soon))
    assert looked_up == []  # seen 10 minutes ago here: the session continues
    late = soon + dt.timedelta(minutes=31)
    post_at(engine, late, event("view", at=late))
    assert len(looked_up) == 1  # over 30 minutes: another process may have stored events
    rows = sorted(stored_events(engine), key=lambda r: r["received_at"])
    assert rows[0]["session_id"] == rows[1]["session_id"] != rows[2]["session_id"]
    sessions.recent_sessions.forget()
    post_at(engine, late + dt.timedelta(minutes=1), event("call", at=late))
    assert len(looked_up) == 2  # unknown here: looked up, and it continues the stored session
    rows = sorted(stored_events(engine), key=lambda r: r["received_at"])
    assert rows[3]["session_id"] == rows[2]["session_id"]
