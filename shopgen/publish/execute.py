"""Executing a publish plan with boto3: uploads in a safe order, deletes, one invalidation.

Assets go up in parallel; only once every one of them is up do the pages follow, one by one,
`index.html` last. An upload failure stops everything before the page that would reference a
missing file, and raises a PublishError saying the previous page is still live.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError

from shopgen.errors import PublishError
from shopgen.publish.plan import FINAL_PAGES, LocalFile, PublishPlan, RemoteObject
from shopgen.publish.state import BucketState

Echo = Callable[[str], None]
UPLOAD_WORKERS = 16
WAIT_LIMIT_SECONDS = 20 * 60
_UPLOAD_ERRORS = (ClientError, BotoCoreError, OSError)


def upload_all(s3: Any, bucket: str, build_dir: Path, plan: PublishPlan, state: BucketState,
               *, show_progress: bool) -> int:
    """Upload the plan's files in three steps; returns the bytes sent.

    1. content-hashed assets, in parallel; 2. once all are up, the other unhashed files and
    pages (e.g. product pages), in parallel; 3. 404.html, sitemap.xml, robots.txt and
    `index.html`, one by one in that order. Each uploaded object is recorded in `state`, so
    the manifest written afterwards is exact.
    """
    final = [f for f in plan.uploads if not f.hashed and f.path in FINAL_PAGES]
    steps = [[f for f in plan.uploads if f.hashed],
             [f for f in plan.uploads if not f.hashed and f.path not in FINAL_PAGES]]
    sent = 0

    def done(item: LocalFile, etag: str, size: int) -> None:
        nonlocal sent
        state.objects[item.key] = RemoteObject(item.key, size, item.sha256, item.content_type,
                                               item.cache_control, item.content_encoding)
        state.etags[item.key] = etag
        sent += size
        bar.update(1)

    with _progress(show_progress, len(plan.uploads)) as bar:
        for step in steps:
            _upload_parallel(s3, bucket, build_dir, step, done)
        for page in final:
            try:
                etag, size = _put(s3, bucket, build_dir, page)
            except _UPLOAD_ERRORS as error:
                raise _upload_failed(page, error) from error
            done(page, etag, size)
    return sent


def _upload_parallel(s3: Any, bucket: str, build_dir: Path, items: list[LocalFile],
                     done: Callable[[LocalFile, str, int], None]) -> None:
    """Upload all `items`; on the first failure cancel the rest and raise PublishError."""
    with ThreadPoolExecutor(max_workers=UPLOAD_WORKERS) as pool:
        futures = {pool.submit(_put, s3, bucket, build_dir, f): f for f in items}
        try:
            for future in as_completed(futures):
                try:
                    etag, size = future.result()
                except _UPLOAD_ERRORS as error:
                    raise _upload_failed(futures[future], error) from error
                done(futures[future], etag, size)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # nothing later goes up after this
            raise


def _put(s3: Any, bucket: str, build_dir: Path, item: LocalFile) -> tuple[str, int]:
    data = (build_dir / item.path).read_bytes()
    digest = hashlib.sha256(data).digest()
    if digest.hex() != item.sha256:
        raise PublishError(f"{item.path} changed while publishing; build again and retry")
    extra = {}
    if item.content_encoding == "gzip":
        data = gzip.compress(data, compresslevel=9, mtime=0)
        digest = hashlib.sha256(data).digest()
        extra["ContentEncoding"] = "gzip"
    # S3 checks the body against the hash we already have (no second checksum pass).
    response = s3.put_object(
        Bucket=bucket, Key=item.key, Body=data, ContentType=item.content_type,
        CacheControl=item.cache_control, Metadata={"sha256": item.sha256},
        ChecksumSHA256=base64.b64encode(digest).decode(), **extra,
    )
    return response["ETag"].strip('"'), len(data)


def _upload_failed(item: LocalFile, error: BaseException) -> PublishError:
    if isinstance(error, PublishError):
        return error
    return PublishError(
        f"uploading {item.key} failed: {error}. The previous page is still live and "
        "complete; run `shopgen publish` again to finish."
    )


def delete_all(s3: Any, bucket: str, keys: Iterable[str]) -> None:
    """Delete keys in batches of 1000."""
    keys = list(keys)
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start:start + 1000]]
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        if response.get("Errors"):
            first = response["Errors"][0]
            raise PublishError(f"could not delete {first['Key']}: {first.get('Message')}")


def invalidate(cloudfront: Any, distribution_id: str, paths: tuple[str, ...], echo: Echo,
                wait_for_it: bool) -> str:
    """Create one invalidation for `paths` (and wait for it); returns its id."""
    reference = hashlib.sha256("\n".join(paths).encode()).hexdigest()[:16]
    response = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": f"shopgen-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{reference}",
        },
    )
    invalidation_id = response["Invalidation"]["Id"]
    echo(f"CloudFront invalidation {invalidation_id}: {', '.join(paths)}")
    if wait_for_it:
        echo("Waiting for the invalidation to finish…")
        # Polled by hand: botocore's waiter wants "Completed" exactly, moto says "COMPLETED".
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while True:
            status = cloudfront.get_invalidation(DistributionId=distribution_id,
                                                 Id=invalidation_id)["Invalidation"]["Status"]
            if status.lower() == "completed":
                break
            if time.monotonic() > deadline:
                raise PublishError(f"invalidation {invalidation_id} still {status} after "
                                   f"{WAIT_LIMIT_SECONDS // 60} minutes; the files are up")
            time.sleep(5)
        echo("Invalidation complete.")
    return invalidation_id


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, _n: int) -> None:
        return None


def _progress(show: bool, length: int) -> Any:
    if show and length:
        return click.progressbar(length=length, label="Uploading")
    return _NoProgress()
