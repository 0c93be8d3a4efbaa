"""Privacy of stored events: e-mails and phones typed into the search box, click ids and other
parameters of shared links, and referrer queries are never stored (tracker/redaction.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trackerkit import (
    CLIENT_IP,
    FIREFOX,
    NOW,
    api_gateway_v2_event,
    encode,
    envelope,
    event,
    stored_events,
)

from tracker import storage
from tracker.handler import handle_http, handler
from tracker.redaction import (
    clean_page_path,
    clean_referrer,
    redact_emails,
    redact_phones,
    redact_text,
)

HEADERS = {"User-Agent": FIREFOX}


def store(engine, *events) -> list[dict]:
    """Post ``events`` through handle_http (all must be accepted) and return the stored rows."""
    status, _, payload = handle_http("POST", HEADERS, encode(envelope(*events)), CLIENT_IP,
                                     engine=engine, now=NOW)
    assert status == 202 and json.loads(payload)["accepted"] == len(events)
    return stored_events(engine)


def stored_field(engine, sent: dict, name: str):
    """The stored value of ``name`` for the event ``sent``."""
    return next(row[name] for row in stored_events(engine) if row["id"] == sent["id"])


# --- The rules, one by one -------------------------------------------------------------------

EMAILS = ["jane@example.com", "jane.doe+shop@example.co.uk", "JANE_DOE@Example.ORG",
          "jane@gmail", "jean-luc.o'neil@mail.example.fr", "müller@beispiel.de"]


@pytest.mark.parametrize("email", EMAILS)
def test_email_in_text_is_redacted(email):
    assert redact_text(f"red shoes for {email} please") == "red shoes for [email] please"
    assert redact_text(email) == "[email]"


@pytest.mark.parametrize("text", ["@nike", "medium.com/@jane/post", "50% off", "a @ b"])
def test_at_sign_without_an_address_is_not_redacted(text):
    assert redact_emails(text) == text


PHONES = [
    "+33 6 12 34 56 78", "+33612345678", "+1 (555) 123-4567", "+44 (0)20 7946 0958",
    "+49-30-1234-5678", "(555) 123-4567", "555-123-4567", "555.123.4567", "555 123 4567",
    "020 7946 0958", "06 12 34 56 78", "06.12.34.56.78", "0612345678", "07946095800",
    "0049 30 1234 5678", "612 34 56 78",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_in_text_is_redacted(phone):
    assert redact_text(f"call me on {phone} thanks") == "call me on [phone] thanks"
    assert redact_phones(phone) == "[phone]"


NOT_PHONES = [
    "NW-1001", "NW.1001", "NW-20240001", "NW-0612345678", "0612345678-XL", "TS-1001",
    "42", "size 42", "38 40 42 44 46", "50-100", "100-200", "1200 1500", "€50-100",
    "4006381333931", "5901234123457", "ean 4006381333931", "4 006381 333931", "96385074",
    "2026-11-24", "2026", "120x200", "12.99 15.99", "9780306406157", "5551234567",
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_sku_size_price_ean_or_date_is_not_taken_for_a_phone(text):
    assert redact_text(text) == text


def test_phone_glued_to_other_numbers_is_still_redacted():
    assert redact_text("size 42 06 12 34 56 78") == "size 42 [phone]"
    assert redact_text("0612345678 42") == "[phone] 42"


def test_email_holding_digits_is_one_email_not_a_phone():
    assert redact_text("jane0612345678@example.com") == "[email]"


@settings(max_examples=200, deadline=None)
@given(before=st.text(max_size=30), after=st.text(max_size=30))
def test_email_in_any_text_never_survives(before, after):
    redacted = redact_text(f"{before} jane.doe@example.com {after}")
    assert "jane.doe@example.com" not in redacted and "[email]" in redacted


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789 +-().@ab", max_size=60))
def test_redacting_twice_changes_nothing(text):
    once = redact_text(text)
    assert redact_text(once) == once


PATHS = [
    ("/?q=red", "/?q=red"),
    ("/?q=red+shoes&brand=acme&brand=zeta&colour=navy&size=42&min=50&max=100&stock=1"
     "&sort=price-asc&product=NW-1001&category=shoes",
     "/?q=red+shoes&brand=acme&brand=zeta&colour=navy&size=42&min=50&max=100&stock=1"
     "&sort=price-asc&product=NW-1001&category=shoes"),
    ("/?gclid=EAIaIQobChMI&q=red", "/?q=red"),
    ("/?fbclid=IwAR0x&msclkid=abc&_ga=1.2.3&mc_eid=42", "/"),
    ("/?email=jane%40example.com&token=s3cret&q=red", "/?q=red"),
    ("/?utm_source=newsletter&utm_medium=email&UTM_Campaign=sale&q=red",
     "/?utm_source=newsletter&utm_medium=email&UTM_Campaign=sale&q=red"),
    ("/?q=jane%40example.com", "/?q=[email]"),
    ("/?q=jane@example.com+red", "/?q=[email]+red"),
    ("/?q=call+06+12+34+56+78", "/?q=call+[phone]"),
    ("/?utm_term=jane%40example.com", "/?utm_term=[email]"),
    ("/?product=4006381333931", "/?product=4006381333931"),  # an EAN stays itself
    ("/?brand=jane%40example.com", "/?brand=[email]"),
    ("/?q=red#jane@example.com", "/?q=red"),
    ("/?material=cotton&weight-min=2", "/"),  # facet attributes: unknown to the tracker
    ("/page/2/", "/page/2/"),
    ("/p/nw-1001/", "/p/nw-1001/"),
    ("/p/jane%40example.com/", "/p/[email]/"),
    ("/?", "/"),
]


@pytest.mark.parametrize(("sent", "kept"), PATHS)
def test_path_keeps_only_page_state_and_utm_parameters(sent, kept):
    assert clean_page_path(sent) == kept


REFERRERS = [
    ("https://www.google.com/", "https://www.google.com/"),
    ("https://www.google.com/search?q=jane%40example.com&gclid=1", "https://www.google.com/search"),
    ("https://jane:secret@example.org/x#top", "https://example.org/x"),
    ("HTTPS://Example.ORG:443/Path", "https://example.org/Path"),
    ("http://example.org:80/", "http://example.org/"),
    ("http://localhost:8000/?q=red", "http://localhost:8000/"),
    ("http://[2001:db8::1]:8080/a?b", "http://[2001:db8::1]:8080/a"),
    ("https://example.org", "https://example.org"),
    ("https://mail.example.com/u/jane@example.com/inbox", "https://mail.example.com/u/[email]/inbox"),
    ("android-app://com.google.android.gm/path?x=1", "android-app://com.google.android.gm"),
    ("file:///home/jane/Desktop/shop.html", None),
    ("about:blank", None),
    ("not a url", None),
    ("http://[::1", None),
    ("https://example.org:99999/x", "https://example.org/x"),
    ("", None),
]


@pytest.mark.parametrize(("sent", "kept"), REFERRERS)
def test_referrer_keeps_scheme_host_and_path_only(sent, kept):
    assert clean_referrer(sent) == kept


# --- What reaches the database (SQLite and PostgreSQL) -----------------------------------------

def test_email_in_search_is_stored_redacted(engine):
    sent = event("search", query="jane.doe@example.com red shoes")
    store(engine, sent)
    assert stored_field(engine, sent, "query") == "[email] red shoes"


def test_phone_in_search_is_stored_redacted(engine):
    sent = event("search", query="call me +33 6 12 34 56 78")
    store(engine, sent)
    assert stored_field(engine, sent, "query") == "call me [phone]"


def test_sku_size_and_price_in_search_are_stored_as_typed(engine):
    sent = [event("search", query=text) for text in ("NW-1001", "42", "50-100", "4006381333931")]
    store(engine, *sent)
    assert [stored_field(engine, item, "query") for item in sent] == [
        "NW-1001", "42", "50-100", "4006381333931"]


def test_many_emails_in_search_are_stored_within_the_limit(engine):
    sent = event("search", query=" ".join(["a@b"] * 50))  # 199 characters, 50 addresses
    store(engine, sent)
    stored = stored_field(engine, sent, "query")
    assert len(stored) <= 200 and "@" not in stored


def test_gclid_in_path_is_not_stored(engine):
    sent = event("pageview", path="/?q=red&gclid=EAIaIQobChMIxyz&brand=acme")
    store(engine, sent)
    assert stored_field(engine, sent, "path") == "/?q=red&brand=acme"


def test_email_in_path_query_is_not_stored(engine):
    sent = event("pageview", path="/?q=jane%40example.com&email=jane%40example.com")
    store(engine, sent)
    assert stored_field(engine, sent, "path") == "/?q=[email]"


def test_phone_in_path_search_is_stored_redacted(engine):
    sent = event("pageview", path="/?q=0612345678&sort=newest")
    store(engine, sent)
    assert stored_field(engine, sent, "path") == "/?q=[phone]&sort=newest"


def test_utm_tags_and_page_state_in_path_are_stored(engine):
    path = "/?q=red&colour=navy&stock=1&utm_source=newsletter&utm_campaign=winter"
    sent = event("pageview", path=path)
    store(engine, sent)
    assert stored_field(engine, sent, "path") == path


def test_referrer_query_is_not_stored(engine):
    sent = event("pageview", referrer="https://www.google.com/search?q=jane%40example.com#x")
    store(engine, sent)
    assert stored_field(engine, sent, "referrer") == "https://www.google.com/search"


def test_referrer_password_is_not_stored(engine):
    sent = event("pageview", referrer="https://jane:hunter2@intranet.example.com:8443/x?y=1")
    store(engine, sent)
    assert stored_field(engine, sent, "referrer") == "https://intranet.example.com:8443/x"


def test_referrer_file_path_is_not_stored(engine):
    sent = event("pageview", referrer="file:///home/jane/shop.html")
    store(engine, sent)
    assert stored_field(engine, sent, "referrer") is None


def test_gclid_and_email_through_the_lambda_are_not_stored(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    view = event("pageview", path="/?gclid=abc&q=jane%40example.com",
                 referrer="https://l.facebook.com/l.php?u=https%3A%2F%2Fshop&fbclid=IwAR")
    search = event("search", query="06 12 34 56 78")
    response = handler(api_gateway_v2_event(encode(envelope(view, search))), None)
    assert response["statusCode"] == 202
    stored = repr(stored_events(engine))
    assert "gclid" not in stored and "fbclid" not in stored and "example.com" not in stored
    assert "12 34" not in stored
    assert stored_field(engine, view, "path") == "/?q=[email]"
    assert stored_field(engine, view, "referrer") == "https://l.facebook.com/l.php"
    assert stored_field(engine, search, "query") == "[phone]"
