"""The visitor hash under a daily random salt, and the bot flag.

The raw IP address and user agent are never stored: only
hex(HMAC-SHA256(salt of the day, user_agent + "\\n" + ip))[:32]. Salts live in `daily_salts`;
today's and yesterday's are kept (to bridge midnight), older ones are deleted, so visitors of
different days can't be linked once a day has passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Mapping

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.models import daily_salts_table

SALT_BYTES = 32
VISITOR_HEX_CHARS = 32

_BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|headless|phantomjs|selenium|puppeteer|playwright|lighthouse"
    r"|curl|wget|python-requests|python-urllib|aiohttp|httpx|go-http-client|java/|okhttp"
    r"|libwww|httpclient|axios|node-fetch|undici|scrapy|facebookexternalhit|embedly"
    r"|preview|pingdom|uptime|monitor|feedfetcher|mediapartners|ia_archiver",
    re.IGNORECASE,
)
_PREFETCH_HEADERS = ("purpose", "sec-purpose", "x-purpose", "x-moz")


def is_bot(headers: Mapping[str, str]) -> bool:
    """True for robots, headless browsers, scripts, and prefetch/preview requests.

    ``headers`` must have lower-case names.
    """
    user_agent = headers.get("user-agent", "").strip()
    if not user_agent or _BOT_USER_AGENT.search(user_agent):
        return True
    return any(
        "prefetch" in headers.get(name, "").lower() or "preview" in headers.get(name, "").lower()
        for name in _PREFETCH_HEADERS
    )


def visitor_hash(salt: bytes, user_agent: str, ip: str) -> str:
    """The day's pseudonymous visitor id: a truncated keyed hash of user agent and IP."""
    # surrogatepass: a header may carry a lone surrogate (from the Lambda event's JSON); it is
    # hashed like any other text rather than raising (a 500).
    message = f"{user_agent}\n{ip}".encode("utf-8", "surrogatepass")
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:VISITOR_HEX_CHARS]


def _insert_ignoring_existing(connection: Connection):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(daily_salts_table).on_conflict_do_nothing(index_elements=["day"])


def ensure_salt(connection: Connection, day: dt.date) -> bytes:
    """The salt of ``day``, created if missing (race-safe); salts older than yesterday deleted.

    Run inside a transaction: a concurrent creator's salt wins, never two salts for a day.
    """
    connection.execute(
        _insert_ignoring_existing(connection), {"day": day, "salt": secrets.token_bytes(SALT_BYTES)}
    )
    connection.execute(
        delete(daily_salts_table).where(daily_salts_table.c.day < day - dt.timedelta(days=1))
    )
    salt = connection.execute(
        select(daily_salts_table.c.salt).where(daily_salts_table.c.day == day)
    ).scalar_one()
    return bytes(salt)


class SaltCache:
    """Today's salt per engine, so a warm Lambda reads the table once a day, not per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._salts: dict[int, tuple[Engine, dt.date, bytes]] = {}

    def salt_for(self, engine: Engine, day: dt.date) -> bytes:
        """The salt of ``day`` in the database behind ``engine``."""
        key = id(engine)
        with self._lock:
            cached = self._salts.get(key)
        if cached is not None and cached[0] is engine and cached[1] == day:
            return cached[2]
        salt = self._load(engine, day)
        with self._lock:
            self._salts[key] = (engine, day, salt)
        return salt

    def forget(self) -> None:
        """Drop every cached salt (tests that rewrite the table use this)."""
        with self._lock:
            self._salts.clear()

    @staticmethod
    def _load(engine: Engine, day: dt.date) -> bytes:
        # A read-only look first: on SQLite a read that later writes can hit "database is
        # locked" under concurrency, so the write path is a separate, write-first transaction.
        with engine.connect() as connection:
            salt = connection.execute(
                select(daily_salts_table.c.salt).where(daily_salts_table.c.day == day)
            ).scalar_one_or_none()
        if salt is not None:
            with engine.begin() as connection:
                connection.execute(
                    delete(daily_salts_table).where(
                        daily_salts_table.c.day < day - dt.timedelta(days=1)
                    )
                )
            return bytes(salt)
        with engine.begin() as connection:
            return ensure_salt(connection, day)


salt_cache = SaltCache()
