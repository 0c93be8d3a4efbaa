"""What the last import knows about the product files, so the next one need not parse them.

Parsing 10,000 YAML files costs seconds; reading their sizes and times costs milliseconds. The
index keeps each product file's size, modification time and parsed fields (as JSON, with
dates and decimals tagged); a file whose size and time still match is taken from the index,
any other (a hand edit) is parsed again. It lives in the shop's `.shopgen-cache/`, and losing
it only makes the next import slower.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopgen.atomic_files import atomic_write

INDEX = Path(".shopgen-cache") / "import-index-v1.json"

Entry = tuple[int, int, dict[str, Any]]  # size, mtime_ns, fields


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot index {type(value).__name__}")


def _decode(mapping: dict) -> Any:
    if "$decimal" in mapping:
        return Decimal(mapping["$decimal"])
    if "$date" in mapping:
        return dt.date.fromisoformat(mapping["$date"])
    return mapping


def read_index(site: Path) -> dict[str, Entry]:
    """file ("products/x.yaml") → (size, mtime_ns, fields); empty when there is none."""
    try:
        raw = json.loads((site / INDEX).read_text(encoding="utf-8"), object_hook=_decode)
        return {file: (size, mtime, data) for file, (size, mtime, data) in raw.items()}
    except (OSError, ValueError, TypeError):
        return {}


def write_index(site: Path, fields_by_file: dict[str, dict[str, Any]]) -> None:
    """Record the product files as they are now on disk, with the fields they hold."""
    entries = {}
    for file, data in fields_by_file.items():
        try:
            stat = os.stat(site / file)
        except FileNotFoundError:
            continue
        entries[file] = (stat.st_size, stat.st_mtime_ns, data)
    with atomic_write(site / INDEX, "w", encoding="utf-8") as handle:
        json.dump(entries, handle, default=_encode, separators=(",", ":"))
