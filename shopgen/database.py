"""Where the tracker's database is (TRACKER_DATABASE_URL, else a SQLite file in the site), and
the one place that turns a bad URL, a missing driver or an unreachable server into `Error: …`.

`db upgrade`, `serve` and `report` all go through ``check_database_url`` and
``database_errors``, so each mistake reads the same in every command.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from shopgen.errors import ShopgenError
from tracker.storage import normalise_database_url

DATABASE_FILE = "tracker.sqlite3"
# The tracker's SQL (INSERT … ON CONFLICT DO NOTHING, the report's queries) is written and
# tested for these two.
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_EXAMPLE = "postgresql://user:password@host/database or sqlite:////path/to/file.sqlite3"


def database_url(site_dir: Path) -> str:
    """The SQLAlchemy URL the tracker, `serve`, `report` and `db upgrade` use for this site."""
    url = os.environ.get("TRACKER_DATABASE_URL", "").strip()
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{(Path(site_dir) / DATABASE_FILE).resolve()}"


def safe_url(url: str | URL) -> str:
    """``url`` for messages: its password hidden (the URL itself never echoed if unparsable)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "TRACKER_DATABASE_URL"


def check_database_url(url: str) -> URL:
    """Parse ``url`` and load its driver, or raise a ShopgenError saying what is wrong."""
    try:
        parsed = make_url(normalise_database_url(url))
    except ArgumentError:
        raise ShopgenError(f"TRACKER_DATABASE_URL is not a database URL (like {URL_EXAMPLE})"
                           ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise ShopgenError(f"the tracker's database must be PostgreSQL or SQLite, not "
                           f"{parsed.drivername} (TRACKER_DATABASE_URL, like {URL_EXAMPLE})")
    plain = "postgresql:// (psycopg)" if backend == "postgresql" else "sqlite:///"
    try:
        dialect = parsed.get_dialect()
        if getattr(dialect, "is_async", False):
            raise ShopgenError(f"{parsed.drivername} is an asyncio driver; the tracker needs a "
                               f"synchronous one: use {plain}")
        dialect.import_dbapi()
    except NoSuchModuleError:
        raise ShopgenError(f"there is no database driver named {parsed.drivername} "
                           f"(TRACKER_DATABASE_URL, like {URL_EXAMPLE})") from None
    except ImportError as error:
        raise ShopgenError(f"the database driver for {parsed.drivername} is not installed "
                           f"(no Python module {error.name}); use {plain}") from None
    return parsed


@contextlib.contextmanager
def database_errors(url: str, doing: str = "use", hint: str = "") -> Iterator[None]:
    """Turn a database failure inside the block into one readable ShopgenError line.

    ``doing`` names the action (``"read"``, ``"upgrade"``…); ``hint``, a sentence, ends the line.
    """
    try:
        yield
    except DBAPIError as error:
        lines = str(getattr(error, "orig", None) or error).strip().splitlines()
        reason = lines[0].strip() if lines else type(error).__name__
        question = ("does its folder exist and can you write to it?" if url.startswith("sqlite")
                    else "is the server running and reachable?")
        advice = f" {hint}" if hint else ""
        raise ShopgenError(f"cannot {doing} the tracker database {safe_url(url)} ({reason}): "
                           f"{question}{advice}") from None


def upgrade_tracker_database(url: str) -> None:
    """Create or upgrade the tracker's schema at ``url``; every failure is a ShopgenError."""
    from alembic.util.exc import CommandError

    from tracker.migrate import upgrade_database

    check_database_url(url)
    with database_errors(url, "upgrade"):
        try:
            upgrade_database(url)
        except CommandError as error:
            # e.g. a database migrated by a newer shopgen: its revision is unknown here.
            raise ShopgenError(f"cannot upgrade the tracker database {safe_url(url)}: "
                               f"{error}") from None
