"""Lighthouse (mobile, performance) for the sample shop and a synthetic shop, served by
`shopgen serve`'s server (benchmarks/preview_server.py: publish's cache headers, brotli/gzip as
a CDN compresses), with Debian's Chromium.

Lighthouse is not a dependency of the project: install it aside (`npm install --prefix
/tmp/lh lighthouse`) and pass its binary. Prints the performance score, LCP, TBT and CLS.
Targets (issue 12): >= 95 for the sample shop, >= 90 at 10,000 products, CLS <= 0.05.

Usage: python benchmarks/lighthouse.py --lighthouse /tmp/lh/node_modules/.bin/lighthouse
       [--sizes 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from preview_server import preview  # noqa: E402
from synthetic_catalog import catalog_sizes, write_catalog  # noqa: E402

from shopgen.build import build_site  # noqa: E402

AUDITS = {"largest-contentful-paint": "LCP", "total-blocking-time": "TBT",
          "cumulative-layout-shift": "CLS", "first-contentful-paint": "FCP"}


def lighthouse(binary: str, url: str, report: Path) -> dict:
    subprocess.run([binary, url, "--quiet", "--only-categories=performance",
                    "--output=json", f"--output-path={report}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                   check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
    return json.loads(report.read_text())


def measure(binary: str, name: str, out: Path, workdir: Path) -> None:
    with preview(out) as url:
        result = lighthouse(binary, url, workdir / f"{name}.json")
    score = result["categories"]["performance"]["score"] * 100
    figures = ", ".join(f"{short} {result['audits'][key]['displayValue']}"
                        for key, short in AUDITS.items())
    print(f"{name:<18} performance {score:5.0f}  ({figures})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lighthouse", required=True)
    parser.add_argument("--sizes", type=catalog_sizes, default="10000")
    args = parser.parse_args()
    quiet = {"echo": lambda *a, **k: None, "today": dt.date(2026, 11, 24)}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        build_site(HERE.parent / "catalog_data", workdir / "sample", **quiet)
        measure(args.lighthouse, "sample shop", workdir / "sample", workdir)
        for size in args.sizes:
            site = write_catalog(workdir / f"shop-{size}", size)
            build_site(site, workdir / f"build-{size}", **quiet)
            measure(args.lighthouse, f"{size:,} products", workdir / f"build-{size}", workdir)


if __name__ == "__main__":
    main()
