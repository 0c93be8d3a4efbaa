"""Shared fixtures: a tiny valid shop in a temp folder (see tests/sitekit.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browserkit import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from sitekit import REPO, TODAY, write_site  # noqa: E402

# Processed pictures are content-addressed, so every test (and worker) can share one cache.
os.environ.setdefault("SHOPGEN_CACHE_DIR", str(Path.home() / ".cache" / "shopgen-tests"))



@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    """A valid three-product shop; change files with sitekit.write_site(tiny_site, {...})."""
    return write_site(tmp_path / "shop")


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample shop (catalog_data/) built once per test worker."""
    from shopgen.build import build_site

    out = tmp_path_factory.mktemp("sample") / "build"
    build_site(REPO / "catalog_data", out, today=TODAY, echo=lambda *a, **k: None)
    return out


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright (sync API) per test worker: a second one in the same process fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session):
    """One headless Chromium per test worker."""
    instance = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()
