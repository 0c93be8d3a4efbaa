"""Browser fixtures: the built sample shop served on 127.0.0.1, and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browserkit import running

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives the browser, and they share one xdist worker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


class ShopServer(http.server.ThreadingHTTPServer):
    """Serves a built site; POSTs to the tracker endpoint are kept in `events`, and each
    answer's path and status in `sent`."""

    daemon_threads = True

    def __init__(self, root: Path):
        self.events: list[dict] = []
        self.sent: list[tuple[str, int]] = []
        handler = functools.partial(_Handler, directory=str(root))
        super().__init__(("127.0.0.1", 0), handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser closing a connection mid-answer (a page closed while loading) is normal."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.sent.append((self.path, code))
        super().send_response(code, message)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/api/events"):
            self.server.events.extend(json.loads(body)["events"])
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


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
