"""Import benchmark: a synthetic 10,000-row Shopify product CSV (no images) on this machine.

Prints, for each shape of the same 10,000 rows — one product per row, and products of four
variants — the seconds of: the first import into a new folder, a re-import with nothing
changed (and the files it wrote, which must be none), and a re-import after one price changed.
Then it builds the imported shop once, to show the result is a valid catalog.
Targets (2 cores): first import <= 10 s; re-import with nothing changed <= 3 s, no file written.

Usage: python benchmarks/import.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from shopgen.build import build_site
from shopgen.importers import import_catalog

COLUMNS = ["Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags",
           "Published", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
           "Variant SKU", "Variant Inventory Qty", "Variant Inventory Policy", "Variant Price",
           "Variant Compare At Price", "Status"]
VENDORS = ["Kestrel Running", "Fjellstad", "Trailhead Co.", "Northwind", "Maison Lumière"]
CATEGORIES = ["Apparel & Accessories > Clothing > Shirts & Tops",
              "Apparel & Accessories > Clothing > Outerwear", "Sporting Goods > Camping",
              "Home & Garden > Kitchen & Dining", "Apparel & Accessories > Shoes"]
SIZES, COLOURS = ["S", "M", "L", "XL"], ["Black", "Navy", "Red", "Olive"]
TODAY = dt.date(2026, 11, 24)


def write_csv(path: Path, rows: int, variants: int, bump: int | None = None) -> None:
    """`rows` rows: products of `variants` variant rows each; `bump` raises one price."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows // variants):
            for v in range(variants):
                first = v == 0
                price = f"{10 + n % 90}.{v}0" if bump != n else "999.00"
                writer.writerow([
                    f"product-{n}", f"Product {n} Trail Edition" if first else "",
                    f"<p>Product {n} is <b>good</b> &amp; sturdy.</p><p>Line two.</p>"
                    if first else "",
                    VENDORS[n % 5] if first else "", CATEGORIES[n % 5] if first else "",
                    "", f"tag{n % 7}, Material: {['Cotton', 'Nylon'][n % 2]}" if first else "",
                    "TRUE" if first else "", "Size" if first else "", SIZES[v % 4],
                    "Colour" if first else "", COLOURS[(n + v) % 4], f"SKU-{n}-{v}",
                    str((n + v) % 3), "deny", price, "", "active" if first else ""])


def timed(fn, *args, **kwargs):
    """(result, wall seconds); the CPU seconds go to CPU[-1] (a loaded machine inflates the
    wall time, much less the CPU time)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    CPU.append(time.process_time() - cpu)
    return result, time.perf_counter() - started


CPU: list[float] = []


def run(rows: int, variants: int, workdir: Path) -> None:
    source, site = workdir / f"products-{variants}.csv", workdir / f"shop-{variants}"
    write_csv(source, rows, variants)
    quiet = {"echo": lambda *a, **k: None, "show_progress": False, "today": TODAY,
             "currency": "EUR", "name": "Benchmark"}
    first, seconds = timed(import_catalog, "shopify", source, site, **quiet)
    again, unchanged = timed(import_catalog, "shopify", source, site, **quiet)
    write_csv(source, rows, variants, bump=rows // variants // 2)
    one, changed = timed(import_catalog, "shopify", source, site, **quiet)
    print(f"{rows:,} rows, {rows // variants:,} products of {variants} variant(s):")
    cpu = CPU[-3:]
    print(f"  first import      {seconds:6.2f} s wall, {cpu[0]:5.2f} s CPU  ({first.line()}; "
          f"{first.files_written} files)")
    print(f"  nothing changed   {unchanged:6.2f} s wall, {cpu[1]:5.2f} s CPU  "
          f"({again.files_written} files written)")
    print(f"  one price changed {changed:6.2f} s wall, {cpu[2]:5.2f} s CPU  "
          f"({one.files_written} file written)")
    if variants > 1:
        _, build_seconds = timed(build_site, site, workdir / "build", today=TODAY,
                                 echo=lambda *a, **k: None)
        print(f"  build of the imported shop {build_seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for variants in (1, 4):
            run(args.rows, variants, Path(scratch))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
