"""Which folder is the shop: `--site`, else the current folder (MkDocs finds mkdocs.yml so).

A folder without shop.yaml that holds `catalog_data/shop.yaml` means that shop, so the
commands work from the root of a repository that keeps its catalog in `catalog_data/`.
"""

from __future__ import annotations

from pathlib import Path

from shopgen.config.shop_yaml import SHOP_FILE
from shopgen.errors import ShopgenError

CATALOG_FOLDER = "catalog_data"


def find_site(site: Path | None) -> Path:
    """The shop folder meant by `--site` (None: the current folder); it may not exist yet
    (`shopgen import` creates it), `require_shop` says so where a shop is needed."""
    site = Path(site) if site is not None else Path(".")
    if not (site / SHOP_FILE).exists() and (site / CATALOG_FOLDER / SHOP_FILE).is_file():
        return site / CATALOG_FOLDER
    return site


def require_shop(site: Path) -> Path:
    """`site` when it holds shop.yaml; else an error saying where it looked and what to run."""
    if (Path(site) / SHOP_FILE).is_file():
        return Path(site)
    where = Path(site).absolute()
    raise ShopgenError(
        f"no shop here: looked for {where / SHOP_FILE} and {where / CATALOG_FOLDER / SHOP_FILE}. "
        "Run `shopgen init mysite` to create a shop, or pass --site with the shop folder.")
