"""Bad input that mixed products up or leaked files: look-alike SKUs, broken pictures, links.

Each case ends in `Error:` with the file and line that names the problem, exit 1, no
traceback, and the previous build left as it was.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from s3_server import AwsSite, write_fake_build
from sitekit import TODAY, draw_image, product, write_site

from shopgen.build import build_site
from shopgen.build.browser_data import front_decoded
from shopgen.catalog.page_address import anchor_for, product_page
from shopgen.cli import main
from shopgen.publish import PublishSettings, publish_site

pytest_plugins = ["s3_server"]  # moto fixtures: moto_endpoint, aws

QUIET = {"echo": lambda *a, **k: None}


# --- helpers ------------------------------------------------------------------------------


def build_files(build: Path) -> dict[Path, bytes]:
    return {p.relative_to(build): p.read_bytes() for p in build.rglob("*") if p.is_file()}


def fails_cleanly(site: Path, *expected: str) -> str:
    """Build once (the previous build), break nothing more, build again: the second build
    must fail with every `expected` line, exit 1, no traceback, the first build intact."""
    build = site / "build"
    before = build_files(build)
    result = CliRunner().invoke(main, ["build", "--site", str(site)])
    assert result.exit_code == 1, result.output
    assert "Error: the catalog has" in result.output, result.output
    assert "Traceback" not in result.output
    for line in expected:
        assert f"  {line}\n" in result.output, result.output
    assert build_files(build) == before
    return result.output


def built(site: Path) -> Path:
    """A first, good build of `site` (what a failed build must leave alone)."""
    result = CliRunner().invoke(main, ["build", "--site", str(site)])
    assert result.exit_code == 0, result.output
    return site / "build"


def with_image(site: Path, name: str, data: bytes, sku: str = "ZZ-1") -> None:
    """A product zz.yaml (images on line 8) whose only picture is `name` with these bytes."""
    (site / "images" / name).write_bytes(data)
    write_site(site, {"products/zz.yaml": product(sku, images=f"[{name}]")})


def noise_jpeg(seed: int, size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG of random pixels: its data is long, so cutting it loses real picture data."""
    pixels = bytes((i * 7919 + seed * 104729) % 251 for i in range(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_of_size(width: int, height: int) -> bytes:
    """A real, black, 1-bit PNG: a few kilobytes on disk, `width`×`height` pixels decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    row = bytes(1 + (width + 7) // 8)  # filter byte + the row's bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


# --- two SKUs, one page --------------------------------------------------------------------


@pytest.mark.parametrize("sku", ["NW.1001", "NW_1001", "NW--1001", "NW-1001-"])
def test_sku_collides_with_nw_1001_on_its_page_address(tiny_site: Path, sku: str) -> None:
    built(tiny_site)
    write_site(tiny_site, {"products/nw-a.yaml": product("NW-1001"),
                           "products/nw-b.yaml": product(sku)})
    fails_cleanly(tiny_site,
                  f"products/nw-b.yaml:1: sku {sku!r} gets the same page address "
                  f"(p/p-nw-1001.html) as sku 'NW-1001' in products/nw-a.yaml:1: make the "
                  "SKUs differ by more than case or punctuation")


def test_sku_nw_dot_1001_collides_with_nw_1001(tiny_site: Path) -> None:
    """The issue's own case, whichever file is read first."""
    built(tiny_site)
    write_site(tiny_site, {"products/a.yaml": product("NW.1001"),
                           "products/b.yaml": product("NW-1001")})
    fails_cleanly(tiny_site, "products/b.yaml:1: sku 'NW-1001' gets the same page address "
                  "(p/p-nw-1001.html) as sku 'NW.1001' in products/a.yaml:1: make the SKUs "
                  "differ by more than case or punctuation")


def test_sku_lower_case_nw_1001_is_a_duplicate_of_nw_1001(tiny_site: Path) -> None:
    built(tiny_site)
    write_site(tiny_site, {"products/nw-a.yaml": product("NW-1001"),
                           "products/nw-b.yaml": product("nw-1001")})
    output = fails_cleanly(
        tiny_site, "products/nw-b.yaml:1: duplicate sku 'nw-1001' (also in products/nw-a.yaml)")
    assert "same page address" not in output  # one problem, said once


LOOK_ALIKES = ["NW-1001", "NW-10-01", "NW1001", "NW-1001A", "NW-100-1"]


def look_alike_site(root: Path) -> Path:
    """A shop whose products are look-alike SKUs that still get pages of their own."""
    return write_site(root, {f"products/la-{i}.yaml": product(sku, name=f"Look-alike {sku}")
                             for i, sku in enumerate(LOOK_ALIKES)})


def test_look_alike_skus_keep_their_own_addresses() -> None:
    pages = [product_page(sku) for sku in LOOK_ALIKES]
    assert len(set(pages)) == len(LOOK_ALIKES), pages
    assert product_page("NW.1001") == product_page("NW-1001") == "p/p-nw-1001.html"
    assert all(page == f"p/{anchor_for(sku)}.html" for sku, page in zip(LOOK_ALIKES, pages,
                                                                        strict=True))


def test_look_alike_skus_each_card_and_page_show_their_own_product(tmp_path: Path) -> None:
    site = look_alike_site(tmp_path / "shop")
    out = build_site(site, today=TODAY, **QUIET).out_dir
    index = (out / "index.html").read_text()
    cards = re.findall(r'<h3><a href="([^"]+)">([^<]+)</a></h3>', index)
    data = json.loads(next((out / "assets").glob("products-*.json")).read_text())
    # The script opens card n with the data's product n: both lists must agree, in order.
    columns = json.loads((out / data["columns"]).read_text())["columns"]
    assert [name for _href, name in cards] == columns["name"]
    per_file = data["cardsPerFile"]
    for n, ((href, name), item_sku) in enumerate(zip(cards, front_decoded(data["sku"]),
                                                     strict=True)):
        # … and makes product n's card from its row in the card files.
        rows = json.loads((out / f"{data['cards']}{n // per_file}.json").read_text())
        assert rows[n % per_file][0] == name
        if not name.startswith("Look-alike "):
            continue
        sku = name.removeprefix("Look-alike ")
        assert item_sku == sku
        assert href == product_page(sku)
        page = (out / href).read_text()
        assert f'data-sku="{sku}"' in page
        assert f"Quote reference <b>{sku}</b>" in page
        assert f"<h1>{name}</h1>" in page or f">{name}</h1>" in page
    assert len(list((out / "p").glob("*.html"))) == 3 + len(LOOK_ALIKES)


# --- pictures ------------------------------------------------------------------------------


def test_truncated_image_is_a_file_line_error(tiny_site: Path) -> None:
    built(tiny_site)
    data = noise_jpeg(1)
    with_image(tiny_site, "cut.jpg", data[: len(data) // 2])
    fails_cleanly(tiny_site, "products/zz.yaml:8: image 'cut.jpg' is not a readable image "
                  "(truncated)")


def test_text_file_named_jpg_is_a_file_line_error(tiny_site: Path) -> None:
    built(tiny_site)
    with_image(tiny_site, "notes.jpg", b"call the supplier about the red ones\n")
    fails_cleanly(tiny_site, "products/zz.yaml:8: image 'notes.jpg' is not a readable image "
                  "(not a picture file)")


def test_decompression_bomb_is_a_file_line_error(tiny_site: Path) -> None:
    built(tiny_site)
    with_image(tiny_site, "bomb.png", png_of_size(20_000, 20_000))  # 400 Mpixels, ~50 KB
    limit = f"{Image.MAX_IMAGE_PIXELS:,}"
    fails_cleanly(tiny_site, "products/zz.yaml:8: image 'bomb.png' is too large to decode "
                  f"safely (more than Pillow's limit of {limit} pixels): make it smaller")


def test_image_over_pillows_pixel_limit_that_only_warns_is_refused(tiny_site: Path) -> None:
    built(tiny_site)  # 100 Mpixels: over the limit, under twice it (where Pillow only warns)
    with_image(tiny_site, "huge.png", png_of_size(10_000, 10_000))
    limit = f"{Image.MAX_IMAGE_PIXELS:,}"
    fails_cleanly(tiny_site, "products/zz.yaml:8: image 'huge.png' is too large to decode "
                  f"safely (10000×10000 pixels, more than Pillow's limit of {limit} pixels): "
                  "make it smaller")


def test_bmp_picture_named_jpg_is_an_unsupported_format(tiny_site: Path) -> None:
    built(tiny_site)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "BMP")
    with_image(tiny_site, "scan.jpg", buffer.getvalue())
    fails_cleanly(tiny_site, "products/zz.yaml:8: image 'scan.jpg' is a BMP picture: use "
                  "JPEG, PNG or WebP")


@pytest.mark.parametrize("name", ["logo.svg", "scan.bmp", "anim.gif", "photo.tiff"])
def test_unsupported_image_file_name_is_a_file_line_error(tiny_site: Path, name: str) -> None:
    built(tiny_site)
    write_site(tiny_site, {"products/zz.yaml": product(images=f"[{name}]")})
    fails_cleanly(tiny_site, f"products/zz.yaml:8: image {name!r} must be a .jpg, .png or "
                  ".webp file name under images/ (no folders)")


def test_png_picture_named_jpg_is_accepted(tiny_site: Path) -> None:
    """What is inside counts, not the name: a PNG saved as .jpg is a picture the build uses."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(buffer, "PNG")
    with_image(tiny_site, "teal.jpg", buffer.getvalue())
    built(tiny_site)


def test_remote_url_as_image_is_a_file_line_error(tiny_site: Path) -> None:
    built(tiny_site)
    write_site(tiny_site, {"products/zz.yaml": product(
        images="[https://cdn.example.com/x.jpg]")})
    fails_cleanly(tiny_site, "products/zz.yaml:8: image 'https://cdn.example.com/x.jpg' is a "
                  "web address: save the picture in images/ and write its file name")


def test_every_broken_image_is_listed_at_once_from_parallel_workers(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cache of its own: every picture is new, so there are enough to go to worker processes.
    monkeypatch.setenv("SHOPGEN_CACHE_DIR", str(tmp_path / "cache"))
    built(tiny_site)
    files: dict[str, str | None] = {}
    for i in range(4):
        data = noise_jpeg(10 + i)
        cut = i % 2 == 0
        (tiny_site / "images" / f"n{i}.jpg").write_bytes(data[: len(data) // 3] if cut else data)
        files[f"products/n{i}.yaml"] = product(f"N-{i}", images=f"[n{i}.jpg]")
    files["products/shared.yaml"] = product("N-9", images="[ac-1.jpg, n0.jpg]")
    write_site(tiny_site, files)
    output = fails_cleanly(tiny_site, *(
        f"{file}:8: image '{name}' is not a readable image (truncated)"
        for file, name in [("products/n0.yaml", "n0.jpg"), ("products/n2.yaml", "n2.jpg"),
                           ("products/shared.yaml", "n0.jpg")]))
    assert "the catalog has 3 problems" in output


# --- links out of the shop folder ----------------------------------------------------------


def outside_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def link(path: Path, target: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def test_symlinked_product_file_outside_shop_is_refused(tiny_site: Path, tmp_path: Path) -> None:
    built(tiny_site)
    secret = outside_file(tmp_path, "credentials", "aws_secret_access_key = SECRET-VALUE\n")
    link(tiny_site / "products" / "zz.yaml", secret)
    output = fails_cleanly(tiny_site, f"products/zz.yaml:1: refused: this is a link to "
                           f"{secret.resolve()}, outside the shop folder (copy the file into "
                           "the shop instead)")
    assert "SECRET-VALUE" not in output  # refused before reading


@pytest.mark.parametrize("name", ["shop.yaml", "brands.yaml", "categories.yaml",
                                  "attributes.yaml"])
def test_symlinked_shop_file_outside_shop_is_refused(tiny_site: Path, tmp_path: Path,
                                                     name: str) -> None:
    built(tiny_site)
    target = outside_file(tmp_path, name, (tiny_site / name).read_text())  # even a good one
    link(tiny_site / name, target)
    fails_cleanly(tiny_site, f"{name}:1: refused: this is a link to {target.resolve()}, "
                  "outside the shop folder (copy the file into the shop instead)")


def test_symlinked_image_outside_shop_is_refused(tiny_site: Path, tmp_path: Path) -> None:
    built(tiny_site)
    photo = draw_image(tmp_path / "private" / "holiday.jpg", "orange")
    link(tiny_site / "images" / "zz.jpg", photo)
    write_site(tiny_site, {"products/zz.yaml": product(images="[zz.jpg]")})
    fails_cleanly(tiny_site, f"products/zz.yaml:8: image 'zz.jpg' refused: this is a link to "
                  f"{photo.resolve()}, outside the shop folder (copy the file into the shop "
                  "instead)")


def test_symlinks_inside_the_shop_folder_are_fine(tiny_site: Path) -> None:
    draft = tiny_site / "drafts" / "zz.yaml"
    draft.parent.mkdir()
    draft.write_text(product(images="[zz.jpg]"))
    link(tiny_site / "products" / "zz.yaml", Path("..") / "drafts" / "zz.yaml")
    draw_image(tiny_site / "photos" / "zz.jpg", "purple")
    link(tiny_site / "images" / "zz.jpg", tiny_site / "photos" / "zz.jpg")
    result = build_site(tiny_site, today=TODAY, **QUIET)
    assert result.products == 4
    assert (result.out_dir / product_page("ZZ-1")).is_file()


def test_symlinked_images_folder_rebuilds_when_a_picture_inside_changes(
        tiny_site: Path, tmp_path: Path) -> None:
    # A whole images/ folder linked to a shared photo drive is the shop's own layout.
    drive = tmp_path / "photo-drive"
    os.replace(tiny_site / "images", drive)
    (tiny_site / "images").symlink_to(drive, target_is_directory=True)
    out = tiny_site / "build"
    first = build_site(tiny_site, out, today=TODAY, **QUIET)
    assert not first.skipped
    assert build_site(tiny_site, out, today=TODAY, **QUIET).skipped
    before = set((out / "images").iterdir())
    Image.new("RGB", (800, 600), "yellow").save(drive / "ac-1.jpg", quality=80)
    again = build_site(tiny_site, out, today=TODAY, **QUIET)
    assert not again.skipped
    assert set((out / "images").iterdir()) != before  # the new picture's variants
    assert build_site(tiny_site, out, today=TODAY, **QUIET).skipped


def test_symlink_planted_in_build_folder_is_never_published(aws: AwsSite,
                                                             tmp_path: Path) -> None:
    build = write_fake_build(tmp_path / "build", {"NW-1001": "red shoes"})
    secret = outside_file(tmp_path, "secret.txt", "SECRET-VALUE")
    secrets = outside_file(tmp_path, "keys/id_rsa", "PRIVATE-KEY")
    (build / "leak.txt").symlink_to(secret)
    (build / "assets" / "leak-0123456789.js").symlink_to(secret)
    (build / "keys").symlink_to(secrets.parent, target_is_directory=True)
    settings = PublishSettings(bucket=aws.bucket, distribution_id=aws.distribution_id,
                               endpoint_url=aws.endpoint, region="us-east-1", prefix="")
    publish_site(settings, build, echo=lambda *a, **k: None)
    keys = aws.keys()
    assert "index.html" in keys
    assert not {k for k in keys if "leak" in k or k.startswith("keys/")}, keys
    assert not [k for k in keys if aws.body(k) in (b"SECRET-VALUE", b"PRIVATE-KEY")]


def test_symlinked_products_folder_builds_and_rebuilds_when_a_product_changes(
        tiny_site: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-products"
    os.replace(tiny_site / "products", shared)
    (tiny_site / "products").symlink_to(shared, target_is_directory=True)
    out = tiny_site / "build"
    assert build_site(tiny_site, out, today=TODAY, **QUIET).products == 3
    assert build_site(tiny_site, out, today=TODAY, **QUIET).skipped
    (shared / "zz.yaml").write_text(product(name="Brand New Thing"))
    again = build_site(tiny_site, out, today=TODAY, **QUIET)
    assert not again.skipped and again.products == 4
    assert "Brand New Thing" in (out / "index.html").read_text()
