"""Where a visit came from: a pageview's referrer and ``utm_*`` tags classified at ingest.

Every pageview is stored with its ``channel``, ``source`` and ``campaign`` (other events keep
them NULL); the report gives a *session* the classification of its first pageview, its entry.
The tracker already keeps referrers as ``scheme://host/path`` and paths with only the page's
state and ``utm_*`` parameters (tracker/redaction.py), which is all this needs.

Rules, first match wins:

1. ``utm_medium`` ``cpc``, ``ppc``, ``paid``, ``paidsearch`` or ``paid-search`` → *paid search*
   (from the tag only: ad-click ids such as ``gclid`` are never stored);
2. ``utm_medium`` ``email``, ``e-mail`` or ``newsletter`` → *email*; ``utm_medium``
   ``social``, ``social-network``, ``social-media``, ``sm`` → *social*;
3. any other ``utm_source``, ``utm_medium`` or ``utm_campaign`` → *campaign*;
4. no referrer → *direct*;
5. a referrer on a search engine → *organic search*, a social network → *social*, a web-mail
   host → *email*; any other referrer → *referral*.

The source is ``utm_source`` when tagged (lower-cased), else the referrer's host without
``www.``, else NULL (direct). The campaign is ``utm_campaign`` or NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

DIRECT = "direct"
ORGANIC_SEARCH = "organic search"
PAID_SEARCH = "paid search"
SOCIAL = "social"
EMAIL = "email"
REFERRAL = "referral"
CAMPAIGN = "campaign"
CHANNELS = (DIRECT, ORGANIC_SEARCH, PAID_SEARCH, SOCIAL, EMAIL, REFERRAL, CAMPAIGN)

PAID_MEDIUMS = frozenset({"cpc", "ppc", "paid", "paidsearch", "paid-search"})
EMAIL_MEDIUMS = frozenset({"email", "e-mail", "newsletter"})
SOCIAL_MEDIUMS = frozenset({"social", "social-network", "social-media", "sm"})

# Registrable names (the host's last labels, matched label-wise, so "google.co.uk" and
# "www.google.com" are Google, "notgoogle.com" is not).
SEARCH_ENGINES = ("google", "bing.com", "duckduckgo.com", "yahoo.com", "search.yahoo.com",
                  "ecosia.org", "qwant.com", "baidu.com", "yandex", "search.brave.com",
                  "startpage.com", "ask.com")
SOCIAL_NETWORKS = ("facebook.com", "fb.com", "instagram.com", "t.co", "twitter.com", "x.com",
                   "linkedin.com", "lnkd.in", "pinterest.com", "reddit.com", "youtube.com",
                   "tiktok.com", "threads.net", "bsky.app", "mastodon.social", "whatsapp.com")
WEB_MAIL = ("mail.google.com", "outlook.live.com", "outlook.office.com", "mail.yahoo.com",
            "com.google.android.gm", "mail.proton.me")
MAX_TAG = 100  # the columns' width: source and campaign are cut to it


@dataclass(frozen=True)
class TrafficSource:
    """A pageview's channel (one of `CHANNELS`), source and campaign."""

    channel: str
    source: str | None = None
    campaign: str | None = None


def _tags(path: str | None) -> dict[str, str]:
    query = (path or "").partition("?")[2]
    tags: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=False):
        key = key.lower()
        if key in ("utm_source", "utm_medium", "utm_campaign") and key not in tags:
            tags[key] = value.strip()[:MAX_TAG]
    return {key: value for key, value in tags.items() if value}


def _host(referrer: str | None) -> str | None:
    if not referrer:
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _matches(host: str, names: tuple[str, ...]) -> bool:
    labels = host.split(".")
    for name in names:
        wanted = name.split(".")
        if "." in name:
            if labels[-len(wanted):] == wanted:
                return True
        elif name in labels[:-1]:  # "google" in google.com, google.co.uk, google.fr
            return True
    return False


def _referrer_channel(host: str) -> str:
    if _matches(host, WEB_MAIL):
        return EMAIL
    if _matches(host, SEARCH_ENGINES):
        return ORGANIC_SEARCH
    if _matches(host, SOCIAL_NETWORKS):
        return SOCIAL
    return REFERRAL


# Stored paths and referrers repeat (a shop has few entry pages and referrers), and the inputs
# are already cleaned of anything personal (tracker/redaction.py): remembering the latest
# answers saves parsing the same URLs for every pageview.
@lru_cache(maxsize=4096)
def classify(path: str | None, referrer: str | None) -> TrafficSource:
    """The traffic source of a pageview of ``path`` (as stored) from ``referrer`` (as
    stored), by the rules in this module's docstring."""
    tags = _tags(path)
    host = _host(referrer)
    campaign = tags.get("utm_campaign")
    if tags:
        medium = tags.get("utm_medium", "").lower()
        source = tags.get("utm_source", "").lower() or host
        if medium in PAID_MEDIUMS:
            channel = PAID_SEARCH
        elif medium in EMAIL_MEDIUMS:
            channel = EMAIL
        elif medium in SOCIAL_MEDIUMS:
            channel = SOCIAL
        else:
            channel = CAMPAIGN
        return TrafficSource(channel, source[:MAX_TAG] if source else None, campaign)
    if host is None:
        return TrafficSource(DIRECT)
    return TrafficSource(_referrer_channel(host), host[:MAX_TAG], None)
