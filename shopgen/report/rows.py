"""The report's rows: plain frozen dataclasses the queries return and the formats read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

UNKNOWN_BRAND = "(unknown)"


@dataclass(frozen=True)
class Window:
    """The days a report covers (inclusive, UTC) and whether bots count."""

    since: dt.date
    until: dt.date
    include_bots: bool = False

    @property
    def start(self) -> dt.datetime:
        """The first instant of the window (UTC, inclusive)."""
        return dt.datetime.combine(self.since, dt.time(), tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The instant just after the window (UTC, exclusive)."""
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    def days(self) -> list[dt.date]:
        """Every day of the window, in order."""
        count = (self.until - self.since).days + 1
        return [self.since + dt.timedelta(days=n) for n in range(max(count, 0))]


@dataclass(frozen=True)
class DayRow:
    """Activity of one UTC day."""

    day: dt.date
    visitors: int
    visits: int
    pageviews: int
    events: int
    searches: int = 0
    views: int = 0
    calls: int = 0


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
    """Visits that searched → of those, viewed a product → of those, clicked Call."""

    visits: int
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
