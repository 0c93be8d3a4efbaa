"""Cold start of the tracker Lambda: `import tracker.handler` from the unpacked zip.

Each run is a fresh interpreter (`python -I -B`: it writes no bytecode, as Lambda's read-only
/var/task can't keep any) in a clean venv with the zip first on sys.path, as Lambda runs it.
The zip ships unchecked-hash .pyc files, so nothing is compiled at a cold start.

Three configurations, 10 runs each (median, min, max). The number is the CPU time the import
takes (``time.process_time``): on a shared machine the wall-clock time (printed too) measures
the other processes as much as the import.

- without Powertools: the same zip with ``aws_lambda_powertools`` hidden (the tracker falls back
  to a standard-library log line): what the import cost before Powertools;
- Powertools, tracing off: Logger and Metrics (the template's default, TrackerTracing=PassThrough);
- Powertools, tracing on: also the Tracer, which imports the X-Ray SDK (TrackerTracing=Active).

    .venv/bin/python benchmarks/cold_start.py [--zip tracker-lambda.zip] [--runs 10] [--no-bytecode]

Without --zip, the zip is made with `shopgen tracker package` (wheels cached after the first).
--no-bytecode deletes the zip's __pycache__ folders first: the cold start of a zip of sources
only, which compiles every module it imports.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

BUDGET_MS = 400
PROBE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "hide":
    sys.modules["aws_lambda_powertools"] = None
started, cpu_started = time.perf_counter(), time.process_time()
import tracker.handler
cpu = (time.process_time() - cpu_started) * 1000
elapsed = (time.perf_counter() - started) * 1000
print(cpu, elapsed, tracker.handler.TELEMETRY.metrics_on, tracker.handler.TELEMETRY.tracing_on)
"""
CONFIGURATIONS = {
    "without Powertools": ("hide", {}),
    "Powertools, tracing off": ("show", {"POWERTOOLS_TRACE_DISABLED": "true"}),
    "Powertools, tracing on": ("show", {"POWERTOOLS_TRACE_DISABLED": "false"}),
}
LAMBDA_ENV = {"AWS_LAMBDA_FUNCTION_NAME": "cold-start-benchmark", "AWS_REGION": "eu-west-1",
              "TRACKER_DATABASE_URL": "sqlite:////tmp/cold-start-unused.sqlite3",
              "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def make_zip(folder: Path) -> Path:
    """The Lambda zip, made by `shopgen tracker package`."""
    from shopgen.deploy.tracker_zip import package_tracker

    return package_tracker(folder / "tracker-lambda.zip", echo=print)


def one_run(python: Path, unpacked: Path, mode: str, env: dict[str, str]) -> tuple[float, float]:
    """CPU and wall-clock milliseconds to import tracker.handler in a fresh interpreter."""
    result = subprocess.run([str(python), "-I", "-B", "-c", PROBE, str(unpacked), mode],
                            capture_output=True, text=True, check=True, timeout=120,
                            env={**LAMBDA_ENV, **env})
    cpu, wall = result.stdout.split()[:2]
    return float(cpu), float(wall)


def main(argv: list[str] | None = None) -> None:
    """Measure and print the three configurations (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="delete the zip's .pyc files first")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cold-start-") as work:
        folder = Path(work)
        archive = options.zip or make_zip(folder)
        unpacked = folder / "task"
        zipfile.ZipFile(archive).extractall(unpacked)
        if options.no_bytecode:
            for cache in list(unpacked.rglob("__pycache__")):
                shutil.rmtree(cache)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")],
                       check=True)
        python = folder / "venv" / "bin" / "python"
        one_run(python, unpacked, "hide", {})  # warm the OS file cache, not measured
        results = {}
        for name, (mode, env) in CONFIGURATIONS.items():
            runs = [one_run(python, unpacked, mode, env) for _ in range(options.runs)]
            cpu = [run[0] for run in runs]
            results[name] = {"median_ms": round(statistics.median(cpu), 1),
                             "min_ms": round(min(cpu), 1), "max_ms": round(max(cpu), 1),
                             "wall_median_ms": round(statistics.median(r[1] for r in runs), 1)}
    base = results["without Powertools"]["median_ms"]
    compiled = "sources only" if options.no_bytecode else "as shipped, with .pyc"
    print(f"import tracker.handler, fresh interpreter, {compiled}, {options.runs} runs each, "
          f"CPU ms (budget {BUDGET_MS} ms):")
    for name, numbers in results.items():
        extra = numbers["median_ms"] - base
        print(f"  {name:<26} median {numbers['median_ms']:7.1f}  min {numbers['min_ms']:7.1f}"
              f"  max {numbers['max_ms']:7.1f}  (+{extra:.1f} ms; wall median "
              f"{numbers['wall_median_ms']:.1f})")
    print(json.dumps({"bytecode": not options.no_bytecode, **results}))


if __name__ == "__main__":
    main()
