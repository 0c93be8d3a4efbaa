"""Whole builds: the sample shop's page, hostile text, atomic output, errors, budget, init."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sitekit import REPO, TODAY, product, write_site

from shopgen.build import MARKER, build_site
from shopgen.cli import main
from shopgen.errors import ShopgenError

QUIET = {"echo": lambda *a, **k: None}


def sample_products() -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((REPO / "catalog_data/products")
                                                          .glob("*.yaml"))]


def json_ld_of(page: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block)


def test_sample_pages_list_every_product_with_its_price(sample_build: Path) -> None:
    """The shop page lists the first 48 products, page/2/ the rest: each page its own."""
    page = (sample_build / "index.html").read_text()
    second = (sample_build / "page" / "2" / "index.html").read_text()
    products = sample_products()
    assert len(products) >= 60
    assert not (sample_build / "page" / "3").exists()
    for n, item in enumerate(products):
        listed, other = (page, second) if n < 48 else (second, page)
        assert html.escape(item["name"], quote=False) in listed
        assert f'href="p/p-{item["sku"].lower()}.html"' in listed  # its details, without JS
        assert f'href="p/p-{item["sku"].lower()}.html"' not in other
    assert '<link rel="next" href="page/2/">' in page and 'rel="prev"' not in page
    assert '<base href="../../">' in second and '<link rel="prev" href="./">' in second
    assert 'rel="next"' not in second and f"{len(products)} products" in page
    # Prices formatted in the shop's currency (EUR, en-IE): "€1,234.50" style.
    prices = re.findall(r"€[0-9][0-9,]*\.[0-9]{2}", page + second)
    assert len(prices) >= len(products)
    data = json_ld_of(page)
    assert data["@type"] == "ItemList" and data["numberOfItems"] == 48
    urls = [item["url"] for item in data["itemListElement"]]
    assert [i["position"] for i in data["itemListElement"]] == list(range(1, 49))
    urls += [f"https://shop.example.com/p/p-{item['sku'].lower()}.html" for item in products[48:]]
    # Each product has its own page (details without JavaScript) with its Product JSON-LD.
    for item in products:
        product_page = sample_build / "p" / f"p-{item['sku'].lower()}.html"
        assert f"https://shop.example.com/p/{product_page.name}" in urls
        text = html.unescape(product_page.read_text())
        assert item["sku"] in text and item["description"].strip() in text
        described = json_ld_of(product_page.read_text())
        assert described["@type"] == "Product" and described["sku"] == item["sku"]
        assert described["offers"]["priceCurrency"] == "EUR"
        if "price" in item:  # (a price history's current entry is checked in test_catalog)
            assert described["offers"]["price"] == item["price"]
    sitemap = (sample_build / "sitemap.xml").read_text()
    assert sitemap.count("<loc>") == len(products) + 1


def test_sample_build_writes_every_file_it_links(sample_build: Path) -> None:
    page = (sample_build / "index.html").read_text()
    linked = set(re.findall(r'(?:src|href)="((?:assets|images)/[^"]+)"', page))
    linked |= {u.split(" ")[0] for s in re.findall(r'srcset="([^"]+)"', page)
               for u in s.split(", ")}
    assert linked, "the page links no assets"
    for path in linked:
        assert (sample_build / path).is_file(), path
    # … and every file its data and its search index's meta file name (from their folder).
    shop = re.search(r'<main id="shop"[^>]*>', page).group(0)
    data = json.loads((sample_build / re.search(r'data-data="([^"]+)"', shop)[1]).read_text())
    assert (sample_build / data["columns"]).is_file()
    assert (sample_build / f"{data['cards']}0.json").is_file()
    meta_path = sample_build / re.search(r'data-index="([^"]+)"', shop)[1]
    meta = json.loads(meta_path.read_text())
    named = [meta["terms"], *(name for _, name in meta["shards"])]
    assert named and all((meta_path.parent / name).is_file() for name in named), named
    for name in ("404.html", "sitemap.xml", "robots.txt"):
        assert (sample_build / name).stat().st_size > 0
    assert "https://shop.example.com/sitemap.xml" in (sample_build / "robots.txt").read_text()
    assert re.search(r'<link rel="canonical" href="https://shop.example.com/">', page)
    assert re.search(r'<meta name="description" content="[^"]+">', page)


class _ImgCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.sources: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "source":
            self.sources.append(dict(attrs))


def test_images_have_dimensions_srcset_and_lazy_loading(sample_build: Path) -> None:
    parser = _ImgCollector()
    parser.feed((sample_build / "index.html").read_text())
    assert parser.images
    for img in parser.images:
        assert img["width"] and img["height"] and img["alt"], img
    # Every product's card picture offers its resized WebP variants, with sizes.
    webp = [s for s in parser.sources if s.get("type") == "image/webp"]
    assert len(webp) >= 48  # the page's own cards (the script renders the others)
    assert all(re.search(r"\.webp 320w, .*\.webp 640w", s["srcset"]) and s["sizes"] for s in webp)
    assert sum(img.get("loading") == "lazy" for img in parser.images) > len(parser.images) / 2


HOSTILE = {
    "name": '"<script>alert(1)</script> \'quoted\' </textarea> {{ 7*7 }} 🔥 مرحبا"',
    "description": json.dumps("Ends </script><!-- & {% raw %} " + "long text " * 500),
}


def test_hostile_catalog_text_renders_inert_and_intact(tiny_site: Path, tmp_path: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(**HOSTILE)})
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, **QUIET)
    page = (out / "index.html").read_text()
    name = "<script>alert(1)</script> 'quoted' </textarea> {{ 7*7 }} 🔥 مرحبا"
    assert "<script>alert(1)" not in page and "</textarea>" not in page
    text = html.unescape(page)
    assert name in text
    assert "{{ 7*7 }}" in page and ">49<" not in page      # no template injection
    description = json.loads(HOSTILE["description"]).strip()  # the loader trims text
    assert "</script><!--" not in page
    product_page = (out / "p" / "p-zz-1.html").read_text()
    assert "<script>alert(1)" not in product_page and "</script><!--" not in product_page
    assert json_ld_of(product_page)["name"] == name         # JSON-LD parses and keeps it
    assert description in html.unescape(product_page)
    data = json.loads(next((out / "assets").glob("products-*.json")).read_text())
    assert name in json.loads((out / data["columns"]).read_text())["columns"]["name"]
    position = next(n for n, row in enumerate(json.loads(
        (out / data["columns"]).read_text())["columns"]["name"]) if row == name)
    cards = json.loads((out / f"{data['cards']}{position // data['cardsPerFile']}.json")
                       .read_text())
    assert cards[position % data["cardsPerFile"]][0] == name


def test_broken_catalog_keeps_previous_build(tiny_site: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--site", str(tiny_site)])
    assert first.exit_code == 0, first.output
    build = tiny_site / "build"
    before = {p.relative_to(build): p.read_bytes() for p in build.rglob("*") if p.is_file()}
    write_site(tiny_site, {"products/zz.yaml": product(price='"0"', brand="acme-co"),
                           "products/zy.yaml": "sku: [broken\n"})
    broken = runner.invoke(main, ["build", "--site", str(tiny_site)])
    assert broken.exit_code == 1
    assert "Error: the catalog has 2 problems:" in broken.output
    assert "products/zz.yaml:11: price must be greater than 0" in broken.output
    assert "products/zy.yaml:2: invalid YAML" in broken.output
    assert "Traceback" not in broken.output
    after = {p.relative_to(build): p.read_bytes() for p in build.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tiny_site.glob(".build.tmp-*"))


def test_rebuild_skips_when_nothing_changed_and_rebuilds_on_change(tiny_site: Path) -> None:
    out = tiny_site / "build"
    assert not build_site(tiny_site, out, today=TODAY, **QUIET).skipped
    assert build_site(tiny_site, out, today=TODAY, **QUIET).skipped
    write_site(tiny_site, {"products/zz.yaml": product(name="Brand New Thing")})
    again = build_site(tiny_site, out, today=TODAY, **QUIET)
    assert not again.skipped and again.products == 4
    assert "Brand New Thing" in (out / "index.html").read_text()
    # The date is an input too: price histories depend on it.
    assert not build_site(tiny_site, out, today=TODAY.replace(day=25), **QUIET).skipped


def test_unchanged_content_gives_identical_files(tiny_site: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build_site(tiny_site, a, today=TODAY, **QUIET)
    build_site(tiny_site, b, today=TODAY, **QUIET)
    files_a = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file()}
    assert files_a.keys() == files_b.keys()
    assert {k for k in files_a if files_a[k] != files_b[k]} <= {Path(MARKER)}


def test_refuses_to_replace_a_folder_it_did_not_make(tiny_site: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(ShopgenError, match="not empty and was not made by shopgen"):
        build_site(tiny_site, precious, today=TODAY, **QUIET)
    with pytest.raises(ShopgenError, match="would replace the shop folder"):
        build_site(tiny_site, tiny_site, today=TODAY, **QUIET)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_template_error_names_template_and_line(tiny_site: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "dist").mkdir(parents=True)
    real = REPO / "templates" / "dist" / "manifest.json"
    (theme / "dist" / "manifest.json").write_text(real.read_text())
    for file in json.loads(real.read_text())["files"]:
        (theme / "dist" / file).write_bytes((real.parent / file).read_bytes())
    (theme / "404.html.j2").write_text("ok")
    (theme / "page.html.j2").write_text("<p>\n{{ shop.name }}\n{{ shop.no_such_thing }}\n")
    with pytest.raises(ShopgenError, match=r"page\.html\.j2:3: UndefinedError"):
        build_site(tiny_site, tmp_path / "out", today=TODAY, theme=theme, **QUIET)
    (theme / "page.html.j2").write_text("<p>\n{% for x in %}\n")
    with pytest.raises(ShopgenError, match=r"page\.html\.j2:2: "):
        build_site(tiny_site, tmp_path / "out", today=TODAY, theme=theme, **QUIET)


def test_build_warns_over_the_page_weight_budget(tiny_site: Path) -> None:
    shop = (tiny_site / "shop.yaml").read_text() + "budget:\n  first_load_kb: 1\n"
    write_site(tiny_site, {"shop.yaml": shop})
    result = CliRunner().invoke(main, ["build", "--site", str(tiny_site)])
    assert result.exit_code == 0
    assert re.search(r"first load\s+\d+\.\d KB", result.output)
    assert "over the 1 KB budget" in result.output
    beacon = re.search(r"Beacon: (\d+) B minified, (\d+) B gzip", result.output)
    assert beacon, result.output
    raw, gzipped = int(beacon.group(1)), int(beacon.group(2))
    assert 0 < gzipped < raw and gzipped <= 1024  # the beacon's 1 KB budget
    assert "1 product change price soon" in result.output and "BO-1: €45.00 → €55.00" in (
        result.output)


def test_init_creates_a_shop_that_builds(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "mysite")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mysite" / "shop.yaml").is_file()
    again = runner.invoke(main, ["init", str(tmp_path / "mysite")])
    assert again.exit_code == 1 and "already exists" in again.output
    built = runner.invoke(main, ["build", "--site", str(tmp_path / "mysite")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "mysite" / "build" / "index.html").is_file()


def test_not_a_shop_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--site", str(tmp_path)])
    assert result.exit_code == 1
    assert f"no shop here: looked for {tmp_path / 'shop.yaml'}" in result.output
    assert "shopgen init mysite" in result.output


def test_pages_preload_the_chunks_their_script_imports(sample_build: Path) -> None:
    # app.js imports a shared chunk: preloaded beside the script, it is not requested only once
    # app.js is parsed (the first search result waited for it).
    pages = [sample_build / "index.html", next((sample_build / "p").glob("*.html"))]
    for page in pages:
        text = page.read_text()
        script = re.search(r'<script type="module" src="(assets/app-[^"]+\.js)"', text)[1]
        imported = set(re.findall(r'from"\./(chunk-[^"]+\.js)"',
                                  (sample_build / script).read_text()))
        preloaded = re.findall(r'<link rel="modulepreload" href="assets/([^"]+)">', text)
        assert imported and set(preloaded) == imported, (page, preloaded, imported)
        assert all((sample_build / "assets" / name).is_file() for name in preloaded)
