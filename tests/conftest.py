"""Shared fixtures: a tiny valid shop in a temp folder (see tests/sitekit.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sitekit import write_site  # noqa: E402

TODAY = dt.date(2026, 11, 24)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    """A valid three-product shop; change files with sitekit.write_site(tiny_site, {...})."""
    return write_site(tmp_path / "shop")
