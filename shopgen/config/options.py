"""Declarative options for a YAML settings file (MkDocs' `config_options`, in small).

Each `Option` is one key: its kind, whether it is required, its default and one docstring
saying what it is for. `read_options` reads a mapping against a tuple of options, collects a
`file:line` problem for every bad value and for every unknown key (with a did-you-mean), and
returns the values with defaults filled in. The same tuple makes the reference table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shopgen.config.fields import Record, did_you_mean, kind_of
from shopgen.config.yaml_source import LineList, LineMap


@dataclass(frozen=True)
class Option:
    """One key of a mapping. Subclasses say how a value is checked (`convert`)."""

    key: str
    doc: str
    required: bool = False
    default: Any = None
    kind = "text"

    def read(self, r: Record, required: bool) -> Any:
        """The key's value (or its default), recording a problem when it is bad."""
        value = r.mapping.get(self.key)
        if value is None:
            if self.required and required:
                r.fail(r.mapping.line, f"missing required field {self.key!r}")
            return self.default
        try:
            return self.convert(value, r)
        except ValueError as error:
            r.fail(r.line(self.key), f"{self.key} {error}")
            return self.default

    def convert(self, value: Any, r: Record) -> Any:
        return value

    def describe_default(self) -> str:
        return "" if self.default in (None, "", {}) else f"`{self.default}`"


@dataclass(frozen=True)
class Text(Option):
    """Text (quoted or not). Numbers are refused: `prefix: 2024` is an integer in YAML, and
    saying so beats guessing whether `010` meant `"010"` or 8."""

    pattern: str | None = None
    hint: str = ""
    max_length: int = 500
    check: Callable[[str], str | None] | None = None  # returns a problem, or None

    def convert(self, value: Any, r: Record) -> str:
        if isinstance(value, bool) or isinstance(value, int | Decimal):
            raise ValueError(f"must be text, found {kind_of(value)} (write it in quotes: "
                             f"\"{value}\")")
        if not isinstance(value, str):
            raise ValueError(f"must be text, found {kind_of(value)}")
        text = value.strip()
        if self.required and not text:
            raise ValueError("must not be empty")
        if len(text) > self.max_length:
            raise ValueError(f"is longer than {self.max_length} characters")
        if text and self.pattern and not re.fullmatch(self.pattern, text):
            raise ValueError(f"{text!r} {self.hint}")
        if text and self.check and (problem := self.check(text)):
            raise ValueError(problem)
        return text


@dataclass(frozen=True)
class WholeNumber(Option):
    """A whole number, at least `minimum`."""

    minimum: int = 1
    kind = "number"

    def convert(self, value: Any, r: Record) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            raise ValueError(f"must be a whole number of at least {self.minimum}, "
                             f"found {kind_of(value)}")
        return value


@dataclass(frozen=True)
class WordLists(Option):
    """A mapping of word → list of words (synonyms), folded to lower case."""

    kind = "mapping"

    def convert(self, value: Any, r: Record) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, LineMap):
            raise ValueError(f"must be a mapping of word → [words], found {kind_of(value)}")
        table: dict[str, tuple[str, ...]] = {}
        entries = Record(value, r.file, r.problems)
        for word in value:
            words = entries.text_list(word)
            if not isinstance(value[word], LineList) or not words:
                entries.fail(value.line_of(word), f"{self.key} for {word!r} must be a list of "
                             "words")
                continue
            table[str(word).lower()] = tuple(w.lower() for w in words)
        r.ok = r.ok and entries.ok
        return table


@dataclass(frozen=True)
class Weights(Option):
    """A mapping of name → positive number, each name one of `names` (search field boosts)."""

    names: tuple[str, ...] = ()
    kind = "mapping"

    def convert(self, value: Any, r: Record) -> dict[str, float]:
        if not isinstance(value, LineMap):
            raise ValueError(f"must be a mapping like {{{self.names[0]}: 10}}, "
                             f"found {kind_of(value)}")
        weights: dict[str, float] = {}
        for name, weight in value.items():
            if name not in self.names:
                raise ValueError(f"{name!r} is not one of: {', '.join(self.names)}"
                                 f"{did_you_mean(str(name), self.names)}")
            if isinstance(weight, bool) or not isinstance(weight, int | Decimal) or weight <= 0:
                raise ValueError(f"{name} must be a number greater than 0, found "
                                 f"{kind_of(weight)}")
            weights[str(name)] = float(weight)
        return weights

    def describe_default(self) -> str:
        return ", ".join(f"`{k}: {v:g}`" for k, v in self.default.items())


@dataclass(frozen=True)
class Choices(Option):
    """A list of words, each one of `choices` (`feeds: [merchant]`)."""

    choices: tuple[str, ...] = ()
    kind = "list"

    def convert(self, value: Any, r: Record) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise ValueError(f"must be a list like [{', '.join(self.choices)}], "
                             f"found {kind_of(value)}")
        for item in value:
            if item not in self.choices:
                raise ValueError(f"{item!r} is not one of: {', '.join(self.choices)}"
                                 f"{did_you_mean(str(item), self.choices)}")
        return tuple(dict.fromkeys(value))

    def describe_default(self) -> str:
        return f"`[]` (any of: {', '.join(self.choices)})"


@dataclass(frozen=True)
class Section(Option):
    """A nested mapping with options of its own."""

    options: tuple[Option, ...] = field(default_factory=tuple)
    kind = "mapping"

    def read(self, r: Record, required: bool) -> Any:
        value = r.mapping.get(self.key)
        if value is None:
            if self.required and required:
                r.fail(r.mapping.line, f"missing required field {self.key!r} "
                       f"({', '.join(o.key for o in self.options)})")
            return read_options(LineMap(), self.options, r, required=False)
        if not isinstance(value, LineMap):
            r.fail(r.line(self.key), f"{self.key} must be a mapping, found {kind_of(value)}")
            return read_options(LineMap(), self.options, r, required=False)
        return read_options(value, self.options, r, required)


def read_options(mapping: LineMap, options: tuple[Option, ...], parent: Record,
                 required: bool = True) -> dict[str, Any]:
    """Every option's value from `mapping` (defaults for missing ones); problems go to the
    parent record's list, and make it not `ok`."""
    if not hasattr(mapping, "line"):
        mapping.line, mapping.key_lines = parent.mapping.line, {}
    r = Record(mapping, parent.file, parent.problems)
    r.check_keys(o.key for o in options)
    values = {option.key: option.read(r, required) for option in options}
    parent.ok = parent.ok and r.ok
    return values


def walk_options(options: tuple[Option, ...], prefix: str = "") -> Iterator[tuple[str, Option]]:
    """(dotted key, option) for every option, sections first then their options."""
    for option in options:
        yield prefix + option.key, option
        if isinstance(option, Section):
            yield from walk_options(option.options, f"{prefix}{option.key}.")


def reference_table(options: tuple[Option, ...]) -> str:
    """A Markdown table of every option: key, kind, required or default, and its doc."""
    lines = ["| key | kind | required / default | what it is for |", "| --- | --- | --- | --- |"]
    for key, option in walk_options(options):
        need = "required" if option.required else option.describe_default()
        lines.append(f"| `{key}` | {option.kind} | {need} | {option.doc} |")
    return "\n".join(lines)
