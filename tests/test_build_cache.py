"""The parsed-file cache: a build that reuses unchanged product files gives what a build that
reads them all gives, picks up every edit, still lists every problem, and trusts no cache it
cannot vouch for."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sitekit import TODAY, write_site

from shopgen.build import build_site, page_files, pipeline
from shopgen.build.pipeline import MARKER
from shopgen.catalog import load_catalog
from shopgen.catalog import products as products_module
from shopgen.catalog.parsed_cache import cache_file
from shopgen.errors import CatalogError

QUIET = {"echo": lambda *a, **k: None}
MAGIC = b"shopgen parsed products v1\n"


def product(sku: str, name: str, price: str = '"10.00"') -> str:
    return (f"sku: {sku}\nname: {name}\nbrand: acme\ncategory: bags\ndescription: A bag.\n"
            f"images: [ac-2.jpg]\nadded: 2026-01-01\nprice: {price}\n")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the product files parsed (not taken from the cache), in this process."""
    seen: list[str] = []
    read = products_module._read_product_files

    def counting(today, attributes, currency, sources):
        seen.extend(name for name, _data in sources)
        return read(today, attributes, currency, sources)

    monkeypatch.setattr(products_module, "_read_product_files", counting)
    return seen


def load(site: Path, cache: Path, today=TODAY):
    return load_catalog(site, today, cache_dir=cache)


def edit_cache(site: Path, cache: Path, change) -> None:
    """Change the stored entries with `change(stored)` and store them under a valid digest."""
    path = cache_file(cache, site)
    raw = path.read_bytes()
    stored = json.loads(raw[len(MAGIC):].partition(b"\n")[2])
    change(stored)
    body = json.dumps(stored).encode()
    path.write_bytes(MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def files_of(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MARKER}


def test_cached_and_uncached_builds_are_byte_identical(tiny_site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       parses: list[str]) -> None:
    write_site(tiny_site, {f"products/x{i}.yaml": product(f"X-{i}", f"Extra {i}")
                           for i in range(6)})
    monkeypatch.setenv("SHOPGEN_CACHE_DIR", str(tmp_path / "cache"))
    build_site(tiny_site, tmp_path / "first", today=TODAY, **QUIET)
    assert len(parses) == 9  # every file read once
    build_site(tiny_site, tmp_path / "cached", today=TODAY, **QUIET)
    assert len(parses) == 9  # … and not again
    monkeypatch.setenv("SHOPGEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    build_site(tiny_site, tmp_path / "uncached", today=TODAY, **QUIET)
    assert files_of(tmp_path / "cached") == files_of(tmp_path / "uncached")
    assert files_of(tmp_path / "cached") == files_of(tmp_path / "first")


def test_parallel_reading_gives_the_same_catalog(tiny_site: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(tiny_site, {f"products/x{i}.yaml": product(f"X-{i}", f"Extra {i}")
                           for i in range(5)})
    serial = load(tiny_site, tmp_path / "serial")
    monkeypatch.setattr(products_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert load(tiny_site, tmp_path / "parallel") == serial
    assert load(tiny_site, tmp_path / "parallel") == serial  # from the cache


def test_an_edit_to_one_file_is_picked_up(tiny_site: Path, tmp_path: Path,
                                          parses: list[str]) -> None:
    cache = tmp_path / "cache"
    load(tiny_site, cache)
    parses.clear()
    path = tiny_site / "products" / "ac-2.yaml"
    stat = path.stat()
    # Same size, same modification time: only the bytes tell (the file was written moments
    # before the cache, so its time alone is not trusted).
    path.write_text(path.read_text().replace("Day Backpack", "Day Rucksack"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    catalog = load(tiny_site, cache)
    assert parses == ["products/ac-2.yaml"]
    assert {p.sku: p.name for p in catalog.products}["AC-2"] == "Day Rucksack"


def test_an_old_file_is_trusted_by_its_size_and_time(tiny_site: Path, tmp_path: Path,
                                                     parses: list[str]) -> None:
    cache = tmp_path / "cache"
    for path in (tiny_site / "products").iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    first = load(tiny_site, cache)
    load(tiny_site, cache)  # the first load read them; now their times are kept
    parses.clear()
    (tiny_site / "products" / "ac-1.yaml").touch()  # a new time, the same bytes
    assert load(tiny_site, cache) == first
    assert load(tiny_site, cache) == first
    assert parses == []  # compared by digest, still the same file


def test_problems_are_listed_with_file_and_line_from_cache_hits(tiny_site: Path,
                                                                tmp_path: Path,
                                                                parses: list[str]) -> None:
    write_site(tiny_site, {"products/zz.yaml": product("ZZ-1", "Broken", price='"0"'),
                           "products/zy.yaml": "sku: [broken\n",
                           "products/dup.yaml": product("AC-1", "Same SKU")})
    cache = tmp_path / "cache"
    problems = []
    for _ in range(2):
        with pytest.raises(CatalogError) as raised:
            load(tiny_site, cache)
        problems.append(raised.value.problems)
    assert parses.count("products/zz.yaml") == 1  # the second time, from the cache
    assert problems[0] == problems[1]
    assert "products/zz.yaml:8: price must be greater than 0" in problems[1]
    assert any(p.startswith("products/zy.yaml:2: invalid YAML") for p in problems[1])
    # Cross-file checks run on every load, over cached files too.
    assert any(p.startswith("products/dup.yaml:1: duplicate sku 'AC-1'") for p in problems[1])


def test_a_price_history_is_read_again_on_another_day(tiny_site: Path, tmp_path: Path,
                                                      parses: list[str]) -> None:
    cache = tmp_path / "cache"
    assert {p.sku: p.price.amount for p in load(tiny_site, cache).products}["BO-1"] == 45
    parses.clear()
    earlier = load(tiny_site, cache, today=TODAY.replace(year=2025))
    assert {p.sku: p.price.amount for p in earlier.products}["BO-1"] == 49
    assert parses == ["products/bo-1.yaml"]  # the files without a history are kept


def test_the_cache_is_used_when_it_vouches_for_the_file(tiny_site: Path, tmp_path: Path) -> None:
    """The control for the tests below: an entry whose digest matches is what the build uses."""
    cache = tmp_path / "cache"
    load(tiny_site, cache)

    def rename(stored):
        stored["files"]["products/ac-2.yaml"][2][0][1] = "From The Cache"

    edit_cache(tiny_site, cache, rename)
    assert "From The Cache" in {p.name for p in load(tiny_site, cache).products}


def test_a_cache_from_other_code_is_ignored(tiny_site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load(tiny_site, cache)

    def other_code(stored):
        stored["files"]["products/ac-2.yaml"][2][0][1] = "From The Cache"
        stored["context"] = stored["context"].replace('"', "'", 2)

    edit_cache(tiny_site, cache, other_code)
    assert "From The Cache" not in {p.name for p in load(tiny_site, cache).products}


@pytest.mark.parametrize("damage", [
    lambda raw: raw[:len(raw) // 2],                       # cut short
    lambda raw: raw.replace(b"Day Backpack", b"Day Backpacx"),  # changed, digest kept
    lambda raw: b"\x00\xff" * 40,                          # not a cache at all
    lambda raw: raw.replace(b"shopgen parsed products v1", b"shopgen parsed products v0"),
])
def test_a_broken_cache_is_ignored(tiny_site: Path, tmp_path: Path, damage) -> None:
    cache = tmp_path / "cache"
    expected = load(tiny_site, cache)
    path = cache_file(cache, tiny_site)
    path.write_bytes(damage(path.read_bytes()))
    assert load(tiny_site, cache) == expected
    assert load(tiny_site, cache) == expected  # and written anew


def test_a_damaged_entry_is_read_again(tiny_site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = load(tiny_site, cache)

    def damage(stored):
        stored["files"]["products/ac-2.yaml"][2][0][0] = 42  # a SKU that is no text
        stored["files"]["products/ac-1.yaml"][2] = ["not", "a product"]

    edit_cache(tiny_site, cache, damage)
    assert load(tiny_site, cache) == expected


def test_a_cached_page_or_picture_path_is_checked_again(tiny_site: Path, tmp_path: Path) -> None:
    """A shop folder may come with a cache someone made: what decides a path is re-checked."""
    cache = tmp_path / "cache"
    expected = load(tiny_site, cache)

    def escape(stored):
        stored["files"]["products/ac-1.yaml"][2][0][0] = "../../outside"
        stored["files"]["products/ac-2.yaml"][2][0][7] = ["../../../etc/passwd.jpg"]

    edit_cache(tiny_site, cache, escape)
    assert load(tiny_site, cache) == expected


# --- product pages kept from the previous build ------------------------------------------


def record_of(build: Path) -> dict:
    return json.loads((build / MARKER).read_text())


def copy_theme(tmp_path: Path) -> Path:
    from shopgen.resources import theme_dir

    theme = tmp_path / "theme"
    shutil.copytree(theme_dir(), theme, ignore=shutil.ignore_patterns("node_modules"))
    return theme


def test_a_rebuild_after_one_edit_equals_a_fresh_build(tiny_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, **QUIET)
    before = record_of(out)["pages"]
    write_site(tiny_site, {"products/ac-2.yaml": product("AC-2", "Day Rucksack")})
    build_site(tiny_site, out, today=TODAY, **QUIET)
    after = record_of(out)["pages"]
    assert {path for path in after if after[path] != before[path]} == {"p/p-ac-2.html"}
    assert "Day Rucksack" in (out / "p" / "p-ac-2.html").read_text()
    build_site(tiny_site, tmp_path / "fresh", today=TODAY, **QUIET)
    assert files_of(out) == files_of(tmp_path / "fresh")


def test_a_kept_page_is_taken_only_when_its_file_is_the_one_written(
        tiny_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, **QUIET)
    page = out / "p" / "p-ac-1.html"
    page.write_text(page.read_text().replace("Storm Jacket", "Edited By Hand"))
    build_site(tiny_site, out, today=TODAY, force=True, **QUIET)
    assert "Edited By Hand" not in page.read_text()  # changed since: rendered again
    # The control: a page whose record vouches for its file (size, time, inode) is taken as
    # it is, without being read.
    page.write_text(page.read_text().replace("Storm Jacket", "Edited By Hand"))
    record = record_of(out)
    stat = page.stat()
    record["pages"]["p/p-ac-1.html"][1:] = [stat.st_size, stat.st_mtime_ns,
                                                    stat.st_ino]
    (out / MARKER).write_text(json.dumps(record))
    build_site(tiny_site, out, today=TODAY, force=True, **QUIET)
    assert "Edited By Hand" in page.read_text()
    assert page.stat().st_ino == stat.st_ino  # the same file, linked into the new build


def test_files_the_previous_build_holds_are_linked_from_it(tiny_site: Path,
                                                           tmp_path: Path) -> None:
    """A card or index file whose bytes the previous build holds is linked from it, not made
    anew; one changed since (by hand) is written again."""
    write_site(tiny_site, {f"products/x{i:03}.yaml": product(f"X-{i}", f"Extra {i}")
                           for i in range(120)})
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, **QUIET)

    def inodes(pattern: str) -> dict[str, int]:
        return {path.name: path.stat().st_ino for path in out.glob(pattern)}

    cards, shards = inodes("cards/*/*.json"), inodes("assets/search-shard-*.json")
    assert len(cards) > 2 and shards
    edited = next(path.name for path in out.glob("cards/*/*.json")
                  if "Extra 50" in path.read_text())
    by_hand = next(path for path in out.glob("cards/*/*.json") if path.name != edited)
    by_hand.write_text(by_hand.read_text().replace("Extra", "Other"))
    # A price changes one card file and no index file.
    write_site(tiny_site, {"products/x050.yaml": product("X-50", "Extra 50", '"12.00"')})
    build_site(tiny_site, out, today=TODAY, **QUIET)
    after = inodes("cards/*/*.json")
    assert {name for name in cards if after[name] != cards[name]} == {edited, by_hand.name}
    assert inodes("assets/search-shard-*.json") == shards
    build_site(tiny_site, tmp_path / "fresh", today=TODAY, **QUIET)
    assert files_of(out) == files_of(tmp_path / "fresh")


def test_a_template_change_renders_every_product_page_again(tiny_site: Path,
                                                            tmp_path: Path) -> None:
    theme = copy_theme(tmp_path)
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, theme=theme, **QUIET)
    template = theme / "product.html.j2"
    template.write_text(template.read_text().replace("<body", "<!-- new look -->\n<body", 1))
    build_site(tiny_site, out, today=TODAY, theme=theme, **QUIET)
    assert all("<!-- new look -->" in page.read_text() for page in (out / "p").iterdir())


def test_a_broken_build_record_renders_every_page(tiny_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, **QUIET)
    expected = files_of(out)
    for damaged in ("{not json", json.dumps({"shopgen": "0.0.1", "pages": {}}),
                    json.dumps({"pages": {"p/p-ac-1.html": "x"}})):
        (out / MARKER).write_text(damaged)
        build_site(tiny_site, out, today=TODAY, force=True, **QUIET)
        assert files_of(out) == expected


def test_pages_rendered_by_two_workers_are_those_of_one(tiny_site: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(tiny_site, {f"products/x{i:03}.yaml": product(f"X-{i}", f"Extra {i}")
                           for i in range(120)})
    build_site(tiny_site, tmp_path / "one", today=TODAY, **QUIET)
    monkeypatch.setattr(page_files, "PAGES_PER_WORKER", 10)
    monkeypatch.setattr(page_files.os, "cpu_count", lambda: 2)
    assert [(r.start, r.stop) for r in page_files.page_parts(123)] == [(0, 96), (96, 123)]
    out = tmp_path / "two"
    build_site(tiny_site, out, today=TODAY, **QUIET)
    assert files_of(out) == files_of(tmp_path / "one")
    assert (out / "page" / "3" / "index.html").is_file()  # rendered by the second worker
    # One edit, rebuilt by two workers: only that product's page is rendered again.
    before = record_of(out)["pages"]
    write_site(tiny_site, {"products/x100.yaml": product("X-100", "Edited 100")})
    build_site(tiny_site, out, today=TODAY, **QUIET)
    after = record_of(out)["pages"]
    # (X-100 is the 104th product: the third numbered page lists it.)
    assert {path for path in after if after[path] != before[path]} == {"p/p-x-100.html",
                                                                        "page/3/index.html"}
    build_site(tiny_site, tmp_path / "fresh", today=TODAY, **QUIET)
    assert files_of(out) == files_of(tmp_path / "fresh")


def draw_image(path: Path, colour: str, size: tuple[int, int]) -> None:
    Image.new("RGB", size, colour).save(path, quality=80)


def test_workers_not_forked_are_sent_the_job_pickled(tiny_site: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked worker processes find the build's job in their copy of the module; others (the
    start method of macOS and of Python 3.14) are sent it pickled, and build the same site."""
    write_site(tiny_site, {f"products/x{i:03}.yaml": product(f"X-{i}", f"Extra {i}")
                           for i in range(120)})
    monkeypatch.setattr(page_files, "PAGES_PER_WORKER", 10)
    monkeypatch.setattr(page_files.os, "cpu_count", lambda: 2)
    build_site(tiny_site, tmp_path / "forked", today=TODAY, **QUIET)
    sent = []

    @contextlib.contextmanager
    def watched(job):
        with page_files.job_for_workers(job) as payload:
            sent.append(payload)
            yield payload

    monkeypatch.setattr(pipeline, "job_for_workers", watched)
    build_site(tiny_site, tmp_path / "forked-again", today=TODAY, **QUIET)
    monkeypatch.setattr(page_files.multiprocessing, "get_start_method", lambda: "spawn")
    build_site(tiny_site, tmp_path / "sent", today=TODAY, **QUIET)
    assert sent[0] is None and isinstance(sent[1], bytes)
    assert files_of(tmp_path / "sent") == files_of(tmp_path / "forked")
    assert page_files._FORKED is None  # (the job is not kept after the build)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


# Edits a page's key must see (render.PageKeys), though the product files stay as they were.
EDITS = {
    "a brand's name": lambda site: replace_in(site / "brands.yaml", "name: Acme", "name: Acme Co"),
    "a category's name": lambda site: replace_in(site / "categories.yaml", "name: Bags",
                                                 "name: Packs"),
    "the shop's phone": lambda site: replace_in(site / "shop.yaml", "555 0100", "555 0199"),
    "an attribute's unit": lambda site: replace_in(site / "attributes.yaml", "unit: g",
                                                   "unit: kg"),
    "a picture": lambda site: draw_image(site / "images" / "ac-1.jpg", "green", (640, 480)),
    "a product moved": lambda site: (site / "products" / "x010.yaml").unlink(),
    "a product": lambda site: (site / "products" / "x050.yaml").write_text(
        product("X-50", "Edited 50")),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_rebuild_after_any_edit_equals_a_fresh_build(tiny_site: Path, tmp_path: Path, edit,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are taken from the previous build by a key made from what they show, not from
    the pages themselves: whatever the edit, no page may be left as it was."""
    write_site(tiny_site, {f"products/x{i:03}.yaml": product(f"X-{i}", f"Extra {i}")
                           for i in range(120)})
    monkeypatch.setattr(page_files, "PAGES_PER_WORKER", 10)  # two workers, as at 10,000
    monkeypatch.setattr(page_files.os, "cpu_count", lambda: 2)
    out = tmp_path / "out"
    build_site(tiny_site, out, today=TODAY, **QUIET)
    kept = record_of(out)["pages"]
    edit(tiny_site)
    build_site(tiny_site, out, today=TODAY, **QUIET)
    build_site(tiny_site, tmp_path / "fresh", today=TODAY, **QUIET)
    assert files_of(out) == files_of(tmp_path / "fresh")
    assert record_of(out)["pages"] != kept
