"""templates/js/beacon.js in real headless Chromium while the tracker is down, then up again.

The page and the beacon endpoint are served by one local server that answers the first POSTs
with planned failures (503, 429, 4xx, or a dropped answer after storing) and then hands every
request to the real tracker (``tracker.handler.handle_http``) on a SQLite file. Every request
is recorded with the event ids it carried and the status it got, so the tests can check that
each event is stored exactly once and that nothing the tracker accepted is ever sent again.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browserkit import running
from sqlalchemy import Engine, func, select

from tracker.handler import handle_http
from tracker.models import events_table

pytestmark = pytest.mark.browser

BEACON = Path(__file__).resolve().parents[2] / "templates" / "js" / "beacon.js"
PAGE = b"""<!doctype html><meta charset="utf-8"><title>beacon</title>
<script type="module">
import { createBeacon } from "/beacon.js";
window.beacon = createBeacon("/api/events");
window.ready = true;
</script>"""

# Counts the page's sendBeacon calls and its settled fetches, and still makes them: the tests
# can tell a beacon from a fetch, and know when the page has read an answer.
OBSERVE_REQUESTS = """
const realSendBeacon = navigator.sendBeacon.bind(navigator);
const realFetch = window.fetch;
window.sendBeaconCalls = 0;
window.fetchesSettled = 0;
navigator.sendBeacon = (url, data) => {
  window.sendBeaconCalls++;
  return realSendBeacon(url, data);
};
window.fetch = (...args) => {
  const settled = () => { window.fetchesSettled++; };
  const answer = realFetch(...args);
  answer.then(settled, settled);
  return answer;
};
"""

HIDE_PAGE = """() => {
    Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
    document.dispatchEvent(new Event("visibilitychange"));
}"""

DROP = 0  # a planned "status" meaning: store the events, then close without answering


@dataclass(frozen=True)
class Post:
    """One beacon request as the server saw it."""

    ids: tuple[str, ...]
    status: int  # what the server answered (DROP: no answer at all)
    at: float  # time.monotonic() when it arrived


class FlakyTracker(ThreadingHTTPServer):
    """Serves the test page and beacon.js; answers POSTs with ``faults`` first, then for real.

    While ``down`` is set, every POST is answered 503 (Retry-After: 1).
    """

    daemon_threads = True

    def __init__(self, engine: Engine) -> None:
        super().__init__(("127.0.0.1", 0), FlakyHandler)
        self.engine = engine
        self.faults: list[tuple[int, dict[str, str]]] = []
        self.down = threading.Event()
        self.posts: list[Post] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def next_fault(self) -> tuple[int, dict[str, str]] | None:
        with self.lock:
            if self.down.is_set():
                return 503, {"Retry-After": "1"}
            return self.faults.pop(0) if self.faults else None

    def record(self, post: Post) -> None:
        with self.lock:
            self.posts.append(post)


class FlakyHandler(BaseHTTPRequestHandler):
    server: FlakyTracker

    def do_GET(self) -> None:  # noqa: N802
        files = {"/": (PAGE, "text/html; charset=utf-8"),
                 "/beacon.js": (BEACON.read_bytes(), "text/javascript")}
        if self.path not in files:
            self.send_error(404)
            return
        body, kind = files[self.path]
        self._answer(200, {"Content-Type": kind}, body)

    def do_POST(self) -> None:  # noqa: N802
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ids = tuple(event["id"] for event in json.loads(body)["events"])
        fault = self.server.next_fault()
        if fault is None or fault[0] == DROP:
            status, headers, payload = handle_http("POST", dict(self.headers.items()), body,
                                                   self.client_address[0],
                                                   engine=self.server.engine)
        else:
            (status, headers), payload = fault, b'{"error":"planned failure"}'
        if fault is not None and fault[0] == DROP:
            # The events are stored, but the browser never hears so: a network error to it.
            self.server.record(Post(ids, DROP, arrived))
            self.close_connection = True
            return
        self.server.record(Post(ids, status, arrived))
        self._answer(status, headers, payload)

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            # A callable value is computed as the answer goes out (a Retry-After date).
            self.send_header(name, value() if callable(value) else value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def database_kind() -> str:
    """SQLite only: the browser's side is under test (storage is tested on both databases)."""
    return "sqlite"


@pytest.fixture
def tracker(engine):
    with running(FlakyTracker(engine)) as server:
        yield server


@pytest.fixture
def page(browser, tracker):
    context = browser.new_context()
    context.add_init_script(OBSERVE_REQUESTS)
    page = context.new_page()
    page.goto(tracker.url)
    page.wait_for_function("window.ready === true")
    yield page
    context.close()


def track_views(page, first: int, count: int) -> None:
    """Queue ``count`` view events with skus V-first … (one synchronous burst in the page)."""
    page.evaluate("([first, count]) => { for (let i = first; i < first + count; i++)"
                  " beacon.track('view', {sku: 'V-' + i}); }", [first, count])


def rows_per_id(engine: Engine) -> dict[str, int]:
    """How many rows the events table holds for each event id."""
    with engine.connect() as connection:
        query = select(events_table.c.id, func.count()).group_by(events_table.c.id)
        return {event_id: count for event_id, count in connection.execute(query)}


def stored_skus(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(events_table.c.sku)).scalars())


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def wait_for_rows(engine: Engine, count: int, timeout: float = 20.0) -> dict[str, int]:
    wait_until(lambda: sum(rows_per_id(engine).values()) >= count, timeout)
    return rows_per_id(engine)


def wait_for_fetches(page, count: int) -> None:
    """Wait until the page has read the answers to ``count`` fetches (its beacon reacts first)."""
    page.wait_for_function(f"window.fetchesSettled >= {count}")


def wait_for_posts(tracker: FlakyTracker, count: int) -> list[Post]:
    wait_until(lambda: len(tracker.posts) >= count)
    return list(tracker.posts)


def assert_accepted_never_resent(posts: list[Post]) -> None:
    """No event id appears in a request after a request carrying it was answered 202."""
    accepted: set[str] = set()
    for post in posts:
        assert not accepted & set(post.ids), "an event the tracker accepted was sent again"
        if post.status == 202:
            accepted.update(post.ids)


def skus(first: int, count: int) -> list[str]:
    return sorted(f"V-{i}" for i in range(first, first + count))


@pytest.mark.parametrize("faults", [
    pytest.param([(503, {"Retry-After": "1"})] * 2 + [(429, {"Retry-After": "1"})], id="503-429"),
    pytest.param([(503, {})] * 2, id="503-without-retry-after"),
    pytest.param([(429, {"Retry-After": "0"})], id="429-retry-after-0"),
    pytest.param([(502, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})], id="502-past-date"),
])
def test_tracker_503_then_recovers_every_event_arrives_once(page, tracker, engine, faults):
    tracker.faults = list(faults)
    track_views(page, 0, 120)  # 50 go at once, 50 more at once, 20 wait
    rows = wait_for_rows(engine, 120)
    assert len(rows) == 120 and set(rows.values()) == {1}
    assert stored_skus(engine) == skus(0, 120)
    posts = list(tracker.posts)
    assert [post.status for post in posts[:len(faults)]] == [status for status, _ in faults]
    assert {post.status for post in posts[len(faults):]} == {202}
    assert set(rows) == {event_id for post in posts for event_id in post.ids}
    assert_accepted_never_resent(posts)
    assert all(len(post.ids) <= 50 for post in posts)


@pytest.mark.parametrize("retry_after", ["3", "date"])
def test_tracker_503_with_retry_after_is_not_retried_sooner(page, tracker, engine, retry_after):
    # 3 s is longer than the beacon's own first backoff (1 s): only Retry-After explains a wait.
    if retry_after == "date":
        # Dated when the 503 goes out (whole seconds: 4 s ahead is at least 3 s away).
        retry_after = lambda: email.utils.formatdate(time.time() + 4, usegmt=True)  # noqa: E731
    tracker.faults = [(503, {"Retry-After": retry_after})]
    track_views(page, 0, 50)
    wait_for_rows(engine, 50)
    first, second = tracker.posts[:2]
    assert (first.status, second.status) == (503, 202)
    assert second.at - first.at >= 2.9


def test_tracker_answer_lost_after_storing_the_resend_is_stored_once(page, tracker, engine):
    # The tracker stored the batch, but the answer never reached the browser (a network error):
    # the browser must resend, and the tracker must not store the events twice.
    tracker.faults = [(DROP, {})]
    track_views(page, 0, 50)
    wait_until(lambda: len(tracker.posts) >= 2 and tracker.posts[1].status == 202)
    rows = rows_per_id(engine)
    assert len(rows) == 50 and set(rows.values()) == {1}
    first, second = tracker.posts[:2]
    assert first.status == DROP and second.ids == first.ids


def test_tracker_down_for_600_events_keeps_the_newest_500(page, tracker, engine):
    tracker.down.set()
    track_views(page, 0, 600)  # a request each time 50 are waiting: 12, all refused
    wait_for_fetches(page, 12)  # the page has read every 503
    tracker.down.clear()
    rows = wait_for_rows(engine, 500)
    wait_until(lambda: len(tracker.posts) >= 11)  # 1 refused + 10 batches of 50
    assert set(rows.values()) == {1}
    assert stored_skus(engine) == skus(100, 500)  # the 100 oldest were dropped
    assert_accepted_never_resent(tracker.posts)
    assert all(len(post.ids) <= 50 for post in tracker.posts)


@pytest.mark.parametrize("status", [400, 413])
def test_tracker_400_or_413_is_not_retried(page, tracker, engine, status):
    tracker.faults = [(status, {})]
    track_views(page, 0, 50)
    refused = wait_for_posts(tracker, 1)[0]
    track_views(page, 50, 50)  # no backoff after a 4xx: these go at once, alone
    wait_for_rows(engine, 50)
    wait_for_fetches(page, 2)
    page.evaluate(HIDE_PAGE)
    assert page.evaluate("window.sendBeaconCalls") == 0  # nothing was left to flush either
    assert refused.status == status
    assert [post.status for post in tracker.posts] == [status, 202]
    assert set(tracker.posts[1].ids).isdisjoint(refused.ids)
    assert stored_skus(engine) == skus(50, 50)


def test_tracker_down_when_page_is_hidden_events_stay_in_memory_and_arrive_once(
        page, tracker, engine):
    tracker.down.set()
    track_views(page, 0, 50)
    wait_for_fetches(page, 1)  # the page has read the 503
    track_views(page, 50, 2)
    page.evaluate(HIDE_PAGE)  # sendBeacon (50 + 2 events), into a tracker still down
    beaconed = wait_for_posts(tracker, 3)[1:3]
    tracker.down.clear()
    rows = wait_for_rows(engine, 52)
    assert page.evaluate("window.sendBeaconCalls") == 2
    assert [post.status for post in beaconed] == [503, 503]
    assert {event_id for post in beaconed for event_id in post.ids} == set(rows)
    assert len(rows) == 52 and set(rows.values()) == {1}
    assert stored_skus(engine) == skus(0, 52)
    assert_accepted_never_resent(tracker.posts)


def test_tracker_back_up_when_page_is_left_sendbeacon_delivers_each_event_once(
        page, tracker, engine):
    # The tracker asks for 60 s, recovers meanwhile, and the customer leaves before then:
    # sendBeacon carries the waiting events.
    tracker.faults = [(503, {"Retry-After": "60"})]
    track_views(page, 0, 50)
    wait_for_fetches(page, 1)  # the page has read the 503
    track_views(page, 50, 3)
    assert page.evaluate("window.sendBeaconCalls") == 0
    page.goto("about:blank")  # pagehide and visibilitychange: both flush, nothing twice
    rows = wait_for_rows(engine, 53)
    wait_until(lambda: len(tracker.posts) >= 3)
    assert len(rows) == 53 and set(rows.values()) == {1}
    assert [post.status for post in tracker.posts] == [503, 202, 202]  # 50 + 3 events
    assert {event_id for post in tracker.posts[1:] for event_id in post.ids} == set(rows)


def test_tracker_down_nothing_is_written_to_browser_storage(page, tracker, engine):
    tracker.down.set()
    track_views(page, 0, 120)
    wait_for_fetches(page, 2)
    page.evaluate(HIDE_PAGE)
    wait_for_posts(tracker, 5)  # 2 fetches, then 3 beacons of 50, 50 and 20 events
    storage = page.evaluate("""async () => [
        localStorage.length, sessionStorage.length, document.cookie,
        (await indexedDB.databases()).length, (await caches.keys()).length]""")
    assert storage == [0, 0, "", 0, 0]
    assert page.context.cookies() == []
    tracker.down.clear()
    rows = wait_for_rows(engine, 120)
    assert len(rows) == 120 and set(rows.values()) == {1}
