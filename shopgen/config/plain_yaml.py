"""A fast reader for the plain layout that product files nearly always have.

PyYAML with the line-tracking loader (yaml_source.py) spends about 150 µs on a 12-line
product file, mostly in generic machinery: seconds of every build of a large shop without a
parsed cache. This reader knows only the layout the sample shop, `shopgen import` and the
benchmarks write, one top-level mapping of:

    key: value              plain, 'single' or "double" (no escapes) quoted; plain and
                            single-quoted text may go on over more-indented lines
    key: [a, b] / {k: v}    flow list or map of such values, on one line
    key: | |- > >-          a block of text (no blank-only or more-indented lines for >)
    key:                    nothing, or below it a block map (`  k: value`) or a block
                            list (`- value`, `- k: value` with more `  k: value` lines)
                            of one-line values

Anything else — comments after a value, escapes, anchors, aliases, tags, tabs, carriage
returns, byte-order marks, deeper nesting, duplicate keys, `---`, odd indentation… —
makes it decline (None), and parse_catalog_bytes gives the file to PyYAML, which reads it or
says what is wrong. Scalars go through the loader's own resolvers and constructors
(yaml_source.plain_scalar), so a value, its type and every line are exactly what PyYAML
gives; tests/test_plain_yaml.py compares the two on many files.
"""

from __future__ import annotations

import re
from typing import Any

from shopgen.config.yaml_source import LineList, LineMap, plain_scalar

# Tabs, carriage returns, byte-order marks, control characters and Unicode line breaks each
# have their own YAML rules: such a file goes to PyYAML.
_UNUSUAL_CHARACTER = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")

_KEY = r"[A-Za-z_][A-Za-z0-9_-]{0,127}"  # short: PyYAML refuses implicit keys over 1024
_KEY_LINE = re.compile(rf"({_KEY}):(?: +(.*))?")
# A plain scalar may not start with an indicator; `-5` and `-.5` may start with a dash.
_PLAIN_START = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ]|-[0-9A-Za-z.]")
# Inside [ ] and { }: no `:`, `#` or `?` at all (each has context rules), no space at the end.
_FLOW_PLAIN = (r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-[0-9A-Za-z.])"
               r"[^:,\[\]{}#? ]*(?: +[^:,\[\]{}#? ]+)*")
_FLOW_VALUE = rf"\"[^\"\\]*\"|'(?:[^']|'')*'|{_FLOW_PLAIN}"
_FLOW_VALUE_PARTS = rf"\"([^\"\\]*)\"|'((?:[^']|'')*)'|({_FLOW_PLAIN})"
_FLOW_LIST = re.compile(rf"\[ *(?:(?:{_FLOW_VALUE}) *(?:, *(?:{_FLOW_VALUE}) *)*)?\] *")
_FLOW_PAIR = rf"{_KEY}: +(?:{_FLOW_VALUE})"
_FLOW_MAP = re.compile(rf"\{{ *(?:{_FLOW_PAIR} *(?:, *{_FLOW_PAIR} *)*)?\}} *")
_FLOW_ITEMS = re.compile(_FLOW_VALUE_PARTS)
_FLOW_PAIRS = re.compile(rf"({_KEY}): +(?:{_FLOW_VALUE_PARTS})")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)" *')
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)' *")
_SINGLE_QUOTED_OPEN = re.compile(r"'((?:[^']|'')*)")  # goes on on the next line
_SINGLE_QUOTED_MIDDLE = re.compile(r"(?:[^']|'')*")
_SINGLE_QUOTED_END = re.compile(r"((?:[^']|'')*)' *")
_BLOCK_TEXT_HEADERS = ("|", "|-", ">", ">-")


class _Decline(Exception):  # noqa: N818 - a signal, not an error
    """The text is outside the plain layout: PyYAML reads it."""


def read_plain(data: bytes) -> LineMap | None:
    """The file's top-level mapping, as parse_yaml would give it, when `data` is in the
    plain layout; None when it is not (parse_yaml then reads it)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _UNUSUAL_CHARACTER.search(text):
        return None
    try:
        return _document(text.split("\n"))
    except _Decline:
        return None


def _document(lines: list[str]) -> LineMap:
    root = None
    at = _skip_blank(lines, 0)
    while at < len(lines):
        key, rest = _key_line(lines[at], at + 1)
        if root is None:
            root = _new_map(at + 1)
        value, after = _top_value(lines, at, rest)
        _put(root, key, at + 1, value)
        at = _skip_blank(lines, after)
    if root is None:  # no key at all (empty, or only comments): PyYAML says what it is
        raise _Decline
    return root


def _top_value(lines: list[str], at: int, rest: str) -> tuple[Any, int]:
    """The value of the top-level key on line index `at`, and the index after it."""
    text = rest.rstrip(" ")
    if not text:
        return _block_below(lines, at)
    if text in _BLOCK_TEXT_HEADERS:
        return _block_text(lines, at, text)
    if text[0] == "'" and not _SINGLE_QUOTED.fullmatch(rest):
        return _single_quoted_lines(lines, at, rest)
    if text[0] in "'\"[{":
        return _one_line_value(rest, at + 1), at + 1
    return _plain_lines(lines, at, text)


def _block_below(lines: list[str], at: int) -> tuple[Any, int]:
    """`key:` with nothing after it: a block list or map below, or nothing (None)."""
    below = _skip_blank(lines, at + 1)
    if below == len(lines):
        return None, below
    line = lines[below]
    indent = _indent(line)
    if line.startswith("- ", indent):
        return _block_list(lines, below, indent)
    if indent == 0:
        return None, below
    return _block_map(lines, below, indent)


def _block_map(lines: list[str], at: int, indent: int) -> tuple[LineMap, int]:
    mapping = _new_map(at + 1)
    while at < len(lines):
        line = lines[at]
        if _indent(line) != indent:
            return mapping, _end_of_block(line, at, indent)
        key, rest = _key_line(line[indent:], at + 1)
        _put(mapping, key, at + 1, _one_line_value(rest, at + 1))
        at = _skip_blank(lines, at + 1)
    return mapping, at


def _block_list(lines: list[str], at: int, indent: int) -> tuple[LineList, int]:
    items = LineList()
    items.line, items.item_lines = at + 1, []
    while at < len(lines):
        line = lines[at]
        if _indent(line) != indent or not line.startswith("- ", indent):
            if indent == 0 and _indent(line) == 0:  # a list at the keys' own indentation
                return items, at
            return items, _end_of_block(line, at, indent)
        column = _indent(line, indent + 1)
        rest = line[column:]
        items.item_lines.append(at + 1)
        if _KEY_LINE.fullmatch(rest):  # `- key: value`: a mapping
            value, at = _compact_map(lines, at, column)
        else:
            value, at = _one_line_value(rest, at + 1), _skip_blank(lines, at + 1)
        items.append(value)
    return items, at


def _compact_map(lines: list[str], at: int, column: int) -> tuple[LineMap, int]:
    """The mapping that starts on a list item's line: its keys all start at `column`."""
    mapping = _new_map(at + 1)
    while True:
        key, rest = _key_line(lines[at][column:], at + 1)
        _put(mapping, key, at + 1, _one_line_value(rest, at + 1))
        at = _skip_blank(lines, at + 1)
        if at == len(lines) or _indent(lines[at]) != column:
            return mapping, at


def _end_of_block(line: str, at: int, indent: int) -> int:
    """Where a block ends: only at the next top-level key; other indentation declines."""
    if _indent(line) == 0 and indent > 0:
        return at
    raise _Decline


def _block_text(lines: list[str], at: int, header: str) -> tuple[str, int]:
    """`key: |` (lines kept) or `key: >` (lines joined), `-` for no final line break."""
    first = at + 1
    indent = _indent(lines[first]) if first < len(lines) else 0
    if indent == 0 or indent == len(lines[first]):
        raise _Decline  # empty, or starting with a blank line
    parts: list[str] = []
    last, at = first, first
    while at < len(lines):
        line = lines[at]
        if line:
            spaces = _indent(line)
            if spaces == 0:
                break  # the next key (or a comment)
            if spaces < indent or spaces == len(line) or line[-1] == " ":
                raise _Decline  # odd indentation, blank-only lines, spaces at line ends
            if spaces > indent and header[0] == ">":
                raise _Decline  # more-indented lines are not folded
            parts.extend([""] * (at - last - 1))  # the empty lines between
            parts.append(line[indent:])
            last = at
        at += 1
    if last == len(lines) - 1:
        raise _Decline  # the file ends without a line break
    text = "\n".join(parts) if header[0] == "|" else _folded(parts)
    return (text if header.endswith("-") else text + "\n"), at


def _folded(parts: list[str]) -> str:
    """Lines of a `>` block: one line break becomes a space, each empty line one break."""
    text, empty = parts[0], 0
    for part in parts[1:]:
        if not part:
            empty += 1
            continue
        text += ("\n" * empty or " ") + part
        empty = 0
    return text


def _plain_lines(lines: list[str], at: int, text: str) -> tuple[Any, int]:
    """A plain scalar, and the more-indented lines that go on with it (joined by spaces)."""
    _check_plain(text)
    parts, line_number = [text], at + 1
    at += 1
    if at == len(lines) or lines[at][:1] != " ":  # the usual case: one line
        return _scalar(text, line_number), at
    while at < len(lines):
        line = lines[at]
        spaces = _indent(line)
        if spaces == 0 or spaces == len(line) or line[spaces] == "#":
            break  # the next key, a blank line (what follows is checked), or a comment
        part = line[spaces:].rstrip(" ")
        _check_plain(part)
        parts.append(part)
        at += 1
    return _scalar(" ".join(parts), line_number), at


def _single_quoted_lines(lines: list[str], at: int, rest: str) -> tuple[str, int]:
    """A single-quoted scalar over several lines: the breaks become spaces."""
    opened = _SINGLE_QUOTED_OPEN.fullmatch(rest)
    if opened is None or not opened[1].rstrip(" "):
        raise _Decline
    parts = [opened[1].rstrip(" ")]
    for after in range(at + 1, len(lines)):
        line = lines[after]
        spaces = _indent(line)
        if spaces == 0 or spaces == len(line):
            raise _Decline  # a blank line is a line break; column 0 is too far left
        body = line[spaces:]
        end = _SINGLE_QUOTED_END.fullmatch(body)
        if end is not None:
            if not end[1]:
                raise _Decline
            parts.append(end[1])
            return " ".join(p.replace("''", "'") for p in parts), after + 1
        if not _SINGLE_QUOTED_MIDDLE.fullmatch(body):
            raise _Decline
        parts.append(body.rstrip(" "))
    raise _Decline  # never closed


def _one_line_value(rest: str, line: int) -> Any:
    """A value that ends on its own line (after `key: ` or `- `)."""
    text = rest.rstrip(" ")
    if not text:
        raise _Decline  # nothing: null, or a nested block below it
    first = text[0]
    if first == "[":
        return _flow_list(text, line)
    if first == "{":
        return _flow_map(text, line)
    if first == '"':
        quoted = _DOUBLE_QUOTED.fullmatch(text)
        if quoted is None:
            raise _Decline
        return quoted[1]
    if first == "'":
        quoted = _SINGLE_QUOTED.fullmatch(text)
        if quoted is None:
            raise _Decline
        return quoted[1].replace("''", "'")
    _check_plain(text)
    return _scalar(text, line)


def _flow_list(text: str, line: int) -> LineList:
    values = _MADE_FLOWS.get(text)
    if values is None:
        if not _FLOW_LIST.fullmatch(text):
            raise _Decline
        values = tuple(_flow_value(*parts, line) for parts in _flow_parts(text, _FLOW_ITEMS))
        _remember(_MADE_FLOWS, text, values)
    items = LineList(values)
    items.line, items.item_lines = line, [line] * len(values)
    return items


def _flow_map(text: str, line: int) -> LineMap:
    pairs = _MADE_FLOWS.get(text)
    if pairs is None:
        if not _FLOW_MAP.fullmatch(text):
            raise _Decline
        checked = _new_map(line)
        for key, *parts in _flow_parts(text, _FLOW_PAIRS):
            _check_key(key, line)
            _put(checked, key, line, _flow_value(*parts, line))
        pairs = tuple(checked.items())
        _remember(_MADE_FLOWS, text, pairs)
    mapping = LineMap(pairs)
    mapping.line, mapping.key_lines = line, dict.fromkeys(mapping, line)
    return mapping


def _flow_parts(text: str, parts: re.Pattern) -> list:
    """The entries of a checked flow list or map, each as `parts` groups them; without quotes
    (the usual case) split at the commas, which is several times faster."""
    inner = text[1:-1]  # (the text ends with its bracket: spaces after it are cut)
    if '"' in inner or "'" in inner:
        return parts.findall(inner)
    if not inner.strip(" "):
        return []
    if parts is _FLOW_ITEMS:
        return [("", "", item.strip(" ")) for item in inner.split(",")]
    return [(key.strip(" "), "", "", value.strip(" "))
            for key, _colon, value in (pair.partition(":") for pair in inner.split(","))]


def _flow_value(double: str, single: str, plain: str, line: int) -> Any:
    if plain:
        return _scalar(plain, line)
    return single.replace("''", "'") if single else double


def _key_line(text: str, line: int) -> tuple[str, str]:
    """`key:` and what follows it; anything else declines."""
    found = _KEY_LINE.fullmatch(text)
    if found is None:
        raise _Decline
    key = found[1]
    if type(_MADE_SCALARS.get(key)) is not str:  # (known text keys are not checked again)
        _check_key(key, line)
    return key, found[2] or ""


def _check_key(key: str, line: int) -> None:
    """Keys that are not text (`yes:`, `null:`) are left to PyYAML."""
    if not isinstance(_scalar(key, line), str):
        raise _Decline


def _check_plain(text: str) -> None:
    """A plain scalar on one line, with no `: ` or ` #` (they end it) and no final `:`."""
    if not _PLAIN_START.match(text) or ": " in text or " #" in text or text[-1] == ":":
        raise _Decline


def _scalar(text: str, line: int) -> Any:
    value = _MADE_SCALARS.get(text, _MADE_SCALARS)
    if value is _MADE_SCALARS:
        try:
            value = plain_scalar(text, line)
        except Exception:  # not a value the loader makes directly: PyYAML reads the file
            raise _Decline from None
        _remember(_MADE_SCALARS, text, value)
    return value


# Short scalars and one-line flow lists and maps already read, by their text: keys, colours,
# sizes, pictures, dates and numbers repeat from file to file. What they hold is immutable
# (a fresh LineList or LineMap is made each time), so sharing it is safe; a line number only
# ever shows in an error, and a text with an error is never kept.
_MADE_SCALARS: dict[str, Any] = {}
_MADE_FLOWS: dict[str, tuple] = {}


def _remember(made: dict, text: str, value: Any) -> None:
    if len(text) <= 80 and len(made) < 20_000:  # a bounded memory
        made[text] = value


def _put(mapping: LineMap, key: str, line: int, value: Any) -> None:
    if key in mapping:  # the loader refuses it; PyYAML's path says where
        raise _Decline
    mapping[key] = value
    mapping.key_lines[key] = line


def _new_map(line: int) -> LineMap:
    mapping = LineMap()
    mapping.line, mapping.key_lines = line, {}
    return mapping


def _skip_blank(lines: list[str], at: int) -> int:
    """The index of the next line that is not blank or a comment (or the end)."""
    while at < len(lines):
        line = lines[at]
        if line[:1] not in _NOT_A_KEY:  # the usual case: a key at the start of the line
            return at
        body = line.lstrip(" ")
        if body and body[0] != "#":
            return at
        at += 1
    return at


_NOT_A_KEY = ("", " ", "#")


def _indent(line: str, start: int = 0) -> int:
    """The column of the first character that is not a space, from `start`."""
    return len(line) - len(line[start:].lstrip(" "))
