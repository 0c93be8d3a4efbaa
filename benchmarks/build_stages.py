"""One `shopgen build` of SITE in this process, with each stage's wall and CPU seconds.

The pipeline's calls are wrapped, not changed; the search index and the pages are made in
worker processes (each line carries its process's pid). With `--lunr-js`, also the seconds
lunr.js (Node) takes to build the same index from the same token lists, as a reference.
Used by benchmarks/build.py --stages.

Usage: python benchmarks/build_stages.py SITE [--force]
"""

from __future__ import annotations

import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shopgen.build import index_files, page_files, pipeline

HERE = Path(__file__).resolve().parent
STAGES = {pipeline: ["_fingerprint", "load_catalog", "_process_pictures", "build_facets",
                     "picture_rows", "build_columns", "card_files", "build_browser_data",
                     "serialize_data", "render_site", "write_files", "_write_feeds",
                     "measure_weight", "_swap_in"],
          # in the build's worker processes
          index_files: ["build_sharded_index", "write_shards"],
          page_files: ["write_files", "render_numbered_pages",
                       "render_product_pages"]}


STARTED = time.monotonic()  # (the same clock in the forked worker processes)


def timed(name: str, function):
    def report(wall: float, cpu: float) -> None:
        print(f"    [{os.getpid()}] {name:<22} {time.perf_counter() - wall:6.2f} s"
              f"  cpu {time.process_time() - cpu:6.2f} s"
              f"  done at {time.monotonic() - STARTED:5.2f} s", flush=True)

    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            report(wall, cpu)

    def generator_wrapper(*args, **kwargs):  # timed until the caller has taken every item
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield from function(*args, **kwargs)
        finally:
            report(wall, cpu)

    return generator_wrapper if inspect.isgeneratorfunction(function) else wrapper


def lunr_js_seconds(catalog) -> float:
    from shopgen.search.index import FIELDS, index_documents

    with tempfile.TemporaryDirectory() as tmp:
        documents = Path(tmp) / "documents.json"
        documents.write_text(json.dumps({"fields": FIELDS,
                                         "documents": index_documents(catalog)}))
        done = subprocess.run(["node", str(HERE / "lunr_js_build.mjs"), str(documents)],
                              capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(done.stdout)["seconds"]


def main() -> None:
    site = Path(sys.argv[1])
    missing = [f"{module.__name__}.{name}" for module, names in STAGES.items()
               for name in names if not hasattr(module, name)]
    if missing:  # the pipeline was changed: say which names to update here
        raise SystemExit(f"build_stages.py: no {', '.join(missing)}")
    for module, names in STAGES.items():
        for name in names:
            setattr(module, name, timed(name, getattr(module, name)))
    global STARTED
    STARTED = time.monotonic()
    started = time.perf_counter()
    pipeline.build_site(site, force="--force" in sys.argv, echo=lambda *a, **k: None)
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"    whole build {time.perf_counter() - started:.2f} s, cpu "
          f"{own.ru_utime + own.ru_stime:.2f} s here and "
          f"{children.ru_utime + children.ru_stime:.2f} s in worker processes")
    if "--lunr-js" in sys.argv:
        from shopgen.catalog import load_catalog

        seconds = lunr_js_seconds(load_catalog(site))
        print(f"    reference: lunr.js builds the same index in {seconds:.2f} s")


if __name__ == "__main__":
    main()
