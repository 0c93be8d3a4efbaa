"""shop.yaml's one schema: every reader goes through it, every bad value is a file:line error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import REPO, SHOP

from shopgen.catalog import load_catalog
from shopgen.cli import main
from shopgen.config.shop_yaml import shop_yaml_reference
from shopgen.errors import CatalogError


def problems_of(site: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(site)
    return caught.value.problems


def test_readme_shows_the_schemas_reference() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert shop_yaml_reference() in readme


@pytest.mark.parametrize(("extra", "expected"), [
    ("publish:\n  bucket: shop\n  prefix: 2024\n",
     "shop.yaml:13: prefix must be text, found the number 2024 (write it in quotes: \"2024\")"),
    ("publish:\n  bucket: shop\n  region: 123\n",
     "shop.yaml:13: region must be text, found the number 123"),
    ("publish:\n  bucket: shop\n  region: europe\n",
     "shop.yaml:13: region 'europe' is not an AWS region like eu-west-1"),
    ("budget:\n  first_load_kb: 0\n",
     "shop.yaml:12: first_load_kb must be a whole number of at least 1"),
    ("publish:\n  bucket: shop\n  bukket: other\n",
     "shop.yaml:13: unknown field 'bukket' (did you mean 'bucket'?)"),
])
def test_bad_shop_setting_is_a_file_line_error(tiny_site: Path, extra: str, expected: str) -> None:
    (tiny_site / "shop.yaml").write_text(SHOP + extra, encoding="utf-8")
    assert any(p.startswith(expected) for p in problems_of(tiny_site)), problems_of(tiny_site)


@pytest.mark.parametrize("base_url", [
    '"https://shop.example/\\nDisallow: /"',  # a newline would reach robots.txt
    '"https://shop example/"',
    '"/relative/path"',
    '"ftp://shop.example/"',
])
def test_base_url_not_absolute_http_or_with_whitespace(tiny_site: Path, base_url: str) -> None:
    shop = SHOP.replace('base_url: "https://tiny.example.com/"', f"base_url: {base_url}")
    (tiny_site / "shop.yaml").write_text(shop, encoding="utf-8")
    assert any(p.startswith("shop.yaml:7: base_url") for p in problems_of(tiny_site))


def test_publish_reads_shop_yaml_through_the_schema(tiny_site: Path) -> None:
    """publish used to read shop.yaml raw and crash on `prefix: 2024`; now it is the same
    file:line error as the build's, before any AWS call."""
    (tiny_site / "shop.yaml").write_text(SHOP + "publish:\n  bucket: shop\n  prefix: 2024\n")
    result = CliRunner().invoke(main, ["publish", "--site", str(tiny_site), "--dry-run"])
    assert result.exit_code == 1
    assert "shop.yaml:13: prefix must be text" in result.output
    assert "Traceback" not in result.output


def test_report_reads_shop_yaml_through_the_schema(tiny_site: Path) -> None:
    (tiny_site / "shop.yaml").write_text(SHOP.replace("synonyms:", "synonims:"))
    result = CliRunner().invoke(main, ["report", "--site", str(tiny_site)])
    assert result.exit_code == 1
    assert "shop.yaml:9: unknown field 'synonims' (did you mean 'synonyms'?)" in result.output
