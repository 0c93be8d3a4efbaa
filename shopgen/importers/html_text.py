"""HTML → plain text for product descriptions (Shopify's `Body (HTML)`).

The standard library's `html.parser` is enough: tags are dropped, entities decoded (the
parser's `convert_charrefs`), block elements become paragraph breaks, and `<script>` and
`<style>` contents are dropped entirely.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that end a paragraph or a line of their own.
BLOCKS = {"p", "div", "section", "article", "header", "footer", "blockquote", "h1", "h2", "h3",
          "h4", "h5", "h6", "ul", "ol", "table", "tr", "pre", "figure", "hr"}
LINES = {"br", "li", "td", "th", "dt", "dd"}
DROPPED = {"script", "style", "template", "noscript", "head", "title"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in DROPPED:
            self.dropping += 1
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag in LINES:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in LINES or tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            # Inside the HTML, runs of white space (newlines included) are one space.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by one blank line, lines kept."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    paragraphs = re.split(r"\n{2,}", "\n".join(lines))
    return "\n\n".join(p.strip("\n") for p in paragraphs if p.strip())
