"""A real S3/CloudFront endpoint for the publish tests: moto in server mode on 127.0.0.1.

Use it with `pytest_plugins = ["s3_server"]` (fixtures: moto_endpoint, aws, failing_proxy). A tiny
HTTP proxy in front of moto that fails requests on demand (to test retries and an upload
failure midway), and `write_fake_build`, a few-file stand-in for the builder's output.
PYTEST_DONT_REWRITE (a plugin module that is also imported for its helpers).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer

from shopgen.build.pipeline import HASHED_FILES, MARKER


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """`http://127.0.0.1:PORT` of a moto server running for the whole test session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class AwsSite:
    """A fresh bucket and CloudFront distribution on the moto endpoint."""

    endpoint: str
    bucket: str
    distribution_id: str
    s3: Any
    cloudfront: Any

    def keys(self) -> set[str]:
        """Every key in the bucket."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def body(self, key: str) -> bytes:
        """An object's bytes."""
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def invalidations(self) -> dict[str, list[str]]:
        """Every invalidation of the distribution: id → its paths."""
        listing = self.cloudfront.list_invalidations(DistributionId=self.distribution_id)
        result = {}
        for item in listing["InvalidationList"].get("Items", []):
            detail = self.cloudfront.get_invalidation(
                DistributionId=self.distribution_id, Id=item["Id"]
            )
            result[item["Id"]] = detail["Invalidation"]["InvalidationBatch"]["Paths"].get(
                "Items", []
            )
        return result


def dummy_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy keys, a region, and no user AWS config that could leak in."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AwsSite:
    """A bucket and a distribution of this test's own, with dummy credentials set."""
    dummy_credentials(monkeypatch, tmp_path)
    return create_site(moto_endpoint)


def create_site(endpoint: str) -> AwsSite:
    """Create a uniquely named bucket and a CloudFront distribution in front of it."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    cloudfront = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    bucket = f"shop-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    origin = f"{bucket}.s3.amazonaws.com"
    response = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": bucket,
        "Comment": "shopgen test",
        "Enabled": True,
        "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "site", "DomainName": origin, "S3OriginConfig": {"OriginAccessIdentity": ""},
        }]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    })
    return AwsSite(endpoint, bucket, response["Distribution"]["Id"], s3, cloudfront)


# --- a proxy that fails on demand -----------------------------------------------------------

class FailingProxy:
    """Forwards HTTP to moto; answers 500 to PUTs once `fail_puts_after` PUTs went through,
    and 503 SlowDown to the next `throttle_next` requests of any kind."""

    def __init__(self, upstream: str):
        self.upstream = urlsplit(upstream)
        self.fail_puts_after: int | None = None
        self.throttle_next = 0
        self.puts = 0
        self.failed = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's endpoint URL."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _decide(self, method: str) -> int | None:
        with self.lock:
            if self.throttle_next > 0:
                self.throttle_next -= 1
                self.failed += 1
                return 503
            if method == "PUT":
                if self.fail_puts_after is not None and self.puts >= self.fail_puts_after:
                    self.failed += 1
                    return 500
                self.puts += 1
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                return None

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        chunk = self.rfile.read(size)
                        self.rfile.readline()
                        if size == 0:
                            break
                        chunks.append(chunk)
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self) -> None:
                body = self._body()
                status = proxy._decide(self.command)
                if status is not None:
                    code = "SlowDown" if status == 503 else "InternalError"
                    payload = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}"
                               f"</Code><Message>injected</Message></Error>").encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("transfer-encoding", "content-length")}
                headers["Content-Length"] = str(len(body))
                upstream = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=60
                )
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                    self.send_response(response.status, response.reason)
                    for key, value in response.getheaders():
                        if key.lower() not in ("transfer-encoding", "connection",
                                               "content-length", "server", "date"):
                            self.send_header(key, value)
                    length = response.getheader("Content-Length")
                    if self.command == "HEAD" and length is not None:
                        self.send_header("Content-Length", length)
                    else:
                        self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                finally:
                    upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        return Handler

    def start(self) -> FailingProxy:
        """Start serving in a daemon thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing_proxy(moto_endpoint: str) -> Iterator[FailingProxy]:
    """A FailingProxy in front of the session's moto server."""
    proxy = FailingProxy(moto_endpoint).start()
    yield proxy
    proxy.stop()


# --- a tiny fake build ----------------------------------------------------------------------

def _hashed(stem: str, data: bytes, ext: str) -> str:
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}.{ext}"


def write_fake_build(root: Path, products: Mapping[str, str], *, version: str = "1",
                     record: bool = True) -> Path:
    """A builder-like output: hashed assets and images, pages that reference them, and (with
    `record`) the build record listing the files named by content hash, as the builder does.

    `products` maps a SKU to its description; changing one changes its images and the page.
    """
    root.mkdir(parents=True, exist_ok=True)
    for old in sorted(root.rglob("*"), reverse=True):
        old.unlink() if old.is_file() else old.rmdir()
    refs = []

    def put(folder: str, stem: str, ext: str, data: bytes) -> str:
        name = f"{folder}/{_hashed(stem, data, ext)}"
        (root / folder).mkdir(exist_ok=True)
        (root / name).write_bytes(data)
        refs.append(name)
        return name

    put("assets", "app", "js", f"console.log('shop v{version}');".encode())
    put("assets", "style", "css", b"body{font-family:sans-serif}")
    put("assets", "search", "json", repr(sorted(products.items())).encode())
    for sku, text in sorted(products.items()):
        put("images", f"{sku.lower()}-1-320", "webp", f"RIFF webp {sku} {text}".encode())
        put("images", f"{sku.lower()}-1-640", "jpg", f"\xff\xd8 jpeg {sku} {text}".encode())
    links = "\n".join(f'<img src="/{ref}">' if ref.startswith("images/") else
                      f'<link href="/{ref}">' for ref in refs)
    (root / "index.html").write_text(f"<!doctype html><title>Shop</title>\n{links}\n")
    (root / "404.html").write_text("<!doctype html><title>Not found</title>")
    (root / "sitemap.xml").write_text("<?xml version='1.0'?><urlset></urlset>")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    if record:
        (root / MARKER).write_text(json.dumps({"fingerprint": "fake", HASHED_FILES: refs}))
    return root


def referenced(index_html: bytes) -> list[str]:
    """The asset and image keys an index.html of `write_fake_build` references."""
    return re.findall(r'(?:src|href)="/([^"]+)"', index_html.decode())
