"""Daily salts and visitor hashes: rotation, deletion of old salts, race-safe creation."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select
from trackerkit import (
    CLIENT_IP,
    FIREFOX,
    NOW,
    encode,
    envelope,
    event,
    stored_events,
    stored_salt_days,
)

from tracker.handler import handle_http
from tracker.models import daily_salts_table
from tracker.privacy import SALT_BYTES, ensure_salt, salt_cache, visitor_hash

DAY = dt.timedelta(days=1)


def send_view(engine, now, ip=CLIENT_IP, agent=FIREFOX):
    sent = event("view", at=now)
    status, _, _ = handle_http("POST", {"User-Agent": agent}, encode(envelope(sent)), ip,
                               engine=engine, now=now)
    assert status == 202
    [row] = [row for row in stored_events(engine) if row["id"] == sent["id"]]
    return row["visitor"]


def test_visitor_hash_is_a_keyed_truncated_hmac():
    salt = b"s" * 16
    first = visitor_hash(salt, FIREFOX, CLIENT_IP)
    assert len(first) == 32 and int(first, 16) >= 0
    assert first == visitor_hash(salt, FIREFOX, CLIENT_IP)
    assert first != visitor_hash(b"t" * 16, FIREFOX, CLIENT_IP)
    assert first != visitor_hash(salt, FIREFOX, "203.0.113.43")
    assert first != visitor_hash(salt, FIREFOX + " ", CLIENT_IP)


def test_same_visitor_within_a_day_and_different_across_days(engine):
    morning = send_view(engine, NOW.replace(hour=0, minute=1))
    evening = send_view(engine, NOW.replace(hour=23, minute=59))
    other_person = send_view(engine, NOW, ip="198.51.100.7")
    next_day = send_view(engine, NOW + DAY)
    assert morning == evening
    assert other_person != morning
    assert next_day != morning


def test_salts_rotate_yesterday_kept_older_deleted(engine):
    day1 = NOW
    send_view(engine, day1)
    assert stored_salt_days(engine) == [day1.date()]
    send_view(engine, day1 + DAY)
    assert stored_salt_days(engine) == [day1.date(), (day1 + DAY).date()]
    send_view(engine, day1 + 2 * DAY)
    assert stored_salt_days(engine) == [(day1 + DAY).date(), (day1 + 2 * DAY).date()]
    send_view(engine, day1 + 10 * DAY)
    assert stored_salt_days(engine) == [(day1 + 10 * DAY).date()]


def test_old_salts_deleted_even_when_today_was_made_elsewhere(engine):
    with engine.begin() as connection:
        for back in (5, 1, 0):
            ensure_salt(connection, NOW.date() - back * DAY)
    salt_cache.forget()  # another container made today's salt; this one starts cold
    send_view(engine, NOW)
    assert stored_salt_days(engine) == [NOW.date() - DAY, NOW.date()]


def test_salts_are_random_and_long_enough(engine):
    with engine.begin() as connection:
        first = ensure_salt(connection, NOW.date())
        second = ensure_salt(connection, NOW.date() + DAY)
        again = ensure_salt(connection, NOW.date() + DAY)
    assert len(first) >= 16 and SALT_BYTES >= 16
    assert first != second and second == again


def test_concurrent_first_use_of_a_day_makes_one_salt(engine):
    day = NOW.date() + 3 * DAY
    results: list[bytes] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            with engine.begin() as connection:
                results.append(ensure_salt(connection, day))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    with engine.connect() as connection:
        stored = connection.execute(
            select(daily_salts_table.c.salt).where(daily_salts_table.c.day == day)).scalars().all()
    assert [bytes(salt) for salt in stored] == [results[0]]
