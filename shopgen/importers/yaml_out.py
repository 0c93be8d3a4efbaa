"""Writing catalog YAML the way a merchandiser writes it: short lists inline, prices quoted,
numbers bare, dates as dates, long text as a block. The same data always gives the same bytes,
so an unchanged product is recognised and its file left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import yaml

_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Inline(list):
    """A list written on one line: `colours: [Red, Navy]`."""


class _Dumper(_BaseDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(
    Inline, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(dt.date, _BaseDumper.represent_date)


def dump_yaml(data: Any) -> str:
    """YAML text of plain data (dicts keep their order)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96,
                     default_flow_style=False)


def plain(value: Any) -> Any:
    """Parsed catalog YAML (LineMap/LineList) as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
