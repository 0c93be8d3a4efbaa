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
    index_shards: tuple[str, ...]
    index_terms: str


@dataclass(frozen=True)
class Weight:
    name: str
    raw: int
    gzip: int


@dataclass(frozen=True)
class PageWeight:
    parts: tuple[Weight, ...]  # html, css, js, data, columns, cards, largest card, index (meta),
    # shards, largest shard, terms

    def part(self, name: str) -> Weight:
        return next(p for p in self.parts if p.name == name)

    @property
    def first_load_gzip(self) -> int:
        """HTML + CSS + JS + data, gzip: what the page needs before it is usable (no columns,
        cards, index or images)."""
        return sum(self.part(n).gzip for n in ("HTML", "CSS", "JS", "data"))

    def table(self) -> str:
        lines = ["Page weight        raw       gzip"]
        for part in self.parts:
            lines.append(f"  {part.name:<10} {_kb(part.raw):>10} {_kb(part.gzip):>10}"
                         + _NOTES.get(part.name, ""))
        lines.append(f"  {'first load':<10} {'':>10} {_kb(self.first_load_gzip):>10}"
                     "  (HTML + CSS + JS + data)")
        return "\n".join(lines)


_NOTES = {"data": "  (facets, SKUs, where the rest is: before the page is usable)",
          "columns": "  (names, prices, facet values: fetched to filter, sort or count)",
          "cards": "  (a file per 16 products: a result's card, fetched when shown)",
          "card max": "  (the largest card file)",
          "index": "  (the search index's meta file, fetched when idle)",
          "shards": "  (the index by term; a search fetches the few of its words)",
          "shard max": "  (the largest shard)",
          "terms": "  (every term, fetched for typos)"}


def _kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def gzip_size(content: bytes) -> int:
    """Bytes after gzip at level 6, the usual default of servers and CDNs."""
    return len(gzip.compress(content, compresslevel=6, mtime=0))


def file_sizes(contents: list[bytes]) -> list[tuple[int, int]]:
    """Each file's bytes, raw and gzip (compressed on its own, as a server sends it)."""
    return [(len(content), gzip_size(content)) for content in contents]


def measure_weight(site: Path, assets: _AssetPaths, columns: str,
                   card_sizes: list[tuple[int, int]],
                   index_sizes: dict[str, tuple[int, int]]) -> PageWeight:
    """Weigh index.html and the assets it links: `columns`, the columns file's path,
    `card_sizes`, the card files' file_sizes, and `index_sizes`, the search index's files'
    (path → its file_sizes)."""
    files = [("HTML", "index.html"), ("CSS", assets.css), ("JS", assets.js),
             ("data", assets.data), ("columns", columns)]
    parts = []
    for name, path in files:
        content = (site / path).read_bytes()
        parts.append(Weight(name, len(content), gzip_size(content)))
    parts.extend(_total_and_largest("card", card_sizes))
    parts.append(Weight("index", *index_sizes[assets.index]))
    parts.extend(_total_and_largest("shard", [index_sizes[path] for path in assets.index_shards]))
    parts.append(Weight("terms", *index_sizes.get(assets.index_terms, (0, 0))))
    return PageWeight(tuple(parts))


def _total_and_largest(kind: str, sizes: list[tuple[int, int]]) -> list[Weight]:
    """"<kind>s": all the files (each compressed alone) and "<kind> max": the largest one."""
    sizes = sizes or [(0, 0)]
    return [Weight(f"{kind}s", sum(r for r, _ in sizes), sum(g for _, g in sizes)),
            Weight(f"{kind} max", *max(sizes, key=lambda size: size[1]))]
