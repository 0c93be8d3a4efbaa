"""Search relevance on judged query sets: precision@5, recall@20 and NDCG@10 per query group,
for shopgen's engine, plain lunr.js (default pipeline) and Pagefind on the same records, side
by side; prints the queries shopgen misses, and how long each engine's search takes.

    .venv/bin/python benchmarks/relevance.py [--size 10000] [--no-pagefind]

Two judged sets (relevance_sets.py): the sample shop (catalog_data/) and a synthetic shop of
--size products whose generator records what each product is (synthetic_catalog.py), the
judgements being made from those records, never from an engine's answers.

- shopgen: the page's engine (shopgen/search/js) over the index the build writes, the price
  phrase applied as the page applies it (relevance_run.mjs, in Node);
- lunr.js: plain lunr 2.3.9 with its default pipeline, over the same products' fields (name,
  brand, category path, colours, sizes, SKU, text attributes, description);
- Pagefind: the npm package's binary over the built shop's product pages (p/*.html, their
  #details article, which holds the same fields), searched by pagefind.js in Chromium.
Each gets the customer's query as typed. Metrics: precision@5 and recall@20 are out of
min(5 or 20, relevant products); NDCG@10 with gains 2 (named exactly) and 1; a query that
should find nothing scores 1 when nothing is returned, else 0.
Timing: Node, after a warm-up pass; "typing" times every prefix of every query, as each
keystroke asks the search worker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from relevance_sets import SAMPLE, sample_gains, synthetic  # noqa: E402
from synthetic_catalog import write_judged_catalog  # noqa: E402

from shopgen.build import build_site  # noqa: E402
from shopgen.catalog import Catalog, load_catalog  # noqa: E402
from shopgen.catalog.page_address import anchor_for  # noqa: E402
from shopgen.search.index import build_search_index  # noqa: E402

TODAY = dt.date(2026, 11, 24)
PAGEFIND = REPO / "node_modules" / ".bin" / "pagefind"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGEFIND_PAGE = """<!doctype html><meta charset="utf-8"><title>pagefind</title>
<script type="module">window.pagefind = await import("./pagefind/pagefind.js");
await window.pagefind.init(); document.title = "ready";</script>"""
# Pagefind's answers: each result's page (its fragment's url), the first 20, and the count.
PAGEFIND_SEARCH = """async (queries) => {
  const out = {};
  for (const q of queries) {
    const found = await window.pagefind.search(q);
    const results = found ? found.results : [];
    const top = await Promise.all(results.slice(0, 20).map((r) => r.data()));
    out[q] = {urls: top.map((d) => d.url), count: results.length};
  }
  return out;
}"""
Gains = dict[int, int]


def metrics(ranked: list[int], gains: Gains) -> tuple[float, float, float]:
    """precision@5, recall@20, NDCG@10 (no relevant product: 1 when nothing is returned)."""
    if not gains:
        ok = float(not ranked)
        return ok, ok, ok
    p5 = sum(1 for r in ranked[:5] if r in gains) / min(5, len(gains))
    r20 = sum(1 for r in ranked[:20] if r in gains) / min(20, len(gains))
    dcg = sum(gains.get(r, 0) / math.log2(k + 2) for k, r in enumerate(ranked[:10]))
    ideal = sorted(gains.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(k + 2) for k, g in enumerate(ideal))
    return p5, r20, dcg / idcg


def records(catalog: Catalog) -> list[dict]:
    """The products' fields for plain lunr.js (what shopgen's index and the pages hold)."""
    texts = {a.id for a in catalog.attributes if a.type == "text"}
    return [{
        "name": p.name, "brand": catalog.brand[p.brand].name,
        "category": " ".join(c.name for c in catalog.category_path(p.category)),
        "colours": " ".join(p.colours), "sizes": " ".join(p.sizes), "sku": p.sku,
        "attributes": " ".join(str(v) for k, v in p.attributes.items() if k in texts),
        "description": p.description, "price": float(p.price.amount)}
        for p in catalog.products]


def run_node(catalog: Catalog, queries: list[str]) -> dict:
    payload = {"index": build_search_index(catalog), "records": records(catalog),
               "queries": queries}
    done = subprocess.run(["node", str(HERE / "relevance_run.mjs")], input=json.dumps(payload),
                          capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout)


def run_pagefind(site: Path, workdir: Path, catalog: Catalog, queries: list[str]) -> dict:
    """Pagefind's ranked product positions per query (first 20, or [] / count-only)."""
    out = workdir / "build"
    build_site(site, out, today=TODAY, echo=lambda *a, **k: None)
    subprocess.run([str(PAGEFIND), "--site", str(out), "--glob", "p/*.html",
                    "--root-selector", "#details"], check=True, capture_output=True)
    (out / "pagefind-relevance.html").write_text(PAGEFIND_PAGE)
    position = {f"/p/{anchor_for(p.sku)}.html": i for i, p in enumerate(catalog.products)}
    handler = type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                   {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from playwright.sync_api import sync_playwright
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/pagefind-relevance.html")
            page.wait_for_function("document.title === 'ready'")
            found = page.evaluate(PAGEFIND_SEARCH, queries)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    # A result beyond the 20 read is a product too (only its count matters past 20).
    return {q: [position[u] for u in f["urls"]] + [-1] * max(0, f["count"] - 20)
            for q, f in found.items()}


def report(title: str, judged: dict[str, list[tuple[str, Gains]]], answers: dict[str, dict],
           label) -> None:
    engines = list(answers)
    queries = [q for group in judged.values() for q, _ in group]
    print(f"\n== {title}: {len(queries)} judged queries ==")
    print(f"{'group':<13}{'n':>3}" + "".join(f"{e + ' P@5':>14}{'R@20':>6}{'NDCG@10':>8}"
                                            for e in engines))
    totals = {e: [0.0, 0.0, 0.0] for e in engines}
    misses, behind = [], []
    for group, items in judged.items():
        sums = {e: [0.0, 0.0, 0.0] for e in engines}
        for q, gains in items:
            scored = {e: metrics(answers[e][q], gains) for e in engines}
            for e, m in scored.items():
                sums[e] = [a + b for a, b in zip(sums[e], m, strict=True)]
                totals[e] = [a + b for a, b in zip(totals[e], m, strict=True)]
            mine = scored["shopgen"][2]
            if mine < 0.9:
                top = [label(i) for i in answers["shopgen"][q][:5]]
                misses.append(f"  [{group}] {q!r}: NDCG@10 {mine:.2f}, "
                              f"{len(gains)} relevant, top {top}")
            better = [f"{e} {m[2]:.2f}" for e, m in scored.items() if m[2] > mine + 1e-9]
            if better:
                behind.append(f"  [{group}] {q!r}: shopgen {mine:.2f} < " + ", ".join(better))
        n = len(items)
        print(f"{group:<13}{n:>3}" + "".join(f"{s[0] / n:>14.2f}{s[1] / n:>6.2f}{s[2] / n:>8.2f}"
                                            for s in sums.values()))
    n = len(queries)
    print(f"{'ALL':<13}{n:>3}" + "".join(f"{t[0] / n:>14.2f}{t[1] / n:>6.2f}{t[2] / n:>8.2f}"
                                        for t in totals.values()))
    print("shopgen misses (NDCG@10 < 0.9):" if misses else "no shopgen misses (NDCG@10 < 0.9)")
    print("\n".join(misses))
    if behind:
        print("queries where another engine ranks better:")
        print("\n".join(behind))
    counts = {e: sum(1 for items in judged.values() for q, gains in items
                     if metrics(answers[e][q], gains)[2] < 0.9) for e in engines}
    print("queries with NDCG@10 < 0.9: " + ", ".join(f"{e} {n}" for e, n in counts.items()))


def timing(title: str, ms: dict[str, dict[str, list[float]]]) -> None:
    for engine, runs in ms.items():
        parts = []
        for kind, values in runs.items():
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            parts.append(f"{kind} median {statistics.median(values):.2f} ms, p95 {p95:.2f} ms,"
                         f" max {ordered[-1]:.2f} ms ({len(values)} searches)")
        print(f"  {title} {engine:<8} " + "; ".join(parts))


def evaluate(title: str, site: Path, catalog: Catalog, judged: dict, workdir: Path,
             pagefind: bool) -> dict:
    queries = [q for group in judged.values() for q, _ in group]
    node = run_node(catalog, queries)
    answers = dict(node["answers"])
    if pagefind:
        answers["pagefind"] = run_pagefind(site, workdir, catalog, queries)

    def label(i: int) -> str:
        return catalog.products[i].sku if i >= 0 else "?"

    report(f"{title} ({len(catalog.products):,} products)", judged, answers, label)
    return node["ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="synthetic shop's products")
    parser.add_argument("--no-pagefind", dest="pagefind", action="store_false")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)")
    with tempfile.TemporaryDirectory() as tmp:
        sample_site = REPO / "catalog_data"
        catalog = load_catalog(sample_site, TODAY)
        judged = {g: [(q, sample_gains(catalog, j)) for q, j in items]
                  for g, items in SAMPLE.items()}
        sample_ms = evaluate("sample shop", sample_site, catalog, judged, Path(tmp) / "sample",
                             args.pagefind)

        site = Path(tmp) / "synthetic"
        made = write_judged_catalog(site, args.size)
        catalog = load_catalog(site, TODAY)
        by_sku = {m.sku: m for m in made}
        facts = [by_sku[p.sku] for p in catalog.products]
        judged = {g: [(q, {i: gain for i, m in enumerate(facts) if (gain := j(m))})
                      for q, j in items] for g, items in synthetic(made).items()}
        ms = evaluate("synthetic shop", site, catalog, judged, Path(tmp) / "built",
                      args.pagefind)
        print(f"\nsearch time per query (Node; load average {os.getloadavg()[0]:.1f}):")
        timing("sample", sample_ms)
        timing(f"{args.size:,}", ms)


if __name__ == "__main__":
    main()
