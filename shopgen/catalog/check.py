"""`shopgen check`: validate the catalog without building (for an editor or a pre-commit hook).

The problems are the build's own, `file:line: message`; `--format json` gives them to tools.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shopgen.catalog.records import load_catalog
from shopgen.config.site_folder import require_shop
from shopgen.errors import CatalogError

_LOCATED = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?P<message>.*)$", re.DOTALL)


def problem_record(problem: str) -> dict[str, Any]:
    """One `file:line: message` problem as {file, line, message} (file and line None when the
    problem has no place)."""
    found = _LOCATED.match(problem)
    if found is None:
        return {"file": None, "line": None, "message": problem}
    return {"file": found["file"], "line": int(found["line"]), "message": found["message"]}


def check_site(site: Path, *, fmt: str = "text", today: dt.date | None = None,
               echo: Callable[[str], None]) -> bool:
    """Validate the catalog of `site`; print the outcome as text or JSON; True when it is valid.

    In text, problems are raised as the build raises them (CatalogError, exit 1); in JSON they
    are printed as one object and the caller exits 1.
    """
    require_shop(site)
    try:
        catalog = load_catalog(site, today)
    except CatalogError as error:
        if fmt != "json":
            raise
        echo(_json(site, 0, [problem_record(p) for p in error.problems]))
        return False
    count = len(catalog.products)
    if fmt == "json":
        echo(_json(site, count, []))
    else:
        echo(f"{site}: {count} product{'s' if count != 1 else ''}, no problems.")
    return True


def _json(site: Path, products: int, problems: list[dict[str, Any]]) -> str:
    return json.dumps({"ok": not problems, "site": str(site), "products": products,
                       "problems": problems}, indent=2, ensure_ascii=False)
