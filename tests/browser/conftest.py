"""Browser fixtures: the built sample shop served on 127.0.0.1, and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browserkit import running
from shop_server import ShopServer

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives the browser, and they share one xdist worker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def served_build(sample_build: Path) -> Iterator[ShopServer]:
    """The sample build on a random 127.0.0.1 port, for the whole session."""
    with running(ShopServer(sample_build)) as server:
        yield server


@pytest.fixture(scope="module")
def serve_folder() -> Iterator[Callable[[Path], ShopServer]]:
    """Serve a test module's own build like `served_build`: `serve_folder(build_dir)`."""
    with contextlib.ExitStack() as servers:
        yield lambda root: servers.enter_context(running(ShopServer(root)))


@pytest.fixture(scope="session", autouse=True)
def _theme_bundled() -> None:
    """The theme's dist/ must exist and be newer than its sources before anything builds
    (make theme normally does it): bundled again when templates/js, templates/css, or the
    search modules and ranking it imports (shopgen/search/js, ranking.json) changed."""
    manifest = REPO / "templates" / "dist" / "manifest.json"
    theme = REPO / "templates"
    search = REPO / "shopgen" / "search"
    sources = [*(theme / "js").glob("*.js"), *(theme / "css").glob("*.css"),
               *(search / "js").glob("*.js"), search / "ranking.json"]
    if manifest.is_file() and all(s.stat().st_mtime <= manifest.stat().st_mtime for s in sources):
        return
    if not shutil.which("node"):
        pytest.skip("node is needed to bundle the theme")
    subprocess.run(["node", "scripts/bundle-theme.mjs"], cwd=REPO, check=True)


@pytest.fixture
def page(browser, served_build: ShopServer):
    """A fresh desktop page; `page.shop_url` is the served shop. Page errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.shop_url = served_build.url
    yield tab
    context.close()
    assert not errors, errors
