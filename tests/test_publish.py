"""`shopgen publish` against a real S3/CloudFront endpoint (moto server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from s3_server import AwsSite, FailingProxy, referenced, write_fake_build
from sitekit import TODAY, product, write_site

from shopgen.build import MARKER, build_site
from shopgen.build.pipeline import HASHED_FILES
from shopgen.errors import PublishError
from shopgen.publish import PublishSettings, publish_site
from shopgen.publish.plan import COMPRESS_OVER, IMMUTABLE, SHORT

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws, failing_proxy

PRODUCTS = {"NW-1001": "red shoes", "NW-1002": "blue hat", "NW-1003": "green scarf"}
PAGES = {"index.html", "404.html", "sitemap.xml", "robots.txt"}


def settings(site: AwsSite, endpoint: str | None = None, prefix: str = "") -> PublishSettings:
    return PublishSettings(bucket=site.bucket, distribution_id=site.distribution_id,
                           endpoint_url=endpoint or site.endpoint, region="us-east-1",
                           prefix=prefix)


def publish(site: AwsSite, build: Path, **options: object):
    lines: list[str] = []
    endpoint = options.pop("endpoint", None)
    prefix = options.pop("prefix", "")
    report = publish_site(settings(site, endpoint, prefix), build, echo=lines.append,
                          **options)
    return report, lines


def site_files(build: Path) -> set[str]:
    """The build's files that are published (its hidden build record is not)."""
    return {p.relative_to(build).as_posix() for p in build.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def test_first_publish_uploads_everything_with_headers(aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    report, _ = publish(aws, build)
    files = site_files(build)
    assert report.uploaded == len(files) == 13
    assert aws.keys() == files | {".shopgen-publish.json"}
    for key in files:
        head = aws.s3.head_object(Bucket=aws.bucket, Key=key)
        assert head["ContentType"] != "application/octet-stream"
        assert head["CacheControl"] == (SHORT if key in PAGES else IMMUTABLE), key
        assert head["Metadata"]["sha256"] == report.plan.uploads[0].sha256 or key
        assert aws.body(key) == (build / key).read_bytes()
    head = aws.s3.head_object(Bucket=aws.bucket, Key="index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    webp = next(k for k in files if k.endswith(".webp"))
    assert aws.s3.head_object(Bucket=aws.bucket, Key=webp)["ContentType"] == "image/webp"
    js = next(k for k in files if k.endswith(".js"))
    assert aws.s3.head_object(Bucket=aws.bucket, Key=js)["ContentType"].startswith(
        "text/javascript")
    assert [f.path for f in report.plan.uploads][-1] == "index.html"


def test_republish_unchanged_uploads_and_invalidates_nothing(
        aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    publish(aws, build)
    before = aws.invalidations()
    report, _ = publish(aws, build)
    assert report.uploaded == 0 and report.deleted == 0 and report.bytes_sent == 0
    assert len(report.plan.skips) == 13
    assert report.invalidation_id is None and aws.invalidations() == before
    # One listing page and the manifest: no HEAD per object, no PUT.
    assert report.requests == 2


def test_rebuilt_with_same_content_and_new_mtimes_uploads_nothing(
        aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    publish(aws, build)
    write_fake_build(build, PRODUCTS)  # every file written again
    report, _ = publish(aws, build)
    assert report.uploaded == 0


def test_one_product_changed_uploads_its_files_and_the_page(
        aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    publish(aws, build)
    before = aws.invalidations()
    old = site_files(build)
    write_fake_build(build, {**PRODUCTS, "NW-1002": "blue hat, now in wool"})
    new_files = site_files(build) - old
    report, _ = publish(aws, build)
    uploaded = [f.path for f in report.plan.uploads]
    # Its two images, the search index that mentions it, and the page (last).
    assert set(uploaded) == new_files | {"index.html"}
    assert len(new_files) == 3 and uploaded[-1] == "index.html"
    after = aws.invalidations()
    assert len(after) == len(before) + 1
    (new_id,) = set(after) - set(before)
    assert new_id == report.invalidation_id
    assert sorted(after[new_id]) == ["/", "/index.html"]


def test_delete_removes_old_pages_now_and_old_assets_after_grace(
        aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    (build / "about.html").write_text("<p>about</p>")
    publish(aws, build)
    old = site_files(build)
    write_fake_build(build, {k: v for k, v in PRODUCTS.items() if k != "NW-1003"})
    gone = old - site_files(build)
    assert "about.html" in gone and len(gone) == 4

    report, _ = publish(aws, build)  # without --delete nothing goes
    assert report.deleted == 0 and gone <= aws.keys()

    now = dt.datetime.now(dt.UTC)
    report, _ = publish(aws, build, delete=True, now=now)
    assert report.plan.deletes == ("about.html",) and "about.html" not in aws.keys()
    assert gone - {"about.html"} <= aws.keys()  # kept for the grace period
    assert set(report.plan.kept) == gone - {"about.html"}
    assert "/about.html" in aws.invalidations()[report.invalidation_id]

    report, _ = publish(aws, build, delete=True, now=now + dt.timedelta(days=8))
    assert set(report.plan.deletes) == gone - {"about.html"}
    assert aws.keys() == site_files(build) | {".shopgen-publish.json"}
    assert report.invalidation_id is None  # hashed files need no invalidation


def test_delete_limit_refuses_before_changing_anything(aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    for n in range(3):
        (build / f"old-{n}.html").write_text("old")
    publish(aws, build)
    for n in range(3):
        (build / f"old-{n}.html").unlink()
    (build / "robots.txt").write_text("User-agent: *\nDisallow: /private\n")
    with pytest.raises(PublishError, match="refusing to delete 3 objects"):
        publish(aws, build, delete=True, max_deletes=2)
    assert b"Disallow" not in aws.body("robots.txt") and "old-0.html" in aws.keys()
    report, _ = publish(aws, build, delete=True, max_deletes=-1)
    assert report.deleted == 3


def test_dry_run_changes_nothing(aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    report, lines = publish(aws, build, dry_run=True)
    assert aws.keys() == set() and aws.invalidations() == {}
    assert len(report.plan.uploads) == 13 and report.uploaded == 0
    text = "\n".join(lines)
    assert "Dry run" in text and "Upload (" in text and "  index.html" in text

    publish(aws, build)
    snapshot = {k: aws.body(k) for k in aws.keys()}
    (build / "about.html").write_text("new")
    (build / "robots.txt").unlink()
    invalidations = aws.invalidations()
    report, lines = publish(aws, build, dry_run=True, delete=True)
    assert {k: aws.body(k) for k in aws.keys()} == snapshot
    assert aws.invalidations() == invalidations
    assert report.plan.deletes == ("robots.txt",) and "Delete: 1" in "\n".join(lines)


def test_large_text_file_is_stored_gzip_compressed(aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    big = b'{"products": [' + b'"same text", ' * (COMPRESS_OVER // 12) + b'""]}'
    (build / "assets" / "products-0a1b2c3d.json").write_bytes(big)
    publish(aws, build)
    response = aws.s3.get_object(Bucket=aws.bucket, Key="assets/products-0a1b2c3d.json")
    assert response["ContentEncoding"] == "gzip"
    assert response["ContentType"] == "application/json"
    stored = response["Body"].read()
    assert len(stored) < len(big) // 10 and gzip.decompress(stored) == big
    report, _ = publish(aws, build)
    assert report.uploaded == 0  # compared by the original content's hash


def test_prefix(aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    publish(aws, build, prefix="/shop/")
    assert all(k.startswith("shop/") for k in aws.keys()) and "shop/index.html" in aws.keys()
    assert publish(aws, build, prefix="shop")[0].uploaded == 0


def test_transient_throttling_is_retried(aws: AwsSite, failing_proxy: FailingProxy,
                                         tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    failing_proxy.throttle_next = 2
    report, _ = publish(aws, build, endpoint=failing_proxy.url, max_attempts=4)
    assert failing_proxy.failed == 2 and report.uploaded == 13
    assert aws.keys() >= site_files(build)


def test_failure_midway_keeps_the_old_page_consistent_and_a_rerun_completes(
        aws: AwsSite, failing_proxy: FailingProxy, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    publish(aws, build, endpoint=failing_proxy.url)
    old_index = aws.body("index.html")

    changed = {k: f"{v} (new season)" for k, v in PRODUCTS.items()}
    write_fake_build(build, changed, version="2")
    failing_proxy.fail_puts_after = failing_proxy.puts + 4  # 4 of the 8 new assets go up
    with pytest.raises(PublishError, match="previous page is still live"):
        publish(aws, build, endpoint=failing_proxy.url, max_attempts=1, delete=True)
    assert failing_proxy.failed >= 1
    keys = aws.keys()
    assert aws.body("index.html") == old_index
    assert all(ref in keys for ref in referenced(old_index))

    failing_proxy.fail_puts_after = None
    report, _ = publish(aws, build, endpoint=failing_proxy.url, delete=True)
    assert 0 < report.uploaded < len(site_files(build))  # only what the first try missed
    assert aws.body("index.html") == (build / "index.html").read_bytes()
    keys = aws.keys()
    assert all(ref in keys for ref in referenced(aws.body("index.html")))


def test_wait_for_the_invalidation(aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS)
    report, lines = publish(aws, build, wait_for_invalidation=True)
    assert report.invalidation_id and "Invalidation complete." in lines
    status = aws.cloudfront.get_invalidation(DistributionId=aws.distribution_id,
                                             Id=report.invalidation_id)
    assert status["Invalidation"]["Status"].lower() == "completed"


# --- immutable caching comes from the build's record, never from a name's shape -------------

def quiet(*_args: object, **_kwargs: object) -> None:
    return None


def ean_shop(root: Path, description: str) -> Path:
    """The tiny shop plus a product whose SKU ends in 8 digits, like an EAN."""
    text = product("NW-20240001", name="EAN Lamp", description=f'"{description}"')
    return write_site(root, {"products/nw-20240001.yaml": text})


def ean_page(build: Path) -> str:
    (page,) = [p for p in build.glob("p/*.html") if "20240001" in p.name]
    return page.relative_to(build).as_posix()


def test_ean_sku_page_is_not_cached_as_immutable(aws: AwsSite, tmp_path: Path) -> None:
    site = ean_shop(tmp_path / "shop", "A lamp.")
    build = build_site(site, today=TODAY, echo=quiet).out_dir
    page = ean_page(build)
    publish(aws, build)
    head = aws.s3.head_object(Bucket=aws.bucket, Key=page)
    assert head["CacheControl"] == SHORT
    hashed = json.loads((build / MARKER).read_text())[HASHED_FILES]
    for key in hashed:  # the build's own content-hashed files stay immutable
        assert aws.s3.head_object(Bucket=aws.bucket, Key=key)["CacheControl"] == IMMUTABLE, key

    ean_shop(tmp_path / "shop", "A brighter lamp.")
    build_site(site, today=TODAY, echo=quiet)
    report, _ = publish(aws, build)
    assert page in [f.path for f in report.plan.uploads]
    assert b"A brighter lamp." in aws.body(page)
    assert f"/{page}" in aws.invalidations()[report.invalidation_id]


def test_build_record_lists_exactly_its_content_hashed_files(tmp_path: Path) -> None:
    build = build_site(ean_shop(tmp_path / "shop", "A lamp."), today=TODAY, echo=quiet).out_dir
    hashed = json.loads((build / MARKER).read_text())[HASHED_FILES]
    expected = {p.relative_to(build).as_posix() for folder in ("assets", "images", "cards")
                for p in (build / folder).rglob("*") if p.is_file()}
    assert sorted(hashed) == hashed and set(hashed) == expected
    assert not any(name.startswith("p/") or name.endswith(".html") for name in hashed)


def test_build_from_before_the_record_is_rebuilt(tmp_path: Path) -> None:
    site = ean_shop(tmp_path / "shop", "A lamp.")
    build = build_site(site, today=TODAY, echo=quiet).out_dir
    record = json.loads((build / MARKER).read_text())
    del record[HASHED_FILES]  # what an older shopgen wrote
    (build / MARKER).write_text(json.dumps(record))
    assert not build_site(site, today=TODAY, echo=quiet).skipped
    assert HASHED_FILES in json.loads((build / MARKER).read_text())


def test_build_without_a_record_publishes_nothing_as_immutable_and_says_so(
        aws: AwsSite, tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", PRODUCTS, record=False)
    report, lines = publish(aws, build, dry_run=True)
    assert any("no build record" in line and "shopgen build" in line for line in lines)
    assert {f.cache_control for f in report.plan.uploads} == {SHORT}
    _, lines = publish(aws, build)
    assert any("no build record" in line for line in lines)
    for key in site_files(build):
        assert aws.s3.head_object(Bucket=aws.bucket, Key=key)["CacheControl"] == SHORT, key
