"""`shopgen tracker package`: the beacon Lambda's deployment zip.

The zip holds the `tracker` package and its runtime dependencies as binary wheels for the
Lambda runtime (CPython 3.11 on x86_64, manylinux2014), nothing of shopgen. Dependencies are
pinned to the versions installed here (so the Lambda runs what the tests ran) and fetched with
pip from PyPI once; the unpacked set is cached under `~/.cache/shopgen/lambda-deps/`. The zip
is deterministic (sorted entries, fixed timestamps): the same code gives the same bytes, so a
redeploy changes nothing when nothing changed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from shopgen.atomic_files import atomic_write
from shopgen.errors import ShopgenError

PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.11"
# (distribution to pin the version from, requirement name); pip resolves their dependencies.
# Powertools (logs, metrics, traces; with aws-xray-sdk for the tracer) is the Lambda's only:
# shopgen serve runs the tracker without it.
RUNTIME = (("sqlalchemy", "sqlalchemy"), ("alembic", "alembic"), ("psycopg", "psycopg[binary]"),
           ("aws-lambda-powertools", "aws-lambda-powertools[tracer]"))
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", "bin"}


def runtime_requirements() -> list[str]:
    """The tracker's runtime requirements, pinned to the installed versions when known."""
    pinned = []
    for dist, requirement in RUNTIME:
        try:
            pinned.append(f"{requirement}=={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            pinned.append(requirement)
    return pinned


def cache_dir() -> Path:
    """shopgen's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shopgen"


def install_dependencies(requirements: list[str], echo: Callable[[str], None]) -> Path:
    """A folder with the requirements installed for the Lambda platform (cached)."""
    key = hashlib.sha256(
        "\n".join([PLATFORM, PYTHON_VERSION, *sorted(requirements)]).encode()
    ).hexdigest()[:16]
    target = cache_dir() / "lambda-deps" / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    echo(f"Downloading {', '.join(requirements)} for {PLATFORM} (Python {PYTHON_VERSION})…")
    work = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=target.parent))
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--no-input", "--platform", PLATFORM, "--implementation", "cp",
        "--python-version", PYTHON_VERSION, "--only-binary=:all:", "--target", str(work),
        "--cache-dir", str(cache_dir() / "pip"), *requirements,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise ShopgenError("could not fetch the tracker's dependencies with pip:\n  "
                           + "\n  ".join(detail))
    try:
        work.rename(target)  # atomic; another process may have won the race
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _files(root: Path, *, skip_top: set[str]) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or path.suffix == ".pyc" or "__pycache__" in relative.parts:
            continue
        if relative.parts[0] in skip_top:
            continue
        yield path, relative.as_posix()


def bytecode_entries(entries: dict[str, Path], work: Path) -> dict[str, bytes]:
    """Compiled modules for the zip: ``dir/__pycache__/mod.cpython-311.pyc`` per ``dir/mod.py``.

    Lambda's /var/task is read-only, so without them every cold start compiles the tracker and
    its dependencies again (about 700 ms of CPU, see benchmarks/cold_start.py). They are
    unchecked-hash .pyc files (PEP 552): valid whatever the files' times, and the same bytes for
    the same source. Empty when this interpreter is not the Lambda's Python version: its
    bytecode would be ignored there.
    """
    if f"{sys.version_info.major}.{sys.version_info.minor}" != PYTHON_VERSION:
        return {}
    compiled: dict[str, bytes] = {}
    target = work / "module.pyc"
    for name, path in entries.items():
        if not name.endswith(".py"):
            continue
        try:
            py_compile.compile(str(path), cfile=str(target), dfile=name, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        except py_compile.PyCompileError:
            continue  # not Python 3 (some packages ship templates named .py): left as source
        folder, _, module = name.rpartition("/")
        pyc = f"__pycache__/{module[:-3]}.{sys.implementation.cache_tag}.pyc"
        compiled[f"{folder}/{pyc}" if folder else pyc] = target.read_bytes()
    return compiled


def package_tracker(out: Path, *, echo: Callable[[str], None]) -> Path:
    """Write the Lambda zip (handler `tracker.handler.handler`) to `out`; returns its path."""
    spec = importlib.util.find_spec("tracker")
    if spec is None or not spec.submodule_search_locations:
        raise ShopgenError("the tracker package is not installed")
    tracker_dir = Path(next(iter(spec.submodule_search_locations)))
    deps = install_dependencies(runtime_requirements(), echo)

    entries: dict[str, Path] = {}
    for path, name in _files(deps, skip_top=_SKIP_DIRS):
        entries[name] = path
    for path, name in _files(tracker_dir, skip_top=set()):
        entries[f"tracker/{name}"] = path
    if any(name.startswith("shopgen/") for name in entries):
        raise ShopgenError("refusing to package shopgen into the tracker Lambda")
    contents: dict[str, Path | bytes] = dict(entries)
    with tempfile.TemporaryDirectory(prefix="shopgen-pyc-") as work:
        contents.update(bytecode_entries(entries, Path(work)))

    with atomic_write(out) as handle, zipfile.ZipFile(handle, "w") as archive:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = contents[name]
            archive.writestr(info, data if isinstance(data, bytes) else data.read_bytes(),
                             compresslevel=9)
    echo(f"Packaged {len(contents)} files ({out.stat().st_size // 1024} KiB) for {PLATFORM}.")
    return out
