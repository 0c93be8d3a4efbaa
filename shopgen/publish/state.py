"""What the bucket holds: its listing, checked against shopgen's publish manifest.

Every object shopgen uploads carries its content's SHA-256 in `x-amz-meta-sha256`; that
metadata is the truth. Reading it takes one HEAD request an object, so shopgen also keeps a
manifest object (`<prefix>.shopgen-publish.json`) recording, for each key, the ETag and size
it had when uploaded with its hash and headers. A manifest entry is trusted only while the
listing still shows the same ETag and size; any other object (uploaded by an interrupted
publish, changed by hand, or the manifest missing) is read with HEAD. So a publish with
nothing changed costs one listing page a thousand objects plus one GET.

The manifest also records which keys this shop published (`published`): only those are ever
deleted. Several shops may share a bucket under different prefixes (one of them possibly the
root); a folder holding another shop's manifest belongs to that shop, and everything under it
is left out of this shop's state altogether.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from shopgen.publish.plan import RemoteObject

MANIFEST_NAME = ".shopgen-publish.json"
MANIFEST_VERSION = 2  # 2 added `published`; a version 1 manifest is still read


@dataclass
class BucketState:
    """This shop's part of the bucket: objects (manifest excluded), ETags, retirement times,
    the keys it published, and the prefixes of other shops found under its prefix."""

    objects: dict[str, RemoteObject]
    etags: dict[str, str]
    retired: dict[str, dt.datetime]
    stale: bool = False  # the stored manifest differs from this state: write it again
    heads: int = 0
    published: set[str] = field(default_factory=set)
    other_shops: tuple[str, ...] = ()


def manifest_key(prefix: str) -> str:
    """The manifest's key (beside the published files, never served by a page)."""
    return f"{prefix}{MANIFEST_NAME}"


def other_shop_prefixes(keys: Iterable[str], prefix: str) -> tuple[str, ...]:
    """Prefixes under `prefix` that hold another shop's manifest (`b/` for `b/.shopgen-…`)."""
    suffix = "/" + MANIFEST_NAME
    return tuple(sorted(key[: -len(MANIFEST_NAME)] for key in keys
                        if key.endswith(suffix) and key != manifest_key(prefix)))


def read_bucket_state(s3: Any, bucket: str, prefix: str, *, workers: int = 16) -> BucketState:
    """List this shop's part of the bucket and learn every object's hash and headers."""
    listed: dict[str, tuple[int, str]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            listed[item["Key"]] = (item["Size"], item["ETag"].strip('"'))
    listed.pop(manifest_key(prefix), None)
    others = other_shop_prefixes(listed, prefix)
    # Another shop's files are not this shop's to compare, record or delete.
    listed = {key: value for key, value in listed.items() if not key.startswith(others)}

    manifest = _read_manifest(s3, bucket, manifest_key(prefix))
    entries: Mapping[str, dict[str, Any]] = manifest.get("objects", {})
    objects: dict[str, RemoteObject] = {}
    etags: dict[str, str] = {}
    unknown: list[str] = []
    for key, (size, etag) in listed.items():
        entry = entries.get(key)
        if entry and entry.get("etag") == etag and entry.get("size") == size:
            objects[key] = _remote(key, entry)
            etags[key] = etag
        else:
            unknown.append(key)

    def head(key: str) -> tuple[str, dict[str, Any]]:
        response = s3.head_object(Bucket=bucket, Key=key)
        return key, {
            "size": response["ContentLength"],
            "etag": response["ETag"].strip('"'),
            "sha256": response.get("Metadata", {}).get("sha256"),
            "content_type": response.get("ContentType"),
            "cache_control": response.get("CacheControl"),
            "content_encoding": response.get("ContentEncoding"),
        }

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for key, entry in pool.map(head, unknown):
            objects[key] = _remote(key, entry)
            etags[key] = entry["etag"]

    retired = {
        key: dt.datetime.fromisoformat(when)
        for key, when in manifest.get("retired", {}).items()
        if key in listed
    }
    published = _published(manifest, entries, listed)
    stale = (bool(unknown) or set(entries) != set(listed)
             or manifest.get("version") != MANIFEST_VERSION)
    return BucketState(objects, etags, retired, stale=stale, heads=len(unknown),
                       published=published, other_shops=others)


def _published(manifest: Mapping[str, Any], entries: Mapping[str, Mapping[str, Any]],
               listed: Mapping[str, Any]) -> set[str]:
    """The listed keys this shop published, as its manifest records them."""
    if manifest.get("version") == MANIFEST_VERSION:
        return {key for key in manifest.get("published", []) if key in listed}
    # A version 1 manifest recorded every object shopgen had uploaded (with its sha256); other
    # shops' folders are already left out of `listed`.
    return {key for key, entry in entries.items() if entry.get("sha256") and key in listed}


def write_manifest(s3: Any, bucket: str, prefix: str, state: BucketState) -> None:
    """Store the state (after a publish changed it) for the next publish to trust."""
    body = {
        "version": MANIFEST_VERSION,
        "objects": {
            key: {
                "size": obj.size,
                "etag": state.etags[key],
                "sha256": obj.sha256,
                "content_type": obj.content_type,
                "cache_control": obj.cache_control,
                "content_encoding": obj.content_encoding,
            }
            for key, obj in sorted(state.objects.items())
            if key in state.etags
        },
        "retired": {key: when.isoformat() for key, when in sorted(state.retired.items())},
        "published": sorted(state.published),
    }
    s3.put_object(
        Bucket=bucket,
        Key=manifest_key(prefix),
        Body=json.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
        ContentType="application/json",
        CacheControl="no-store",
    )


def _read_manifest(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return {}
        raise
    try:
        data = json.loads(response["Body"].read())
    except ValueError:
        return {}  # unreadable: every object is read with HEAD instead
    return data if isinstance(data, dict) and data.get("version") in (1, MANIFEST_VERSION) else {}


def _remote(key: str, entry: Mapping[str, Any]) -> RemoteObject:
    return RemoteObject(
        key=key,
        size=entry["size"],
        sha256=entry.get("sha256"),
        content_type=entry.get("content_type"),
        cache_control=entry.get("cache_control"),
        content_encoding=entry.get("content_encoding"),
    )
