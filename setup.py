"""The wheel's build hook: the bundled theme (templates/dist/) goes into every wheel.

The theme's JavaScript and CSS are bundled by esbuild (`scripts/bundle-theme.mjs`, Node.js).
A wheel is built on a machine with Node.js and installed on machines without it, so when the
bundle is missing at build time it is made here, and when it cannot be made the build stops
with what to do instead of shipping a wheel whose `shopgen build` cannot work.
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "templates" / "dist" / "manifest.json"
BUNDLER = ROOT / "scripts" / "bundle-theme.mjs"


def bundle_theme() -> None:
    """Run the esbuild bundle (installing the Node packages first when they are missing)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or not BUNDLER.is_file():
        raise SetupError(
            f"the theme is not bundled ({MANIFEST.relative_to(ROOT)} is missing) and cannot be "
            "bundled here (needs Node.js and scripts/bundle-theme.mjs): install Node.js 18+ "
            "and run `npm ci && node scripts/bundle-theme.mjs`, then build the wheel again")
    if not (ROOT / "node_modules" / "esbuild").is_dir():
        if npm is None:
            raise SetupError("npm is not on PATH: run `npm ci` before building the wheel")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    subprocess.run([node, str(BUNDLER)], cwd=ROOT, check=True)
    if not MANIFEST.is_file():
        raise SetupError(f"{BUNDLER.name} ran but wrote no {MANIFEST.relative_to(ROOT)}")


class BuildWithTheme(build_py):
    """build_py that makes sure the bundled theme exists before package data is collected."""

    def run(self) -> None:
        # An editable install reads the theme from templates/ itself: `make theme` bundles it,
        # and `shopgen build` says so when it is missing, so pip install -e needs no Node.js.
        if not getattr(self, "editable_mode", False) and not MANIFEST.is_file():
            bundle_theme()
        super().run()


setup(cmdclass={"build_py": BuildWithTheme})
