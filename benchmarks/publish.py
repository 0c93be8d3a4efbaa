"""Benchmark `shopgen publish` against a local S3 endpoint (moto server on 127.0.0.1).

A fake 10,000-product build (4 small images a product, hashed assets, the pages) is published
three times: first, with nothing changed, and with one product changed. Beside it: what a
size-and-mtime sync (the way `aws s3 sync` decides: upload when the size differs or the local
file is newer than the object's LastModified) uploads after a rebuild that rewrote every file
with the same content, counted the same way (HTTP requests, bytes sent, seconds).

    .venv/bin/python benchmarks/publish.py [--products 10000] [--execute-sync]

The sync's requests and bytes are exact (its decision rule run on the real listing); its
seconds are its PUT count times the first publish's measured seconds a request (same endpoint,
same files, same concurrency), unless --execute-sync really uploads them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from s3_server import create_site  # noqa: E402  (the tests' moto helpers)

from shopgen.build.pipeline import HASHED_FILES, MARKER  # noqa: E402
from shopgen.publish import UPLOAD_WORKERS, PublishSettings, make_clients, publish_site  # noqa: E402


def _bytes(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def _hashed(folder: Path, stem: str, ext: str, data: bytes) -> str:
    name = f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}.{ext}"
    (folder / name).write_bytes(data)
    return name


def write_product(images: Path, index: int, version: int, size: int) -> list[str]:
    """A product's four images (two widths, webp and jpg); returns their names."""
    sku = f"nw-{index:05d}"
    return [
        _hashed(images, f"{sku}-1-{width}", ext, _bytes(f"{sku}/{width}/{ext}/{version}", size))
        for width in (320, 640) for ext in ("webp", "jpg")
    ]


def write_build(root: Path, products: int, image_size: int, changed: int | None = None) -> None:
    """Write the whole fake build; product `changed` gets new image content."""
    if root.exists():
        shutil.rmtree(root)
    images, assets = root / "images", root / "assets"
    images.mkdir(parents=True)
    assets.mkdir()
    hashed = []
    for n in range(products):
        names = write_product(images, n, 2 if n == changed else 1, image_size)
        hashed += [f"images/{name}" for name in names]
    catalog = ",".join(f'"nw-{n:05d}":{2 if n == changed else 1}' for n in range(products))
    names = [
        _hashed(assets, "app", "js", _bytes("app", 40_000)),
        _hashed(assets, "style", "css", _bytes("style", 12_000)),
        _hashed(assets, "search", "json", ("{" + catalog + "}").encode() * 4),
        _hashed(assets, "products", "json", ("{" + catalog + "}").encode() * 8),
    ]
    links = "".join(f'<link href="/assets/{name}">' for name in names)
    (root / "index.html").write_text(f"<!doctype html>{links}<p>{changed}</p>")
    (root / "404.html").write_text("<!doctype html><title>Not found</title>")
    (root / "sitemap.xml").write_text("<?xml version='1.0'?><urlset></urlset>")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    # The build's record: publish caches only these files as immutable.
    hashed += [f"assets/{name}" for name in names]
    (root / MARKER).write_text(json.dumps({"fingerprint": "benchmark", HASHED_FILES: hashed}))


def size_and_mtime_sync(settings: PublishSettings, build: Path,
                        execute: bool) -> tuple[int, int, int, float]:
    """Decide (and with `execute`, upload) like `aws s3 sync`: (files, requests, bytes, s)."""
    s3, _, counter = make_clients(settings)
    started = time.perf_counter()
    remote = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.bucket):
        for item in page.get("Contents", []):
            remote[item["Key"]] = (item["Size"], item["LastModified"])
    todo = []
    for path in (p for p in build.rglob("*") if p.is_file()):
        key = path.relative_to(build).as_posix()
        stat = path.stat()
        mtime = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
        if key not in remote or remote[key][0] != stat.st_size or mtime > remote[key][1]:
            todo.append((key, path))
    if not execute:
        return (len(todo), counter.count + len(todo), sum(p.stat().st_size for _, p in todo),
                time.perf_counter() - started)
    sent = 0
    lock = threading.Lock()

    def put(item: tuple[str, Path]) -> None:
        nonlocal sent
        data = item[1].read_bytes()
        s3.put_object(Bucket=settings.bucket, Key=item[0], Body=data)
        with lock:
            sent += len(data)

    with ThreadPoolExecutor(max_workers=UPLOAD_WORKERS) as pool:
        list(pool.map(put, todo))
    return len(todo), counter.count, sent, time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(endpoint: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"moto server did not start at {endpoint}")


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--image-bytes", type=int, default=1_500)
    parser.add_argument("--execute-sync", action="store_true",
                        help="really upload the sync's files (doubles the run time) instead of "
                        "estimating its seconds from the first publish's upload rate")
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1")
    # moto in its own process, so the server and the client do not share one GIL.
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    _wait_for(endpoint)
    site = create_site(endpoint)
    settings = PublishSettings(bucket=site.bucket, distribution_id=site.distribution_id,
                               region="us-east-1", endpoint_url=endpoint)
    rows = []
    with tempfile.TemporaryDirectory(prefix="shopgen-bench-") as tmp:
        build = Path(tmp) / "build"
        started = time.perf_counter()
        write_build(build, args.products, args.image_bytes)
        files = sum(1 for p in build.rglob("*") if p.is_file())
        print(f"fake build: {args.products} products, {files} files "
              f"({time.perf_counter() - started:.1f} s to write)")

        def run(label: str) -> None:
            started = time.perf_counter()
            report = publish_site(settings, build, echo=lambda _line: None)
            rows.append((label, report.uploaded, report.requests, report.bytes_sent,
                         time.perf_counter() - started,
                         1 if report.invalidation_id else 0))

        run("shopgen publish: first")
        run("shopgen publish: nothing changed")
        write_build(build, args.products, args.image_bytes, changed=args.products // 2)
        run("shopgen publish: one product changed")
        # A rebuild rewrites every file: same content, new mtimes.
        write_build(build, args.products, args.image_bytes, changed=args.products // 2)
        later = time.time() + 5
        for path in build.rglob("*"):
            os.utime(path, (later, later))
        run("shopgen publish: rebuild, same content")
        uploaded, requests, sent, seconds = size_and_mtime_sync(settings, build,
                                                                args.execute_sync)
        label = "size+mtime sync: rebuild, same content"
        if not args.execute_sync:
            first_rate = rows[0][4] / max(rows[0][2], 1)  # seconds a request, first publish
            seconds += uploaded * first_rate
            label += " (s est.)"
        rows.append((label, uploaded, requests, sent, seconds, 0))
    server.terminate()
    server.wait(timeout=30)

    print(f"{'':46} {'uploads':>8} {'requests':>9} {'bytes':>12} {'seconds':>8} {'invalid.':>8}")
    for label, uploads, requests, sent, seconds, invalidations in rows:
        print(f"{label:46} {uploads:>8} {requests:>9} {sent:>12,} {seconds:>8.2f} "
              f"{invalidations:>8}")


if __name__ == "__main__":
    main()
