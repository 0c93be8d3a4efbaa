"""Read YAML while remembering the line of every mapping and key, so errors can say file:line."""

from __future__ import annotations

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


class YamlSyntaxError(Exception):
    """The file is not valid YAML; `line` says where the parser stopped."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


# libyaml's parser when present (about 10x faster); the constructors below stay ours.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
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


_LineLoader.add_constructor("tag:yaml.org,2002:float", _LineLoader.construct_yaml_float)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file into LineMap/LineList values (plain scalars elsewhere)."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlSyntaxError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or str(error)
        raise YamlSyntaxError(f"invalid YAML: {reason}", line) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(f"invalid YAML: {error}", 1) from None
