"""The page's weight: what a customer downloads, raw and gzip, and the first load's total."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class _AssetPaths(Protocol):
    css: str
    js: str
    data: str
    index: str
    index_more: str


@dataclass(frozen=True)
class Weight:
    name: str
    raw: int
    gzip: int


@dataclass(frozen=True)
class PageWeight:
    parts: tuple[Weight, ...]  # html, css, js, data, index (first piece), index (rest)

    def part(self, name: str) -> Weight:
        return next(p for p in self.parts if p.name == name)

    @property
    def first_load_gzip(self) -> int:
        """HTML + CSS + JS, gzip: what the page needs before it is usable (no index/images)."""
        return sum(self.part(n).gzip for n in ("HTML", "CSS", "JS"))

    def table(self) -> str:
        lines = ["Page weight        raw       gzip"]
        for part in self.parts:
            lines.append(f"  {part.name:<10} {_kb(part.raw):>10} {_kb(part.gzip):>10}"
                         + _NOTES.get(part.name, ""))
        lines.append(f"  {'first load':<10} {'':>10} {_kb(self.first_load_gzip):>10}"
                     "  (HTML + CSS + JS)")
        return "\n".join(lines)


_NOTES = {"data": "  (filters, sort, cards; fetched after the first paint)",
          "index": "  (first piece: names and tags, fetched when idle)",
          "index rest": "  (descriptions, fetched with the first search)"}


def _kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def gzip_size(content: bytes) -> int:
    """Bytes after gzip at level 6, the usual default of servers and CDNs."""
    return len(gzip.compress(content, compresslevel=6, mtime=0))


def measure_weight(site: Path, assets: _AssetPaths) -> PageWeight:
    """Weigh index.html and the assets it links."""
    files = [("HTML", "index.html"), ("CSS", assets.css), ("JS", assets.js),
             ("data", assets.data), ("index", assets.index),
             ("index rest", assets.index_more)]
    parts = []
    for name, path in files:
        content = (site / path).read_bytes()
        parts.append(Weight(name, len(content), gzip_size(content)))
    return PageWeight(tuple(parts))
