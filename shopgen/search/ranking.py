"""ranking.json, read once for Python: the field boosts the index is built with (the browser's
js/search.js imports the same file for its query bonuses). A leaf module: shop.yaml's schema
imports it for `search.boost`'s documented defaults."""

from __future__ import annotations

import json
from pathlib import Path

RANKING = json.loads((Path(__file__).parent / "ranking.json").read_text(encoding="utf-8"))
DEFAULT_BOOSTS: dict[str, float] = {k: float(v) for k, v in RANKING["fields"].items()}
