"""A planned set of sessions for the analytics tests: visitors, entry referrers and UTM tags,
actions, gaps (some of exactly 29 minutes, all between sessions over 30), a bot and a session at
23:30 UTC; stored through the tracker's own row builder, so pageviews are classified at ingest.
The tests compute every expected number from the plan, never from SQL.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tracker.migrate import upgrade_database
from tracker.storage import RequestFacts, event_rows, insert_new_events, make_engine
from tracker.validation import ValidEvent

DAYS = [dt.date(2026, 3, d) for d in (1, 2, 3, 4)]
SKUS = ("TS-1", "TS-2", "TS-3", "TS-4")
TERMS = ("red shoes", "tent", "sheo", "blue hat")
# (path, referrer) as the page sends them, and the channel, source, campaign they must get.
ENTRIES = [
    ("/", None, "direct", None, None),
    ("/?q=tent", "https://www.google.com/", "organic search", "google.com", None),
    ("/?utm_source=google&utm_medium=cpc&utm_campaign=spring", "https://www.google.com/",
     "paid search", "google", "spring"),
    ("/?utm_source=News&utm_medium=email&utm_campaign=nov", None, "email", "news", "nov"),
    ("/", "https://t.co/abc", "social", "t.co", None),
    ("/", "https://blog.example.org/best-tents", "referral", "blog.example.org", None),
    ("/?utm_campaign=flyer", None, "campaign", None, "flyer"),
]


@dataclass
class PlannedSession:
    """One session as planned: who, when, from where, and its events (type, fields, minute)."""

    visitor: str
    start: dt.datetime
    entry: tuple[Any, ...]
    events: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)
    is_bot: bool = False

    def count(self, kind: str) -> int:
        """How many events of ``kind`` it holds."""
        return sum(1 for k, _, _ in self.events if k == kind)

    def times(self) -> list[dt.datetime]:
        """Each event's receive time."""
        return [self.start + dt.timedelta(minutes=m) for _, _, m in self.events]


def plan_sessions(seed: int = 15) -> list[PlannedSession]:
    """Sessions over DAYS: each visitor has 1–3 sessions a day, separated by more than 30
    minutes; inside a session some events follow a pause of exactly 29 minutes (same session)
    and some sessions navigate to a second page; one bot session; one session at 23:30 UTC."""
    rng = random.Random(seed)
    plans = []
    for day in DAYS:
        for number in range(7):
            visitor = f"v{number}-{day:%d}"  # the hash rotates daily: a new visitor each day
            start = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
                minutes=11 * number)
            for _ in range(rng.randint(1, 3)):
                session = _random_session(rng, visitor, start)
                plans.append(session)
                last = session.events[-1][2]
                start += dt.timedelta(minutes=last + rng.choice((31, 45, 150)))
    late = PlannedSession("late-1", dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), ENTRIES[1])
    late.events = [("pageview", _entry_fields(ENTRIES[1]), 0), ("view", {"sku": "TS-1"}, 5),
                   ("call", {"sku": "TS-1"}, 6)]
    bot = PlannedSession("bot-1", dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), ENTRIES[0],
                         is_bot=True)
    bot.events = [("pageview", _entry_fields(ENTRIES[0]), 0), ("call", {"sku": "TS-2"}, 1)]
    return [*plans, late, bot]


def _entry_fields(entry: tuple[Any, ...]) -> dict[str, Any]:
    return {"path": entry[0], **({"referrer": entry[1]} if entry[1] else {})}


def _random_session(rng: random.Random, visitor: str, start: dt.datetime) -> PlannedSession:
    entry = rng.choice(ENTRIES)
    session = PlannedSession(visitor, start, entry, [("pageview", _entry_fields(entry), 0)])
    minute = 0
    for _ in range(rng.randint(0, 5)):
        minute += 29 if rng.random() < 0.2 else rng.randint(1, 3)
        kind = rng.choice(("search", "search", "filter", "view", "view", "call", "pageview"))
        if kind == "search":
            fields: dict[str, Any] = {"query": rng.choice(TERMS), "results": rng.randint(0, 4)}
        elif kind == "filter":
            fields = {"facet": "brand", "value": "acme", "selected": True}
        elif kind == "pageview":  # a second page of the same session, from the shop itself
            fields = {"path": "/page/2/", "referrer": "https://shop.example/"}
        else:
            fields = {"sku": rng.choice(SKUS)}
        session.events.append((kind, fields, minute))
    return session


PLANS = plan_sessions()


def store(url: str) -> None:
    """Migrate, then store every planned event through the tracker's own row builder."""
    upgrade_database(url)
    engine = make_engine(url)
    try:
        rows = []
        for index, session in enumerate(PLANS):
            for number, ((kind, fields, _), moment) in enumerate(
                    zip(session.events, session.times(), strict=True)):
                event = ValidEvent(f"{index:04d}{number:02d}00-0000-4000-8000-000000000000",
                                   kind, moment - dt.timedelta(seconds=1), dict(fields))
                facts = RequestFacts(f"page-{index}-{number}", session.visitor, session.is_bot,
                                     moment)
                rows += event_rows([event], facts)
        assert insert_new_events(engine, rows) == len(rows)
    finally:
        engine.dispose()


def in_window(since: dt.date, until: dt.date, zone: str = "UTC") -> list[PlannedSession]:
    """Planned human sessions that began on a local day of [since, until]."""
    return [s for s in PLANS if not s.is_bot
            and since <= s.start.astimezone(ZoneInfo(zone)).date() <= until]
