"""First search result, shopgen against Pagefind on the same records, in one run.

For each size, builds a synthetic shop (synthetic_catalog.py), indexes the same product pages
(p/*.html, their #details article) with Pagefind (npm `pagefind`, its own binary), serves both
from one gzip-compressing server on 127.0.0.1 and measures in Debian's Chromium, for the same
query, without and with 4x CPU throttling:
- shopgen: navigation to `/?q=QUERY` → the search engine's results painted (the index loaded
  in the worker; the page shows name matches before that, not counted);
- Pagefind: navigation to a page that imports pagefind.js, searches QUERY and loads the first
  8 results' fragments (its result list's first paint needs them);
- for both: time, and bytes received (compressed bodies, the worker's requests included),
  and for the unthrottled runs the bytes by kind of file (page, data, index meta, shards…).
Also the shop page's first load (HTML + CSS + JS, compressed, no images) after the load.
Targets (issue 12): first result <= 1 s unthrottled, bytes <= Pagefind's (goal: half).

Usage: python benchmarks/first_result.py [--sizes 10000] [--query storm]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import io
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_catalog import catalog_sizes, write_catalog  # noqa: E402

from shopgen.build import build_site  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGEFIND = HERE.parent / "node_modules" / ".bin" / "pagefind"
TEXT = {".html", ".css", ".js", ".json", ".xml", ".txt", ".mjs"}
PAGEFIND_PAGE = """<!doctype html><meta charset="utf-8"><title>pagefind</title>
<script type="module">
const pf = await import("./pagefind/pagefind.js");
await pf.init();
const search = await pf.search(new URLSearchParams(location.search).get("q"));
const data = await Promise.all(search.results.slice(0, 8).map((r) => r.data()));
document.title = `done ${search.results.length}`;
performance.mark("first-result", {detail: data.length});
</script>"""
# Installed before the page loads: when the search engine became ready (#shop[data-search]).
SHOPGEN_READY = """new MutationObserver(() => {
  const shop = document.getElementById("shop");
  if (shop && shop.dataset.search && window.__searchReady === undefined) {
    window.__searchReady = performance.now();
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-search"]});"""
# The first render of the query's results after the engine was ready (not the names-only
# answer the page gives before).
SHOPGEN_DONE = """() => new Promise((resolve) => {
  const check = () => {
    const ready = window.__searchReady;
    const done = ready === undefined ? null : performance.getEntriesByName("shopgen:render")
      .find((m) => m.detail.q && m.startTime >= ready);
    if (done) resolve(done.startTime); else requestAnimationFrame(check);
  };
  check();
})"""


class Compressing(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzip-compressed (level 6, as CDNs do) when the browser asks."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (the beacon)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in TEXT or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A page closed mid-download (the next run starts): not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(root: Path) -> http.server.ThreadingHTTPServer:
    server = Server(("127.0.0.1", 0), functools.partial(Compressing, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def received(requests: list) -> dict[str, int]:
    """Compressed response bodies of the finished requests, by kind of file."""
    sizes: dict[str, int] = {}
    for request in requests:
        try:
            size = request.sizes()["responseBodySize"]
            if not size:  # a Worker's requests: Chromium reports no body size, the header has it
                size = int(request.response().headers.get("content-length", 0))
        except Exception:  # noqa: BLE001 (a request that never finished)
            continue
        kind = kind_of(request.url)
        sizes[kind] = sizes.get(kind, 0) + size
    return sizes


KINDS = [("search-shard-", "index shards"), ("search-terms-", "index terms"),
         ("products-", "page data"), ("columns-", "columns"), ("/cards/", "cards"),
         ("/pagefind/", "pagefind"), ("/images/", "images")]


def kind_of(url: str) -> str:
    path = url.split("?")[0]
    name = path.rsplit("/", 1)[-1]
    for needle, kind in KINDS:
        if needle in path:
            return kind
    if name.startswith("search-"):
        return "engine (worker)" if name.endswith(".js") else "index meta"
    if name.endswith((".js", ".css")):
        return "page JS/CSS"
    return "HTML" if name.endswith(".html") or path.endswith("/") else "other"


def run_once(browser, url: str, done_js: str | None, throttle: int,
             ) -> tuple[float, int, dict[str, int]]:
    context = browser.new_context(viewport={"width": 412, "height": 900})
    page = context.new_page()
    if done_js:
        page.add_init_script(SHOPGEN_READY)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    finished: list = []
    context.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="commit")
    if done_js:
        page.wait_for_selector("#shop[data-ready]", timeout=120_000)
        at = page.evaluate(done_js)
    else:
        page.wait_for_function("document.title.startsWith('done')", timeout=120_000)
        at = page.evaluate("performance.getEntriesByName('first-result')[0].startTime")
    page.wait_for_timeout(300)
    deadline = page.evaluate("performance.timeOrigin") + at + 1
    kinds = received([r for r in finished
                      if r.timing["startTime"] + r.timing["responseEnd"] <= deadline])
    context.close()
    return at, sum(kinds.values()), kinds


def first_load(root: Path) -> int:
    """index.html + its CSS and JS (the page's entry and its chunk) + the page's data file
    (what the page needs before it is usable), gzip level 6."""
    files = [root / "index.html", *(f for f in (root / "assets").iterdir()
                                    if (f.suffix in {".css", ".js"} and "search-" not in f.name)
                                    or f.name.startswith("products-"))]
    return sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)


def bench(browser, size: int, query: str, workdir: Path, runs: int) -> None:
    site = write_catalog(workdir / f"shop-{size}", size)
    out = workdir / f"build-{size}"
    build_site(site, out, today=dt.date(2026, 11, 24), echo=lambda *a, **k: None)
    subprocess.run([str(PAGEFIND), "--site", str(out), "--glob", "p/*.html",
                    "--root-selector", "#details"], check=True, capture_output=True)
    (out / "pagefind-bench.html").write_text(PAGEFIND_PAGE)
    server = serve(out)
    base = f"http://127.0.0.1:{server.server_port}/"
    print(f"\n== {size:,} products, query {query!r} (median of {runs}; same server, "
          "same browser, alternating) ==")
    try:
        for throttle in (1, 4):
            rows: dict[str, list[tuple[float, int, dict]]] = {"shopgen": [], "pagefind": []}
            for _ in range(runs):
                rows["shopgen"].append(run_once(browser, f"{base}?q={query}", SHOPGEN_DONE,
                                                throttle))
                rows["pagefind"].append(run_once(browser, f"{base}pagefind-bench.html?q={query}",
                                                 None, throttle))
            for name, values in rows.items():
                ms = statistics.median(v[0] for v in values)
                kb = statistics.median(v[1] for v in values) / 1000
                print(f"  {name:<9} CPU x{throttle}: first result {ms:7.0f} ms after "
                      f"navigation, {kb:7.1f} KB received before it")
                if throttle == 1:
                    kinds = values[-1][2]
                    print("            " + ", ".join(f"{kind} {size / 1000:.1f}" for kind, size
                                                     in sorted(kinds.items(),
                                                               key=lambda k: -k[1])))
        print(f"  shopgen first load (HTML+CSS+JS+data, gzip): {first_load(out) / 1000:.1f} KB")
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=catalog_sizes, default="10000")
    parser.add_argument("--query", default="storm")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        for size in args.sizes:
            bench(browser, size, args.query, Path(tmp), args.runs)
        browser.close()


if __name__ == "__main__":
    main()
