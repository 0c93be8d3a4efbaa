"""What `shopgen serve` sends for a build file: publish's headers, compressed as the CDN does.

The headers come from `shopgen.publish.plan.headers_for` (the one place for Content-Type,
Cache-Control and the stored encoding); the build's record says which files are hashed, as it
does for publish. Text is compressed like CloudFront compresses it (CachingOptimized: brotli
or gzip, as the browser's Accept-Encoding asks, from 1,000 bytes), so the bytes a merchandiser
measures locally are the bytes customers receive.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Container
from pathlib import Path

import brotli

from shopgen.build.pipeline import MARKER, read_build_record
from shopgen.publish.plan import COMPRESS_FROM, headers_for, is_compressible

ENCODINGS = ("br", "gzip")  # preferred first, at an equal weight
GZIP_LEVEL = 6  # what CDNs use on the fly; 9 costs far more time for ~1 % of bytes
BROTLI_QUALITY = 5  # on-the-fly quality: 11 takes seconds for a large index piece
CACHED_BODIES = 64  # compressed files kept (keyed by file, its mtime and size, the encoding)


def choose_encoding(accept_encoding: str | None) -> str | None:
    """The encoding to answer an Accept-Encoding header with: 'br', 'gzip' or None.

    Weights are honoured (``br;q=0`` refuses brotli, ``*`` stands for any coding not named);
    at an equal weight brotli wins, as it does at CloudFront.
    """
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    best, best_weight = None, 0.0
    for name in ENCODINGS:
        weight = weights.get(name, weights.get("*", 0.0))
        if weight > best_weight:
            best, best_weight = name, weight
    return best


def compress(body: bytes, encoding: str) -> bytes:
    """``body`` compressed with ``encoding`` ('br' or 'gzip'); gzip without a timestamp, so the
    same file always gives the same bytes."""
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


class CompressedBodies:
    """The last compressed bodies, so reloading a page does not compress its index again."""

    def __init__(self, size: int = CACHED_BODIES):
        self.size = size
        self._bodies: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, body: bytes, encoding: str) -> bytes:
        """``body`` compressed; ``key`` names its content (file, mtime, size, variant)."""
        key = (*key, encoding)
        with self._lock:
            if key in self._bodies:
                self._bodies.move_to_end(key)
                return self._bodies[key]
        packed = compress(body, encoding)
        with self._lock:
            self._bodies[key] = packed
            while len(self._bodies) > self.size:
                self._bodies.popitem(last=False)
        return packed


class HashedFiles:
    """The files the served builds named by content hash (their records), read again when the
    build folder's record changes. Names of earlier builds stay: a hashed name never changes
    content, and the preview still serves the kept builds' files (`snapshots`)."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self._names: frozenset[str] = frozenset()
        self._seen: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def __contains__(self, relative: object) -> bool:
        self._refresh()
        return relative in self._names

    def _refresh(self) -> None:
        try:
            stat = (self.out_dir / MARKER).stat()
        except OSError:
            return  # between two builds: keep what the last one said
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen == self._seen:
            return
        names = read_build_record(self.out_dir)
        with self._lock:
            self._names = self._names | (names or frozenset())
            self._seen = seen


def file_headers(relative: str, size: int, hashed: Container[str]) -> tuple[str, str, str | None,
                                                                            bool]:
    """(Content-Type, Cache-Control, stored encoding or None, compress on the fly?) for the
    build file ``relative`` ('/'-separated, as publish names it) of ``size`` bytes."""
    content_type, cache_control, stored = headers_for(relative, size, hashed=relative in hashed)
    on_the_fly = stored is None and size >= COMPRESS_FROM and is_compressible(content_type)
    return content_type, cache_control, stored, on_the_fly
