"""The build stage: catalog → images → search index and data → pages, built aside and swapped in.

`pipeline.py` runs the stages; `images.py`, `browser_data.py`, `render.py` and `budget.py` are
one stage each (plain functions over plain data).
"""

from shopgen.build.pipeline import MARKER, BuildResult, build_site

__all__ = ["MARKER", "BuildResult", "build_site"]
