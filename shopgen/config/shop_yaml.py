"""shop.yaml: its one schema and its one reader (MkDocs' `config/defaults.py`).

Every key of shop.yaml is declared once in `SHOP_OPTIONS`, with its kind, default and what it
is for; `read_shop_settings` is the only code that reads the file. The build asks for the whole
`Shop` (`load_shop`); commands that need one block (publish, report) read the same file with
the same checks, without insisting that the rest of it is filled in. The README's shop.yaml
reference is `python -m shopgen.config` (a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import babel.numbers

from shopgen.config.fields import Problems, Record, read_catalog_file
from shopgen.config.options import (
    Choices,
    Option,
    Section,
    Text,
    Weights,
    WholeNumber,
    WordLists,
    read_options,
    reference_table,
)
from shopgen.errors import CatalogError
from shopgen.search.ranking import DEFAULT_BOOSTS

SHOP_FILE = "shop.yaml"


def _currency_problem(code: str) -> str | None:
    if code not in babel.numbers.list_currencies():
        return f"{code!r} is not an ISO 4217 code like EUR"
    return None


def _locale_problem(locale: str) -> str | None:
    try:
        babel.Locale.parse(locale, sep="-" if "-" in locale else "_")
    except (ValueError, babel.UnknownLocaleError):
        return f"{locale!r} is unknown (write it like en-IE)"
    return None


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone (Europe/Paris, UTC), or None when it is one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone like Europe/Paris or UTC"
    return None


SHOP_OPTIONS: tuple[Option, ...] = (
    Text("name", "The shop's name: page title, header and structured data.", required=True,
         max_length=200),
    Text("currency", "ISO 4217 code of every price (EUR, USD, JPY…).", required=True,
         check=_currency_problem),
    Text("locale", "Language and region of the page (en-IE, fr-FR): money and dates are "
         "written its way.", required=True, check=_locale_problem),
    Section("call_centre", "Who customers call to order.", required=True, options=(
        Text("phone", "The number customers call (the page's Call to order link).",
             required=True, pattern=r"\+?[0-9][0-9 ().-]{3,30}",
             hint="is not a phone number like +353 1 555 0142"),
        Text("hours", "When the call centre answers, as customers should read it.",
             default=""),
    )),
    Text("base_url", "The shop's public address (canonical links, sitemap, robots.txt).",
         required=True, pattern=r"https?://[^/\s]+(/\S*)?",
         hint="must be an absolute http(s) address without spaces, like https://shop.example"),
    Text("timezone", "IANA time zone of the shop's days in `shopgen report` (Europe/Paris); "
         "`--tz` overrides it.", default="UTC", check=timezone_problem),
    Section("tracker", "Where the page sends customer activity.", options=(
        Text("endpoint", "The beacon's URL (a path on the shop's host, or an absolute URL).",
             default="/api/events", pattern=r"(/|https?://)\S*",
             hint="must be a path like /api/events or an https:// address"),
    )),
    Section("publish", "Where `shopgen publish` uploads the build.", options=(
        Text("bucket", "The S3 bucket.", pattern=r"[a-z0-9][a-z0-9.-]*",
             hint="is not an S3 bucket name (lower-case letters, digits, dots, dashes)"),
        Text("region", "The bucket's AWS region.", pattern=r"[a-z]{2}(-[a-z]+)+-[0-9]+",
             hint="is not an AWS region like eu-west-1"),
        Text("distribution_id", "The CloudFront distribution to invalidate after a publish.",
             pattern=r"[A-Za-z0-9]+", hint="is not a CloudFront distribution id"),
        Text("prefix", "A folder inside the bucket for this shop (empty: the bucket's root).",
             default="", pattern=r"[A-Za-z0-9._/-]*",
             hint="may only hold letters, digits, '.', '_', '-' and '/'"),
    )),
    Section("search", "How search understands customers.", options=(
        WordLists("synonyms", "Groups of words that find each other, both ways "
                  "(`backpack: [rucksack]`; a phrase works too: `tee: [t shirt]`). The "
                  "customer's query is expanded, not the products: a product with the "
                  "customer's own word ranks above one with only a synonym."),
        WordLists("one_way_synonyms", "Words that also find other words, not the reverse "
                  "(`sneakers: [trainers, running shoes]`: searching sneakers finds trainers; "
                  "searching trainers does not find sneakers)."),
        Weights("boost", "How much a word found in each part of a product counts "
                "(name, sku, tags = brand, colours, category, sizes and attributes; "
                "description). Only the fields given change.",
                default=DEFAULT_BOOSTS, names=tuple(DEFAULT_BOOSTS)),
    )),
    Choices("feeds", "Feeds the build writes into the site beside the page (merchant: "
            "`merchant.xml`, the Google Merchant Center feed), so publish uploads them.",
            default=(), choices=("merchant",)),
    Section("budget", "Warnings the build gives about the page's weight.", options=(
        WholeNumber("first_load_kb", "Warn when HTML + CSS + JS (gzip) pass this many KB.",
                    default=100),
    )),
)


@dataclass(frozen=True)
class Shop:
    """shop.yaml's settings for a build (every required key present and valid)."""

    name: str
    currency: str
    locale: str
    phone: str
    hours: str
    base_url: str
    tracker_endpoint: str = "/api/events"
    publish: Mapping[str, str] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    first_load_budget_kb: int = 100
    feeds: tuple[str, ...] = ()
    one_way_synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    search_boost: Mapping[str, float] = field(default_factory=dict)


def read_shop_settings(site_dir: Path, problems: Problems,
                       required: bool = True) -> dict[str, Any] | None:
    """shop.yaml's values, checked against `SHOP_OPTIONS` (None when it cannot be read or has
    a problem). With `required=False`, missing required keys are not problems."""
    data = read_catalog_file(Path(site_dir), SHOP_FILE, problems)
    if data is None:
        return None
    record = Record(data, SHOP_FILE, problems)
    if not record.ok:
        return None
    settings = read_options(data, SHOP_OPTIONS, record, required)
    return settings if record.ok else None


def shop_from_settings(settings: dict[str, Any]) -> Shop:
    """The build's `Shop` from a complete, valid settings mapping."""
    centre = settings["call_centre"]
    publish = {k: v for k, v in settings["publish"].items() if v}
    return Shop(
        settings["name"], settings["currency"], settings["locale"], centre["phone"],
        centre["hours"], settings["base_url"].rstrip("/") + "/",
        settings["tracker"]["endpoint"], publish, settings["search"]["synonyms"] or {},
        settings["budget"]["first_load_kb"], settings["feeds"],
        one_way_synonyms=settings["search"]["one_way_synonyms"] or {},
        search_boost={**DEFAULT_BOOSTS, **(settings["search"]["boost"] or {})},
    )


def load_shop(site_dir: Path) -> Shop:
    """Only shop.yaml's settings (for commands that need no products); CatalogError lists
    every problem."""
    problems = Problems()
    settings = read_shop_settings(site_dir, problems)
    if problems or settings is None:
        raise CatalogError(problems.items)
    return shop_from_settings(settings)


def load_shop_block(site_dir: Path, key: str) -> dict[str, Any]:
    """One block of shop.yaml (`publish`, `search`…), read with the same checks as the build
    but without requiring the other keys; empty when shop.yaml does not exist."""
    if not (Path(site_dir) / SHOP_FILE).exists():
        return read_options_defaults(key)
    problems = Problems()
    settings = read_shop_settings(site_dir, problems, required=False)
    if problems or settings is None:
        raise CatalogError(problems.items)
    return settings[key]


def read_options_defaults(key: str) -> Any:
    """A block's defaults (or one top-level option's default), as if shop.yaml left it out."""
    option = next(o for o in SHOP_OPTIONS if o.key == key)
    if not isinstance(option, Section):
        return option.default
    return {o.key: o.default for o in option.options}


def shop_yaml_reference() -> str:
    """The Markdown reference table of shop.yaml (the README shows it)."""
    return reference_table(SHOP_OPTIONS)

