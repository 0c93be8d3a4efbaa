"""Declarative checks for one YAML record: each field on its own, every problem collected."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import babel.numbers

from shopgen.config.plain_yaml import read_plain
from shopgen.config.site_files import link_outside, refused_link_message
from shopgen.config.yaml_source import LineList, LineMap, YamlSyntaxError, parse_yaml

# The largest amount of money a catalog may write, in the currency's smallest unit (10^12 cents
# is ten billion euros): far above any product, and far below 2^53, so the browser's numbers
# stay exact.
MAX_MINOR_UNITS = 10**12
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


class Problems:
    """Every problem found in the catalog, each as `file:line: message`, in the order found."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.items.append(f"{file}:{line}: {message}")

    def __len__(self) -> int:
        return len(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a choice is close to `word`, else an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Record:
    """Reads the fields of one mapping, records a problem for each bad field.

    `ok` stays True while no field of this record has a problem; callers build the record
    (and run cross-record checks on it) only then.
    """

    def __init__(self, mapping: Any, file: str, problems: Problems, line: int = 1):
        self.file = file
        self.problems = problems
        self.ok = True
        # Not a mapping at all: that is the one problem, not one "missing field" per key.
        self.shapeless = not isinstance(mapping, LineMap)
        if isinstance(mapping, LineMap):
            self.mapping = mapping
        else:
            self.mapping = LineMap()
            self.mapping.line, self.mapping.key_lines = line, {}
            self.fail(line, f"expected a mapping of fields, found {kind_of(mapping)}")

    def fail(self, line: int, message: str) -> None:
        self.ok = False
        self.problems.add(self.file, line, message)

    def line(self, key: str) -> int:
        return self.mapping.line_of(key)

    def check_keys(self, allowed: Iterable[str]) -> None:
        """Unknown keys are errors, with a did-you-mean when one is close."""
        allowed = list(allowed)
        for key in self.mapping:
            if key not in allowed:
                self.fail(self.line(key), f"unknown field {key!r}{did_you_mean(key, allowed)}")

    def _get(self, key: str, required: bool) -> Any:
        value = self.mapping.get(key)
        if value is None and required and not self.shapeless:
            self.fail(self.mapping.line, f"missing required field {key!r}")
        return value

    def text(self, key: str, required: bool = True, max_length: int = 10_000) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, TEXT_TYPES):
            self.fail(self.line(key), f"{key} must be text, found {kind_of(value)}")
            return None
        value = str(value).strip()
        if required and not value:
            self.fail(self.line(key), f"{key} must not be empty")
            return None
        if control := control_character(value):
            self.fail(self.line(key), f"{key} holds the control character {control}: remove it")
            return None
        if len(value) > max_length:
            self.fail(self.line(key), f"{key} is longer than {max_length} characters")
            return None
        return value

    def boolean(self, key: str, required: bool = True, default: bool = False) -> bool:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(self.line(key), f"{key} must be true or false, found {shown(value)}")
            return default
        return value

    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError as error:
            # `2026-02-30` has a date's shape: say what is wrong with it.
            why = f" ({error})" if _DATE_SHAPE.match(str(value)) else ""
            self.fail(self.line(key),
                      f"{key} must be a date like 2026-11-24, found {shown(value)}{why}")
            return None

    def money(self, key: str, required: bool = True,
              currency: str | None = None) -> Decimal | None:
        """A positive amount, read as Decimal (quoted "49.90" or a bare 49.90), below
        MAX_MINOR_UNITS and with no more decimals than `currency` has (JPY none, EUR 2)."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self.fail(self.line(key), f"{key} must be a number, found {shown(value)}")
            return None
        try:
            amount = Decimal(str(value).strip())
        except ArithmeticError:
            self.fail(self.line(key), f"{key} must be a number, found {shown(value)}")
            return None
        if not amount.is_finite() or amount <= 0:
            self.fail(self.line(key), f"{key} must be greater than 0")
            return None
        problem = money_problem(amount, currency)
        if problem:
            self.fail(self.line(key), f"{key} {shown(value, quote=False)} {problem}")
            return None
        return amount

    def text_list(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(self.line(key), f"{key} must be a list, found {kind_of(value)}")
            return ()
        lines = value.item_lines if isinstance(value, LineList) else [self.line(key)] * len(value)
        items: list[str] = []
        for item, line in zip(value, lines, strict=True):
            if isinstance(item, bool) or not isinstance(item, TEXT_TYPES):
                self.fail(line, f"each entry of {key} must be text, found {kind_of(item)}")
                continue
            text = str(item)
            if control := control_character(text):
                self.fail(line, f"an entry of {key} holds the control character {control}: "
                          "remove it")
            elif (text := text.strip()) in items:
                self.fail(line, f"{key} lists {text!r} twice")
            elif text:
                items.append(text)
        return tuple(items)

    def mapping_field(self, key: str) -> LineMap | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, LineMap):
            self.fail(self.line(key), f"{key} must be a mapping, found {kind_of(value)}")
            return None
        return value


TEXT_TYPES = (str, int, Decimal)  # what a text field accepts (a tuple: checked faster)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # not tab, not newline


def control_character(text: str) -> str | None:
    """The first control character in `text` as "U+0007" (a quoted YAML string can hold
    one as an escape; it has no place in a page, a feed or a phone call), or None."""
    found = CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def money_problem(amount: Decimal, currency: str | None) -> str | None:
    """Why a positive amount cannot be a price in `currency` (None when it can).

    Without a currency (shop.yaml has its own problem) only the size is checked, as cents.
    """
    decimals = 2 if currency is None else babel.numbers.get_currency_precision(currency)
    step = Decimal(1).scaleb(-decimals)
    largest = Decimal(MAX_MINOR_UNITS).scaleb(-decimals) - step
    if amount > largest:  # before quantize(), which cannot hold more than 28 digits
        return f"is too large (at most {largest})"
    if currency is not None and amount != amount.quantize(step):
        allowed = "none" if decimals == 0 else f"at most {decimals}"
        return f"has too many decimals: {currency} amounts have {allowed}"
    return None


def read_catalog_file(site_dir: Path, name: str, problems: Problems, required: bool = True):
    """Parse one catalog file; a missing, unreadable, unparsable or (when required) empty
    file becomes a problem, and None."""
    data = read_catalog_bytes(site_dir, name, problems, required)
    return None if data is None else parse_catalog_bytes(name, data, problems, required)


def read_catalog_bytes(site_dir: Path, name: str, problems: Problems,
                       required: bool = True) -> bytes | None:
    """The bytes of one catalog file; a missing or unreadable file, or one linked out of the
    shop, becomes a problem, and None."""
    path = site_dir / name
    if not path.exists():
        if required:
            problems.add(name, 1, "file is missing")
        return None
    outside = link_outside(site_dir, path)
    if outside is not None:  # refused before reading: its text could end up in a message
        problems.add(name, 1, refused_link_message(outside))
        return None
    return read_file_bytes(path, name, problems)


def read_file_bytes(path: Path, name: str, problems: Problems) -> bytes | None:
    """The bytes of a catalog file already known to be allowed (read_catalog_bytes checks
    that); a file that cannot be read becomes a problem, and None."""
    try:
        return path.read_bytes()
    except OSError as error:
        problems.add(name, 1, f"cannot be read ({error.strerror or error})")
        return None


def parse_catalog_bytes(name: str, data: bytes, problems: Problems, required: bool = True):
    """Parse a catalog file's bytes; bad YAML or (when required) an empty file becomes a
    problem, and None."""
    try:
        parsed = read_plain(data)
        if parsed is None:  # not the plain layout product files nearly always have
            parsed = parse_yaml(data)
    except YamlSyntaxError as error:
        problems.add(name, error.line, str(error))
        return None
    if parsed is None and required:
        problems.add(name, 1, "file is empty")
    return parsed


def shown(value: Any, quote: bool = True, limit: int = 60) -> str:
    """A value as a message quotes it, cut short: a 5,000-digit number is not a message."""
    text = repr(value) if quote and isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def kind_of(value: Any) -> str:
    """How a value reads in a message: 'a list', 'the number 3', 'true/false'…"""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | Decimal):
        return f"the number {shown(value)}"
    if isinstance(value, dt.date):
        return f"the date {value}"
    return shown(value)
