"""Read YAML while remembering the line of every mapping and key, so errors can say file:line."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml


class LineMap(dict):
    """A dict that knows the line it starts on and the line of each of its keys (1-based)."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line where `key` is written, or the mapping's own line when it is missing."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that knows the line each of its items starts on (1-based)."""

    line: int
    item_lines: list[int]


class _AliasFound(Exception):
    """A value is used a second time through an alias; `line` is where it was anchored."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


class YamlSyntaxError(Exception):
    """The file is not valid YAML; `line` says where the parser stopped."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


# libyaml's parser when present (about 10x faster); the constructors below stay ours.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP, _MAP, _SEQ = (
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "null", "bool", "int", "float", "timestamp", "map", "seq"))


class _Unusual(Exception):  # noqa: N818 - a signal, not an error
    """The document holds a tag or key the direct walk leaves to PyYAML's constructors."""


class _LineLoader(_BaseLoader):
    def construct_document(self, node: yaml.Node) -> Any:
        # Catalog files hold mappings, lists and plain scalars: walking the nodes directly
        # is several times faster than PyYAML's generic constructors, and gives the same
        # values. Anything else (merge keys, !!set, !!binary, …) goes the generic way.
        try:
            return self._walk(node, 0, set())
        except _Unusual:
            return super().construct_document(node)

    def _walk(self, node: yaml.Node, depth: int, seen: set[int]) -> Any:
        if id(node) in seen:  # a node met twice is an alias (`*name`)
            raise _AliasFound(node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        tag = node.tag
        depth += 1
        if depth > MAX_NESTING:
            raise YamlSyntaxError(f"values are nested more than {MAX_NESTING} levels deep",
                                  node.start_mark.line + 1)
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            items = LineList(self._walk(child, depth, seen) for child in node.value)
            items.line = node.start_mark.line + 1
            items.item_lines = [child.start_mark.line + 1 for child in node.value]
            return items
        if tag != _MAP or not isinstance(node, yaml.MappingNode):
            raise _Unusual
        mapping = LineMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = key_lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (_STR, _INT):
                raise _Unusual  # merge keys (`<<`), and keys that are not text or numbers
            key = self._walk(key_node, depth, seen)
            if not isinstance(key, str):
                key = str(key)
            if key in mapping:
                raise YamlSyntaxError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            mapping[key] = self._walk(value_node, depth, seen)
            key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self.bool_values[node.value.lower()]
        if tag == _INT:
            return self.construct_yaml_int(node)
        if tag == _FLOAT:
            return self.construct_yaml_float(node)
        if tag == _TIMESTAMP:
            return self.construct_yaml_timestamp(node)
        raise _Unusual

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineMap:
        mapping = LineMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in mapping:
                raise YamlSyntaxError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        items = LineList(self.construct_object(child, deep=True) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A node met twice is an alias (`*name`) of an anchored value; refusing it here costs
        # nothing on files without one.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasFound(node.start_mark.line + 1)
        # Collections construct their children recursively: a cap on nesting turns a hostile
        # `[[[[…` into a message with a line instead of a RecursionError.
        if not isinstance(node, yaml.ScalarNode):
            self.nesting = getattr(self, "nesting", 0) + 1
            try:
                if self.nesting > MAX_NESTING:
                    raise YamlSyntaxError(f"values are nested more than {MAX_NESTING} levels "
                                          "deep", node.start_mark.line + 1)
                return super().construct_object(node, deep)
            finally:
                self.nesting -= 1
        return super().construct_object(node, deep)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Decimal:
        # Numbers with a decimal point become Decimal straight from their text: money never
        # passes through a binary float.
        text = str(self.construct_scalar(node)).replace("_", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise YamlSyntaxError(
                f"{text!r} is not a finite number", node.start_mark.line + 1) from None
        if not value.is_finite():
            raise YamlSyntaxError(f"{text!r} is not a finite number", node.start_mark.line + 1)
        return value

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | Decimal:
        # Python refuses to turn more than 4,300 digits into an int; such a number becomes an
        # exact Decimal, and the field that reads it says it is too large.
        text = str(self.construct_scalar(node)).replace("_", "")
        if _PLAIN_INTEGER.fullmatch(text) and len(text) > 100:
            return Decimal(text)
        if len(text) > 100:
            raise YamlSyntaxError(f"the number {text[:20]}… is too long", node.start_mark.line + 1)
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | str:
        # `2026-13-01` looks like a date but is none: keep its text, so the field that reads
        # it reports a bad date on its own line (and the file's other problems with it).
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return str(self.construct_scalar(node))


_PLAIN_INTEGER = re.compile(r"[-+]?[0-9]+")
MAX_NESTING = 50  # lists and mappings inside each other; a product needs 3

_LineLoader.add_constructor("tag:yaml.org,2002:float", _LineLoader.construct_yaml_float)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


_SCALARS = _LineLoader("")  # its resolver and constructors, for plain_scalar()
_RESOLVERS = _LineLoader.yaml_implicit_resolvers


def plain_scalar(text: str, line: int) -> Any:
    """The value the loader gives the plain (unquoted) scalar `text` written on `line`: the
    same implicit resolvers, the same constructors (plain_yaml.py reads the usual product
    file without PyYAML, and must never disagree with it). Raises where the loader would not
    make the value directly (YamlSyntaxError, or a tag it leaves to PyYAML)."""
    if text[0] not in _RESOLVERS and None not in _RESOLVERS:
        return text  # no resolver starts with this character: text, skipped for speed
    tag = _SCALARS.resolve(yaml.ScalarNode, text, (True, False))
    mark = yaml.Mark("<plain>", 0, line - 1, 0, None, None)
    return _SCALARS._scalar(yaml.ScalarNode(tag, text, mark, mark))


def read_yaml(path: Path) -> Any:
    """Parse one YAML file into LineMap/LineList values (plain scalars elsewhere).

    The text must be UTF-8 (a byte-order mark is accepted: editors on Windows write one), and
    aliases are refused: `*name` can repeat a value exponentially (an "alias bomb"), and a
    merchandiser's catalog never needs them.
    """
    return parse_yaml(path.read_bytes())


def parse_yaml(data: bytes) -> Any:
    """`read_yaml` of a file's bytes, already read."""
    text = _utf8_text(data)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlSyntaxError:
        raise
    except _AliasFound as found:
        raise _alias_error(text, found.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or str(error)
        raise YamlSyntaxError(f"invalid YAML: {reason}", line) from None
    except yaml.reader.ReaderError as error:
        # libyaml counts the position in UTF-8 bytes.
        line = text.encode("utf-8")[:error.position].count(b"\n") + 1
        raise YamlSyntaxError(f"invalid YAML: {error.reason}", line) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(f"invalid YAML: {error}", 1) from None


def _utf8_text(data: bytes) -> str:
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise YamlSyntaxError(f"file is not UTF-8 text (byte {data[error.start]:#04x}); "
                              "save it as UTF-8", line) from None


def _alias_error(text: str, anchor_line: int) -> YamlSyntaxError:
    """The refusal of the file's first alias, at its own line (parsed again: errors only)."""
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            return YamlSyntaxError(f"YAML aliases (*{event.anchor}) are not allowed in catalog "
                                   "files: write the value out in full", event.start_mark.line + 1)
    return YamlSyntaxError("YAML anchors and aliases are not allowed in catalog files",
                           anchor_line)
