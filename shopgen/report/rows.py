"""The report's rows: plain frozen dataclasses the queries return and the formats read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shopgen.report.zones import local_midnight

UNKNOWN_BRAND = "(unknown)"


@dataclass(frozen=True)
class Window:
    """The days a report covers (inclusive, local days of ``zone``) and whether bots count."""

    since: dt.date
    until: dt.date
    include_bots: bool = False
    zone: str = "UTC"

    @property
    def start(self) -> dt.datetime:
        """The first instant of the window (UTC, inclusive): ``since``'s local midnight."""
        return local_midnight(self.since, self.zone)

    @property
    def end(self) -> dt.datetime:
        """The instant just after the window (UTC, exclusive)."""
        return local_midnight(self.until + dt.timedelta(days=1), self.zone)

    def shifted(self, since: dt.date, until: dt.date) -> Window:
        """The same kind of window over other days (for comparisons)."""
        return Window(since, until, self.include_bots, self.zone)

    def days(self) -> list[dt.date]:
        """Every day of the window, in order."""
        count = (self.until - self.since).days + 1
        return [self.since + dt.timedelta(days=n) for n in range(max(count, 0))]


@dataclass(frozen=True)
class DayRow:
    """Activity of one local day (sessions count on the day they began)."""

    day: dt.date
    visitors: int
    sessions: int
    pageviews: int
    events: int
    searches: int = 0
    views: int = 0
    calls: int = 0
    converted: int = 0  # sessions with a call click

    @property
    def visits(self) -> int:
        """Version 1's name of sessions."""
        return self.sessions


@dataclass(frozen=True)
class SessionGroup:
    """Sessions that began on one local day with one entry channel, source and campaign:
    how many, what they held, and how far each went in the funnel."""

    day: dt.date
    channel: str | None
    source: str | None
    campaign: str | None
    sessions: int
    events: int
    pageviews: int
    searches: int
    views: int
    calls: int
    converted: int  # sessions with a call click
    engaged: int  # sessions that searched or filtered
    engaged_viewed: int  # … and viewed a product
    engaged_called: int  # … and clicked Call


@dataclass(frozen=True)
class ProductFunnelRow:
    """One product: sessions that viewed it, sessions that clicked Call on it."""

    sku: str
    views: int
    view_sessions: int
    calls: int
    call_sessions: int


@dataclass(frozen=True)
class SearchRow:
    """One search term: how often, by how many visitors, and how many results on average."""

    term: str
    searches: int
    visitors: int
    average_results: float | None


@dataclass(frozen=True)
class NoResultRow:
    """A search term that found nothing."""

    term: str
    searches: int
    visitors: int
    last_searched: dt.datetime


@dataclass(frozen=True)
class ProductRow:
    """Views and call clicks of one product."""

    sku: str
    views: int
    visitors: int
    calls: int


@dataclass(frozen=True)
class FilterRow:
    """How often one facet value was switched on."""

    facet: str
    value: str
    uses: int
    visitors: int


@dataclass(frozen=True)
class SortRow:
    """How often one sort order was chosen."""

    sort: str
    uses: int
    visitors: int


@dataclass(frozen=True)
class CallRow:
    """Call-to-order clicks of one product."""

    sku: str
    calls: int
    visitors: int


@dataclass(frozen=True)
class BrandCallRow:
    """Call-to-order clicks of one brand's products (`(unknown)` for SKUs not in the catalog)."""

    brand: str
    calls: int
    visitors: int
    products: int


@dataclass(frozen=True)
class Funnel:
    """Sessions → searched or filtered → of those, viewed a product → of those, clicked Call."""

    visits: int  # sessions
    searched: int
    viewed: int
    called: int


@dataclass(frozen=True)
class ReportData:
    """Every section of the report, as plain data."""

    window: Window
    days: list[DayRow]
    top_searches: list[SearchRow]
    no_result_searches: list[NoResultRow]
    top_products: list[ProductRow]
    filters: list[FilterRow]
    sorts: list[SortRow]
    calls_by_product: list[CallRow]
    calls_by_brand: list[BrandCallRow]
    funnel: Funnel
    session_groups: list[SessionGroup] = field(default_factory=list)
    product_funnel: list[ProductFunnelRow] = field(default_factory=list)
    previous: ReportData | None = None  # the comparison window's data (--compare)
    period: str = "day"  # the series' period: day, week or month
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was recorded in the window."""
        return sum(day.events for day in self.days) == 0

    @property
    def search_count(self) -> int:
        """Searches in the window (every search event, with or without a query)."""
        return sum(day.searches for day in self.days)

    @property
    def view_count(self) -> int:
        """Product views in the window."""
        return sum(day.views for day in self.days)

    @property
    def call_count(self) -> int:
        """Call-to-order clicks in the window."""
        return sum(day.calls for day in self.days)


@dataclass(frozen=True)
class Limits:
    """How many rows the ranked sections keep."""

    searches: int = 25
    no_result: int = 50
    products: int = 25
    calls: int = 25
    product_funnel: int = 100
