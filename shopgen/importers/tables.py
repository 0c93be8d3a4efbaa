"""Reading delimited text files (CSV, TSV) into rows with their row numbers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from shopgen.errors import ShopgenError

Row = dict[str, str]


def read_table(path: Path, delimiter: str = ",") -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The header (trimmed) and (row number, {column: cell}) for each data row; the header is
    row 1, as a spreadsheet numbers it. Wholly empty rows are left out."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as error:
        raise ShopgenError(f"{path.name} is not UTF-8 text ({error.reason} at byte "
                           f"{error.start}); save it as CSV UTF-8") from None
    except OSError as error:
        raise ShopgenError(f"cannot read {path}: {error.strerror}") from None
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    if not any(header):
        raise ShopgenError(f"{path.name}:1: the file has no header row")

    def rows() -> Iterator[tuple[int, Row]]:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield number, {name: (cells[i] if i < len(cells) else "")
                           for i, name in enumerate(header) if name}

    return header, rows()
