"""The report: the tracker's database read back for marketing (`shopgen report`).

`queries.py` and `rows.py` are the SQL and its plain rows, `parallel.py` runs them on several
PostgreSQL connections, `sections.py` is the one list of the report's sections (key, title,
columns, rows), `formats.py` and `html.py` render them, `command.py` ties it together, and
`synonyms.py` turns searches with no result into shop.yaml synonyms.
"""

from shopgen.report.command import build_report, report_command, report_document, resolve_window

__all__ = ["build_report", "report_command", "report_document", "resolve_window"]
