"""What the tracker keeps of the free text and the addresses that the browser sends.

Customers type e-mail addresses and phone numbers into the search box, and shared links carry
ad-click ids (``gclid``, ``fbclid``) and personal parameters (``?email=…``). The rules:

- **Search text** (a search event's ``query``, the ``q`` and ``utm_*`` values of a path): an
  e-mail address becomes ``[email]``, a phone number ``[phone]`` (see ``redact_text``).
- **A page path** (a pageview's ``path``): the path, with any e-mail address in it redacted, and
  of its query string only the page's own URL-state parameters (DESIGN.md: ``q``, ``brand``,
  ``colour``, ``category``, ``size``, ``min``, ``max``, ``stock``, ``sort``, ``product``) and
  ``utm_*`` campaign tags, in their order; every other parameter and the fragment are dropped.
  Facet-attribute parameters (``material=…``, ``weight-min=…``) are dropped too: their names
  are catalog ids the tracker never sees, and "keep whatever looks like an id" would keep
  ``gclid`` and ``email`` as well. Values of the id-valued keys get e-mail redaction only (a
  ``product=`` EAN must stay an EAN).
- **A referrer**: ``scheme://host[:port]/path`` for http(s): no user name or password, no
  query, no fragment; the port only when it is not the scheme's default; e-mail addresses in
  the path redacted. Another scheme with a host (``android-app://com.google.android.gm``)
  keeps only its scheme and host; anything without a host (``about:blank``, ``file:///…``,
  text that is not a URL) is not kept (``None``).
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
STATE_KEYS = frozenset(
    {"q", "brand", "colour", "category", "size", "min", "max", "stock", "sort", "product"}
)
FREE_TEXT_KEYS = frozenset({"q"})  # and every utm_* key
DEFAULT_PORTS = {"http": 80, "https": 443}

# A local part of RFC 5322 "atext" and dots (no "/" so "medium.com/@user" is no address), "@",
# and a domain; the top-level domain is optional because customers type "jane@gmail" too.
_EMAIL = re.compile(r"[\w.!#$%'*+^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")
# A run of digits and phone separators, not glued to a word ("NW-1001", "A.0612345678",
# "0612345678-XL" are references, not phones). Judged by _is_phone, in pieces.
_PHONE_RUN = re.compile(r"(?<![\w+.-])\+?\(?\d[\d ().-]*\d(?!\w|[-.]\w)")
_RUN_GROUP = re.compile(r"\+?\(?\d+\)?")  # one digit group of a run, with its "+", "(" or ")"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15  # E.164 allows at most 15 digits
MIN_GROUPED_DIGITS = 9  # a local number written in groups: "612 34 56 78" has 9


def redact_emails(text: str) -> str:
    """``text`` with every e-mail address replaced by ``[email]``."""
    return _EMAIL.sub(EMAIL_MARK, text)


def _is_phone(candidate: str, groups: list[int]) -> bool:
    """Whether a run of digits and separators is written like a phone number.

    With 7 to 15 digits in all, one of: a leading ``+`` ("+33 6 12 34 56 78"); a bracketed
    area code and 9+ digits ("(555) 123-4567"); one bare run of 10 or 11 digits starting with
    0 ("0612345678", "07946095800"); or 3+ groups of at most 4 digits with 9+ digits, where
    groups of only one or two digits must start with 0 ("555-123-4567", "020 7946 0958",
    "06 12 34 56 78"). Not phones: "42", "50-100", "2026-11-24", an EAN ("4006381333931",
    "4 006381 333931"), sizes "38 40 42 44 46". A bare US number ("5551234567") is not
    recognised either: it is written like an ISBN or an article number. ``groups`` are the
    lengths of the candidate's digit groups.
    """
    digits = sum(groups)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        return False
    if candidate.startswith("+"):
        return True
    if _ISO_DATE.fullmatch(candidate):
        return False
    if len(groups) == 1:
        return candidate.startswith("0") and digits in (10, 11)
    if candidate.startswith("(") and ")" in candidate:
        return digits >= MIN_GROUPED_DIGITS
    if len(groups) < 3 or digits < MIN_GROUPED_DIGITS or max(groups) > 4:
        return False
    return max(groups) > 2 or candidate.startswith("0")


def _redact_phone_run(run: str) -> str:
    """``run`` with its phone numbers redacted; a number glued to other numbers ("42 06 12 34
    56 78") is found by trying the spans of groups from the left, longest first."""
    groups = list(_RUN_GROUP.finditer(run))
    digit_counts = [sum(char.isdigit() for char in group.group()) for group in groups]
    pieces: list[str] = []
    position = index = 0
    while index < len(groups):
        end = _longest_phone_span(run, groups, digit_counts, index)
        if end is None:
            index += 1
            continue
        start = groups[index].start()
        pieces.append(run[position:start] + PHONE_MARK)
        position, index = groups[end - 1].end(), end
    return "".join(pieces) + run[position:]


def _longest_phone_span(run: str, groups: list[re.Match[str]], digit_counts: list[int],
                        index: int) -> int | None:
    """The end (exclusive) of the longest phone-shaped span of groups from ``index``, if any."""
    start = groups[index].start()
    # Cheap pre-check (a 16 KiB body of "1 1 1 …" must not cost seconds): without a leading
    # "+", "(" or "0", only groups of 3 or 4 digits can make a phone (see _is_phone).
    marked = run[start] in "+(0"
    ends = []
    digits = widest = 0
    for end in range(index, len(groups)):
        digits += digit_counts[end]
        widest = max(widest, digit_counts[end])
        if digits > MAX_PHONE_DIGITS:
            break
        if digits >= MIN_PHONE_DIGITS and (marked or 3 <= widest <= 4):
            ends.append(end + 1)
    return next((end for end in reversed(ends)
                 if _is_phone(run[start:groups[end - 1].end()], digit_counts[index:end])), None)


def redact_phones(text: str) -> str:
    """``text`` with every phone number (as ``_is_phone`` sees one) replaced by ``[phone]``."""
    return _PHONE_RUN.sub(lambda match: _redact_phone_run(match.group()), text)


def redact_text(text: str) -> str:
    """Free text (a search query) with e-mail addresses and phone numbers redacted."""
    # E-mails first: an address may hold digits that look like a phone.
    return redact_phones(redact_emails(text))


def _is_kept_key(key: str) -> bool:
    return key in STATE_KEYS or key.lower().startswith("utm_")


def _clean_query(query: str) -> str:
    """The parameters of ``query`` that may be kept, their values redacted, else as sent."""
    kept = []
    for pair in query.split("&"):
        raw_key, equals, raw_value = pair.partition("=")
        key = unquote_plus(raw_key)
        if not _is_kept_key(key):
            continue
        value = unquote_plus(raw_value)
        free_text = key in FREE_TEXT_KEYS or key.lower().startswith("utm_")
        cleaned = redact_text(value) if free_text else redact_emails(value)
        if cleaned != value:
            # As URLSearchParams writes it, but "[email]" stays readable in the database.
            raw_value = quote_plus(cleaned, safe="[]")
        kept.append(raw_key + equals + raw_value)
    return "&".join(kept)


def _clean_path_part(path: str) -> str:
    """A URL's path with e-mail addresses redacted (kept byte for byte when it has none)."""
    decoded = unquote(path)
    cleaned = redact_emails(decoded)
    if cleaned == decoded:
        return path
    return quote(cleaned, safe="/[]:@!$&'()*+,;=~")


def clean_page_path(value: str) -> str:
    """A pageview's path: no fragment, only the page's own state and ``utm_*`` parameters."""
    value = value.partition("#")[0]
    path, question, query = value.partition("?")
    query = _clean_query(query) if question else ""
    return _clean_path_part(path) + ("?" + query if query else "")


def clean_referrer(value: str) -> str | None:
    """A referrer as scheme, host, non-default port and path; ``None`` when it has no host."""
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:  # "http://[::1" and the like
        return None
    scheme = parts.scheme.lower()
    if not scheme or not host:
        return None
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    if scheme not in DEFAULT_PORTS:
        return f"{scheme}://{host}"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        port = None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return f"{scheme}://{netloc}{_clean_path_part(parts.path)}"
