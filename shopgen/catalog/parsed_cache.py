"""Product files read by an earlier build, kept so an unchanged file is not parsed again.

One file per shop (`<cache>/parsed-products-<shop folder digest>.json`: a cache folder may
be shared by shops, SHOPGEN_CACHE_DIR) maps each product file's name to the
digest of its bytes and what reading it gave: the product and the lines of its keys, or the
file's own problems (so a broken file still lists every problem with file:line on a cache
hit). Only per-file reading is kept: cross-file checks (duplicate SKUs, unknown brands,
pictures) run on every build.

Trust: an entry is used only when the file's bytes, the shopgen code that reads them, and
what else the reading depends on (attributes.yaml, the currency, for a price history the
build date) are the same. The cache is JSON (never pickle: a shop folder may come from
someone else) behind a digest of its own text; anything unreadable, corrupt or from other
code is ignored whole, never trusted, and written anew.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopgen import __version__
from shopgen.atomic_files import atomic_write
from shopgen.catalog.model import Price, Product
from shopgen.config.yaml_source import LineMap

_MAGIC = b"shopgen parsed products v1\n"
RACY_NS = 2_000_000_000  # files changed this recently are not trusted by their time

# What reading one product file gives: the product and its key lines, or None and None; and
# the file's problems, each "file:line: message".
FileResult = tuple[Product | None, LineMap | None, list[str]]


def cache_file(cache_dir: Path, site_dir: Path) -> Path:
    """Where the parsed product files of the shop in `site_dir` are kept."""
    shop = hashlib.sha256(str(Path(site_dir).resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"parsed-products-{shop}.json"


def code_digest(*reading_files: str) -> str:
    """A digest of the code that turns a product file into a FileResult (`reading_files`:
    the reader's own source files, besides this one and the catalog model's): a cache made
    by other code (another version, or a change during development) is never used."""
    from shopgen.catalog import model
    from shopgen.config import fields, plain_yaml, yaml_source

    digest = hashlib.sha256(__version__.encode())
    for file in (model.__file__, fields.__file__, yaml_source.__file__, plain_yaml.__file__,
                 *reading_files):
        digest.update(Path(file).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


class ParsedProducts:
    """The cache of one shop's product files; `cache_dir` None keeps nothing."""

    def __init__(self, cache_dir: Path | None, site_dir: Path, context: str, today: dt.date):
        self.path = cache_file(cache_dir, site_dir) if cache_dir is not None else None
        self.context = context
        self.today = today.isoformat()
        self.entries: dict[str, list] = self._read() if self.path is not None else {}
        self.changed = False

    def digest_if_unchanged(self, name: str, stat: os.stat_result) -> str | None:
        """The kept digest of `name` when its size and modification time are those seen when
        it was read (and not so recent that an edit in the same instant could hide): the
        file need not be read again. None: read it and compare digests."""
        entry = self.entries.get(name)
        if entry is None or entry[3] != [stat.st_size, stat.st_mtime_ns]:
            return None
        return entry[0]

    def get(self, name: str, digest: str) -> FileResult | None:
        """What reading `name` gave when its bytes had `digest`; None when not kept."""
        entry = self.entries.get(name)
        if entry is None or entry[0] != digest or entry[1] not in (None, self.today):
            return None
        try:
            return _decode(entry[2])
        except (KeyError, IndexError, TypeError, ValueError, ArithmeticError):
            del self.entries[name]  # damaged: read the file again
            self.changed = True
            return None

    def put(self, name: str, digest: str, result: FileResult, dated: bool) -> None:
        """Keep what reading `name` gave; `dated` when it depends on the build date."""
        self.entries[name] = [digest, self.today if dated else None, _encode(result), None]
        self.changed = True

    def seen(self, name: str, stat: os.stat_result) -> None:
        """Remember the size and modification time of `name`, whose bytes were just read."""
        entry = self.entries.get(name)
        # A file changed within the last seconds could change again within the same clock
        # tick without its time changing (git's "racy" files): its bytes are read next time.
        if entry is not None and time.time_ns() - stat.st_mtime_ns > RACY_NS:
            stamp = [stat.st_size, stat.st_mtime_ns]
            if entry[3] != stamp:
                entry[3] = stamp
                self.changed = True

    def save(self, names: list[str]) -> None:
        """Write the entries of `names` (files gone since are dropped) if anything changed."""
        if self.path is None:
            return
        kept = {name: self.entries[name] for name in names if name in self.entries}
        if not self.changed and len(kept) == len(self.entries):
            return
        body = json.dumps({"context": self.context, "files": kept}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        try:
            with atomic_write(self.path) as handle:
                handle.write(_MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def _read(self) -> dict[str, list]:
        assert self.path is not None
        try:
            raw = self.path.read_bytes()
        except OSError:
            return {}
        if not raw.startswith(_MAGIC):
            return {}
        digest, _, body = raw[len(_MAGIC):].partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return {}  # cut short or changed by hand
        try:
            stored = json.loads(body)
        except ValueError:
            return {}
        if not isinstance(stored, dict) or stored.get("context") != self.context:
            return {}
        files = stored.get("files")
        if not isinstance(files, dict):
            return {}
        return {name: entry for name, entry in files.items()
                if isinstance(entry, list) and len(entry) == 4}


def _encode(result: FileResult) -> list:
    product, lines, problems = result
    if product is None or lines is None:
        return [None, None, problems]
    p = product
    return [[p.sku, p.name, p.brand, p.category, p.description, list(p.colours),
             list(p.sizes), list(p.images), p.in_stock, p.added.isoformat(),
             [_encode_value(key, value) for key, value in p.attributes.items()],
             _encode_price(p.price), _encode_price(p.next_price), p.source],
            [lines.line, lines.key_lines], problems]


def _decode(stored: list) -> FileResult:
    product, lines, problems = stored
    if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
        raise TypeError("problems")
    if product is None:
        return None, None, problems
    (sku, name, brand, category, description, colours, sizes, images, in_stock, added,
     attributes, price, next_price, source) = product
    texts = (sku, name, brand, category, description, source, *colours, *sizes, *images)
    if not all(type(text) is str for text in texts) or type(in_stock) is not bool:
        raise TypeError("product")
    key_lines = LineMap()  # lines only ever appear in messages: taken as they were written
    key_lines.line, key_lines.key_lines = lines
    decoded_price = _decode_price(price)
    if decoded_price is None:
        raise ValueError("price")
    return (Product(sku, name, brand, category, description, tuple(colours), tuple(sizes),
                    tuple(images), in_stock, dt.date.fromisoformat(added),
                    {key: _VALUE_TYPES[kind](text) for key, kind, text in attributes},
                    decoded_price,
                    _decode_price(next_price), source),
            key_lines, problems)


def _encode_value(key: str, value: Any) -> list:
    kind = "d" if isinstance(value, Decimal) else "i" if isinstance(value, int) else "s"
    return [key, kind, str(value)]


_VALUE_TYPES = {"d": Decimal, "i": int, "s": str}


def _encode_price(price: Price | None) -> list | None:
    if price is None:
        return None
    return [str(price.amount), None if price.compare_at is None else str(price.compare_at),
            None if price.effective is None else price.effective.isoformat()]


def _decode_price(stored: list | None) -> Price | None:
    if stored is None:
        return None
    amount, compare_at, effective = stored
    return Price(Decimal(amount), None if compare_at is None else Decimal(compare_at),
                 None if effective is None else dt.date.fromisoformat(effective))
