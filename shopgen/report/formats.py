"""Render the report document (see `shopgen.report.command`) as a terminal table, CSV or JSON;
HTML lives in `shopgen.report.html`; the sections and their columns in `shopgen.report.sections`.

CSV written to a folder (``--format csv --output DIR``): one tidy file per section,
``<section key>.csv``, whose header row is the section's column keys (see `section_csv`).

CSV printed to the terminal: one block per section, in the order of `SECTIONS`, blocks
separated by one empty row. A block's first row is its header: ``section`` followed by the
section's column keys (the JSON keys); each following row starts with the section's key.
`totals` and `funnel` have one row. An empty value is written as an empty cell, rates as
fractions. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or CR) is prefixed with ``'`` (in the CSV folder too).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shopgen.atomic_files import atomic_write
from shopgen.errors import ShopgenError
from shopgen.report.html import render_html
from shopgen.report.sections import (
    SECTIONS,
    Section,
    display_text,
    is_rate,
    numeric_columns,
    section_rows,
)


def _table(title: str, headings: list[str], rows: list[list[str]], numeric: list[bool]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headings)]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if right else c.ljust(w)
            for c, w, right in zip(cells, widths, numeric, strict=True)
        ]
        return "  " + "  ".join(parts).rstrip()

    out = [title, "=" * len(title), line(headings), line(["-" * w for w in widths])]
    out += [line(r) for r in rows] if rows else ["  (none)"]
    return "\n".join(out)


def render_table(document: dict[str, Any]) -> str:
    """A readable plain-text report for the terminal."""
    bots = "bots included" if document["include_bots"] else "bots excluded"
    head = f"shopgen activity report: {document['since']} to {document['until']} ({bots})"
    if document["empty"]:
        return f"{head}\n\n{document['message']}\n"
    blocks = [head]
    for section in SECTIONS:
        rows = section_rows(document, section)
        keys = [key for key, _ in section.columns]
        numeric = [k in numeric_columns(section, rows) for k in keys]
        cells = [[display_text(r.get(k), rate=is_rate(k)) for k in keys] for r in rows]
        blocks.append(_table(section.title, [h for _, h in section.columns], cells, numeric))
    return "\n\n".join(blocks) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(document: dict[str, Any]) -> str:
    """The report as CSV blocks, one per section (layout in this module's docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for index, section in enumerate(SECTIONS):
        if index:
            writer.writerow([])
        keys = [key for key, _ in section.columns]
        writer.writerow(["section", *keys])
        for row in section_rows(document, section):
            writer.writerow([section.key, *(_csv_cell(row.get(k)) for k in keys)])
    return buffer.getvalue()


def section_csv(document: dict[str, Any], section: Section) -> str:
    """One section as a tidy CSV: a header row of the section's column keys, then one row per
    fact (dates ISO, rates as fractions, empty values as empty cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [key for key, _ in section.columns]
    writer.writerow(keys)
    for row in section_rows(document, section):
        writer.writerow([_csv_cell(row.get(k)) for k in keys])
    return buffer.getvalue()


def write_csv_folder(document: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``<section key>.csv`` for every section into ``folder`` (made if missing), each
    file all-or-nothing; return the files written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ShopgenError(f"cannot make the folder {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise ShopgenError(f"{folder} is not a folder: --format csv --output takes a folder")
    written = []
    for section in SECTIONS:
        path = folder / f"{section.key}.csv"
        try:
            with atomic_write(path, "w", encoding="utf-8") as handle:
                handle.write(section_csv(document, section))
        except OSError as error:
            raise ShopgenError(f"cannot write {path}: {error.strerror or error}") from None
        written.append(path)
    return written


def render_json(document: dict[str, Any]) -> str:
    """The report document as indented JSON (keys documented in `shopgen.report`)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}


def render_report(document: dict[str, Any], fmt: str) -> str:
    """Render the document in one of `RENDERERS`' formats."""
    return RENDERERS[fmt](document)
