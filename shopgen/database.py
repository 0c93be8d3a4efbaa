"""Where the tracker's database is: TRACKER_DATABASE_URL, else a SQLite file in the site."""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_FILE = "tracker.sqlite3"


def database_url(site_dir: Path) -> str:
    """The SQLAlchemy URL the tracker, `serve`, `report` and `db upgrade` use for this site."""
    url = os.environ.get("TRACKER_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{(Path(site_dir) / DATABASE_FILE).resolve()}"
