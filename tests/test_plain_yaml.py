"""The plain-layout reader (shopgen/config/plain_yaml.py) gives exactly what PyYAML and the
line-tracking loader give — same values, types, key and item lines — or declines; and it is
the one that reads the usual product file."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sitekit import REPO, product

from shopgen.catalog.parsed_cache import code_digest
from shopgen.config import fields, plain_yaml
from shopgen.config.fields import Problems, parse_catalog_bytes
from shopgen.config.plain_yaml import read_plain
from shopgen.config.yaml_source import LineList, LineMap, YamlSyntaxError, parse_yaml
from shopgen.importers.yaml_out import Inline, dump_yaml

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_catalog import write_catalog  # noqa: E402


def pyyaml_reading(data: bytes) -> object:
    """What PyYAML with the line-tracking loader gives, or the error it raises."""
    try:
        return parse_yaml(data)
    except YamlSyntaxError as error:
        return ("error", str(error), error.line)


def assert_same(fast: object, slow: object, where: str = "file") -> None:
    assert type(fast) is type(slow), f"{where}: {fast!r} is not {slow!r}"
    if isinstance(slow, LineMap):
        assert fast.line == slow.line, f"{where}: mapping line"
        assert list(fast.key_lines.items()) == list(slow.key_lines.items()), f"{where}: key lines"
        assert list(fast) == list(slow), f"{where}: keys"
        for key in slow:
            assert_same(fast[key], slow[key], f"{where}.{key}")
    elif isinstance(slow, LineList):
        assert (fast.line, fast.item_lines) == (slow.line, slow.item_lines), f"{where}: lines"
        assert len(fast) == len(slow), f"{where}: length"
        for i, (mine, theirs) in enumerate(zip(fast, slow, strict=True)):
            assert_same(mine, theirs, f"{where}[{i}]")
    elif isinstance(slow, Decimal):
        assert str(fast) == str(slow), where  # the same digits and exponent, not just equal
    else:
        assert fast == slow, where


def read_alike(text: str) -> bool:
    """Checks that the plain reader gives what PyYAML gives, or declines; True: it read it."""
    data = text.encode("utf-8")
    fast = read_plain(data)
    if fast is not None:
        assert_same(fast, pyyaml_reading(data))
    return fast is not None


# --- the files the shop really has ------------------------------------------------------------


def test_every_sample_shop_product_is_read_plainly_and_alike() -> None:
    files = sorted((REPO / "catalog_data" / "products").glob("*.yaml"))
    assert len(files) > 50
    declined = [f.name for f in files if not read_alike(f.read_text(encoding="utf-8"))]
    assert declined == []


def test_every_synthetic_benchmark_product_is_read_plainly_and_alike(tmp_path: Path) -> None:
    files = sorted((write_catalog(tmp_path / "shop", 2000) / "products").glob("*.yaml"))
    assert len(files) == 2000
    assert sum(read_alike(f.read_text(encoding="utf-8")) for f in files) == 2000


def test_the_catalog_reader_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes) -> None:
        raise AssertionError("PyYAML was asked")

    monkeypatch.setattr(fields, "parse_yaml", refuse)
    problems = Problems()
    parsed = parse_catalog_bytes("products/x.yaml", product().encode(), problems)
    assert parsed["sku"] == "ZZ-1" and problems.items == []


def test_a_change_to_the_plain_reader_invalidates_the_parsed_cache(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = code_digest()
    changed = tmp_path / "plain_yaml.py"
    changed.write_bytes(Path(plain_yaml.__file__).read_bytes() + b"# changed\n")
    monkeypatch.setattr(plain_yaml, "__file__", str(changed))
    assert code_digest() != before


IMPORTED = {
    "sku": "TS-1001", "name": "Café Crème Mug — 350 ml: the 'big' one", "brand": "northwind",
    "category": "kitchen",
    "description": " ".join(["Stoneware from a small kiln in Brittany, microwave safe."] * 6),
    "colours": Inline(["Navy", "Forest Green", "yes", "38"]), "sizes": Inline([]),
    "images": Inline(["ts-1001.jpg"]), "in_stock": True, "added": dt.date(2026, 11, 24),
    "attributes": {"material": "Stoneware", "volume": Decimal("350"), "note": "x: y # z"},
    "prices": [{"price": Decimal("14.50"), "effective": dt.date(2026, 1, 1)},
               {"price": "12.00", "compare_at_price": "14.50",
                "effective": dt.date(2026, 12, 1)}],
}


def test_what_the_importers_write_is_read_plainly_and_alike() -> None:
    for changes in [{}, {"description": "First paragraph.\n\nSecond one,\nthird line."},
                    {"description": "'Quoted' and long: " + "word " * 40},
                    {"description": "a\n  indented\nb\n"}, {"price": "9.90", "prices": None}]:
        text = dump_yaml({k: v for k, v in {**IMPORTED, **changes}.items() if v is not None})
        assert read_alike(text), text


# --- generated files ------------------------------------------------------------------------

TRICKY = [
    "1_000", "0x1F", "0b101", "010", "0o17", "1e3", "1.5e3", "1.0e+3", ".5", "-.5", "+5", "-0",
    "3.", "12.50", "1,000", "1:30", "190:20:30", ".inf", "-.Inf", ".NaN", "2026-05-21",
    "2026-5-1", "2026-02-30", "2026-13-01", "2026-05-21 10:00:00", "2026-05-21T10:00:00Z",
    "2026-05-21t10:00:00.5+02:00", "yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE",
    "null", "Null", "~", "<<", "=", "-", "- x", "-x", "--", "?", "? x", ":", ":x", "a:", "a: b",
    "a:b", "http://x.y/z?q=1#f", "a #b", "a#b", "#a", "&a", "*a", "!a", "!!str 5", "|", ">",
    "%x", "@x", "`x`", "[a]", "{a: b}", "'q'", '"q"', "it's", 'say "hi"', "a, b", "Élan",
    "€ 5", "😀", "\xa0x\xa0", "x" * 90, "a\\b", "---", "...",
]
WORDS = st.text(alphabet=st.sampled_from(list("aZ09 _-.:#'\",[]{}&*!|>%@`?~+é😀\xa0\\")),
                min_size=1, max_size=10)
USUAL_TEXT = st.builds(str.__add__, st.sampled_from("aZ9é"),
                       st.text(alphabet="aZ09é .,'/-", max_size=12))
USUAL_KEY = st.builds(str.__add__, st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
                      st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", max_size=7))
ODD_KEY = st.sampled_from(["sku", "x-1", "yes", "on", "null", "No", "n", "_", "a b", "1", "~",
                           "<<", "k" * 200])
SPACES = st.sampled_from(["", " ", "  "])


class Parts:
    """What generated files are made of: `odd` files mix in odd keys, text and indentation
    (most are declined); the others keep to the layout, with tricky scalars."""

    def __init__(self, odd: bool):
        self.odd = odd
        self.text = (st.one_of(USUAL_TEXT, USUAL_TEXT, st.sampled_from(TRICKY), WORDS) if odd
                     else st.one_of(USUAL_TEXT, st.sampled_from(TRICKY)))
        self.key = st.one_of(USUAL_KEY, USUAL_KEY, USUAL_KEY, ODD_KEY) if odd else USUAL_KEY
        self.line_text = WORDS if odd else USUAL_TEXT
        self.after_key = st.sampled_from([" ", "  ", ""] if odd else [" "])
        self.indent = st.sampled_from([0, 1, 2, 2, 4] if odd else [2])
        self.more = st.sampled_from(["", " ", "  ", "    "] if odd else ["", "", "  "])
        self.header = st.sampled_from(["|", "|-", ">", ">-"] + (["|+", ">2", "| #c"] * odd))


@st.composite
def scalar(draw: st.DrawFn, parts: Parts) -> str:
    """A scalar written plain, single-quoted or double-quoted."""
    text = draw(parts.text)
    style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"' if style == "double" else text


@st.composite
def flow(draw: st.DrawFn, parts: Parts) -> str:
    gap = draw(SPACES)
    if draw(st.booleans()):
        items = draw(st.lists(scalar(parts), max_size=4))
        return "[" + gap + f"{gap},{draw(SPACES)}".join(items) + gap + "]"
    pairs = draw(st.lists(st.tuples(parts.key, scalar(parts)), max_size=3))
    return "{" + gap + ", ".join(f"{k}:{draw(SPACES)}{v}" for k, v in pairs) + gap + "}"


@st.composite
def entry(draw: st.DrawFn, parts: Parts) -> list[str]:
    """The lines of one top-level key and its value, in one of the layouts (or a near miss)."""
    key, after = draw(parts.key), draw(parts.after_key)
    indent = " " * draw(parts.indent)
    kind = draw(st.sampled_from(["scalar", "flow", "empty", "map", "list", "items", "text",
                                 "plain lines", "quoted lines"]))
    if kind == "scalar":
        return [f"{key}:{after}{draw(scalar(parts))}{draw(SPACES)}"]
    if kind == "flow":
        return [f"{key}:{after}{draw(flow(parts))}{draw(SPACES)}"]
    if kind == "empty":
        return [f"{key}:{draw(SPACES)}"]
    if kind == "map":
        pairs = draw(st.lists(st.tuples(parts.key, st.one_of(scalar(parts), flow(parts))),
                              min_size=1, max_size=3))
        return [f"{key}:"] + [f"{indent or ' '}{k}: {v}" for k, v in pairs]
    if kind == "list":
        values = draw(st.lists(st.one_of(scalar(parts), flow(parts)), min_size=1, max_size=3))
        return [f"{key}:"] + [f"{indent}- {v}" for v in values]
    if kind == "items":
        lines = [f"{key}:"]
        for pairs in draw(st.lists(st.lists(st.tuples(parts.key, scalar(parts)), min_size=1,
                                            max_size=3), min_size=1, max_size=3)):
            lines += [f"{indent}{'- ' if i == 0 else '  '}{k}: {v}"
                      for i, (k, v) in enumerate(pairs)]
        return lines
    body = draw(st.lists(st.tuples(parts.more, parts.line_text), min_size=1, max_size=4))
    if kind == "text":
        return [f"{key}: {draw(parts.header)}"] + [
            f"{indent}{more}{w}" if w.strip() else "" for more, w in body]
    first = draw(parts.line_text)
    if kind == "plain lines":
        return [f"{key}: {first}"] + [f"{indent}{more}{w}" for more, w in body]
    return [f"{key}: '{first}"] + [f"{indent}{more}{w}" for more, w in body[:-1]] + [
        f"{indent}{body[-1][1]}'"]


@st.composite
def document(draw: st.DrawFn, parts: Parts) -> str:
    lines: list[str] = []
    for value_lines in draw(st.lists(entry(parts), min_size=1, max_size=6)):
        lines += value_lines
        lines += draw(st.lists(st.sampled_from(["", "   ", "# note", "  # note"]), max_size=1))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(document(Parts(odd=False)), document(Parts(odd=True))))
def test_generated_files_are_read_alike_or_declined(text: str) -> None:
    event("read plainly" if read_alike(text) else "declined")


IMPORTED_TEXT = st.one_of(st.text(max_size=150), USUAL_TEXT, st.sampled_from(TRICKY))
IMPORTED_VALUE = st.one_of(
    IMPORTED_TEXT, st.lists(IMPORTED_TEXT, max_size=4).map(Inline), st.booleans(),
    st.dates(), st.integers(), st.decimals(allow_nan=False, allow_infinity=False, places=2))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(USUAL_KEY, st.one_of(
    IMPORTED_VALUE, st.dictionaries(USUAL_KEY, IMPORTED_VALUE, max_size=3),
    st.lists(st.dictionaries(USUAL_KEY, IMPORTED_VALUE, min_size=1, max_size=3), max_size=3)),
    min_size=1, max_size=6))
def test_whatever_the_importers_write_is_read_alike_or_declined(data: dict) -> None:
    event("read plainly" if read_alike(dump_yaml(data)) else "declined")


# Characters and lines that an edit drops into a real file.
EDITS = ["#", " #", ":", ": ", "'", '"', "\t", "\r", "\ufeff", "-", "- ", "&a ", "*a", "!t ",
         "[", "]", "{", "}", ",", " ", "  ", "\n", "\n  ", "\n\n", "|", ">", "---\n", "é", "\\",
         "\x85", "\u2028", "\x07", "y", "0", ".", "~"]


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(sorted((REPO / "catalog_data" / "products").glob("*.yaml"))),
       st.lists(st.tuples(st.floats(0, 1), st.sampled_from(EDITS), st.integers(0, 3)),
                min_size=1, max_size=3))
def test_edited_sample_files_are_read_alike_or_declined(
        path: Path, edits: list[tuple[float, str, int]]) -> None:
    text = path.read_text(encoding="utf-8")
    for where, insert, cut in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    event("read plainly" if read_alike(text) else "declined")


# --- the rules, one by one ------------------------------------------------------------------


@pytest.mark.parametrize("value", TRICKY)
@pytest.mark.parametrize("layout", [
    "v: {}\n", "v: [a, {}, b]\n", "v: {{k: {}}}\n", "v:\n  k: {}\n", "v:\n- {}\n",
    "v:\n  - k: {}\n    j: 1\n", "a: 1\nv: {}\nb: 2\n",
])
def test_each_tricky_scalar_in_each_place_is_read_alike_or_declined(layout: str,
                                                                    value: str) -> None:
    read_alike(layout.format(value))


@pytest.mark.parametrize("value, expected", [
    ("1_000", 1000), ("0x1F", 31), ("010", 8), ("1e3", "1e3"), (".5", Decimal("0.5")),
    ("2026-05-21", dt.date(2026, 5, 21)), ("2026-02-30", "2026-02-30"), ("on", True),
    ("No", False), ("~", None), ("y", "y"), ("1:30", 90), ("'010'", "010"),
    ("\"it's\"", "it's"), ("'it''s'", "it's"), ("a#b", "a#b"), ("€ 5", "€ 5"),
])
def test_numbers_dates_and_booleans_follow_yaml_1_1_as_pyyaml_does(value: str,
                                                                   expected: object) -> None:
    text = f"v: {value}\nw:\n- {value}\n"
    assert read_alike(text)
    parsed = read_plain(text.encode())
    assert parsed["v"] == parsed["w"][0] == expected
    assert type(parsed["v"]) is type(expected)


@pytest.mark.parametrize("text", [
    "a: 1 # why\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a:\tb\n", "a: b\r\n", "\ufeffa: b\n",
    "---\na: b\n", "a: b\na: c\n", "a:\n  b:\n    c: 1\n", 'a: "x\\ty"\n', "a: 'x\n\n  y'\n",
    "a: |\n\n  x\n", "a: >\n  x\n    y\n", "a: |2\n  x\n", "- a\n- b\n", "a: [b, [c]]\n",
    "a:\n  - - b\n", "yes: 1\n", "a: x\n  b: c\n", "a: x\n\n  y\n", "", "# only a comment\n",
    "a: [b,\n  c]\n", "<<: {a: 1}\n", "a: .inf\n", "a: [1:30]\n", "a: [b#c]\n",
])
def test_anything_unusual_is_left_to_pyyaml(text: str) -> None:
    assert read_plain(text.encode()) is None


def test_lines_are_those_pyyaml_gives() -> None:
    text = ("# a comment\n\nsku: a\nprices:\n- price: '1.00'\n\n  effective: 2026-01-01\n"
            "- {price: '2.00', effective: 2026-02-01}\nattributes:\n  # note\n  weight: 5\n"
            "description: >-\n  one\n  two\n\n  three\nname: long\n  name\n")
    assert read_alike(text)
    parsed = read_plain(text.encode())
    assert (parsed.line, parsed.key_lines) == (3, {"sku": 3, "prices": 4, "attributes": 9,
                                                   "description": 12, "name": 17})
    assert (parsed["prices"].line, parsed["prices"].item_lines) == (5, [5, 8])
    assert parsed["prices"][0].key_lines == {"price": 5, "effective": 7}
    assert parsed["attributes"].line == 11
    assert parsed["description"] == "one two\nthree" and parsed["name"] == "long name"
