"""`shopgen serve`, run for real: the page, the beacon endpoint and rebuilds on change."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from servekit import shopgen_serve
from sitekit import product, write_site


@pytest.fixture
def served(tiny_site: Path):
    """`shopgen serve --port 0` on the tiny shop; yields (base URL, site, database URL)."""
    database = f"sqlite:///{tiny_site / 'events.sqlite3'}"
    with shopgen_serve(tiny_site, database) as url:
        yield url, tiny_site, database


def post(url: str, body: bytes, method: str = "POST") -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "text/plain",
                                              "User-Agent": "Mozilla/5.0 (X11; Linux) Firefox"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_serves_the_page_and_records_events(served) -> None:
    url, _site, database = served
    with urllib.request.urlopen(url, timeout=10) as response:
        assert "Storm Jacket" in response.read().decode()
    event = {"id": str(uuid.uuid4()), "type": "view", "at": "2026-11-24T12:00:00.000Z",
             "sku": "AC-1"}
    body = json.dumps({"v": 1, "page": "p1", "events": [event]}).encode()
    status, answer = post(url + "api/events", body)
    if status == 202 and answer["accepted"] == 0:
        pytest.fail(f"event rejected: {answer}")
    assert status == 202 and answer["accepted"] == 1
    status, answer = post(url + "api/events", body)      # a resend is not stored twice
    assert status == 202 and answer["duplicates"] == 1
    assert post(url + "api/events", b"{not json")[0] == 400
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select type, sku from events")).all()
    engine.dispose()
    assert rows == [("view", "AC-1")]


def test_rebuilds_on_change_and_keeps_serving_a_broken_catalog(served) -> None:
    url, site, _database = served
    write_site(site, {"products/zz.yaml": product(name="Freshly Added Lantern")})
    assert wait_for_page(url, "Freshly Added Lantern")
    write_site(site, {"products/zz.yaml": product(name="Broken One", price='"0"')})
    time.sleep(2.5)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert "Freshly Added Lantern" in response.read().decode()


def wait_for_page(url: str, text: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=10) as response:
            if text in response.read().decode():
                return True
        time.sleep(0.3)
    return False
