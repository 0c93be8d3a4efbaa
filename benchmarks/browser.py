"""Browser benchmark: the shop page in headless Chromium at 1,000 and 10,000 products.

Builds synthetic shops (benchmarks/synthetic_catalog.py: 24 pictures shared by all products),
serves each with `shopgen serve`'s server on 127.0.0.1 (benchmarks/preview_server.py: publish's
cache headers, brotli/gzip as a CDN compresses) and measures, in Debian's Chromium:
- bytes before first paint and in total (as that server sends them: brotli for text);
- time until the page is interactive (filters) and until search is usable (index loaded);
- keystroke → results rendered and → painted (median, p95), typing real keys;
- facet click → grid and counts updated (painted), and → the rest of the page of results
  listed after the paint; sort change;
- the longest main-thread task while loading;
- first load (HTML + CSS + JS + the page's data file, compressed; no images, columns, cards
  or index);
- bytes fetched before the first search result at 10,000 products;
- details: click on a card → dialog shown, → details filled in from the product page
  (p/<anchor>.html, fetched on first open), and a product page's own first load.
Targets: keystroke and facet click <= 16 ms (median) at 10,000; first load <= 100 KB;
bytes before the first result <= Pagefind's for its first query (benchmarks/first_result.py
measures both in one run).

Usage: python benchmarks/browser.py [--sizes 1000,10000] [--keys]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from first_result import kind_of  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from preview_server import preview, sent_bytes  # noqa: E402
from synthetic_catalog import catalog_sizes, write_catalog  # noqa: E402

from shopgen.build import build_site  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
QUERIES = ["storm jacket", "merino", "trail boot", "polar fleece", "rugged pack", "quiet"]

# Runs in the page before its scripts: timestamps of readiness, renders, paints, long tasks.
PAINTED = "__probe.renders.length && __probe.renders[0].painted !== undefined"
LISTED = "__probe.renders.length && __probe.renders[0].listed !== undefined"
PROBE = """
(() => {
  const probe = {renders: [], long: [], input: null, ready: null, search: null};
  window.__probe = probe;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) probe.long.push(e.duration);
  }).observe({type: "longtask", buffered: true});
  for (const type of ["keydown", "click", "change"]) {
    addEventListener(type, e => {
      if (e.isTrusted || type === "change") probe.input = e.timeStamp;
    }, true);
  }
  // The page marks "shopgen:render" when its DOM is updated. The frame that paints it is the
  // next animation frame, so its rAF is requested right there (a PerformanceObserver callback
  // would come a task later and often wait one frame more than the page does); "painted" is
  // when that frame's rendering is done (the task right after its rAF callbacks).
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    const entry = mark(name, options);
    if (name === "shopgen:render" && probe.input !== null) {
      const start = probe.input;
      const record = {q: entry.detail && entry.detail.q, rendered: entry.startTime - start,
                      counted: entry.detail && entry.detail.counted};
      probe.renders.push(record);
      requestAnimationFrame(() => setTimeout(() => {
        record.painted = performance.now() - start;
      }));
    }
    // The rest of the page of results, listed after the paint (shop.js listRest).
    if (name === "shopgen:listed" && probe.renders.length) {
      const record = probe.renders[probe.renders.length - 1];
      if (record.listed === undefined) record.listed = entry.startTime - probe.input;
    }
    return entry;
  };
  new MutationObserver(() => {
    const shop = document.getElementById("shop");
    if (!shop) return;
    if (shop.dataset.ready && probe.ready === null) probe.ready = performance.now();
    if (shop.dataset.search && probe.search === null) probe.search = performance.now();
  }).observe(document, {subtree: true, attributes: true,
                        attributeFilter: ["data-ready", "data-search"]});
})();
"""


def wait_until_listed(page) -> None:
    """Until the rest of the page of results is listed after the paint; a result that fits
    the first screenful lists no rest (then the wait ends by its timeout)."""
    try:
        page.wait_for_function(LISTED, timeout=2000)
    except PlaywrightTimeout:
        pass


class Sizes:
    """Bytes of each served file as the preview server sends it to Chromium (cached)."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[str, int] = {}

    def __call__(self, url: str) -> int:
        path = urlparse(url).path.lstrip("/") or "index.html"
        if path not in self.cache:
            file = self.root / path
            if not file.is_file():
                return 0
            self.cache[path] = sent_bytes(path, file.read_bytes())
        return self.cache[path]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def kb(n: float) -> str:
    return f"{n / 1000:.1f} KB"


def measure(browser, url: str, sizes: Sizes) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(PROBE)
    fetched: list[tuple[float, str]] = []
    page.on("requestfinished", lambda r: fetched.append((r.timing["responseEnd"], r.url)))
    page.goto(url)
    page.wait_for_selector("#shop[data-ready]")
    box = page.get_by_role("searchbox", name="Search products")
    box.focus()
    page.wait_for_selector("#shop[data-search=ready]", timeout=120_000)
    timing = page.evaluate("""() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const fp = performance.getEntriesByName("first-contentful-paint")[0];
      const res = performance.getEntriesByType("resource").map(r => [r.name, r.responseEnd]);
      return {fcp: fp ? fp.startTime : null, html: nav.responseEnd, res,
              ready: __probe.ready, search: __probe.search, long: __probe.long};
    }""")
    before_paint = sizes(url) + sum(sizes(name) for name, end in timing["res"]
                                    if timing["fcp"] and end <= timing["fcp"])
    load_bytes = {u: sizes(u) for _, u in fetched}  # the page's and its worker's requests
    first_load = sum(v for k, v in load_bytes.items()
                     if k == url or k.endswith(".css") or "/assets/products-" in k
                     or (k.endswith(".js") and "/search-" not in k))
    images = sum(v for k, v in load_bytes.items() if "/images/" in k)

    # Keystrokes: type each query key by key; the first render of each key is its latency.
    first_result_bytes = None
    keys: list[dict] = []
    for query in QUERIES:
        box.fill("")
        page.wait_for_timeout(150)
        page.evaluate("__probe.renders.length = 0")
        for n, key in enumerate(query, 1):
            page.keyboard.type(key)
            page.wait_for_function(
                "q => __probe.renders.some(r => r.q === q && r.painted !== undefined)",
                arg=query[:n])
            if first_result_bytes is None:  # every request so far, the worker's included
                urls = {u for _, u in fetched}
                first_result_bytes = sum(sizes(u) for u in urls)
                first_result_no_img = sum(sizes(u) for u in urls if "/images/" not in u)
                first_result_kinds: dict[str, int] = {}
                for u in urls:
                    kind = kind_of(u)
                    first_result_kinds[kind] = first_result_kinds.get(kind, 0) + sizes(u)
        keys += page.evaluate("__probe.renders.filter(r => r.painted !== undefined)")
    box.fill("")
    page.wait_for_timeout(200)

    # Facet clicks: each brand on, then off (grid and counts update synchronously).
    clicks = []
    boxes = page.get_by_role("group", name="Brand", exact=True).get_by_role("checkbox")
    for i in range(min(boxes.count(), 6)):
        for _ in range(2):
            page.evaluate("__probe.renders.length = 0")
            boxes.nth(i).click()
            page.wait_for_function(PAINTED)
            wait_until_listed(page)
            clicks.append(page.evaluate("__probe.renders[0]"))
    sorts = []
    for value in ["price-asc", "price-desc", "name", "newest", "relevance"] * 2:
        page.evaluate("__probe.renders.length = 0")
        page.get_by_role("combobox", name="Sort by").select_option(value)
        page.wait_for_function(PAINTED)
        sorts.append(page.evaluate("__probe.renders[0]"))
    details = measure_details(page)
    context.close()
    return {
        "fcp": timing["fcp"], "ready": timing["ready"], "search": timing["search"],
        "long": max(timing["long"] or [0]), "before_paint": before_paint,
        "total": sum(load_bytes.values()), "images": images, "first_load": first_load,
        "first_result": first_result_bytes, "first_result_no_img": first_result_no_img,
        "first_result_kinds": first_result_kinds,
        "keys": keys, "clicks": clicks, "sorts": sorts, "parts": load_bytes,
        "details": details, "product_page": product_page_bytes(page.url, sizes),
    }


# Click → the dialog is open; → the product page's details are in it (or the time they took).
DETAILS_PROBE = """link => new Promise(resolve => {
  const dialog = document.getElementById("dlg");
  const start = performance.now();
  let shown = null;
  const done = () => {
    if (shown === null && dialog.open) shown = performance.now() - start;
    if (dialog.querySelector('#dlg-body a[href^="tel:"]')) {
      resolve({shown, filled: performance.now() - start});
      return true;
    }
    return false;
  };
  new MutationObserver((_, observer) => { if (done()) observer.disconnect(); })
    .observe(dialog, {subtree: true, childList: true, attributes: true});
  link.click();
  done();
})"""


def measure_details(page) -> list[dict]:
    """Open the details of the first 8 listed products (the first time: fetched) and again."""
    times = []
    for again in (False, True):
        for i in range(8):
            link = page.locator("#results > li h3 a").nth(i)
            record = page.evaluate(DETAILS_PROBE, link.element_handle())
            times.append(dict(record, again=again))
            page.keyboard.press("Escape")
            page.wait_for_function("!document.getElementById('dlg').open")
    return times


def product_page_bytes(url: str, sizes: Sizes) -> int:
    """A product page's HTML (compressed) plus its CSS and JS: what a visitor from a search engine
    loads first."""
    root = sizes.root
    page = next((root / "p").glob("*.html"))
    assets = [f for f in (root / "assets").iterdir() if f.suffix in {".css", ".js"}
              and not f.name.startswith("search-")]
    base = url.split("?")[0]
    return sum(sizes(base + str(f.relative_to(root))) for f in [page, *assets])


def report(size: int, m: dict) -> None:
    def stats(rows: list[dict], key: str) -> str:
        values = [r[key] for r in rows]
        return f"median {statistics.median(values):6.1f} ms, p95 {pct(values, 95):6.1f} ms"

    print(f"\n== {size:,} products ==")
    print(f"first contentful paint        {m['fcp']:.0f} ms; bytes before it "
          f"{kb(m['before_paint'])} (compressed)")
    print(f"interactive (filters work)    {m['ready']:.0f} ms")
    print(f"search usable (index loaded)  {m['search']:.0f} ms")
    print(f"longest main-thread task      {m['long']:.0f} ms")
    print(f"bytes in total (load)         {kb(m['total'])} (of which images {kb(m['images'])})")
    print(f"first load HTML+CSS+JS+data compressed {kb(m['first_load'])}  (target <= 100 KB)")
    print(f"bytes before 1st search hit   {kb(m['first_result'])}; without images "
          f"{kb(m['first_result_no_img'])}  (Pagefind: 164-231 KB: first_result.py)")
    print("    by kind: " + ", ".join(f"{kind} {kb(value)}" for kind, value in sorted(
        m["first_result_kinds"].items(), key=lambda kv: -kv[1])))
    print("  largest files of the whole load:")
    for name, value in sorted(m["parts"].items(), key=lambda kv: -kv[1])[:6]:
        print(f"    {kb(value):>10}  {urlparse(name).path}")
    print(f"keystroke → rendered          {stats(m['keys'], 'rendered')}  ({len(m['keys'])} keys)")
    print(f"keystroke → painted           {stats(m['keys'], 'painted')}  (target median <= 16)")
    print(f"facet click → rendered        {stats(m['clicks'], 'rendered')}")
    print(f"facet click → painted         {stats(m['clicks'], 'painted')}  (target median <= 16)")
    listed = [c for c in m["clicks"] if c.get("listed") is not None]
    if listed:  # a result that fits the first screenful has no rest to list
        print(f"facet click → page listed     {stats(listed, 'listed')}  (all the page's cards, "
              f"the rest after the paint; {len(listed)} clicks)")
    changed = sum(1 for c in m["clicks"] if c.get("counted") == "changed")
    print(f"facet clicks counted from the changed values only: {changed} of {len(m['clicks'])} "
          "(the rest: a facet's first value on or its last off, a full count)")
    print(f"sort change → rendered        {stats(m['sorts'], 'rendered')}")
    print(f"sort change → painted         {stats(m['sorts'], 'painted')}")
    first = [d for d in m["details"] if not d["again"]]
    again = [d for d in m["details"] if d["again"]]
    print(f"details click → dialog shown  {stats(m['details'], 'shown')}")
    print(f"details click → filled        first {stats(first, 'filled')}; "
          f"again (cached) {stats(again, 'filled')}")
    print(f"product page HTML+CSS+JS compressed {kb(m['product_page'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=catalog_sizes, default="1000,10000")
    parser.add_argument("--keys", action="store_true",
                        help="also print each keystroke's query and its times")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        for size in args.sizes:
            site = write_catalog(Path(tmp) / f"shop-{size}", size)
            out = Path(tmp) / f"build-{size}"
            build_site(site, out, today=dt.date(2026, 11, 24), echo=lambda *a, **k: None)
            with preview(out) as url:
                measured = measure(browser, url, Sizes(out))
                report(size, measured)
                if args.keys:
                    for key in measured["keys"]:
                        print(f"    {key['q']!r:<18} rendered {key['rendered']:6.1f} ms"
                              f"  painted {key['painted']:6.1f} ms")
        browser.close()


if __name__ == "__main__":
    main()
