"""`shopgen import`: Shopify CSV, sheet and Merchant feed into new and existing shops, with
pictures from a real 127.0.0.1 server (some 404, one too slow), and all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from browserkit import running
from click.testing import CliRunner
from importkit import ImageServer, fixture
from sitekit import TODAY

from shopgen.build import build_site
from shopgen.catalog import load_catalog
from shopgen.cli import main
from shopgen.importers import ImportFileError, import_catalog
from shopgen.importers.html_text import html_to_text
from shopgen.importers.transaction import ShopChanges, apply_changes, recover_interrupted_import

QUIET = {"echo": lambda *a, **k: None, "show_progress": False, "today": TODAY}


@pytest.fixture
def images() -> ImageServer:
    with running(ImageServer()) as server:
        yield server


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads cached per test, so "downloads nothing the second time" is this test's."""
    monkeypatch.setenv("SHOPGEN_CACHE_DIR", str(tmp_path / "cache"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def import_shopify(tmp_path: Path, images: ImageServer, **options) -> tuple[Path, object]:
    source = fixture("shopify-products.csv", tmp_path / "in", images.url)
    site = tmp_path / "shop"
    summary = import_catalog("shopify", source, site, currency="EUR", name="Imported Shop",
                             image_timeout=0.5, **{**QUIET, **options})
    return site, summary


def test_shopify_export_becomes_a_shop_that_builds(tmp_path: Path, images: ImageServer) -> None:
    site, summary = import_shopify(tmp_path, images)
    assert summary.line() == "4 added, 0 changed, 0 unchanged, 2 skipped, 0 pruned"
    catalog = load_catalog(site, TODAY)
    products = {p.sku: p for p in catalog.products}
    assert set(products) == {"TEE-S-WHT", "CAFE-MUG", "SOCK-M", "SHELL-1"}
    tee = products["TEE-S-WHT"]
    assert (tee.sizes, tee.colours) == (("S", "M", "L"), ("White", "Black"))
    assert (tee.price.amount, tee.price.compare_at) == (Decimal("22.00"), Decimal("28.00"))
    assert tee.description == "A soft tee in organic cotton & nothing else.\n\nCut for summer."
    assert len(tee.images) == 4 and tee.in_stock
    assert [c.name for c in catalog.category_path(tee.category)] == [
        "Apparel & Accessories", "Clothing", "Shirts & Tops"]
    assert tee.attributes["material"] == "Cotton"
    assert catalog.brand[tee.brand].name == "Kestrel Running"
    mug = products["CAFE-MUG"]
    assert mug.name == "Café Crème Mug — 350 ml" and mug.images == ()
    assert catalog.brand[mug.brand].name == "Maison Lumière"
    socks = products["SOCK-M"]
    assert not socks.in_stock and socks.attributes["material"] == "Merino, Nylon"
    assert products["SHELL-1"].in_stock  # out of stock but sold anyway ("continue")
    assert catalog.shop.name == "Imported Shop" and catalog.shop.currency == "EUR"
    warnings = "\n".join(summary.warnings)
    assert f"CAFE-MUG: image 1 {images.url}/missing/mug.png skipped: HTTP 404" in warnings
    assert f"SOCK-M: image 1 {images.url}/slow/socks.png skipped" in warnings
    result = build_site(site, tmp_path / "out", today=TODAY, echo=lambda *a, **k: None)
    assert result.products == 4


def test_a_second_import_downloads_and_writes_nothing(tmp_path: Path,
                                                      images: ImageServer) -> None:
    site, _ = import_shopify(tmp_path, images)
    before, hits = snapshot(site), sum(n for p, n in images.hits.items() if "/ok/" in p)
    _, summary = import_shopify(tmp_path, images, today=TODAY + dt.timedelta(days=3))
    assert summary.line() == "0 added, 0 changed, 4 unchanged, 2 skipped, 0 pruned"
    assert summary.files_written == 0
    assert snapshot(site) == before
    assert sum(n for p, n in images.hits.items() if "/ok/" in p) == hits


def test_broken_rows_are_all_listed_and_nothing_is_written(tmp_path: Path) -> None:
    source = fixture("shopify-broken.csv", tmp_path)
    result = CliRunner().invoke(main, ["import", "shopify", str(source), "--site",
                                       str(tmp_path / "shop"), "--currency", "EUR"])
    assert result.exit_code == 1
    for line in ["shopify-broken.csv:3: missing price (Variant Price is empty)",
                 "shopify-broken.csv:4: Variant Price '12 euros' is not a number",
                 "shopify-broken.csv:6: duplicate SKU 'TWIN' (also on row 5)",
                 "shopify-broken.csv:7: product 'no-title' has no Title",
                 "shopify-broken.csv:8: SKU 'BAD SKU/1' may hold only"]:
        assert line in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "shop").exists()


def test_a_new_shop_needs_a_currency(tmp_path: Path) -> None:
    source = fixture("shopify-broken.csv", tmp_path)
    (source.parent / "one.csv").write_text("Handle,Title,Variant Price\nx,X,5\n")
    result = CliRunner().invoke(main, ["import", "shopify", str(source.parent / "one.csv"),
                                       "--site", str(tmp_path / "shop")])
    assert result.exit_code == 1 and "give --currency" in result.output


def sheet(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_merge_by_sku_keeps_hand_written_fields_and_prunes_on_request(
        tiny_site: Path, tmp_path: Path) -> None:
    before = snapshot(tiny_site)
    source = sheet(tmp_path / "prices.csv",
                   "sku,price,compare_at_price,attribute:material\n"
                   "AC-1,119.00,159.00,Nylon\n"
                   "BO-1,45,,\n"
                   "NEW-1,9.50,,Wool\n")
    with pytest.raises(ImportFileError, match=r"prices.csv:4: missing price|has no name"):
        import_catalog("sheet", source, tiny_site, **QUIET)
    assert snapshot(tiny_site) == before
    source = sheet(tmp_path / "prices.csv",
                   "sku,name,price,compare_at_price,attribute:material\n"
                   "AC-1,,119.00,159.00,Nylon\n"
                   "BO-1,,45,,Polyester\n"
                   "NEW-1,Wool Hat,9.50,,Wool\n")
    summary = import_catalog("sheet", source, tiny_site, **QUIET)
    assert (summary.added, summary.changed, summary.unchanged) == (["NEW-1"], ["AC-1"], ["BO-1"])
    assert summary.absent == ["AC-2"] and summary.pruned == []
    after = snapshot(tiny_site)
    assert after["products/bo-1.yaml"] == before["products/bo-1.yaml"]  # history kept as is
    assert after["products/ac-2.yaml"] == before["products/ac-2.yaml"]
    catalog = {p.sku: p for p in load_catalog(tiny_site, TODAY).products}
    storm = catalog["AC-1"]
    assert storm.price.amount == Decimal("119.00") and storm.name == "Storm Jacket"
    assert storm.description == "A waterproof jacket for wild weather."  # hand-written, kept
    assert storm.attributes == {"material": "Nylon", "weight": 480}
    assert catalog["NEW-1"].brand == "unbranded" and catalog["NEW-1"].images == ()
    summary = import_catalog("sheet", source, tiny_site, prune=True, **QUIET)
    assert summary.pruned == ["AC-2"] and not (tiny_site / "products/ac-2.yaml").exists()
    assert summary.line() == "0 added, 0 changed, 3 unchanged, 0 skipped, 1 pruned"
    # Its picture went with it; the kept products' pictures stay.
    assert summary.pruned_images == ["images/ac-2.jpg"]
    assert not (tiny_site / "images/ac-2.jpg").exists()
    assert (tiny_site / "images/ac-1.jpg").exists() and (tiny_site / "images/bo-1.jpg").exists()
    load_catalog(tiny_site, TODAY)  # still a valid shop


def test_prune_keeps_a_picture_another_product_still_shows(tiny_site: Path,
                                                          tmp_path: Path) -> None:
    shared = tiny_site / "products/bo-1.yaml"
    shared.write_text(shared.read_text().replace("[bo-1.jpg]", "[bo-1.jpg, ac-2.jpg]"))
    source = sheet(tmp_path / "keep.csv", "sku,price\nAC-1,119.00\nBO-1,45\n")
    summary = import_catalog("sheet", source, tiny_site, prune=True, **QUIET)
    assert summary.pruned == ["AC-2"] and summary.pruned_images == []
    assert (tiny_site / "images/ac-2.jpg").exists()
    fleece = next(p for p in load_catalog(tiny_site, TODAY).products if p.sku == "BO-1")
    assert len(fleece.images) == 2  # its second picture is still there to build


def compare_catalogs(a: Path, b: Path) -> None:
    one, two = load_catalog(a, TODAY), load_catalog(b, TODAY)
    fields = ("sku", "name", "brand", "category", "description", "colours", "sizes",
              "in_stock", "added")
    assert [tuple(getattr(p, f) for f in fields) for p in one.products] == \
        [tuple(getattr(p, f) for f in fields) for p in two.products]
    assert [(p.price.amount, p.price.compare_at) for p in one.products] == \
        [(p.price.amount, p.price.compare_at) for p in two.products]
    assert [{k: str(v) for k, v in p.attributes.items()} for p in one.products] == \
        [{k: str(v) for k, v in p.attributes.items()} for p in two.products]
    assert [(b.id, b.name) for b in one.brands] == [(b.id, b.name) for b in two.brands]
    assert [(c.id, c.name, c.parent) for c in one.categories] == \
        [(c.id, c.name, c.parent) for c in two.categories]
    assert [p.images for p in one.products] == [p.images for p in two.products]
    for product in one.products:
        for name in product.images:
            assert (a / "images" / name).read_bytes() == (b / "images" / name).read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_sheet_then_import_gives_the_same_catalog(tiny_site: Path, tmp_path: Path,
                                                        suffix: str) -> None:
    out = tmp_path / "exports" / f"catalog{suffix}"
    out.parent.mkdir()
    runner = CliRunner()
    result = runner.invoke(main, ["export", "sheet", "--site", str(tiny_site), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import", "sheet", str(out), "--site", str(tmp_path / "copy"),
                                  "--currency", "EUR", "--name", "Copy"])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 changed, 0 unchanged, 0 skipped, 0 pruned" in result.output
    compare_catalogs(tiny_site, tmp_path / "copy")
    build_site(tmp_path / "copy", tmp_path / "out", today=TODAY, echo=lambda *a, **k: None)


def test_xlsx_numbers_become_decimal_money(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    rows = [["sku", "name", "price", "attribute:weight", "added"],
            ["X-1", "Binary Float", 0.1 + 0.2, 480, dt.datetime(2026, 1, 2)],
            ["X-2", "Plain", 19.9, 12.5, None]]
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "sheet.xlsx")
    import_catalog("sheet", tmp_path / "sheet.xlsx", tmp_path / "shop", currency="EUR", **QUIET)
    text = (tmp_path / "shop/products/x-1.yaml").read_text()
    assert "price: '0.30'" in text and "weight: 480" in text and "added: 2026-01-02" in text
    catalog = {p.sku: p for p in load_catalog(tmp_path / "shop", TODAY).products}
    assert catalog["X-2"].price.amount == Decimal("19.90")
    assert catalog["X-2"].attributes["weight"] == Decimal("12.5")


def test_merchant_feed_groups_variants(tmp_path: Path, images: ImageServer) -> None:
    source = fixture("merchant-feed.xml", tmp_path / "in", images.url)
    summary = import_catalog("merchant", source, tmp_path / "shop", image_timeout=0.5, **QUIET)
    assert summary.line() == "2 added, 0 changed, 0 unchanged, 0 skipped, 0 pruned"
    assert any("PARKA: image 3" in w and "HTTP 404" in w for w in summary.warnings)
    catalog = load_catalog(tmp_path / "shop", TODAY)
    assert catalog.shop.currency == "EUR"
    assert catalog.shop.base_url == "https://fjord-field.example/"
    parka, flask = catalog.products[1], catalog.products[0]
    assert (parka.sku, parka.sizes, parka.colours) == ("PARKA", ("S", "M"), ("Black", "Red"))
    assert (parka.price.amount, parka.price.compare_at) == (Decimal("299.00"), Decimal("349.00"))
    assert parka.in_stock and len(parka.images) == 2
    assert parka.description == "Goose down, 800 fill.\n\nStorm hood."
    assert parka.attributes == {"gtin": "04012345678901", "mpn": "FJ-PARKA",
                                "condition": "new"}
    assert [c.name for c in catalog.category_path(parka.category)] == [
        "Clothing", "Jackets", "Down"]
    assert flask.name == "Ståltermos 0,75 l" and flask.attributes["condition"] == "refurbished"
    assert [c.name for c in catalog.category_path(flask.category)] == [
        "Home & Garden", "Kitchen & Dining"]


def test_merchant_tsv(tmp_path: Path, images: ImageServer) -> None:
    source = fixture("merchant-feed.tsv", tmp_path / "in", images.url)
    import_catalog("merchant", source, tmp_path / "shop", **QUIET)
    catalog = {p.sku: p for p in load_catalog(tmp_path / "shop", TODAY).products}
    assert len(catalog["TENT-2"].images) == 3
    assert catalog["MAT-1"].price.compare_at == Decimal("59.00") and catalog["MAT-1"].in_stock


def test_merchant_problems_name_their_lines(tmp_path: Path) -> None:
    source = fixture("merchant-broken.xml", tmp_path)
    with pytest.raises(ImportFileError) as caught:
        import_catalog("merchant", source, tmp_path / "shop", **QUIET)
    assert caught.value.problems == [
        "merchant-broken.xml:11: missing price",
        "merchant-broken.xml:15: price 'ten EUR' is not a price like 15.00 USD",
        "merchant-broken.xml:20: price '10.00 USD' is in USD, not the shop's EUR",
        "merchant-broken.xml:25: duplicate id 'OK-1' (also on row 6)",
    ]
    assert not (tmp_path / "shop").exists()


def test_a_feed_in_another_currency_than_the_shop_is_refused(tiny_site: Path,
                                                           tmp_path: Path) -> None:
    feed = tmp_path / "usd.tsv"
    feed.write_text("id\ttitle\tprice\nU-1\tThing\t5.00 USD\n")
    with pytest.raises(ImportFileError, match=r"usd.tsv:2: price '5.00 USD' is in USD, not the "
                       r"shop's EUR"):
        import_catalog("merchant", feed, tiny_site, **QUIET)


def test_an_interrupted_import_leaves_the_shop_as_it_was(tiny_site: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(tiny_site)
    changes = ShopChanges({"products/ac-1.yaml": b"sku: AC-1\n", "products/zz.yaml": b"x\n",
                           "brands.yaml": b"[]\n"}, ["products/ac-2.yaml"])
    real_replace, calls = os.replace, []

    def replace_then_die(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the renames
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        apply_changes(tiny_site, changes)
    monkeypatch.setattr(os, "replace", real_replace)
    assert snapshot(tiny_site) == before  # rolled back at once

    # A killed process cannot roll back: the next import does, from the journal.
    from shopgen.importers import transaction

    monkeypatch.setattr(transaction, "_roll_back", lambda site: None)
    calls.clear()
    monkeypatch.setattr(os, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        apply_changes(tiny_site, changes)
    monkeypatch.undo()
    assert snapshot(tiny_site) != before
    assert recover_interrupted_import(tiny_site)
    assert snapshot(tiny_site) == before


def test_html_descriptions_become_text() -> None:
    html = ("<div><h3>Fit &amp; feel</h3><p>Soft&nbsp;merino.<br/>Runs small.</p>"
            "<script>var x = '<p>no</p>';</script><style>p {}</style>"
            "<ul><li>One</li><li>Two &lt;3</li></ul></div>")
    assert html_to_text(html) == "Fit & feel\n\nSoft merino.\nRuns small.\n\nOne\nTwo <3"


def test_cli_import_wiring(tmp_path: Path) -> None:
    source = sheet(tmp_path / "s.csv", "sku,name,price,brand,category\nA-1,Thing,5.00,Acme,"
                   "Tools > Hammers\n")
    result = CliRunner().invoke(main, ["import", "sheet", str(source), "--site",
                                       str(tmp_path / "shop"), "--currency", "usd",
                                       "--name", "Tool Shed"])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 added, 0 changed, 0 unchanged, 0 skipped, 0 pruned" in result.output
    assert "name: Tool Shed" in (tmp_path / "shop/shop.yaml").read_text()
    assert load_catalog(tmp_path / "shop", TODAY).shop.currency == "USD"


def test_a_hand_edit_after_an_import_is_kept(tmp_path: Path) -> None:
    source = sheet(tmp_path / "s.csv", "sku,name,price\nH-1,Hat,5.00\nH-2,Scarf,7.00\n")
    site = tmp_path / "shop"
    import_catalog("sheet", source, site, currency="EUR", **QUIET)
    product = site / "products/h-1.yaml"
    product.write_text(product.read_text().replace("description: Hat", "description: Warm."))
    summary = import_catalog("sheet", source, site, **QUIET)
    assert summary.unchanged == ["H-1", "H-2"]  # read from the edited file, not remembered
    assert "description: Warm." in product.read_text()
    sheet(source, "sku,name,price\nH-1,Wool Hat,5.00\nH-2,Scarf,7.00\n")
    assert import_catalog("sheet", source, site, **QUIET).changed == ["H-1"]
    text = product.read_text()
    assert "name: Wool Hat" in text and "description: Warm." in text


def test_sheet_pictures_from_local_files(tiny_site: Path, tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics/not-a-picture.jpg").write_text("hello")
    from sitekit import draw_image

    draw_image(tmp_path / "pics/hat photo.png", "green")
    draw_image(tmp_path / "pics/scarf.jpg", "blue")
    (tiny_site / "brands.yaml").write_text("# Brands.\n[]\n")
    source = sheet(tmp_path / "s.csv",
                   "sku,name,price,brand,category,images\n"
                   "P-1,Hat,5.00,Acme,bags,pics/hat photo.png|pics/scarf.jpg\n"
                   "P-2,Scarf,6.00,Acme,bags,pics/not-a-picture.jpg|pics/gone.jpg|ac-1.jpg\n")
    summary = import_catalog("sheet", source, tiny_site, prune=True, **QUIET)
    first, second = summary.warnings
    assert first.startswith("P-2: image 1 pics/not-a-picture.jpg skipped: not a picture")
    assert second == "P-2: image 2 pics/gone.jpg skipped: file not found"
    catalog = {p.sku: p for p in load_catalog(tiny_site, TODAY).products}
    assert catalog["P-1"].images == ("p-1.jpg", "scarf.jpg")  # converted, and copied as is
    assert catalog["P-2"].images == ("ac-1.jpg",)  # already in the shop's images/
    assert (tiny_site / "brands.yaml").read_text().startswith("# Brands.\n- id: acme\n")


def test_too_long_names_are_problems_and_long_descriptions_are_cut(tmp_path: Path) -> None:
    long_text = "Word " * 5000
    source = sheet(tmp_path / "s.csv", f"sku,name,price,description\nL-1,{'N' * 201},5.00,x\n"
                   f"L-2,Fine,5.00,{long_text}\n")
    with pytest.raises(ImportFileError, match=r"s.csv:2: the name of 'L-1' is longer than 200"):
        import_catalog("sheet", source, tmp_path / "shop", currency="EUR", **QUIET)
    sheet(source, f"sku,name,price,description\nL-2,Fine,5.00,{long_text}\n")
    summary = import_catalog("sheet", source, tmp_path / "shop", currency="EUR", **QUIET)
    assert summary.warnings == ["L-2: the description was cut to 20000 characters"]
    assert len(load_catalog(tmp_path / "shop", TODAY).products[0].description) == 20_000


PRICE_CELLS = [  # (price, compare-at) → the product's (price, compare-at), or the problem
    (("19.90", ""), (Decimal("19.90"), None)),
    (("19.90", "0"), (Decimal("19.90"), None)),  # Shopify writes 0 for "no compare-at price"
    (("19.90", "24.50"), (Decimal("19.90"), Decimal("24.50"))),
    (("19.90", "-1"), "must be greater than 0"),
    (("0", ""), "must be greater than 0"),
    (("", ""), "missing price"),
    (("1,299.00", ""), "is not a number"),
    (("12 euros", ""), "is not a number"),
]


@pytest.mark.parametrize(("cells", "expected"), PRICE_CELLS)
def test_shopify_and_sheet_read_a_price_cell_the_same_way(
        tmp_path: Path, cells: tuple[str, str], expected: object) -> None:
    from shopgen.importers.sheet import read_sheet
    from shopgen.importers.shopify import read_shopify

    price, compare = cells
    shopify = tmp_path / "shopify.csv"
    shopify.write_text("Handle,Title,Variant SKU,Variant Price,Variant Compare At Price\n"
                       f"hat,Hat,HAT-1,{price!r:},{compare!r:}\n".replace("'", '"'))
    sheet_file = tmp_path / "sheet.csv"
    sheet_file.write_text("sku,name,price,compare_at_price\n"
                          f"HAT-1,Hat,{price!r:},{compare!r:}\n".replace("'", '"'))
    for read, path in ((read_shopify, shopify), (read_sheet, sheet_file)):
        if isinstance(expected, str):
            with pytest.raises(ImportFileError, match=f"{path.name}:2: .*{expected}"):
                read(path)
        else:
            (product,) = read(path).products
            assert (product.price, product.compare_at_price) == expected, path.name
