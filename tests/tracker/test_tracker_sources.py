"""Traffic sources: each pageview's referrer and utm_* tags classified at ingest."""

from __future__ import annotations

import json

import pytest
from trackerkit import CLIENT_IP, FIREFOX, encode, envelope, event, stored_events

from tracker.handler import handle_http
from tracker.sources import TrafficSource, classify


@pytest.mark.parametrize(("path", "referrer", "expected"), [
    ("/", None, TrafficSource("direct")),
    ("/?q=tent", None, TrafficSource("direct")),
    ("/", "https://www.google.com/", TrafficSource("organic search", "google.com")),
    ("/", "https://www.google.co.uk/", TrafficSource("organic search", "google.co.uk")),
    ("/", "https://duckduckgo.com/", TrafficSource("organic search", "duckduckgo.com")),
    ("/", "https://notgoogle.com/page", TrafficSource("referral", "notgoogle.com")),
    ("/", "https://l.facebook.com/l.php", TrafficSource("social", "l.facebook.com")),
    ("/", "https://t.co/abc", TrafficSource("social", "t.co")),
    ("/", "https://mail.google.com/mail/u/0/", TrafficSource("email", "mail.google.com")),
    ("/", "android-app://com.google.android.gm",
     TrafficSource("email", "com.google.android.gm")),
    ("/", "https://blog.example.org/best-tents", TrafficSource("referral", "blog.example.org")),
    ("/?utm_source=google&utm_medium=cpc&utm_campaign=Spring",
     "https://www.google.com/", TrafficSource("paid search", "google", "Spring")),
    ("/?utm_source=bing&utm_medium=PPC", None, TrafficSource("paid search", "bing")),
    ("/?utm_source=Newsletter&utm_medium=email&utm_campaign=nov-24", None,
     TrafficSource("email", "newsletter", "nov-24")),
    ("/?utm_source=instagram&utm_medium=social", None, TrafficSource("social", "instagram")),
    ("/?utm_campaign=flyer", None, TrafficSource("campaign", None, "flyer")),
    ("/?utm_campaign=flyer", "https://partner.example/", TrafficSource(
        "campaign", "partner.example", "flyer")),
    ("/?utm_source=partner&utm_medium=banner&q=tent", None,
     TrafficSource("campaign", "partner")),
    ("/?utm_source=&utm_medium=", "https://bing.com/", TrafficSource("organic search", "bing.com")),
])
def test_classify(path, referrer, expected):
    assert classify(path, referrer) == expected


def test_ingest_stores_the_classification_on_pageviews_only(engine):
    pageview = event("pageview", path="/?utm_source=news&utm_medium=email&utm_campaign=c1",
                     referrer="https://mail.google.com/mail/u/0/#inbox")
    search = event("search")
    status, _, payload = handle_http("POST", {"User-Agent": FIREFOX},
                                     encode(envelope(pageview, search)), CLIENT_IP,
                                     engine=engine)
    assert status == 202, payload
    assert json.loads(payload)["accepted"] == 2
    rows = {row["type"]: row for row in stored_events(engine)}
    assert (rows["pageview"]["channel"], rows["pageview"]["source"],
            rows["pageview"]["campaign"]) == ("email", "news", "c1")
    assert (rows["search"]["channel"], rows["search"]["source"]) == (None, None)
