"""What the shop gives to the places where customers search: the Merchant Center feed
(`merchant`), and `shopgen export`, which also writes the catalog sheet (its reader and
writer live together in `shopgen.importers.sheet`)."""

from shopgen.feeds.command import export_catalog
from shopgen.feeds.merchant import FEED_NAME, merchant_feed

__all__ = ["FEED_NAME", "export_catalog", "merchant_feed"]
