"""The report: the tracker's database read back for marketing (`shopgen report`).

`queries.py`, `sessions.py` and `rows.py` are the SQL and its plain rows (`zones.py`: local
days in any time zone), `parallel.py` runs them on several PostgreSQL connections,
`sections.py` is the one list of the report's sections (key, title, columns, rows),
`formats.py` and `html.py` render them, `command.py` ties it together, `synonyms.py` turns
searches with no result into shop.yaml synonyms, and `catalog_sync.py` writes the catalog to
the database's `products` table (`shopgen db sync-catalog`).
"""

from shopgen.report.command import build_report, report_command, report_document, resolve_window

__all__ = ["build_report", "report_command", "report_document", "resolve_window"]
