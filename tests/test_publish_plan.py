"""The publish plan: a pure function of local files and the bucket's state (no network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from shopgen.build.pipeline import HASHED_FILES, MARKER
from shopgen.publish import scan_build
from shopgen.publish.plan import (
    COMPRESS_OVER,
    IMMUTABLE,
    SHORT,
    LocalFile,
    RemoteObject,
    describe_plan,
    headers_for,
    keys_in_other_shops,
    normalise_prefix,
    plan_publish,
)
from shopgen.publish.state import other_shop_prefixes

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
# What the builds of these tests record as named by content hash (their assets and images).
HASHED_FOLDERS = ("assets/", "images/")


def local(path: str, content: str = "x", prefix: str = "", hashed: bool | None = None
          ) -> LocalFile:
    hashed = path.startswith(HASHED_FOLDERS) if hashed is None else hashed
    content_type, cache_control, encoding = headers_for(path, len(content), hashed=hashed)
    return LocalFile(prefix + path, path, len(content), f"sha-{content}", content_type,
                     cache_control, encoding, hashed)


def remote_of(item: LocalFile, sha: str | None = None) -> RemoteObject:
    return RemoteObject(item.key, item.size, sha or item.sha256, item.content_type,
                        item.cache_control, item.content_encoding)


BUILD = [local(p) for p in (
    "index.html", "404.html", "sitemap.xml", "robots.txt", "favicon.ico",
    "assets/app-SZBKI7N5.js", "assets/style-YAVT4C3R.css", "assets/search-3f2a9c1d.json",
    "images/nw-1001-1-320-9f8e7d6c.webp", "images/nw-1001-1-640-9f8e7d6c.jpg",
)]


@pytest.mark.parametrize("name", [
    "assets/app-SZBKI7N5.js", "images/nw-1001-1-320-9f8e7d6c.webp", "index.html",
    "p/nw-20240001.html", "p/4006381333931.html", "images/logo.png",
])
def test_cache_control_comes_from_the_build_record_not_the_name(name: str) -> None:
    assert headers_for(name, 10, hashed=True)[1] == IMMUTABLE
    assert headers_for(name, 10, hashed=False)[1] == SHORT


@pytest.mark.parametrize(("name", "content_type"), [
    ("a.webp", "image/webp"), ("a-12345678.js", "text/javascript; charset=utf-8"),
    ("a.json", "application/json"), ("sitemap.xml", "application/xml"),
    ("robots.txt", "text/plain; charset=utf-8"), ("index.html", "text/html; charset=utf-8"),
    ("a.css", "text/css; charset=utf-8"), ("a.svg", "image/svg+xml"), ("a.ico", "image/x-icon"),
    ("a.woff2", "font/woff2"), ("site.webmanifest", "application/manifest+json"),
    ("a.jpg", "image/jpeg"),
])
def test_every_web_file_gets_a_real_content_type(name: str, content_type: str) -> None:
    assert headers_for(name, 10, hashed=False)[0] == content_type


def test_cache_control_and_compression() -> None:
    assert headers_for("assets/app-SZBKI7N5.js", 10, hashed=True) == (
        "text/javascript; charset=utf-8", IMMUTABLE, None)
    assert headers_for("index.html", 10, hashed=False)[1:] == (SHORT, None)
    assert headers_for("assets/search-3f2a9c1d.json", COMPRESS_OVER + 1, hashed=True)[2] == "gzip"
    assert headers_for("assets/search-3f2a9c1d.json", COMPRESS_OVER, hashed=True)[2] is None
    # Images are compressed already: never gzip them.
    assert headers_for("images/big-9f8e7d6c.jpg", COMPRESS_OVER * 2, hashed=True)[2] is None


def test_first_publish_uploads_assets_first_and_index_last() -> None:
    plan = plan_publish(BUILD, {}, {}, prefix="", delete=False, now=NOW, owned=set())
    order = [f.path for f in plan.uploads]
    assert len(order) == len(BUILD) and not plan.skips and not plan.deletes
    assert all(f.hashed for f in plan.uploads[:5])
    assert order[5:] == ["favicon.ico", "404.html", "sitemap.xml", "robots.txt", "index.html"]
    assert plan.upload_bytes == sum(f.size for f in BUILD)


def test_nothing_changed_means_nothing_to_do() -> None:
    remote = {f.key: remote_of(f) for f in BUILD}
    plan = plan_publish(BUILD, remote, {}, prefix="", delete=True, now=NOW, owned=set(remote))
    assert plan.uploads == () and plan.deletes == () and plan.invalidation_paths == ()
    assert len(plan.skips) == len(BUILD) and not plan.changed


def test_changed_content_or_headers_is_uploaded_and_pages_invalidated() -> None:
    remote = {f.key: remote_of(f) for f in BUILD}
    remote["index.html"] = remote_of(BUILD[0], sha="old")
    remote["robots.txt"] = RemoteObject("robots.txt", 1, "sha-x", "text/plain", SHORT)
    plan = plan_publish(BUILD, remote, {}, prefix="", delete=False, now=NOW, owned=set(remote))
    assert [f.path for f in plan.uploads] == ["robots.txt", "index.html"]
    assert plan.invalidation_paths == ("/robots.txt", "/", "/index.html")


def test_grace_period_for_superseded_assets() -> None:
    old_asset = RemoteObject("assets/app-OLDHASH1.js", 3, "sha-old", "text/javascript", IMMUTABLE)
    old_page = RemoteObject("old.html", 3, "sha-old", "text/html", SHORT)
    foreign = RemoteObject("uploaded-by-hand.txt", 3, None)
    remote = {f.key: remote_of(f) for f in BUILD}
    remote.update({o.key: o for o in (old_asset, old_page, foreign)})
    owned = {f.key for f in BUILD} | {old_asset.key, old_page.key}

    first = plan_publish(BUILD, remote, {}, prefix="", delete=True, now=NOW, owned=owned)
    assert first.deletes == ("old.html",)  # the old page goes at once
    assert first.kept == {old_asset.key: NOW + dt.timedelta(days=7)}
    assert first.retired == {old_asset.key: NOW}  # remembered for the next publish
    assert first.foreign == ("uploaded-by-hand.txt",)
    assert first.invalidation_paths == ("/old.html",)

    remote.pop("old.html")
    later = NOW + dt.timedelta(days=6)
    still = plan_publish(BUILD, remote, first.retired, prefix="", delete=True, now=later,
                         owned=first.owned)
    assert still.deletes == () and still.retired == {old_asset.key: NOW}

    expired = NOW + dt.timedelta(days=7, seconds=1)
    gone = plan_publish(BUILD, remote, first.retired, prefix="", delete=True, now=expired,
                        owned=first.owned)
    assert gone.deletes == (old_asset.key,) and gone.invalidation_paths == ()

    without_delete = plan_publish(BUILD, remote, first.retired, prefix="", delete=False,
                                  now=expired, owned=first.owned)
    assert without_delete.deletes == () and without_delete.retired == {old_asset.key: NOW}


def test_an_asset_used_again_is_no_longer_retired() -> None:
    remote = {f.key: remote_of(f) for f in BUILD}
    retired = {"assets/app-SZBKI7N5.js": NOW - dt.timedelta(days=30)}
    plan = plan_publish(BUILD, remote, retired, prefix="", delete=True, now=NOW, owned=set(remote))
    assert plan.retired == {} and plan.deletes == ()


def test_prefix_keys_and_paths() -> None:
    assert normalise_prefix("/shop/") == "shop/" and normalise_prefix(None) == ""
    build = [local("index.html", prefix="shop/"), local("docs/index.html", prefix="shop/")]
    plan = plan_publish(build, {}, {}, prefix="shop/", delete=False, now=NOW, owned=set())
    assert [f.key for f in plan.uploads] == ["shop/docs/index.html", "shop/index.html"]
    assert plan.invalidation_paths == (
        "/shop/docs/", "/shop/docs/index.html", "/shop/", "/shop/index.html")


def test_dry_run_description_lists_everything() -> None:
    remote = {"old.html": RemoteObject("old.html", 3, "sha", "text/html", SHORT)}
    plan = plan_publish(BUILD, remote, {}, prefix="", delete=True, now=NOW, owned={"old.html"})
    text = "\n".join(describe_plan(plan))
    assert "Upload (10 bytes): 10" in text and "  index.html" in text
    assert "Delete: 1\n  old.html" in text and "Invalidate: 7\n  /favicon.ico" in text


def test_hidden_files_of_the_build_are_not_published(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<p>shop</p>")
    (tmp_path / "assets" / "app-ABCDEF12.js").write_text("x")
    (tmp_path / ".shopgen-build.json").write_text("{}")    # the build's own record
    (tmp_path / "assets" / ".DS_Store").write_text("junk")
    keys = [file.key for file in scan_build(tmp_path)]
    assert keys == ["assets/app-ABCDEF12.js", "index.html"]


def test_ean_sku_page_missing_from_the_record_gets_the_short_cache_and_is_invalidated() -> None:
    page = local("p/nw-20240001.html", "new text")  # looks hashed; the build did not hash it
    assert page.cache_control == SHORT and not page.hashed
    remote = {page.key: remote_of(page, sha="sha-old text")}
    plan = plan_publish([page], remote, {}, prefix="", delete=False, now=NOW, owned={page.key})
    assert plan.uploads == (page,) and plan.invalidation_paths == ("/p/nw-20240001.html",)


def test_ean_sku_page_in_a_build_folder_is_short_cached_by_scan_build(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<p>shop</p>")
    (tmp_path / "p" / "nw-20240001.html").write_text("<p>EAN product</p>")
    (tmp_path / "assets" / "app-ABCDEF12.js").write_text("x")
    (tmp_path / MARKER).write_text(json.dumps({HASHED_FILES: ["assets/app-ABCDEF12.js"]}))
    files = {file.path: file for file in scan_build(tmp_path)}
    assert files["p/nw-20240001.html"].cache_control == SHORT
    assert not files["p/nw-20240001.html"].hashed
    assert files["assets/app-ABCDEF12.js"].cache_control == IMMUTABLE
    assert files["assets/app-ABCDEF12.js"].hashed


@pytest.mark.parametrize("record", [None, "{}", "not json", '{"hashed_files": "assets"}'])
def test_build_without_a_record_caches_nothing_as_immutable(tmp_path: Path,
                                                            record: str | None) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<p>shop</p>")
    (tmp_path / "assets" / "app-ABCDEF12.js").write_text("x")
    if record is not None:
        (tmp_path / MARKER).write_text(record)
    assert {file.cache_control for file in scan_build(tmp_path)} == {SHORT}


def test_delete_never_removes_keys_this_shop_did_not_publish() -> None:
    remote = {f.key: remote_of(f) for f in BUILD}
    # Uploaded by shopgen (it has a sha256), but by another shop or copied in by hand.
    stray = RemoteObject("campaign/landing.html", 3, "sha-other", "text/html", SHORT)
    stray_asset = RemoteObject("assets/other-ABCDEF12.js", 3, "sha-o", "text/javascript",
                               IMMUTABLE)
    remote.update({stray.key: stray, stray_asset.key: stray_asset})
    plan = plan_publish(BUILD, remote, {}, prefix="", delete=True, now=NOW,
                        owned={f.key for f in BUILD})
    assert plan.deletes == () and plan.kept == {} and plan.retired == {}
    assert plan.foreign == ("assets/other-ABCDEF12.js", "campaign/landing.html")
    assert plan.invalidation_paths == ()
    assert stray.key not in plan.owned


def test_plan_records_the_keys_this_shop_owns_after_it() -> None:
    old_page = RemoteObject("old.html", 3, "sha-old", "text/html", SHORT)
    by_hand = RemoteObject("by-hand.txt", 3, None)
    remote = {old_page.key: old_page, by_hand.key: by_hand}
    owned = {"old.html", "deleted-by-hand.html"}
    kept = plan_publish(BUILD, remote, {}, prefix="", delete=False, now=NOW, owned=owned)
    assert kept.owned == {f.key for f in BUILD} | {"old.html"}
    deleted = plan_publish(BUILD, remote, {}, prefix="", delete=True, now=NOW, owned=owned)
    assert deleted.deletes == ("old.html",) and deleted.owned == {f.key for f in BUILD}


def test_invalidation_paths_under_a_prefix_carry_it() -> None:
    build = [local(p, prefix="b/") for p in ("index.html", "p/nw-1.html", "assets/app-1.js")]
    old = RemoteObject("b/old.html", 3, "sha-old", "text/html", SHORT)
    plan = plan_publish(build, {old.key: old}, {}, prefix="b/", delete=True, now=NOW,
                        owned={old.key})
    assert plan.invalidation_paths == ("/b/p/nw-1.html", "/b/", "/b/index.html", "/b/old.html")
    many = [local(f"p/{n}.html", prefix="b/") for n in range(600)]
    wide = plan_publish(many, {}, {}, prefix="b/", delete=False, now=NOW, owned=set())
    assert wide.invalidation_paths == ("/b/*",)


def test_build_keys_under_another_shops_prefix_are_found() -> None:
    build = [local(p) for p in ("index.html", "b/index.html", "bags.html", "p/b/x.html")]
    assert keys_in_other_shops(build, ("b/",)) == ["b/index.html"]
    assert keys_in_other_shops(build, ()) == []


def test_another_shops_folder_is_found_by_its_manifest() -> None:
    keys = ["index.html", ".shopgen-publish.json", "b/.shopgen-publish.json", "b/index.html",
            "c/d/.shopgen-publish.json", "notes.shopgen-publish.json"]
    assert other_shop_prefixes(keys, "") == ("b/", "c/d/")
    assert other_shop_prefixes(["b/.shopgen-publish.json", "b/c/.shopgen-publish.json"],
                               "b/") == ("b/c/",)
