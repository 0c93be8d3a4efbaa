"""Build benchmark: synthetic shops of 1,000 and 10,000 products on this machine.

Prints, for each size: the full build (fresh image cache), a rebuild with nothing changed, a
rebuild after one product changed, the index and page sizes (raw and gzip), the build's
stage times, and as a reference in the same run the seconds lunr.js (Node) takes to build the
same index. Pictures: 24 distinct source images shared by all products (see
synthetic_catalog.py). Targets (2 cores): 10,000 products in <= 10 s, no-change rebuild <= 1 s.

Usage: python benchmarks/build.py [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_catalog import write_catalog  # noqa: E402

from shopgen.build import build_site  # noqa: E402
from shopgen.catalog import load_catalog  # noqa: E402
from shopgen.search.index import FIELDS, index_documents  # noqa: E402


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def kb(size: int) -> str:
    return f"{size / 1000:,.1f} KB"


def lunr_js_seconds(site: Path, workdir: Path) -> float:
    catalog = load_catalog(site)
    documents = workdir / "documents.json"
    documents.write_text(json.dumps({"fields": FIELDS, "documents": index_documents(catalog)}))
    done = subprocess.run(["node", str(HERE / "lunr_js_build.mjs"), str(documents)],
                          capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(done.stdout)["seconds"]


def bench(size: int, workdir: Path) -> None:
    site = write_catalog(workdir / f"shop-{size}", size)
    os.environ["SHOPGEN_CACHE_DIR"] = str(workdir / f"cache-{size}")
    out = workdir / f"build-{size}"
    quiet = {"echo": lambda *a, **k: None}
    result, full = timed(build_site, site, out, **quiet)
    _, unchanged = timed(build_site, site, out, **quiet)
    product = next((site / "products").glob("*.yaml"))
    product.write_text(product.read_text().replace("name: ", "name: Changed ", 1))
    _, one_change = timed(build_site, site, out, **quiet)
    index = next((out / "assets").glob("search-*.json")).read_bytes()
    page = (out / "index.html").read_bytes()
    data = next((out / "assets").glob("products-*.json")).read_bytes()
    stages = profile_stages(site)
    print(f"\n{size:,} products")
    print(f"  full build (cold image cache)   {full:6.2f} s")
    print(f"  rebuild, nothing changed        {unchanged:6.2f} s")
    print(f"  rebuild, one product changed    {one_change:6.2f} s")
    print("  stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages))
    for name, content in (("index", index), ("page (HTML)", page), ("data", data)):
        print(f"  {name:<14} {kb(len(content)):>12} raw {kb(len(gzip.compress(content))):>11} gzip")
    print(f"  first load (HTML+CSS+JS, gzip)  {kb(result.weight.first_load_gzip)}")
    print(f"  reference: lunr.js builds the same index in {lunr_js_seconds(site, workdir):.2f} s")


def profile_stages(site: Path) -> list[tuple[str, float]]:
    """Seconds of the stages that do not touch the disk, measured apart."""
    from shopgen.build.browser_data import build_browser_data, build_facets, serialize_data
    from shopgen.search.index import build_search_index, serialize_index

    catalog, load = timed(load_catalog, site, dt.date.today())
    _, index = timed(lambda: serialize_index(build_search_index(catalog)))
    _, data = timed(lambda: serialize_data(build_browser_data(catalog, build_facets(catalog))))
    return [("load+validate", load), ("search index", index), ("data file", data)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    print(f"shopgen build benchmark on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="shopgen-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            bench(size, Path(tmp))
            shutil.rmtree(Path(tmp) / f"build-{size}", ignore_errors=True)


if __name__ == "__main__":
    main()
