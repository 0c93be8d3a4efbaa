"""`shopgen publish`: upload the build to S3 in a safe order and invalidate what changed.

The plan comes from `shopgen.publish.plan.plan_publish` (pure); this module gathers its inputs
(the build folder, the bucket's state) and executes it with boto3: assets in parallel, then
the pages one by one with `index.html` last, then deletes, then one CloudFront invalidation.
If an upload fails, the previous page stays live and every file it references is still there
(nothing is deleted before the new page is up); running the command again completes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)

from shopgen.build.pipeline import MARKER, read_build_record
from shopgen.config.shop_yaml import load_shop_block
from shopgen.errors import PublishError
from shopgen.publish.execute import UPLOAD_WORKERS, Echo, delete_all, invalidate, upload_all
from shopgen.publish.plan import (
    LocalFile,
    PublishPlan,
    describe_plan,
    headers_for,
    keys_in_other_shops,
    normalise_prefix,
    plan_publish,
)
from shopgen.publish.state import MANIFEST_NAME, read_bucket_state, write_manifest


@dataclass(frozen=True)
class PublishSettings:
    """Where to publish: shop.yaml's `publish` block overridden by command-line options."""

    bucket: str
    region: str | None = None
    distribution_id: str | None = None
    prefix: str = ""
    endpoint_url: str | None = None
    profile: str | None = None


@dataclass(frozen=True)
class PublishReport:
    """What a publish did (or, with dry_run, would do)."""

    plan: PublishPlan
    uploaded: int
    deleted: int
    bytes_sent: int
    requests: int
    invalidation_id: str | None


def load_settings(site: Path, **overrides: str | None) -> PublishSettings:
    """Read `<site>/shop.yaml`'s `publish:` block; non-None overrides win."""
    config = load_shop_block(site, "publish")
    merged = {k: v for k, v in config.items() if v not in (None, "")}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    if not merged.get("bucket"):
        raise PublishError(
            f"no bucket to publish to: set publish.bucket in {site / 'shop.yaml'} or pass --bucket"
        )
    return PublishSettings(
        bucket=str(merged["bucket"]),
        region=merged.get("region"),
        distribution_id=merged.get("distribution_id"),
        prefix=normalise_prefix(merged.get("prefix")),
        endpoint_url=merged.get("endpoint_url"),
        profile=merged.get("profile"),
    )


def scan_build(build_dir: Path, prefix: str = "") -> list[LocalFile]:
    """Every file of the build with its hash and the headers it will be stored with."""
    if not build_dir.is_dir():
        raise PublishError(f"{build_dir} does not exist: run `shopgen build` first")
    # Immutable only what the build says it named by content hash; without a record, nothing.
    hashed_files = read_build_record(build_dir) or frozenset()
    files = []
    # Links are skipped, never followed (os.walk does not enter linked folders): a link planted
    # in the build folder must not publish the file it points at.
    found = [Path(folder) / name for folder, _dirs, names in os.walk(build_dir) for name in names]
    for path in sorted(p for p in found if not p.is_symlink() and p.is_file()):
        relative = path.relative_to(build_dir).as_posix()
        if relative == MANIFEST_NAME or any(part.startswith(".") for part in relative.split("/")):
            continue  # hidden files (the build's own record, editors' files) are not the site
        data = path.read_bytes()
        hashed = relative in hashed_files
        content_type, cache_control, encoding = headers_for(relative, len(data), hashed=hashed)
        files.append(LocalFile(
            key=prefix + relative,
            path=relative,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content_type=content_type,
            cache_control=cache_control,
            content_encoding=encoding,
            hashed=hashed,
        ))
    if not any(f.path == "index.html" for f in files):
        raise PublishError(f"{build_dir} has no index.html: run `shopgen build` first")
    return files


class _RequestCounter:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, **_kwargs: Any) -> None:
        with self._lock:
            self.count += 1


def make_clients(settings: PublishSettings, *, max_attempts: int = 6) -> tuple[Any, Any, Any]:
    """(s3, cloudfront, request counter): retries with backoff on throttling and 5xx."""
    session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
    if session.get_credentials() is None:
        raise NoCredentialsError()
    config = Config(
        retries={"mode": "standard", "max_attempts": max_attempts},
        max_pool_connections=UPLOAD_WORKERS * 2,
        connect_timeout=10,
        read_timeout=60,
        s3={"addressing_style": "path"} if settings.endpoint_url else None,
    )
    s3 = session.client("s3", endpoint_url=settings.endpoint_url, config=config)
    cloudfront = session.client(
        "cloudfront", endpoint_url=settings.endpoint_url, config=config, region_name="us-east-1"
    )
    counter = _RequestCounter()
    for client in (s3, cloudfront):
        client.meta.events.register("before-send", counter)
    return s3, cloudfront, counter


def publish_site(
    settings: PublishSettings,
    build_dir: Path,
    *,
    echo: Echo,
    dry_run: bool = False,
    delete: bool = False,
    max_deletes: int = 256,
    wait_for_invalidation: bool = False,
    now: dt.datetime | None = None,
    max_attempts: int = 6,
    show_progress: bool = False,
) -> PublishReport:
    """Plan and (unless dry_run) execute a publish. Raises PublishError for user errors."""
    settings = replace(settings, prefix=normalise_prefix(settings.prefix))
    local = scan_build(build_dir, settings.prefix)
    if read_build_record(build_dir) is None:
        echo(f"Warning: {build_dir} has no build record ({MARKER} listing its content-hashed "
             "files), so every file gets the short cache and none is cached as immutable. "
             "Run `shopgen build` to rebuild it.")
    s3, cloudfront, counter = make_clients(settings, max_attempts=max_attempts)
    bucket = settings.bucket
    state = read_bucket_state(s3, bucket, settings.prefix)
    _refuse_other_shops_keys(local, state.other_shops, bucket)
    plan = plan_publish(local, state.objects, state.retired, prefix=settings.prefix,
                        delete=delete, now=now or dt.datetime.now(dt.UTC),
                        owned=state.published)
    if dry_run:
        echo(f"Dry run: nothing is changed in s3://{bucket}/{settings.prefix}")
        for line in describe_plan(plan):
            echo(line)
        if max_deletes != -1 and len(plan.deletes) > max_deletes:
            echo(f"A real publish would refuse: more than --max-deletes {max_deletes} deletes.")
        return PublishReport(plan, 0, 0, 0, counter.count, None)
    if max_deletes != -1 and len(plan.deletes) > max_deletes:
        raise PublishError(
            f"refusing to delete {len(plan.deletes)} objects (more than --max-deletes "
            f"{max_deletes}); nothing was changed. Check the bucket and prefix, or pass "
            "--max-deletes -1 to lift the limit."
        )
    if plan.invalidation_paths and settings.distribution_id:
        cloudfront.get_distribution(Id=settings.distribution_id)  # fail before any upload

    echo(f"Publishing to s3://{bucket}/{settings.prefix}: {len(plan.uploads)} to upload, "
         f"{len(plan.skips)} unchanged, {len(plan.deletes)} to delete")
    sent = upload_all(s3, bucket, build_dir, plan, state, show_progress=show_progress)
    if plan.deletes:
        delete_all(s3, bucket, plan.deletes)
        for key in plan.deletes:
            state.objects.pop(key, None)
            state.etags.pop(key, None)
    if (plan.changed or state.stale or dict(plan.retired) != state.retired
            or plan.owned != state.published):
        state.retired = dict(plan.retired)
        state.published = set(plan.owned)
        write_manifest(s3, bucket, settings.prefix, state)

    invalidation_id = None
    if plan.invalidation_paths and settings.distribution_id:
        invalidation_id = invalidate(cloudfront, settings.distribution_id,
                                      plan.invalidation_paths, echo, wait_for_invalidation)
    elif plan.invalidation_paths:
        echo("No publish.distribution_id set: CloudFront was not invalidated "
             "(pages may be stale for up to a minute).")
    echo(f"Uploaded {len(plan.uploads)} files ({sent} bytes), deleted {len(plan.deletes)}, "
         f"{len(plan.skips)} unchanged.")
    return PublishReport(plan, len(plan.uploads), len(plan.deletes), sent, counter.count,
                         invalidation_id)


def _refuse_other_shops_keys(local: list[LocalFile], other_shops: tuple[str, ...],
                             bucket: str) -> None:
    """Publishing into another shop's folder would overwrite its files: stop before any change."""
    clashes = keys_in_other_shops(local, other_shops)
    if clashes:
        owner = next(other for other in other_shops if clashes[0].startswith(other))
        raise PublishError(
            f"{len(clashes)} file(s) of the build (first: {clashes[0]}) would land under "
            f"s3://{bucket}/{owner}, where another shop is published; nothing was changed. "
            "Publish this shop under another prefix (publish.prefix)."
        )


def publish_command(site: Path, build_dir: Path, *, echo: Echo, dry_run: bool, delete: bool,
                    max_deletes: int, wait: bool, profile: str | None, bucket: str | None,
                    region: str | None, distribution_id: str | None, prefix: str | None,
                    endpoint_url: str | None) -> PublishReport:
    """The `shopgen publish` command: AWS errors become readable `PublishError`s."""
    settings = load_settings(site, bucket=bucket, region=region, distribution_id=distribution_id,
                             prefix=prefix, endpoint_url=endpoint_url, profile=profile)
    try:
        return publish_site(settings, build_dir, echo=echo, dry_run=dry_run, delete=delete,
                            max_deletes=max_deletes, wait_for_invalidation=wait,
                            show_progress=True)
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise PublishError(
            "no AWS credentials found: pass --profile, set AWS_PROFILE, or set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ) from error
    except ProfileNotFound as error:
        raise PublishError(f"AWS profile {settings.profile!r} not found") from error
    except ClientError as error:
        raise PublishError(_client_error_message(error, settings)) from error
    except BotoCoreError as error:
        raise PublishError(f"AWS request failed: {error}") from error


def _client_error_message(error: ClientError, settings: PublishSettings) -> str:
    code = error.response.get("Error", {}).get("Code", "")
    if code in ("NoSuchBucket", "404") or "NoSuchBucket" in str(error):
        return f"bucket {settings.bucket!r} does not exist (check publish.bucket and --region)"
    if code == "NoSuchDistribution":
        return (f"CloudFront distribution {settings.distribution_id!r} does not exist "
                "(check publish.distribution_id)")
    if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return f"access denied by AWS ({code}): check the credentials' permissions: {error}"
    return f"AWS request failed: {error}"
