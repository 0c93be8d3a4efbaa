"""The errors a user can cause: shown as `Error: …` with exit code 1, never a traceback."""

from __future__ import annotations

import click


class ShopgenError(click.ClickException):
    """A problem the user can fix (bad catalog, missing settings, unreachable bucket…)."""


class CatalogError(ShopgenError):
    """The catalog has one or more problems; every one is listed with its file and line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        heading = f"the catalog has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([heading, *(f"  {p}" for p in problems)]))


class PublishError(ShopgenError):
    """Publishing failed; the live site is left consistent."""
