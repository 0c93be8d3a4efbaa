"""Where the theme and the sample shop live: beside the package when installed, else the repo."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _installed_or_repo(installed: str, repo: str) -> Path:
    # A wheel carries them inside the package (shopgen/theme, shopgen/sample); a source
    # checkout (editable install) has them at the repository's top level.
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / repo


def theme_dir() -> Path:
    """The Jinja2 templates and the bundled assets (dist/)."""
    return _installed_or_repo("theme", "templates")


def sample_dir() -> Path:
    """The sample shop that `shopgen init` copies."""
    return _installed_or_repo("sample", "catalog_data")


def deploy_template() -> Path:
    """The CloudFormation template `shopgen deploy` creates the stack from."""
    return _installed_or_repo("deploy/aws", "deploy") / "template.yaml"
