"""templates/js/beacon.js in real headless Chromium, posting to the real tracker (SQLite)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browserkit import running
from trackerkit import stored_events

from shopgen.serve.beacon_http import answer_beacon_request

ROOT = Path(__file__).resolve().parents[2]
BEACON = ROOT / "templates" / "js" / "beacon.js"
PAGE = b"""<!doctype html><meta charset="utf-8"><title>beacon</title>
<script type="module">
import { createBeacon } from "/beacon.js";
window.beacon = createBeacon("/api/events");
window.ready = true;
</script>"""




class PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, engine):
        super().__init__(("127.0.0.1", 0), PageHandler)
        self.engine = engine
        self.requests: list[dict] = []


class PageHandler(BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/beacon.js":
            body, kind = BEACON.read_bytes(), "text/javascript"
        elif self.path == "/":
            body, kind = PAGE, "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.requests.append({"bytes": len(body), "type": self.headers["Content-Type"],
                                     "cookie": self.headers.get("Cookie"),
                                     "events": len(json.loads(body)["events"])})
        # Hand the already-read body to the tracker through a fresh stream.
        import io

        self.rfile = io.BytesIO(body)
        answer_beacon_request(self, self.server.engine)

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def database_kind() -> str:
    """SQLite only: the browser's side is under test (storage is tested on both databases)."""
    return "sqlite"


@pytest.fixture
def site(engine):
    with running(PageServer(engine)) as server:
        yield server


def open_page(browser, site, init_script=None):
    context = browser.new_context()
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
    page.wait_for_function("window.ready === true")
    return context, page


def wait_for_rows(engine, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    rows = stored_events(engine)
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        rows = stored_events(engine)
    return rows


@pytest.mark.browser
def test_events_are_sent_when_the_page_is_left(browser, site, engine):
    context, page = open_page(browser, site)
    page.evaluate("""() => {
        beacon.track("pageview", {path: "/?q=red", referrer: ""});
        beacon.track("search", {query: "red shoes", results: 12});
        beacon.track("filter", {facet: "brand", value: "acme", selected: true, results: 4});
        beacon.track("sort", {sort: "price-asc"});
        beacon.track("view", {sku: "TS-1001"});
        beacon.track("call", {sku: "TS-1001"});
    }""")
    assert site.requests == []  # batched, not sent per event
    storage = page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    page.goto("about:blank")  # pagehide
    rows = wait_for_rows(engine, 6)
    assert sorted(row["type"] for row in rows) == sorted(
        ["pageview", "search", "filter", "sort", "view", "call"])
    by_type = {row["type"]: row for row in rows}
    assert by_type["search"]["query"] == "red shoes" and by_type["search"]["results"] == 12
    assert by_type["filter"]["selected"] is True and by_type["filter"]["value"] == "acme"
    assert by_type["sort"]["sort"] == "price-asc"
    assert by_type["call"]["sku"] == "TS-1001"
    assert by_type["pageview"]["path"] == "/?q=red"
    assert len({row["page_id"] for row in rows}) == 1
    assert all(row["is_bot"] for row in rows)  # HeadlessChrome is flagged
    assert len(site.requests) == 1
    assert site.requests[0]["type"].startswith("text/plain")
    assert site.requests[0]["cookie"] is None
    assert storage == [0, 0, ""] and context.cookies() == []
    context.close()


@pytest.mark.browser
def test_hidden_page_flushes(browser, site, engine):
    context, page = open_page(browser, site)
    page.evaluate("""() => {
        beacon.track("view", {sku: "A-1"});
        Object.defineProperty(document, "visibilityState", {value: "hidden"});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    rows = wait_for_rows(engine, 1, timeout=4)  # well before the 5 s timer
    assert [row["sku"] for row in rows] == ["A-1"]
    context.close()


@pytest.mark.browser
def test_timer_flushes_after_five_seconds(browser, site, engine):
    context, page = open_page(browser, site)
    page.evaluate('() => beacon.track("view", {sku: "T-5"})')
    time.sleep(3)
    assert stored_events(engine) == []
    rows = wait_for_rows(engine, 1, timeout=8)
    assert [row["sku"] for row in rows] == ["T-5"]
    context.close()


@pytest.mark.browser
def test_large_queues_are_split_into_50_events_and_16_kib(browser, site, engine):
    context, page = open_page(browser, site)
    page.evaluate("""() => {
        for (let i = 0; i < 130; i++) beacon.track("view", {sku: "S-" + i});
        for (let i = 0; i < 40; i++)
            beacon.track("pageview", {path: "/" + "p".repeat(1500) + i, referrer: ""});
    }""")
    page.goto("about:blank")
    rows = wait_for_rows(engine, 170)
    assert len(rows) == 170
    assert all(request["events"] <= 50 for request in site.requests)
    assert all(request["bytes"] <= 16 * 1024 for request in site.requests)
    assert len(site.requests) >= 6
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("signal", [
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})",
    "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})",
])
def test_nothing_is_sent_under_gpc_or_dnt(browser, site, engine, signal):
    context, page = open_page(browser, site, init_script=signal)
    page.evaluate("""() => {
        beacon.track("view", {sku: "X"});
        for (let i = 0; i < 60; i++) beacon.track("call", {sku: "Y"});
    }""")
    page.goto("about:blank")
    time.sleep(1.5)
    assert site.requests == [] and stored_events(engine) == []
    context.close()


@pytest.mark.browser
def test_track_never_throws_into_the_page(browser, site, engine):
    context, page = open_page(browser, site)
    result = page.evaluate("""() => {
        const cyclic = {}; cyclic.self = cyclic;
        beacon.track("view", cyclic);           // can't be serialised
        beacon.track("view", {sku: "OK-1"});
        return "still running";
    }""")
    assert result == "still running"
    page.goto("about:blank")
    rows = wait_for_rows(engine, 1)
    assert [row["sku"] for row in rows] == ["OK-1"]
    context.close()


def test_beacon_is_at_most_1_kib_minified_and_gzipped(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        "const esbuild = require('esbuild'); const zlib = require('zlib');"
        f"const out = esbuild.buildSync({{entryPoints: [{json.dumps(str(BEACON))}],"
        " bundle: true, minify: true, format: 'esm', write: false, target: ['es2020']});"
        "console.log(zlib.gzipSync(out.outputFiles[0].contents, {level: 9}).length);"
    )
    size = int(subprocess.run([node, "-e", script], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout)
    assert 0 < size <= 1024
