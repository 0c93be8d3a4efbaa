"""What an importer reads from a file: plain data, before it meets the shop folder.

Every importer (Shopify CSV, spreadsheet, Merchant feed) turns its file into one
`ImportedCatalog`; `merge.py` writes that into a shop folder by SKU. A field left as None is a
field the file does not carry: merging keeps whatever the shop folder already says for it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shopgen.config.fields import Problems
from shopgen.errors import ShopgenError

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class ImportedProduct:
    """One product as the file describes it; None means "the file does not say"."""

    sku: str
    row: int  # the file's row (or line) where the product starts, for messages
    name: str | None = None
    brand: str | None = None  # a brand id or name
    category: tuple[str, ...] | None = None  # a path of category ids or names, root first
    description: str | None = None
    colours: tuple[str, ...] | None = None
    sizes: tuple[str, ...] | None = None
    images: tuple[str, ...] | None = None  # URLs, or file paths / names
    in_stock: bool | None = None
    added: dt.date | None = None
    attributes: Mapping[str, str | Decimal] = field(default_factory=dict)  # id or name → value
    price: Decimal | None = None
    compare_at_price: Decimal | None = None  # only meaningful when `price` is carried


@dataclass(frozen=True)
class ImportedCatalog:
    """Everything one file says, with what the importer learnt about the shop itself."""

    source: str  # the file's name, as messages show it
    products: tuple[ImportedProduct, ...]
    skipped: int = 0  # drafts, archived products…
    currency: str | None = None  # when the file says it (Merchant prices)
    base_url: str | None = None  # when the file says it (a Merchant feed's links)
    images_base: str | None = None  # folder that relative image paths are relative to
    # Display names of brands and categories for ids the file gives (a sheet's brand_name and
    # category_path columns): used only when such a brand or category must be created.
    brand_names: Mapping[str, str] = field(default_factory=dict)
    category_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class ImportFileError(ShopgenError):
    """The file has problems; every one is listed as FILE:ROW: message, and nothing is written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        heading = f"nothing was imported: {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([heading, *(f"  {p}" for p in problems)]))


def raise_if_problems(problems: Problems) -> None:
    """Stop the import, listing every problem, when there is one."""
    if problems:
        raise ImportFileError(problems.items)


def slug(text: str, fallback: str = "item") -> str:
    """A catalog id from a name: lower-case ASCII letters, digits and dashes ("Café Bleu" →
    "cafe-bleu"); `fallback` when nothing of the name survives (a name in another script)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ident = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return ident or fallback


def parse_money(text: str) -> Decimal | None:
    """A decimal amount from text ("1,299.00" is refused: a thousands separator is ambiguous
    between locales); None when it is not a finite number."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def money_cell(text: str, column: str, source: str, row: int, problems: Problems, *,
               required: bool) -> Decimal | None:
    """The amount in one price cell of an import file, by the same rules for every source:
    empty is missing (a problem when `required`, "missing price (COLUMN is empty)"); the text
    must be a plain decimal number; a price must be above 0, and an optional one (a compare-at
    price) of 0 means none, as Shopify writes it. Records the problem and returns None."""
    if not text:
        if required:
            problems.add(source, row, f"missing price ({column} is empty)")
        return None
    amount = parse_money(text)
    if amount is None:
        problems.add(source, row, f"{column} {text!r} is not a number")
    elif amount < 0 or (amount == 0 and required):
        problems.add(source, row, f"{column} must be greater than 0")
    elif amount > 0:
        return amount
    return None


def round_money(amount: Decimal, digits: int) -> Decimal:
    """An amount rounded to the currency's minor unit (2 for EUR, 0 for JPY)."""
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def check_sku(sku: str, problems: Problems, source: str, row: int) -> bool:
    """A SKU must be a file-name-safe code (the catalog's rule); record a problem if not."""
    if not SKU_PATTERN.match(sku) or len(sku) > 64:
        problems.add(source, row, f"SKU {sku!r} may hold only letters, digits, '.', '-' and '_' "
                     "(at most 64)")
        return False
    return True


def unique(values) -> tuple[str, ...]:
    """The values in first-seen order, blanks and repeats dropped."""
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
