"""A throwaway PostgreSQL database on the local server (127.0.0.1:5432, user postgres)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from sqlalchemy import create_engine, text

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextlib.contextmanager
def fresh_postgres_database(prefix: str = "shopgen_test", *,
                            timezone: str | None = None) -> Iterator[str]:
    """Create an empty database `<prefix>_<random hex>`, yield its URL, drop it afterwards.

    Made through the `postgres` maintenance database, so parallel workers never share one.
    """
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            if timezone:
                connection.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO "
                                        f"'{timezone}'"))
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
