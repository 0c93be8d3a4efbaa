"""Brands, categories and attributes named by an imported file: found in the shop by id or by
name, or created with stable ids (the same names always give the same ids)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from shopgen.importers.model import slug

# Attribute ids the page's URL and built-in filters already use.
RESERVED_IDS = {"brand", "colour", "category", "size", "q", "min", "max", "stock", "sort",
                "product", "page"}
DEFAULT_BRAND = "Unbranded"
DEFAULT_CATEGORY = "Uncategorised"


def _free_id(wanted: str, taken: set[str]) -> str:
    ident, n = wanted, 2
    while ident in taken:
        ident, n = f"{wanted}-{n}", n + 1
    return ident


class Brands:
    """The shop's brands, growing as the import names new ones."""

    def __init__(self, existing: list[dict], names: Mapping[str, str]):
        self.entries = existing
        self.names = names  # id → name, for ids a sheet gives with a brand_name column
        self.new: list[dict] = []

    def resolve(self, value: str) -> str:
        """The id of the brand that `value` (an id or a name) means; created when missing."""
        folded = value.strip().lower()
        for entry in self.entries:
            if str(entry["id"]) == value or str(entry.get("name", "")).lower() == folded:
                return str(entry["id"])
        taken = {str(e["id"]) for e in self.entries}
        if value in self.names:
            ident, name = value, self.names[value]
        else:
            ident, name = _free_id(slug(value, "brand"), taken), value.strip()
        entry = {"id": ident, "name": name}
        self.entries.append(entry)
        self.new.append(entry)
        return ident


class Categories:
    """The shop's category tree, growing as the import names new paths."""

    def __init__(self, existing: list[dict], paths: Mapping[str, tuple[str, ...]]):
        self.entries = existing
        self.paths = paths  # leaf id → names root first, for ids a sheet gives with a path
        self.new: list[dict] = []

    def resolve(self, path: tuple[str, ...]) -> str:
        """The id of the category at `path` (names or ids, root first); created when missing.
        A path of one word may also be the id (or unique name) of any category in the tree."""
        if len(path) == 1:
            found = self._anywhere(path[0])
            if found is not None:
                return found
            if path[0] in self.paths:
                return self._walk(self.paths[path[0]], leaf_id=path[0])
        return self._walk(path)

    def _anywhere(self, value: str) -> str | None:
        by_id = [e for e in self.entries if str(e["id"]) == value]
        by_name = [e for e in self.entries
                   if str(e.get("name", "")).lower() == value.strip().lower()]
        match = by_id or (by_name if len(by_name) == 1 else [])
        return str(match[0]["id"]) if match else None

    def _walk(self, path: tuple[str, ...], leaf_id: str | None = None) -> str:
        parent: str | None = None
        for depth, part in enumerate(path):
            is_leaf = depth == len(path) - 1
            parent = self._child(parent, part, leaf_id if is_leaf else None)
        assert parent is not None
        return parent

    def _child(self, parent: str | None, part: str, ident: str | None) -> str:
        folded = part.strip().lower()
        for entry in self.entries:
            if entry.get("parent") == parent and (
                    str(entry["id"]) == part or str(entry.get("name", "")).lower() == folded
                    or (ident is not None and str(entry["id"]) == ident)):
                return str(entry["id"])
        taken = {str(e["id"]) for e in self.entries}
        wanted = ident or slug(part, "category")
        if wanted in taken and parent is not None and ident is None:
            wanted = f"{parent}-{wanted}"  # "Shirts" under both Men and Women
        entry: dict = {"id": _free_id(wanted, taken), "name": part.strip()}
        if parent is not None:
            entry["parent"] = parent
        self.entries.append(entry)
        self.new.append(entry)
        return entry["id"]


class Attributes:
    """The shop's attributes; new ones are text (or number when every value is one) and
    become facets when products share their values."""

    def __init__(self, existing: list[dict]):
        self.entries = existing
        self.new: list[dict] = []
        self.by_key: dict[str, dict] = {}

    def find(self, key: str) -> dict | None:
        """The attribute that `key` (an id or a name) means, if the shop has it."""
        if key in self.by_key:
            return self.by_key[key]
        folded = key.strip().lower()
        for entry in self.entries:
            if (str(entry["id"]) == key or str(entry.get("name", "")).lower() == folded
                    or str(entry["id"]) == slug(key, "")):
                self.by_key[key] = entry
                return entry
        return None

    def create_all(self, values: dict[str, list[str | Decimal]]) -> None:
        """Create the attributes the shop lacks, from every value the import gives them."""
        for key, found in values.items():
            if self.find(key) is not None:
                continue
            taken = {str(e["id"]) for e in self.entries}
            ident = slug(key, "attribute").replace("-", "_")
            if ident in RESERVED_IDS:
                ident = f"{ident}_attribute"
            entry = {"id": _free_id(ident, taken), "name": _display_name(key),
                     "type": "number" if all(_is_number(v) for v in found) else "text",
                     "facet": _shared(found)}
            self.entries.append(entry)
            self.new.append(entry)
            self.by_key[key] = entry


def _display_name(key: str) -> str:
    if key == key.lower() and " " not in key:  # an id from a sheet's attribute:<id> column
        return key.replace("_", " ").replace("-", " ").capitalize()
    return key.strip()


def _is_number(value: str | Decimal) -> bool:
    # Only an importer that knows a value is a number says so (a sheet's numeric cell): a GTIN
    # or a size of digits stays text.
    return isinstance(value, Decimal)


def _shared(values: list) -> bool:
    """A filter helps when products share values and there is more than one to choose."""
    counts = Counter(str(v) for v in values)
    return len(counts) > 1 and max(counts.values()) > 1


def as_number(value: str | Decimal) -> Decimal | int | None:
    """A number attribute's value (whole numbers as int, as YAML writes them)."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() and "." not in str(value) \
        else number
