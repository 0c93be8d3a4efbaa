"""`shopgen serve`, run for real: the page, the beacon endpoint and rebuilds on change."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from servekit import serve_process, shopgen_serve, wait_until
from sitekit import product, write_site

from shopgen.build import build_site
from shopgen.build.pipeline import build_inputs
from shopgen.cli import main
from shopgen.errors import ShopgenError
from shopgen.serve.watch import watch_and_rebuild


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


def test_rebuilds_on_change_and_keeps_serving_a_broken_catalog(tiny_site: Path) -> None:
    with serve_process(tiny_site, f"sqlite:///{tiny_site / 'events.sqlite3'}") as served:
        write_site(tiny_site, {"products/zz.yaml": product(name="Freshly Added Lantern")})
        assert wait_until(lambda: b"Freshly Added Lantern" in fetch(served.url)[1])
        write_site(tiny_site, {"products/zz.yaml": product(name="Broken One", price='"0"')})
        assert wait_until(lambda: "still serving the previous build" in served.output)
        with urllib.request.urlopen(served.url, timeout=10) as response:
            assert "Freshly Added Lantern" in response.read().decode()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_100_concurrent_beacons_are_all_stored(served) -> None:
    url, _site, database = served
    start = threading.Barrier(100)

    def send(index: int) -> int:
        event = {"id": str(uuid.uuid4()), "type": "search", "at": now_iso(),
                 "query": f"q{index}", "results": 1}
        body = json.dumps({"v": 1, "page": f"page-{index}", "events": [event]}).encode()
        start.wait()
        return post(url + "api/events", body)[0]

    with ThreadPoolExecutor(100) as pool:
        statuses = list(pool.map(send, range(100)))
    assert statuses == [202] * 100
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from events")).scalar_one() == 100
    engine.dispose()


def test_page_from_the_previous_build_keeps_its_assets_during_and_after_a_rebuild(
        tiny_site: Path) -> None:
    database = f"sqlite:///{tiny_site / 'events.sqlite3'}"
    with serve_process(tiny_site, database) as served:
        status, page = fetch(served.url)
        old_files = sorted(set(re.findall(r"(?:assets|images)/[\w.-]+\.\w+", page.decode())))
        assert status == 200 and any(name.startswith("assets/products-") for name in old_files)
        old = {name: fetch(served.url + name) for name in old_files}
        assert all(status == 200 for status, _ in old.values())
        failures: list[tuple[str, int]] = []
        done = threading.Event()

        def keep_loading() -> None:
            while not done.is_set():
                for name in ["", *old_files]:
                    status, content = fetch(served.url + name)
                    if status != 200 or (name and content != old[name][1]):
                        failures.append((name or "/", status))

        loader = threading.Thread(target=keep_loading)
        loader.start()
        try:
            write_site(tiny_site, {"products/ac-1.yaml": product(sku="AC-1", name="Gale Parka")})
            assert wait_until(lambda: b"Gale Parka" in fetch(served.url)[1])
        finally:
            done.set()
            loader.join()
        assert failures == []
        # The new build has its own data: the old file is only still there for old pages.
        assert not (tiny_site / "build" / "assets").joinpath(
            next(n for n in old_files if "products-" in n).split("/", 1)[1]).exists()
    assert not list(tiny_site.glob(".build.serve-*"))  # stopping cleans the kept builds up


@pytest.fixture
def busy_site(tiny_site: Path) -> Path:
    """The tiny shop and 500 more products: a build long enough for a stop to arrive in it."""
    return write_site(tiny_site, {f"products/many-{n}.yaml": product(sku=f"MN-{n}",
                                                                     name=f"Knit {n}")
                                  for n in range(500)})


def test_stopping_during_a_rebuild_finishes_it_and_leaves_no_folder_behind(
        busy_site: Path) -> None:
    database = f"sqlite:///{busy_site / 'events.sqlite3'}"
    with serve_process(busy_site, database) as served:
        write_site(busy_site, {"products/ac-1.yaml": product(sku="AC-1", name="Gale Parka")})
        assert wait_until(lambda: any("rebuilding" in line for line in served.lines))
    # (leaving the block sent SIGTERM and waited for the exit)
    assert "Stopped.\n" in served.lines
    assert sorted(path.name for path in busy_site.glob(".build*")) == []
    assert "Gale Parka" in (busy_site / "build" / "index.html").read_text()


def test_stopping_during_the_first_build_leaves_no_folder_behind(busy_site: Path) -> None:
    database = f"sqlite:///{busy_site / 'events.sqlite3'}"
    with serve_process(busy_site, database, until="Loaded 503 products") as served:
        pass
    assert "Stopped.\n" in served.lines and not any("Serving" in line for line in served.lines)
    assert sorted(path.name for path in busy_site.glob(".build*")) == []


def test_sqlite_journal_files_never_trigger_a_rebuild(tiny_site: Path) -> None:
    quiet = {"echo": lambda *a, **k: None}
    build_site(tiny_site, **quiet)
    for name in ["tracker.sqlite3", "tracker.sqlite3-wal", "tracker.sqlite3-shm",
                 "tracker.sqlite3-journal", "events.db-wal", "events.sqlite-shm"]:
        (tiny_site / name).write_bytes(b"changed by every stored beacon")
    assert build_site(tiny_site, **quiet).skipped


class FlakyBuild:
    """A build that fails in a new way on each call, then succeeds; stops the watcher."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.calls = 0

    def __call__(self, site_dir: Path, *_args: object, **_kwargs: object):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("disk on fire")  # retried at the next interval
        if self.calls == 2:
            (site_dir / "shop.yaml").write_text("fixed\n")  # a catalog problem waits for this
            raise ShopgenError("the catalog has 1 problem")
        if self.calls == 3:
            raise OSError(28, "No space left on device")
        self.stop.set()
        return type("Result", (), {"skipped": False, "products": 3, "seconds": 0.1})()


def test_rebuild_watcher_survives_any_error_and_prints_it(tmp_path: Path) -> None:
    stop = threading.Event()
    build, printed, rebuilt = FlakyBuild(stop), [], []
    watch_and_rebuild(tmp_path, tmp_path / "build", stop,
                      lambda message, **_: printed.append(message), interval=0,
                      build=build, rebuilt=lambda: rebuilt.append(True))
    assert build.calls == 4 and rebuilt == [True]
    assert printed[0].startswith("Error: unexpected RuntimeError: disk on fire")
    assert printed[1].startswith("Error: the catalog has 1 problem")
    assert printed[2] == "shop.yaml changed: rebuilding…"
    assert printed[3].startswith("Error: unexpected OSError") and "No space left" in printed[3]
    assert all("still serving the previous build" in printed[i] for i in (0, 1, 3))
    assert printed[4] == "Rebuilt 3 products in 0.10 s."


def test_a_change_once_the_watcher_is_watching_is_reported_as_a_change(tiny_site: Path) -> None:
    quiet = {"echo": lambda *a, **k: None}
    build_site(tiny_site, **quiet)
    stop, watching, printed = threading.Event(), threading.Event(), []

    def slow_inputs(site: Path, out: Path) -> dict:
        time.sleep(0.5)  # a big shop's files take a while to look at
        return build_inputs(site, out)

    def echo(message: str, **_) -> None:
        printed.append(message)

    watcher = threading.Thread(target=watch_and_rebuild,
                               args=(tiny_site, tiny_site / "build", stop, echo),
                               kwargs={"interval": 0.1, "inputs": slow_inputs,
                                       "watching": watching, "rebuilt": stop.set})
    watcher.start()
    assert watching.wait(10)
    (tiny_site / "products" / "ac-1.yaml").write_text(product(sku="AC-1", name="Gale Parka"))
    watcher.join(30)
    assert printed[0] == "products/ac-1.yaml changed: rebuilding…", printed
    assert printed[1].startswith("Rebuilt 3 products in ")


def test_busy_port_is_one_error_line(tiny_site: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tiny_site / 'events.sqlite3'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--site", str(tiny_site), "--port",
                                           str(port)])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"Error: port {port} is in use (try --port)"
    assert not (tiny_site / "build").exists()  # it says so before building


def test_host_that_is_not_this_machine_is_one_error_line(tiny_site: Path, monkeypatch) -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface here: binding fails, nothing is sent.
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tiny_site / 'events.sqlite3'}")
    result = CliRunner().invoke(main, ["serve", "--site", str(tiny_site), "--port", "0",
                                       "--host", "192.0.2.1"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: cannot listen on 192.0.2.1 port 0 (")
    assert "Traceback" not in result.output


def test_host_option_serves_on_that_address(tiny_site: Path) -> None:
    database = f"sqlite:///{tiny_site / 'events.sqlite3'}"
    with serve_process(tiny_site, database, "--host", "127.0.0.1") as served:
        assert fetch(served.url)[0] == 200
