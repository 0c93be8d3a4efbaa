"""shopgen: a product catalog in, one static searchable shop page out."""

__version__ = "0.1.0"
