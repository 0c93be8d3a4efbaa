"""The report as one self-contained HTML file: inline CSS, charts drawn as inline SVG (visitors
per day, conversion per day, top searches, top products), the comparison and every section's
table (traffic sources included), no script, no external URL — it can be opened offline or
emailed. A Content-Security-Policy forbids any request, so nothing can slip through later.
Every value from the database (search terms are typed by the public) is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from shopgen.report.sections import SECTIONS, display_text, is_rate, numeric_columns, section_rows

CSS = """
:root{color-scheme:light;--ink:#1f2933;--muted:#52606d;--bar:#2f6fb0;--line:#c8553d;--rule:#d9e2ec}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
margin:0 auto;max-width:960px;padding:24px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.15rem;margin:32px 0 8px}
.muted{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0;padding:0;list-style:none}
.cards li{border:1px solid var(--rule);border-radius:8px;padding:8px 14px;min-width:110px}
.cards b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--rule);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
svg{max-width:100%;height:auto;display:block}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
.bar{fill:var(--bar)}.pv{fill:none;stroke:var(--line);stroke-width:2}
.axis{stroke:var(--muted);stroke-width:1}.dot{fill:var(--line)}
svg text.key-bar{fill:var(--bar)}svg text.key-line{fill:var(--line)}
"""

WIDTH = 720


def _svg_open(chart_id: str, title: str, height: int) -> list[str]:
    return [
        f'<svg id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]


def daily_chart(days: list[dict[str, Any]]) -> str:
    """Bars of visitors per day, with pageviews as a line."""
    height, left, bottom, top = 240, 44, 40, 24
    plot_w, plot_h = WIDTH - left - 12, height - bottom - top
    peak = max([1, *(d["visitors"] for d in days), *(d["pageviews"] for d in days)])
    step = plot_w / max(len(days), 1)
    parts = _svg_open("chart-days", "Visitors (bars) and pageviews (line) per day", height)
    parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>')
    parts.append(f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>')
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}"/>'
    )
    points = []
    for i, day in enumerate(days):
        bar_h = plot_h * day["visitors"] / peak
        x = left + i * step
        parts.append(
            f'<rect class="bar" x="{x + step * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar_h:.1f}"><title>{escape(day["date"])}: '
            f'{day["visitors"]} visitors, {day["pageviews"]} pageviews</title></rect>'
        )
        points.append(f"{x + step / 2:.1f},{top + plot_h - plot_h * day['pageviews'] / peak:.1f}")
    if points:
        parts.append(f'<polyline class="pv" points="{" ".join(points)}"/>')
        labelled = sorted({0, len(days) // 2, len(days) - 1})
        for i in labelled:
            parts.append(
                f'<text x="{left + i * step + step / 2:.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle">{escape(days[i]["date"])}</text>'
            )
    parts.append(
        f'<text class="key-bar" x="{left}" y="{top - 8}">■ visitors</text>'
        f'<text class="key-line" x="{left + 90}" y="{top - 8}">— pageviews</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def conversion_chart(days: list[dict[str, Any]]) -> str:
    """The conversion rate (sessions with a call / sessions) per day, as a line."""
    height, left, bottom, top = 200, 52, 40, 24
    plot_w, plot_h = WIDTH - left - 12, height - bottom - top
    rates = [d["conversion_rate"] or 0.0 for d in days]
    peak = max([0.01, *rates])
    step = plot_w / max(len(days), 1)
    parts = _svg_open("chart-conversion", "Conversion rate per day (sessions with a call)",
                      height)
    parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">'
                 f"{escape(display_text(peak, rate=True))}</text>")
    parts.append(f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0%</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
                 f'y2="{top + plot_h}"/>')
    points = []
    for i, (day, value) in enumerate(zip(days, rates, strict=True)):
        x, y = left + i * step + step / 2, top + plot_h - plot_h * value / peak
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>'
            f'{escape(day["date"])}: {escape(display_text(day["conversion_rate"], rate=True))}'
            f' of {day["sessions"]} sessions</title></circle>')
    if points:
        parts.append(f'<polyline class="pv" points="{" ".join(points)}"/>')
        for i in sorted({0, len(days) // 2, len(days) - 1}):
            parts.append(f'<text x="{left + i * step + step / 2:.1f}" y="{height - bottom + 18}" '
                         f'text-anchor="middle">{escape(days[i]["date"])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(chart_id: str, title: str, items: list[tuple[str, int]]) -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    row, label_w = 26, 230
    height = max(row * len(items), row) + 8
    peak = max([1, *(value for _, value in items)])
    parts = _svg_open(chart_id, title, height)
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        bar_w = (WIDTH - label_w - 60) * value / peak
        text = escape(display_text(label, width=32))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{text}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" height="{row - 8}">'
            f"<title>{escape(display_text(label, width=200))}: {value}</title></rect>"
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 15}">{value}</text>'
        )
    if not items:
        parts.append(f'<text x="8" y="18">{escape("Nothing recorded.")}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _html_table(document: dict[str, Any], section_key: str) -> str:
    section = next(s for s in SECTIONS if s.key == section_key)
    rows = section_rows(document, section)
    keys = [key for key, _ in section.columns]
    numeric = numeric_columns(section, rows)
    head = "".join(
        f'<th scope="col"{" class=n" if k in numeric else ""}>{escape(h)}</th>'
        for k, h in section.columns
    )
    body = [
        "<tr>" + "".join(
            f'<td{" class=n" if k in numeric else ""}>'
            f"{escape(display_text(r.get(k), rate=is_rate(k), width=120))}</td>"
            for k in keys
        ) + "</tr>"
        for r in rows
    ] or [f'<tr><td colspan="{len(keys)}" class="muted">None recorded.</td></tr>']
    return (
        f'<section id="{section.key}"><h2>{escape(section.title)}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def _comparison_table(document: dict[str, Any]) -> str:
    compared = document["compared_with"]
    heading = (f"Compared with {compared['since']} to {compared['until']}")
    return _html_table(document, "comparison").replace(
        "<h2>Compared with the period before</h2>", f"<h2>{escape(heading)}</h2>", 1)


def render_html(document: dict[str, Any]) -> str:
    """The whole report as one HTML page (charts, summary cards and every section's table)."""
    bots = "bots included" if document["include_bots"] else "bots excluded"
    window = f"{document['since']} to {document['until']}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Activity report {escape(window)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Activity report</h1>",
        f'<p class="muted">{escape(window)} ({escape(document["timezone"])} days, {bots}); '
        f"generated {escape(document['generated_at'])}</p>",
    ]
    if document["empty"]:
        parts.append(f"<p><strong>{escape(document['message'])}</strong></p></body></html>")
        return "\n".join(parts) + "\n"
    totals, funnel = document["totals"], document["funnel"]
    cards = [
        ("Sessions", totals["sessions"]), ("Visitors", totals["visitors"]),
        ("Pageviews", totals["pageviews"]), ("Searches", totals["searches"]),
        ("Product views", totals["views"]), ("Call clicks", totals["calls"]),
        ("Conversion", display_text(totals["conversion_rate"], rate=True)),
    ]
    parts.append(
        '<ul class="cards">'
        + "".join(f"<li><b>{value}</b>{escape(name)}</li>" for name, value in cards)
        + "</ul>"
    )
    if document.get("compared_with"):
        parts.append(_comparison_table(document))
    parts.append(
        "<h2>Funnel per session</h2><p>"
        f"{funnel['visits']} sessions → {funnel['searched']} searched or filtered "
        f"({escape(display_text(funnel['search_rate'], rate=True))}) → "
        f"{funnel['viewed']} then viewed a product "
        f"({escape(display_text(funnel['view_rate'], rate=True))}) → "
        f"{funnel['called']} then clicked Call "
        f"({escape(display_text(funnel['call_rate'], rate=True))})</p>"
    )
    parts.append("<h2>Visitors per day</h2>" + daily_chart(document["days"]))
    parts.append("<h2>Conversion per day</h2>" + conversion_chart(document["days"]))
    searches = [(r["query"], r["searches"]) for r in document["top_searches"][:10]]
    parts.append("<h2>Top searches</h2>" + bar_chart("chart-searches", "Top searches", searches))
    products = [(r["name"] or r["sku"], r["views"]) for r in document["top_products"][:10]]
    parts.append(
        "<h2>Most viewed products</h2>"
        + bar_chart("chart-products", "Most viewed products", products)
    )
    for section in SECTIONS:
        if section.key not in ("totals", "funnel", "comparison"):
            parts.append(_html_table(document, section.key))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
