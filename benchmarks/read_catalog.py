"""Catalog reading benchmark: `load_catalog` of a synthetic shop with no parsed-file cache.

Prints the median (and all) wall and CPU seconds (this process and its worker processes) of
`load_catalog(site, today, cache_dir=None)` over --runs runs, then the CPU seconds of parsing
every product file in one process with the plain-layout reader (shopgen/config/plain_yaml.py)
and with PyYAML and the line-tracking loader, and how many files the plain reader took.
Part of issue 12's build target (10,000 products <= 4 s); the load average is printed beside
the numbers, since the machine's two cores are shared.

Usage: python benchmarks/read_catalog.py [--products 10000] [--runs 5] [--site DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from synthetic_catalog import write_catalog

from shopgen.catalog.records import load_catalog
from shopgen.config.plain_yaml import read_plain
from shopgen.config.yaml_source import parse_yaml

TODAY = dt.date(2026, 12, 1)


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the worker processes)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_load(site: Path, runs: int) -> None:
    walls, cpus = [], []
    for _ in range(runs):
        cpu, wall = cpu_seconds(), time.perf_counter()
        catalog = load_catalog(site, TODAY, cache_dir=None)
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    print(f"load_catalog, {len(catalog.products):,} products, no cache (load "
          f"{os.getloadavg()[0]:.2f}):")
    print(f"  wall {statistics.median(walls):.2f} s median  ({_listed(walls)})")
    print(f"  CPU  {statistics.median(cpus):.2f} s median  ({_listed(cpus)})")


def time_parsers(site: Path) -> None:
    files = [path.read_bytes() for path in sorted((site / "products").glob("*.yaml"))]
    cpu = time.process_time()
    plain = sum(read_plain(data) is not None for data in files)
    plain_seconds = time.process_time() - cpu
    cpu = time.process_time()
    for data in files:
        parse_yaml(data)
    pyyaml_seconds = time.process_time() - cpu
    print(f"parsing {len(files):,} product files in one process: plain reader "
          f"{plain_seconds:.2f} s CPU ({plain:,} read, {len(files) - plain:,} declined), "
          f"PyYAML {pyyaml_seconds:.2f} s CPU")


def _listed(seconds: list[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in sorted(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="an existing shop instead of a synthetic one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site or write_catalog(Path(scratch) / "shop", args.products)
        time_load(site, args.runs)
        time_parsers(site)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
