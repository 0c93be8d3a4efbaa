"""`shopgen serve` sends what production sends: publish's Content-Type and Cache-Control for
each build file, and text compressed (brotli or gzip) as the browser's Accept-Encoding asks.
Over real HTTP on 127.0.0.1, compared with `shopgen publish`'s own scan of the same build."""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from servekit import in_thread

from shopgen.build import build_site
from shopgen.build.pipeline import MARKER
from shopgen.publish.command import scan_build
from shopgen.publish.plan import COMPRESS_OVER, IMMUTABLE, SHORT
from shopgen.serve.compression import choose_encoding
from shopgen.serve.preview import PreviewServer, make_server


@pytest.fixture
def served(tiny_site: Path, tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    """The tiny shop built and served in this process (no database: static files only)."""
    out = tmp_path / "build"
    build_site(tiny_site, out, echo=lambda *a, **k: None)
    server = make_server(out, 0, "/api/events", None, request_timeout=5,
                         report=lambda *a, **k: None)
    with in_thread(server):
        yield server, out


def fetch(server: PreviewServer, path: str, method: str = "GET",
          **headers: str) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers={k.replace("_", "-"): v
                                                  for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def url_of(relative: str) -> str:
    return "/" + relative.removesuffix("index.html")


def test_every_file_gets_the_headers_publish_stores_it_with(served) -> None:
    server, out = served
    published = scan_build(out)
    kinds = {f.path.rsplit(".", 1)[-1] for f in published}
    assert {"html", "js", "css", "json", "xml", "txt"} <= kinds  # the test covers each kind
    assert any(f.cache_control == IMMUTABLE for f in published)
    assert any(f.cache_control == SHORT for f in published)
    for file in published:
        status, headers, body = fetch(server, url_of(file.path))
        assert status == 200, file.path
        assert (headers["content-type"], headers["cache-control"]) == (
            file.content_type, file.cache_control), file.path
        assert body == (out / file.path).read_bytes(), file.path  # no Accept-Encoding: plain
        assert "content-encoding" not in headers


@pytest.mark.parametrize("accept, encoding, decode", [
    ("gzip, deflate, br", "br", brotli.decompress),
    ("gzip, deflate", "gzip", gzip.decompress),
    ("br;q=0, gzip", "gzip", gzip.decompress),
    ("*", "br", brotli.decompress),
])
def test_text_is_compressed_as_the_browser_asks(served, accept, encoding, decode) -> None:
    server, out = served
    index = json.loads((out / MARKER).read_text())["hashed_files"]
    script = next(name for name in index if name.endswith(".js"))
    for path, relative in [("/", "index.html"), (f"/{script}", script)]:
        status, headers, body = fetch(server, path, Accept_Encoding=accept)
        assert status == 200
        assert headers["content-encoding"] == encoding
        assert headers["vary"] == "Accept-Encoding"
        assert int(headers["content-length"]) == len(body)
        assert decode(body) == (out / relative).read_bytes()


def test_no_compression_when_not_accepted(served) -> None:
    server, out = served
    for accept in ("identity", "br;q=0, gzip;q=0", "compress"):
        status, headers, body = fetch(server, "/", Accept_Encoding=accept)
        assert status == 200 and "content-encoding" not in headers
        assert body == (out / "index.html").read_bytes()
        assert headers["vary"] == "Accept-Encoding"  # the answer depends on the header


def test_small_files_and_pictures_are_sent_as_they_are(served) -> None:
    server, out = served
    robots = (out / "robots.txt").read_bytes()
    assert len(robots) < 1000  # CloudFront compresses from 1,000 bytes only
    status, headers, body = fetch(server, "/robots.txt", Accept_Encoding="gzip, br")
    assert body == robots and "content-encoding" not in headers
    picture = next((out / "images").glob("*.webp"))
    status, headers, body = fetch(server, f"/images/{picture.name}", Accept_Encoding="gzip, br")
    assert status == 200 and body == picture.read_bytes()
    assert "content-encoding" not in headers and headers["content-type"] == "image/webp"
    assert headers["cache-control"] == IMMUTABLE


def test_head_sends_the_headers_of_get_without_a_body(served) -> None:
    server, _ = served
    _, got, body = fetch(server, "/", Accept_Encoding="gzip")
    status, headers, nothing = fetch(server, "/", "HEAD", Accept_Encoding="gzip")
    assert status == 200 and nothing == b""
    for name in ("content-type", "cache-control", "content-encoding", "content-length", "vary"):
        assert headers[name] == got[name]
    assert int(headers["content-length"]) == len(body)


def test_unchanged_file_is_a_304_with_its_cache_header(served) -> None:
    server, _ = served
    _, headers, _ = fetch(server, "/")
    status, again, body = fetch(server, "/", If_Modified_Since=headers["last-modified"])
    assert status == 304 and body == b""
    assert again["cache-control"] == SHORT
    status, _, body = fetch(server, "/", If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT")
    assert status == 200 and body


def test_a_file_publish_stores_gzipped_is_always_gzipped(served) -> None:
    server, out = served
    big = (b'{"filler": "' + b"x" * COMPRESS_OVER + b'"}')
    (out / "big.json").write_bytes(big)
    [file] = [f for f in scan_build(out) if f.path == "big.json"]
    assert file.content_encoding == "gzip"
    status, headers, body = fetch(server, "/big.json")  # even without Accept-Encoding
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == big


def test_a_new_build_record_is_read_again(served) -> None:
    server, out = served
    (out / "assets" / "late.js").write_text("console.log('late');\n")
    assert fetch(server, "/assets/late.js")[1]["cache-control"] == SHORT
    record = json.loads((out / MARKER).read_text())
    record["hashed_files"].append("assets/late.js")
    (out / MARKER).write_text(json.dumps(record) + "\n")  # a longer file: seen as changed
    assert fetch(server, "/assets/late.js")[1]["cache-control"] == IMMUTABLE


def test_missing_files_and_redirects_are_not_cached(served) -> None:
    server, _ = served
    status, headers, _ = fetch(server, "/nothing-here.html")
    assert status == 404 and headers["cache-control"] == "no-store"
    status, headers, _ = fetch(server, "/page/2")
    assert status in (301, 404) and headers["cache-control"] == "no-store"


@pytest.mark.parametrize("header, chosen", [
    (None, None), ("", None), ("gzip", "gzip"), ("br", "br"), ("gzip, br", "br"),
    ("gzip;q=1, br;q=0.5", "gzip"), ("br;q=0", None), ("*;q=0, gzip", "gzip"),
    ("identity", None), ("GZIP", "gzip"), ("br;q=abc, gzip", "gzip"),
])
def test_choose_encoding(header, chosen) -> None:
    assert choose_encoding(header) == chosen
