"""`shopgen export merchant` and `feeds: [merchant]`: a Merchant Center RSS 2.0 feed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from lxml import etree
from sitekit import SHOP, TODAY, write_site

from shopgen.build import build_site
from shopgen.cli import main

G = "{http://base.google.com/ns/1.0}"


def items(feed: bytes) -> dict[str, dict[str, list[str]]]:
    """Each item's g: fields by id (lists, as some repeat)."""
    root = etree.fromstring(feed)
    assert root.tag == "rss" and root.get("version") == "2.0"
    result = {}
    for item in root.find("channel").iterfind("item"):
        fields: dict[str, list[str]] = {}
        for child in item:
            assert child.tag.startswith(G), child.tag
            fields.setdefault(child.tag[len(G):], []).append(child.text)
        result[fields["id"][0]] = fields
    return result


def test_export_merchant_feed(tiny_site: Path, tmp_path: Path) -> None:
    write_site(tiny_site, {"attributes.yaml": (tiny_site / "attributes.yaml").read_text()
                           + "- id: gtin\n  name: GTIN\n  type: text\n"})
    product = (tiny_site / "products/ac-2.yaml").read_text()
    (tiny_site / "products/ac-2.yaml").write_text(
        product.replace("  weight: 650\n", "  weight: 650\n  gtin: \"04012345678901\"\n"))
    out = tmp_path / "feed.xml"
    result = CliRunner().invoke(main, ["export", "merchant", "--site", str(tiny_site),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    feed = items(out.read_bytes())
    assert set(feed) == {"AC-1", "AC-2", "BO-1"}
    jacket = feed["AC-1"]
    assert jacket["price"] == ["159.00 EUR"] and jacket["sale_price"] == ["129.00 EUR"]
    assert jacket["link"] == ["https://tiny.example.com/p/p-ac-1.html"]
    assert jacket["image_link"][0].startswith("https://tiny.example.com/images/")
    assert jacket["availability"] == ["in_stock"] and jacket["condition"] == ["new"]
    assert jacket["brand"] == ["Acme"] and jacket["product_type"] == ["Clothing > Jackets"]
    assert jacket["color"] == ["Red/Navy"] and "size" not in jacket
    bag = feed["AC-2"]
    assert bag["availability"] == ["out_of_stock"] and bag["gtin"] == ["04012345678901"]
    assert "sale_price" not in bag and bag["price"] == ["59.90 EUR"]
    assert feed["BO-1"]["price"] == ["45.00 EUR"]  # the price effective on the build date
    assert feed["BO-1"]["title"] == ["Café Fleece"]


def test_the_build_writes_the_feed_when_shop_yaml_asks(tiny_site: Path, tmp_path: Path) -> None:
    quiet = {"today": TODAY, "echo": lambda *a, **k: None}
    build_site(tiny_site, tmp_path / "plain", **quiet)
    assert not (tmp_path / "plain/merchant.xml").exists()
    write_site(tiny_site, {"shop.yaml": SHOP + "feeds: [merchant]\n"})
    build_site(tiny_site, tmp_path / "with", **quiet)
    feed = items((tmp_path / "with/merchant.xml").read_bytes())
    image = feed["AC-1"]["image_link"][0].removeprefix("https://tiny.example.com/")
    assert (tmp_path / "with" / image).is_file()  # the link names a picture the site has


def test_an_unknown_feed_is_a_shop_yaml_error(tiny_site: Path, tmp_path: Path) -> None:
    write_site(tiny_site, {"shop.yaml": SHOP + "feeds: [merchnt]\n"})
    result = CliRunner().invoke(main, ["build", "--site", str(tiny_site), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "shop.yaml:" in result.output and "did you mean 'merchant'" in result.output
