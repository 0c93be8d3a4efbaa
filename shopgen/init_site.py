"""`shopgen init`: a new shop folder, copied from the sample shop."""

from __future__ import annotations

import shutil
from pathlib import Path

from shopgen.errors import ShopgenError
from shopgen.resources import sample_dir

SKIP = shutil.ignore_patterns("build", ".shopgen-cache", "*.sqlite3", "__pycache__", "*.pyc")


def init_site(target: Path) -> Path:
    """Copy the sample catalog into `target` (which must be missing or empty)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ShopgenError(f"{target} already exists and is not empty")
    source = sample_dir()
    if not (source / "shop.yaml").is_file():
        raise ShopgenError(f"the sample shop is missing from this installation ({source})")
    shutil.copytree(source, target, ignore=SKIP, dirs_exist_ok=True)
    return target
