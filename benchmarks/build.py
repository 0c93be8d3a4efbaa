"""Build benchmark: `shopgen build` of synthetic shops, beside Pagefind on the same records.

For each size, as whole commands (`shopgen build` and `pagefind` as processes, in one run):
- the first build (cold picture cache: 24 distinct pictures, see synthetic_catalog.py);
- a full build with the pictures cached but nothing else (no parsed-file cache, no previous
  build/) — the issue's "10,000 products with images cached";
- a rebuild with nothing changed, and a rebuild after one product file changed;
- Pagefind (npm `pagefind`) indexing the same records: the built product pages (p/*.html,
  their #details article), as benchmarks/first_result.py searches them.
Each timed row is the median (min–max) of --runs runs; memory is the peak summed RSS of the
command's process tree (sampled every 50 ms) and its largest single process (wait4).
`--stages` adds one in-process build with each stage's wall and CPU seconds.

Targets (issue 12): 10,000 products <= 4 s with images cached, ahead of Pagefind; after one
product changes, the rebuild <= 2 s; 100,000 products <= 120 s within 4 GB.

Usage: python benchmarks/build.py [--sizes 10000] [--runs 3] [--stages] [--folder DIR]
       python benchmarks/build.py --sizes 100000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_catalog import catalog_sizes, write_catalog  # noqa: E402

PAGEFIND = HERE.parent / "node_modules" / ".bin" / "pagefind"
SHOPGEN = [str(Path(sys.executable).with_name("shopgen"))]  # the installed command


class Run:
    """One command run to its end: wall seconds, peak tree RSS and largest process RSS."""

    def __init__(self, command: list[str], env: dict[str, str]):
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        peak = [0]
        sampler = threading.Thread(target=_sample_tree, args=(process.pid, peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        self.seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{error}")
        self.tree_mb = peak[0] / 2**20
        self.largest_mb = usage.ru_maxrss / 1024
        self.cpu = usage.ru_utime + usage.ru_stime


def _sample_tree(pid: int, peak: list[int]) -> None:
    """The summed RSS of `pid` and its descendants, every 50 ms while it runs."""
    page = os.sysconf("SC_PAGE_SIZE")
    while Path(f"/proc/{pid}").exists():
        total = 0
        for member in _tree(pid):
            try:
                total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * page
            except (OSError, ValueError, IndexError):
                pass
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    members, frontier = [root], [root]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        members += frontier
    return members


def summary(runs: list[Run]) -> str:
    seconds = [r.seconds for r in runs]
    spread = f" ({min(seconds):.2f}–{max(seconds):.2f})" if len(runs) > 1 else ""
    return (f"{statistics.median(seconds):7.2f} s{spread:<16}"
            f" cpu {statistics.median(r.cpu for r in runs):6.2f} s"
            f"  memory {max(r.tree_mb for r in runs):6.0f} MB tree,"
            f" {max(r.largest_mb for r in runs):5.0f} MB largest")


def bench(size: int, workdir: Path, runs: int, stages: bool) -> None:
    site = write_catalog(workdir / f"shop-{size}", size)
    cache = workdir / f"cache-{size}"
    env = {**os.environ, "SHOPGEN_CACHE_DIR": str(cache)}
    out = site / "build"
    build = [*SHOPGEN, "build", "--site", str(site)]
    print(f"\n{size:,} products (median of {runs}; min–max; load {_load()})", flush=True)
    first = Run(build, env)
    print(f"  first build, cold picture cache   {summary([first])}", flush=True)
    full, unchanged, changed, pagefind = [], [], [], []
    product = min((site / "products").glob("*.yaml"))
    for number in range(runs):
        shutil.rmtree(out)
        shutil.rmtree(cache / "catalog-v1", ignore_errors=True)  # pictures stay cached
        full.append(Run(build, env))
        unchanged.append(Run(build, env))
        text = product.read_text()
        product.write_text(text.replace("name: ", f"name: Changed{number} ", 1))
        changed.append(Run(build, env))
        pagefind.append(Run([str(PAGEFIND), "--site", str(out), "--glob", "p/*.html",
                             "--root-selector", "#details"], env))
        shutil.rmtree(out / "pagefind", ignore_errors=True)
    print(f"  full build, pictures cached       {summary(full)}")
    print(f"  Pagefind, the same records        {summary(pagefind)}")
    print(f"  rebuild, nothing changed          {summary(unchanged)}")
    print(f"  rebuild, one product changed      {summary(changed)}")
    ratio = statistics.median(f.seconds / p.seconds for f, p in zip(full, pagefind, strict=True))
    print(f"  full build / Pagefind             {ratio:7.2f} (median of the run-by-run ratios)")
    print(f"  machine load after: {_load()} on {os.cpu_count()} cores", flush=True)
    if stages:
        print("  stages of one full build (in one process; wall and CPU seconds):")
        shutil.rmtree(cache / "catalog-v1", ignore_errors=True)
        shutil.rmtree(out)  # a full build: no previous pages to take
        done = subprocess.run([sys.executable, str(HERE / "build_stages.py"), str(site),
                               "--force", "--lunr-js"],
                              env=env, capture_output=True, text=True)
        print(done.stdout, end="")
        if done.returncode != 0:  # show why, rather than a bare CalledProcessError
            raise SystemExit(f"build_stages.py exited {done.returncode}:\n{done.stderr}")


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=catalog_sizes, default="10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where to write the shops and builds (default: the system's "
                             "temporary folder); e.g. a tmpfs, to see the builds without the "
                             "disk's cost of making files")
    args = parser.parse_args()
    if args.folder is not None and not args.folder.is_dir():
        parser.error(f"--folder {args.folder}: no such folder")
    print(f"shopgen build benchmark on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="shopgen-bench-", dir=args.folder) as tmp:
        for size in args.sizes:
            bench(size, Path(tmp), args.runs, args.stages)
            shutil.rmtree(Path(tmp) / f"shop-{size}", ignore_errors=True)


if __name__ == "__main__":
    main()
