"""``GET /api/health``: is the database reachable, and is its schema the one this code expects?

Read-only: one connection, the Alembic version table read, the transaction rolled back. The
answer says what is wrong in words an operator can act on, never the database's own error
text (it may hold a host name or a user).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError


@dataclass(frozen=True)
class Health:
    """The health check's verdict: ``ok``, and what is wrong when it is not."""

    ok: bool
    reason: str = ""
    schema: str = ""


@functools.cache
def expected_schema() -> str:
    """The migration this code expects (the head of tracker/migrations), read once."""
    # Imported here, not at module level: Alembic's script loader is only needed by the health
    # check, and the Lambda's cold start should not pay for it.
    from alembic.script import ScriptDirectory

    from tracker.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(sorted(heads))


def check_health(engine: Engine) -> Health:
    """Whether the database answers and is at ``expected_schema()``; stores nothing."""
    from alembic.runtime.migration import MigrationContext

    expected = expected_schema()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
            connection.rollback()
    except (SQLAlchemyError, DBAPIError) as error:
        return Health(False, f"database unreachable ({type(error).__name__})")
    found = ",".join(sorted(current))
    if not found:
        return Health(False, "database has no tracker schema; run `shopgen db upgrade`")
    if found != expected:
        return Health(False, f"database schema is at {found}, this code expects {expected}; "
                             "run `shopgen db upgrade`", found)
    return Health(True, schema=found)
