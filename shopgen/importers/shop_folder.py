"""What an import needs to know about the shop folder it writes into: its currency, brands,
categories, attributes and the product files by SKU — or that there is no shop there yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopgen.config.fields import Problems
from shopgen.config.shop_yaml import SHOP_FILE, read_shop_settings
from shopgen.config.site_folder import find_site
from shopgen.config.yaml_source import YamlSyntaxError, read_yaml
from shopgen.errors import CatalogError, ShopgenError
from shopgen.importers.product_index import read_index
from shopgen.importers.yaml_out import plain


@dataclass
class ExistingProduct:
    file: str  # "products/ac-1.yaml"
    data: dict[str, Any]


@dataclass
class ShopFolder:
    """The shop as it is before the import (empty lists for a new shop)."""

    site: Path
    exists: bool
    currency: str | None = None
    brands: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    attributes: list[dict] = field(default_factory=list)
    products: dict[str, ExistingProduct] = field(default_factory=dict)  # sku.lower() → file
    texts: dict[str, str] = field(default_factory=dict)  # brands.yaml… as written


def resolve_site(site: Path) -> Path:
    """`--site`: the folder holding shop.yaml; a folder whose catalog_data/ holds it means
    that one (as for build)."""
    return find_site(site)


def read_shop_folder(site: Path) -> ShopFolder:
    """The shop's current state; a missing or empty folder is a new shop."""
    if not (site / SHOP_FILE).exists():
        if site.exists() and (not site.is_dir() or any(_visible(site))):
            raise ShopgenError(f"{site} holds files but no shop.yaml: import into an empty or "
                               "new folder, or into a shop folder")
        return ShopFolder(site, exists=False)
    problems = Problems()
    settings = read_shop_settings(site, problems, required=False)
    if problems or settings is None:
        raise CatalogError(problems.items)
    folder = ShopFolder(site, exists=True, currency=settings["currency"])
    for name in ("brands", "categories", "attributes"):
        path = site / f"{name}.yaml"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        folder.texts[name] = text
        setattr(folder, name, [e for e in (_parse(site, f"{name}.yaml") or [])
                               if isinstance(e, dict) and e.get("id") is not None])
    index = read_index(site)
    for path in sorted((site / "products").glob("*.y*ml")):
        file = f"products/{path.name}"
        data = _indexed(index.get(file), path)
        if data is None:
            data = _parse(site, file)
        if isinstance(data, dict) and data.get("sku") is not None:
            folder.products[str(data["sku"]).lower()] = ExistingProduct(file, data)
    return folder


def _indexed(entry, path: Path) -> dict | None:
    """The fields the last import recorded for this file, if it has not changed since."""
    if entry is None:
        return None
    stat = path.stat()
    return entry[2] if (stat.st_size, stat.st_mtime_ns) == entry[:2] else None


def _visible(folder: Path):
    return (p for p in folder.iterdir() if not p.name.startswith("."))


def _parse(site: Path, name: str) -> Any:
    if not (site / name).exists():
        return None
    try:
        return plain(read_yaml(site / name))
    except YamlSyntaxError as error:
        raise CatalogError([f"{name}:{error.line}: {error} (fix it before importing)"]) from None


NEW_SHOP = """\
# Written by `shopgen import`. Check the call centre and the address, then `shopgen build`.
name: {name}
currency: {currency}
locale: {locale}
call_centre:
  phone: "+1 555 0100"   # the number behind every "Call to order" link: put yours here
  hours: "Mon–Fri 9:00–17:00"   # when it answers: put yours here
base_url: "{base_url}"  # where the shop will be published
"""

LOCALES = {"EUR": "en-IE", "GBP": "en-GB", "USD": "en-US", "CAD": "en-CA", "AUD": "en-AU",
           "NZD": "en-NZ", "JPY": "ja-JP", "CHF": "de-CH", "SEK": "sv-SE", "NOK": "nb-NO",
           "DKK": "da-DK", "PLN": "pl-PL", "INR": "en-IN"}


def new_shop_yaml(name: str, currency: str, base_url: str | None) -> str:
    """shop.yaml for a new shop: the name and currency given, placeholders for the rest."""
    from shopgen.importers.yaml_out import dump_yaml

    quoted_name = dump_yaml(name).removesuffix("\n...\n").strip()
    return NEW_SHOP.format(name=quoted_name, currency=currency,
                           locale=LOCALES.get(currency, "en-US"),
                           base_url=base_url or "https://shop.example.com/")
