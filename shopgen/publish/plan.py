"""What `shopgen publish` will do: a pure function from local files and the bucket's state.

Nothing here touches the network or the file system, so the plan is tested without either.
Execution (`shopgen.publish`) follows the plan in its order: every asset first, then the
pages (404.html, sitemap.xml, robots.txt, `index.html` last), then the deletes, then one
CloudFront invalidation.

Grace period for superseded assets: a content-hashed object that the current build no longer
contains is recorded in the bucket's publish manifest with the time a publish first found it
unreferenced ("retired at"). `--delete` removes it only once it has been retired for longer
than `GRACE_PERIOD` (7 days), so a visitor whose browser still holds the previous page (or a
cached copy of it) keeps getting its images, scripts and search index. Pages and other unhashed
files are deleted at once, after the new `index.html` is up.

Immutable caching: only the files the build itself named by content hash (its record,
`.shopgen-build.json`) are stored with a one-year immutable cache; the shape of a name proves
nothing (a product page `p/nw-20240001.html` looks like a hashed asset).

Ownership: only keys that this shop's publish manifest records as published by it are ever
deleted. Objects uploaded by hand, and everything under another shop's prefix in the same
bucket, are left alone.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote

GRACE_PERIOD = dt.timedelta(days=7)
# CloudFront compresses text on the fly from 1,000 up to 10,000,000 bytes (gzip or brotli, as
# the browser asks); bigger text is stored gzip-compressed. `shopgen serve` follows both rules.
COMPRESS_FROM = 1_000
COMPRESS_OVER = 10_000_000
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60, must-revalidate"
# Past this many changed pages a single wildcard path is cheaper than listing them.
MAX_INVALIDATION_PATHS = 500

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".map": "application/json",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
}
_COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/manifest+json",
                 "image/svg+xml", "application/wasm")
# Uploaded last, one by one in this order: a page goes up only once what it links is there.
FINAL_PAGES = ("404.html", "sitemap.xml", "robots.txt", "index.html")
_PAGE_ORDER = {path: rank for rank, path in enumerate(FINAL_PAGES, start=1)}


@dataclass(frozen=True)
class LocalFile:
    """One file of the build, as it will be stored (`key` includes the bucket prefix)."""

    key: str
    path: str  # relative to the build folder, '/'-separated
    size: int
    sha256: str
    content_type: str
    cache_control: str
    content_encoding: str | None
    hashed: bool  # named by content hash, as the build's record says


@dataclass(frozen=True)
class RemoteObject:
    """What the bucket holds under a key; `sha256` is None for objects shopgen did not upload."""

    key: str
    size: int
    sha256: str | None
    content_type: str | None = None
    cache_control: str | None = None
    content_encoding: str | None = None


@dataclass(frozen=True)
class PublishPlan:
    """Uploads in execution order, what is skipped, deleted or kept, and what to invalidate."""

    uploads: tuple[LocalFile, ...]
    skips: tuple[LocalFile, ...]
    deletes: tuple[str, ...]
    kept: Mapping[str, dt.datetime] = field(default_factory=dict)  # key → deletable after
    foreign: tuple[str, ...] = ()  # unreferenced objects this shop did not publish: left alone
    retired: Mapping[str, dt.datetime] = field(default_factory=dict)  # state to store
    invalidation_paths: tuple[str, ...] = ()
    owned: frozenset[str] = frozenset()  # keys published by this shop once executed: to store

    @property
    def upload_bytes(self) -> int:
        """Bytes the uploads read from disk (before any compression)."""
        return sum(f.size for f in self.uploads)

    @property
    def changed(self) -> bool:
        """Whether executing the plan changes the bucket."""
        return bool(self.uploads or self.deletes)


def content_type_for(path: str) -> str:
    """The Content-Type to store; never application/octet-stream for a known web file."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path, strict=False)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed


def is_compressible(content_type: str) -> bool:
    """Whether a file of this type is sent compressed (by CloudFront, or stored so if large)."""
    return content_type.startswith(_COMPRESSIBLE)


def headers_for(path: str, size: int, *, hashed: bool) -> tuple[str, str, str | None]:
    """(Content-Type, Cache-Control, Content-Encoding or None) for a build file, as publish
    stores it and `shopgen serve` sends it.

    `hashed`: the build named the file by its content hash (its record says so), so the file
    under this name never changes and may be cached forever; anything else gets the short cache.
    The encoding is the stored one (gzip above `COMPRESS_OVER`); smaller text is left to the CDN.
    """
    content_type = content_type_for(path)
    cache_control = IMMUTABLE if hashed else SHORT
    compress = size > COMPRESS_OVER and is_compressible(content_type)
    return content_type, cache_control, "gzip" if compress else None


def normalise_prefix(prefix: str | None) -> str:
    """'' or 'some/folder/' (no leading slash, one trailing slash)."""
    cleaned = (prefix or "").strip("/")
    return f"{cleaned}/" if cleaned else ""


def _upload_order(item: LocalFile) -> tuple[int, int, str]:
    """Assets first; then unhashed non-HTML files; HTML pages; 404, sitemap, robots; index."""
    if item.hashed:
        return (0, 0, item.path)
    if item.path == "index.html":
        return (3, 9, item.path)
    rank = _PAGE_ORDER.get(item.path, 0)
    if rank:
        return (2, rank, item.path)
    is_html = item.content_type.startswith("text/html")
    # Nested index pages after other HTML so a section's landing page goes up last in it.
    return (1, 1 + is_html + (item.path.endswith("/index.html")), item.path)


def page_paths(key: str) -> list[str]:
    """CloudFront paths that serve a key (prefix included): `index.html` is also its folder."""
    url = "/" + quote(key, safe="/~-._")
    if key == "index.html" or key.endswith("/index.html"):
        return [url[: -len("index.html")], url]
    return [url]


def keys_in_other_shops(local: Sequence[LocalFile], other_prefixes: Sequence[str]) -> list[str]:
    """The build's keys that fall under another shop's prefix (publishing them would overwrite
    that shop's files)."""
    return [f.key for f in local if any(f.key.startswith(other) for other in other_prefixes)]


def _same(local: LocalFile, remote: RemoteObject) -> bool:
    return (
        remote.sha256 == local.sha256
        and remote.content_type == local.content_type
        and remote.cache_control == local.cache_control
        and (remote.content_encoding or None) == local.content_encoding
    )


def plan_publish(
    local: Sequence[LocalFile],
    remote: Mapping[str, RemoteObject],
    retired: Mapping[str, dt.datetime],
    *,
    prefix: str,
    delete: bool,
    now: dt.datetime,
    owned: Set[str],
    grace: dt.timedelta = GRACE_PERIOD,
) -> PublishPlan:
    """Compare the build with the bucket by content hash and headers.

    `remote` maps every key of this shop's part of the bucket (the manifest and other shops'
    prefixes excluded) to what it holds; `owned` is the keys the manifest records as published
    by this shop (the only ones ever deleted or retired); `retired` is when each unreferenced
    object was first seen unreferenced. Returns the plan; its `retired` and `owned` are the
    state to store after executing it.
    """
    local_keys = {f.key for f in local}
    uploads = sorted((f for f in local if f.key not in remote or not _same(f, remote[f.key])),
                     key=_upload_order)
    skips = tuple(f for f in local if f.key in remote and _same(f, remote[f.key]))

    deletes: list[str] = []
    kept: dict[str, dt.datetime] = {}
    foreign: list[str] = []
    new_retired: dict[str, dt.datetime] = {}
    for key in sorted(set(remote) - local_keys):
        if key not in owned or remote[key].sha256 is None:  # not ours, or replaced by hand
            foreign.append(key)
            continue
        since = retired.get(key, now)
        if _immutable(remote[key]) and now - since <= grace:
            new_retired[key] = since
            if delete:
                kept[key] = since + grace
        elif delete:
            deletes.append(key)
        else:
            new_retired[key] = since

    # An immutable object is never served stale (a new content gets a new name): no invalidation.
    changed_keys = [f.key for f in uploads if not f.hashed]
    changed_keys += [key for key in deletes if not _immutable(remote[key])]
    paths: list[str] = []
    for key in changed_keys:
        paths.extend(p for p in page_paths(key) if p not in paths)
    if len(paths) > MAX_INVALIDATION_PATHS:
        paths = [f"/{quote(prefix, safe='/~-._')}*"]
    return PublishPlan(
        uploads=tuple(uploads),
        skips=skips,
        deletes=tuple(deletes),
        kept=kept,
        foreign=tuple(foreign),
        retired=new_retired,
        invalidation_paths=tuple(paths),
        owned=frozenset((set(owned) & set(remote) | local_keys) - set(deletes)),
    )


def _immutable(obj: RemoteObject) -> bool:
    """Whether the object was stored as a content-hashed file (its own headers say so)."""
    return obj.cache_control == IMMUTABLE


def describe_plan(plan: PublishPlan, *, limit: int = 20) -> list[str]:
    """Human-readable lines for `--dry-run` (at most `limit` names per section)."""

    def section(title: str, names: Sequence[str]) -> list[str]:
        lines = [f"{title}: {len(names)}"]
        lines += [f"  {name}" for name in names[:limit]]
        if len(names) > limit:
            lines.append(f"  … and {len(names) - limit} more")
        return lines

    lines = section(f"Upload ({_size(plan.upload_bytes)})", [f.key for f in plan.uploads])
    lines.append(f"Unchanged (skipped): {len(plan.skips)}")
    lines += section("Delete", list(plan.deletes))
    if plan.kept:
        lines += section(
            "Kept for the grace period",
            [f"{k} (until {t:%Y-%m-%d %H:%M} UTC)" for k, t in sorted(plan.kept.items())],
        )
    if plan.foreign:
        lines += section("Not published by this shop (left alone)", list(plan.foreign))
    lines += section("Invalidate", list(plan.invalidation_paths))
    return lines


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.1f} KB"
    return f"{count / 1_000_000:.1f} MB"
