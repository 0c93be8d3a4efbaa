"""`shopgen import`: a real catalog (Shopify's product CSV, a spreadsheet, a Google Merchant
feed) read into plain data (`model`), then merged into a shop folder by SKU (`merge`), all or
nothing (`transaction`). One module per source: `shopify`, `sheet`, `merchant`."""

from shopgen.importers.command import import_catalog
from shopgen.importers.merge import ImportSummary
from shopgen.importers.model import ImportedCatalog, ImportedProduct, ImportFileError

__all__ = ["ImportFileError", "ImportSummary", "ImportedCatalog", "ImportedProduct",
           "import_catalog"]
