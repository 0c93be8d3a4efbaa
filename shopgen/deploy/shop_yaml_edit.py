"""Write the stack's outputs into shop.yaml as a person would: change the values of a few keys
in their block and leave every other line, comment and blank line as it was written.

shop.yaml is still read only by its schema (`shopgen.config.shop_yaml`); this module edits
text, then checks the result with that reader before it replaces the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from shopgen.atomic_files import atomic_write
from shopgen.config.shop_yaml import SHOP_FILE, load_shop_block
from shopgen.errors import ShopgenError

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9._/-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def set_block_values(text: str, block: str, values: Mapping[str, str]) -> str:
    """`text` (a shop.yaml) with `block.key` set to each value; other lines unchanged."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    header = re.compile(rf"^{re.escape(block)}:\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line.rstrip("\n"))), None)
    if start is None:
        if any(re.match(rf"^{re.escape(block)}:", line) for line in lines):
            raise ShopgenError(f"cannot edit {SHOP_FILE}'s {block}: block (written on one line); "
                               f"write it as a block with one key a line, or set "
                               + ", ".join(f"{block}.{k}: {v}" for k, v in values.items()))
        return "".join(lines) + f"{block}:\n" + "".join(
            f"  {key}: {yaml_scalar(value)}\n" for key, value in values.items())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#"):
        end += 1
    children = [i for i in range(start + 1, end) if lines[i].strip()
                and not lines[i].lstrip().startswith("#")]
    indent = re.match(r"[ \t]*", lines[children[0]]).group() if children else "  "
    insert_at = (children[-1] + 1) if children else start + 1
    for key, value in values.items():
        pattern = re.compile(rf"^{re.escape(indent)}{re.escape(key)}:(?P<gap>[ \t]*)"
                             r"(?P<value>[^#\n]*?)(?P<comment>[ \t]+#.*)?$")
        found = next((i for i in children if pattern.match(lines[i].rstrip("\n"))), None)
        if found is None:
            lines.insert(insert_at, f"{indent}{key}: {yaml_scalar(value)}\n")
            children.append(insert_at)
            insert_at += 1
            continue
        match = pattern.match(lines[found].rstrip("\n"))
        if _reads_as(match["value"], value):
            continue  # already so: the line stays as it was written
        comment = match["comment"] or ""
        lines[found] = f"{indent}{key}: {yaml_scalar(value)}{comment}\n"
    return "".join(lines)


def _reads_as(written: str, value: str) -> bool:
    try:
        return yaml.safe_load(written) == value
    except yaml.YAMLError:
        return False


def write_outputs(site: Path, blocks: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Set `blocks` ({"publish": {"bucket": …}, …}) in `site`/shop.yaml; returns the changed
    `block.key`s. The file is replaced only when the result reads back with those values and
    passes shop.yaml's schema."""
    path = Path(site) / SHOP_FILE
    before = path.read_text(encoding="utf-8")
    text = before
    for block, values in blocks.items():
        text = set_block_values(text, block, values)
    parsed = yaml.safe_load(text) or {}
    for block, values in blocks.items():
        for key, value in values.items():
            if (parsed.get(block) or {}).get(key) != value:
                raise ShopgenError(f"could not write {block}.{key} into {path}: set it to "
                                   f"{value} by hand")
    previous = yaml.safe_load(before) or {}
    changed = [f"{block}.{key}" for block, values in blocks.items()
               for key, value in values.items()
               if (previous.get(block) or {}).get(key) != value]
    if text != before:
        with atomic_write(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            for block in blocks:
                load_shop_block(site, block)
        except ShopgenError:
            with atomic_write(path, "w", encoding="utf-8") as handle:
                handle.write(before)
            raise
    return changed
