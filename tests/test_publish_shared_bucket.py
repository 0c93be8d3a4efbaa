"""Two shops in one bucket (moto server over HTTP): shop A at the root, shop B under `b/`.

`publish --delete` of either removes only what that shop published; objects put there by hand
are left alone; B's invalidation paths carry its prefix.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from s3_server import AwsSite, write_fake_build

from shopgen.errors import PublishError
from shopgen.publish import PublishSettings, publish_site
from shopgen.publish.command import PublishReport

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws, failing_proxy

SHOP_A = {"NW-1001": "red shoes", "NW-1002": "blue hat", "NW-1003": "green scarf"}
SHOP_B = {"BB-1": "garden chair", "BB-2": "parasol"}
LATER = dt.timedelta(days=8)  # past the grace period of superseded assets


def publish(site: AwsSite, build: Path, prefix: str, **options: object) -> PublishReport:
    settings = PublishSettings(bucket=site.bucket, distribution_id=site.distribution_id,
                               endpoint_url=site.endpoint, region="us-east-1", prefix=prefix)
    return publish_site(settings, build, echo=lambda _line: None, **options)


def snapshot(site: AwsSite, keys: set[str]) -> dict[str, bytes]:
    return {key: site.body(key) for key in keys}


def under(keys: set[str], prefix: str) -> set[str]:
    return {key for key in keys if key.startswith(prefix)}


@pytest.fixture
def two_shops(aws: AwsSite, tmp_path: Path) -> tuple[Path, Path]:
    """Shop A published at the bucket's root, then shop B under `b/`; their build folders."""
    build_a = write_fake_build(tmp_path / "a", SHOP_A)
    (build_a / "about.html").write_text("<p>about A</p>")
    build_b = write_fake_build(tmp_path / "b", SHOP_B, version="b")
    (build_b / "terms.html").write_text("<p>terms B</p>")
    publish(aws, build_a, "")
    publish(aws, build_b, "b/")
    return build_a, build_b


def test_delete_at_root_keeps_another_shops_prefix(aws: AwsSite,
                                                    two_shops: tuple[Path, Path]) -> None:
    build_a, _ = two_shops
    shop_b = snapshot(aws, under(aws.keys(), "b/"))
    (build_a / "about.html").unlink()  # gives A's --delete something of its own to delete
    now = dt.datetime.now(dt.UTC)
    first = publish(aws, build_a, "", delete=True, now=now)
    later = publish(aws, build_a, "", delete=True, now=now + LATER)
    assert first.plan.deletes == ("about.html",) and "about.html" not in aws.keys()
    assert not any(key.startswith("b/") for key in first.plan.deletes + later.plan.deletes)
    assert snapshot(aws, under(aws.keys(), "b/")) == shop_b


def test_delete_under_prefix_keeps_the_root_shop(aws: AwsSite,
                                                 two_shops: tuple[Path, Path]) -> None:
    _, build_b = two_shops
    shop_a = snapshot(aws, aws.keys() - under(aws.keys(), "b/"))
    (build_b / "terms.html").unlink()
    write_fake_build(build_b, {"BB-1": "garden chair"}, version="b2")
    now = dt.datetime.now(dt.UTC)
    publish(aws, build_b, "b/", delete=True, now=now)
    report = publish(aws, build_b, "b/", delete=True, now=now + LATER)
    assert "b/terms.html" not in aws.keys() and report.deleted > 0
    assert snapshot(aws, aws.keys() - under(aws.keys(), "b/")) == shop_a


def test_delete_at_root_keeps_objects_uploaded_by_hand(aws: AwsSite,
                                                       two_shops: tuple[Path, Path]) -> None:
    build_a, _ = two_shops
    aws.s3.put_object(Bucket=aws.bucket, Key="campaign.html", Body=b"<p>by hand</p>")
    # Copied by hand from shop B: it carries shopgen's sha256 metadata, yet A never published it.
    b_image = next(k for k in aws.keys() if k.startswith("b/images/"))
    copied = "promo/" + b_image.rsplit("/", 1)[1]
    aws.s3.copy_object(Bucket=aws.bucket, Key=copied,
                       CopySource={"Bucket": aws.bucket, "Key": b_image})
    now = dt.datetime.now(dt.UTC)
    publish(aws, build_a, "", delete=True, now=now)
    report = publish(aws, build_a, "", delete=True, now=now + LATER)
    assert {"campaign.html", copied} <= aws.keys()
    assert {"campaign.html", copied} <= set(report.plan.foreign)


def test_root_publish_does_not_take_another_shops_files_as_its_own(
        aws: AwsSite, two_shops: tuple[Path, Path]) -> None:
    build_a, _ = two_shops
    shop_b_manifest = aws.body("b/.shopgen-publish.json")
    report = publish(aws, build_a, "")
    # Nothing to do: one listing page and A's own manifest; B's objects are not even read.
    assert report.uploaded == 0 and report.requests == 2
    manifest = json.loads(aws.body(".shopgen-publish.json"))
    assert not any(key.startswith("b/") for key in manifest["objects"])
    assert not any(key.startswith("b/") for key in manifest["published"])
    assert aws.body("b/.shopgen-publish.json") == shop_b_manifest


def test_invalidation_paths_under_a_prefix_start_with_it(
        aws: AwsSite, two_shops: tuple[Path, Path]) -> None:
    _, build_b = two_shops
    (build_b / "terms.html").write_text("<p>new terms B</p>")
    report = publish(aws, build_b, "b/")
    paths = aws.invalidations()[report.invalidation_id]
    assert sorted(paths) == ["/b/terms.html"]
    (build_b / "index.html").write_text("<p>new front page B</p>")
    report = publish(aws, build_b, "b/")
    assert sorted(aws.invalidations()[report.invalidation_id]) == ["/b/", "/b/index.html"]


def test_build_with_files_under_another_shops_prefix_is_refused(
        aws: AwsSite, two_shops: tuple[Path, Path]) -> None:
    build_a, _ = two_shops
    (build_a / "b").mkdir()
    (build_a / "b" / "index.html").write_text("<p>A's page where B lives</p>")
    before = snapshot(aws, aws.keys())
    with pytest.raises(PublishError, match="another shop is published"):
        publish(aws, build_a, "")
    assert snapshot(aws, aws.keys()) == before


def test_manifest_of_an_older_shopgen_still_deletes_this_shops_old_pages(
        aws: AwsSite, two_shops: tuple[Path, Path]) -> None:
    build_a, _ = two_shops
    # Version 1 had no `published` list, and a root publish recorded B's objects in it too.
    manifest = json.loads(aws.body(".shopgen-publish.json"))
    manifest["objects"].update(json.loads(aws.body("b/.shopgen-publish.json"))["objects"])
    old = {"version": 1, "objects": manifest["objects"], "retired": manifest["retired"]}
    aws.s3.put_object(Bucket=aws.bucket, Key=".shopgen-publish.json",
                      Body=json.dumps(old).encode())
    shop_b = snapshot(aws, under(aws.keys(), "b/"))
    (build_a / "about.html").unlink()
    report = publish(aws, build_a, "", delete=True, now=dt.datetime.now(dt.UTC) + LATER)
    assert report.plan.deletes == ("about.html",)
    assert snapshot(aws, under(aws.keys(), "b/")) == shop_b
    assert json.loads(aws.body(".shopgen-publish.json"))["version"] == 2
