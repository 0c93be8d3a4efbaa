"""`shopgen build`: catalog → images → index and data → page, built aside and swapped in."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import click

from shopgen import __version__
from shopgen.build.browser_data import (
    build_browser_data,
    build_columns,
    build_facets,
    serialize_data,
)
from shopgen.build.budget import PageWeight, measure_weight
from shopgen.build.cards import CARDS_FOLDER, card_files, picture_column, picture_rows
from shopgen.build.images import ImageSet, UnreadableImages, process_images
from shopgen.build.index_files import write_index
from shopgen.build.page_files import (
    BuildJob,
    PreviousPages,
    job_for_workers,
    page_parts,
    previous_pages,
    write_files,
    write_hashed,
    write_pages,
)
from shopgen.build.render import (
    Assets,
    MoneyFormat,
    render_site,
)
from shopgen.catalog import Catalog, load_catalog
from shopgen.catalog.image_files import where_named
from shopgen.config.fields import Problems
from shopgen.config.site_folder import require_shop
from shopgen.errors import CatalogError, ShopgenError
from shopgen.resources import theme_dir

MARKER = ".shopgen-build.json"
# The build record's list of the files the build named by content hash (safe to cache forever).
HASHED_FILES = "hashed_files"
# … and of its product and numbered pages: path → [what it was rendered from (a digest,
# render.PageKeys), the file's size, modification time and inode], so the next build takes
# unchanged pages as they are.
PAGES = "pages"
CACHE_DIR = ".shopgen-cache"
PARSED_CACHE = "catalog-v1"  # parsed product files, under the cache folder
LINKABLE_FOLDERS = ("images", "products")  # may be links to folders outside the shop
_CARD_FILE = re.compile(rf"{CARDS_FOLDER}[0-9a-f]+/[0-9]+\.json")  # (as cards.py names them)
Echo = Callable[..., None]


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    products: int
    weight: PageWeight | None  # None when nothing changed and the build was skipped
    seconds: float
    skipped: bool = False


def build_site(site_dir: Path, out_dir: Path | None = None, *, today: dt.date | None = None,
               echo: Echo = click.echo, force: bool = False,
               theme: Path | None = None) -> BuildResult:
    """Build the site into `out_dir` (default `site_dir/build`); the old build stays on failure."""
    with _without_cycle_collector():
        return _build_site(site_dir, out_dir, today=today, echo=echo, force=force, theme=theme)


@contextlib.contextmanager
def _without_cycle_collector():
    """A build makes millions of small objects that outlive their stage (products, tokens,
    postings) and hardly any reference cycle: Python's cycle collector would walk them all
    again every few thousand allocations (half the search index's CPU at 10,000 products). Its
    worker processes, forked meanwhile, start without it too. Memory is still freed by
    reference counting; what cycles there are wait for the collector to be back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_site(site_dir: Path, out_dir: Path | None, *, today: dt.date | None, echo: Echo,
                force: bool, theme: Path | None) -> BuildResult:
    started = time.perf_counter()
    site_dir = Path(site_dir)
    out_dir = Path(out_dir) if out_dir is not None else site_dir / "build"
    today = today or dt.date.today()
    require_shop(site_dir)
    _check_output_folder(site_dir, out_dir)
    theme = theme or theme_dir()
    manifest = _theme_manifest(theme)
    fingerprint = _fingerprint(site_dir, out_dir, theme, today)
    record = _read_record(out_dir)  # (a megabyte at 10,000 products: read once)
    if not force and _previous_fingerprint(record) == fingerprint:
        echo("Nothing changed since the last build.")
        return BuildResult(out_dir, 0, None, time.perf_counter() - started, skipped=True)

    catalog = load_catalog(site_dir, today, cache_dir=cache_root(site_dir) / PARSED_CACHE)
    echo(f"Loaded {len(catalog.products)} products from {site_dir}.")
    _report_price_changes(catalog, echo)
    staging = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        weight, hashed, pages = _write_site(catalog, site_dir, staging, theme, manifest,
                                            _previous_pages(out_dir, staging, record), echo)
        (staging / MARKER).write_text(json.dumps({"fingerprint": fingerprint,
                                                  "shopgen": __version__,
                                                  HASHED_FILES: sorted(hashed),
                                                  PAGES: pages}, sort_keys=True))
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    seconds = time.perf_counter() - started
    _report_weight(weight, catalog.shop.first_load_budget_kb, echo)
    _report_beacon(manifest.get("beacon"), echo)
    echo(f"Built {len(catalog.products)} products into {out_dir} in {seconds:.2f} s.")
    return BuildResult(out_dir, len(catalog.products), weight, seconds)


def _write_site(catalog: Catalog, site_dir: Path, staging: Path, theme: Path,
                manifest: dict, previous: PreviousPages,
                echo: Echo) -> tuple[PageWeight, set[str], dict[str, list[str]]]:
    """Write the site into `staging`; returns its weight, the files named by content hash and
    the record of the product and numbered pages (for the next build to reuse)."""
    images = _process_pictures(catalog, site_dir, staging, echo)
    assets_dir = staging / "assets"
    assets_dir.mkdir()
    for file in manifest["files"]:
        shutil.copyfile(theme / "dist" / file, assets_dir / file)
    # The search index, the product and numbered pages and the card files are the big jobs
    # and need nothing of each other: they run in worker processes, the index (the longest)
    # from the start, the pages (each worker a run of products) once the page's data is
    # written, while this process writes the data and the shop-wide pages.
    parts = page_parts(len(catalog.products))
    job = BuildJob(catalog, images, theme, staging, previous)
    with job_for_workers(job) as sent, ProcessPoolExecutor(len(parts) + 1) as pool:
        index_job = pool.submit(write_index, sent)
        facets = build_facets(catalog)
        pictures = picture_rows(catalog, images)
        columns_file = serialize_data(build_columns(catalog, facets, picture_column(pictures)))
        previous_assets = previous.folder / "assets"
        columns = f"assets/{write_hashed(assets_dir, 'columns', columns_file, previous_assets)}"
        cards = card_files(catalog, pictures)
        data_name = write_hashed(assets_dir, "products", serialize_data(
            build_browser_data(catalog, facets, columns, cards.folder, cards.per_file)),
            previous_assets)
        entries = manifest["entries"]
        assets = Assets(css=f"assets/{entries['style.css']}", js=f"assets/{entries['app.js']}",
                        data=f"assets/{data_name}", index="",
                        search=f"assets/{entries['search.js']}",
                        js_imports=tuple(f"assets/{file}" for file in
                                         manifest.get("imports", {}).get(entries["app.js"], ())))
        page_jobs = [pool.submit(write_pages, sent, assets, part, cards.starting_in(part))
                     for part in parts]
        _write_feeds(catalog, images, staging)
        index = index_job.result()
        assets = replace(assets, index=index.meta, index_terms=index.terms,
                         index_shards=index.shards)
        write_files(staging, render_site(catalog, images, facets, assets, theme))
        done = [page_job.result() for page_job in page_jobs]
        pages = {path: entry for record, _ in done for path, entry in record.items()}
        card_sizes = [size for _, sizes in done for size in sizes]
    hashed = {f"assets/{file}" for file in manifest["files"]}  # the bundler hashed these
    hashed |= {assets.data, columns, *index.sizes, *cards.files}
    hashed |= {f"images/{file}" for image_set in images.values()
               for variant in image_set.variants for file in (variant.webp, variant.jpeg)}
    return measure_weight(staging, assets, columns, card_sizes, index.sizes), hashed, pages


def _process_pictures(catalog: Catalog, site_dir: Path, staging: Path,
                      echo: Echo) -> dict[str, ImageSet]:
    """Every picture's variants; a picture that cannot be decoded is a catalog problem of
    each product that names it."""
    names = [name for product in catalog.products for name in product.images]
    try:
        return process_images(names, catalog.images_dir, staging / "images",
                              cache_root(site_dir) / "images-v1", echo)
    except UnreadableImages as error:
        problems = Problems()
        for name, reason in error.reasons.items():
            for file, line in where_named(site_dir, catalog.products, name):
                problems.add(file, line, f"image {name!r} {reason}")
        raise CatalogError(sorted(problems.items) or [str(error)]) from None


def _write_feeds(catalog: Catalog, images: dict, staging: Path) -> None:
    """The feeds shop.yaml asks for (`feeds: [merchant]`), beside the page."""
    if "merchant" in catalog.shop.feeds:
        from shopgen.feeds.merchant import FEED_NAME, built_image_urls, merchant_feed

        image_url = built_image_urls(catalog.shop.base_url, images)
        (staging / FEED_NAME).write_bytes(merchant_feed(catalog, image_url))


def _read_record(out_dir: Path) -> object:
    """The last build's record as stored (None when it cannot be read as JSON)."""
    try:
        return json.loads((out_dir / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _previous_pages(out_dir: Path, staging: Path, record: object) -> PreviousPages:
    """The pages the last build's `record` lists (none if the record is unreadable or
    made by another version: then every page is rendered)."""
    try:
        if record.get("shopgen") != __version__:
            return previous_pages(out_dir, staging, {})
        pages = record[PAGES]
        cards = next((path.rpartition("/")[0] + "/" for path in record[HASHED_FILES]
                      if _CARD_FILE.fullmatch(path)), "")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pages, cards = {}, ""
    return previous_pages(out_dir, staging, pages, cards)


def cache_root(site_dir: Path) -> Path:
    """Where processed images are kept between builds (SHOPGEN_CACHE_DIR overrides)."""
    configured = os.environ.get("SHOPGEN_CACHE_DIR")
    return Path(configured) if configured else site_dir / CACHE_DIR


def _theme_manifest(theme: Path) -> dict:
    path = theme / "dist" / "manifest.json"
    if not path.is_file():
        raise ShopgenError(f"the theme's assets are not bundled ({path} is missing): "
                           "run `make setup` (npm ci && node scripts/bundle-theme.mjs)")
    return json.loads(path.read_text())


def _check_output_folder(site_dir: Path, out_dir: Path) -> None:
    """Only ever replace an empty folder or a previous shopgen build; never the site itself."""
    site, out = site_dir.resolve(), out_dir.resolve()
    if out == site or site.is_relative_to(out):
        raise ShopgenError(f"the output folder {out_dir} would replace the shop folder")
    if out.exists() and not out.is_dir():
        raise ShopgenError(f"the output {out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ShopgenError(f"refusing to replace {out_dir}: it is not empty and was not made "
                           "by shopgen build (choose another --out)")


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `staging` with renames, so `out_dir` is always one whole build."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError:
        os.replace(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _fingerprint(site_dir: Path, out_dir: Path, theme: Path, today: dt.date) -> str:
    """A digest of everything a build reads (by path, size and mtime), plus the date."""
    digest = hashlib.sha256(f"{__version__}|{today.isoformat()}".encode())
    for path, (size, mtime_ns) in sorted(build_inputs(site_dir, out_dir, theme).items()):
        digest.update(f"{path}|{size}|{mtime_ns}\n".encode())
    return digest.hexdigest()


def build_inputs(site_dir: Path, out_dir: Path,
                 theme: Path | None = None) -> dict[str, tuple[int, int]]:
    """Every file a build reads, path → (size, mtime in ns): what the no-change shortcut
    compares, and what `shopgen serve` watches."""
    site_dir, out_dir = Path(site_dir), Path(out_dir)
    skip = {out_dir.resolve(), (site_dir / CACHE_DIR).resolve()}
    # The walk never follows a linked folder (it could lead anywhere, or back up), except the
    # catalog's own folders: `images/` linked to a shared photo drive is read by the build.
    linked = [site_dir / name for name in LINKABLE_FOLDERS
              if (site_dir / name).is_symlink() and (site_dir / name).is_dir()]
    return {path: (stat.st_size, stat.st_mtime_ns)
            for root in (site_dir, *linked, theme or theme_dir())
            for path, stat in _walk_files(root, skip)}


# Never read by a build: compiled Python, and SQLite databases with their journals (the
# tracker's file beside the catalog changes with every beacon `shopgen serve` stores).
_NOT_BUILD_INPUTS = tuple(f"{base}{sidecar}" for base in (".sqlite3", ".sqlite", ".db")
                          for sidecar in ("", "-wal", "-shm", "-journal")) + (".pyc",)


def _walk_files(root: Path, skip: set[Path]):
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name.endswith(_NOT_BUILD_INPUTS):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if Path(entry.path).resolve() not in skip and entry.name != "__pycache__":
                        stack.append(Path(entry.path))
                elif entry.is_file():
                    yield entry.path, entry.stat()


def read_build_record(build_dir: Path) -> frozenset[str] | None:
    """The files the build named by content hash, from its record; None without a record."""
    try:
        record = json.loads((build_dir / MARKER).read_text(encoding="utf-8"))
        names = record[HASHED_FILES]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    return frozenset(names)


def _previous_fingerprint(record: object) -> str | None:
    """The last build's fingerprint; None (build again) if its record lacks the hashed files."""
    try:
        return record["fingerprint"] if HASHED_FILES in record else None
    except (KeyError, TypeError):
        return None


def _report_price_changes(catalog: Catalog, echo: Echo) -> None:
    money = MoneyFormat(catalog.shop.currency, catalog.shop.locale)
    changes = sorted((p.next_price.effective, p.sku, p.price.amount, p.next_price.amount)
                     for p in catalog.products if p.next_price is not None)
    if changes:
        echo(f"{len(changes)} product{'s' if len(changes) != 1 else ''} change price soon:")
    for effective, sku, now, then in changes:
        echo(f"  {sku}: {money(now)} → {money(then)} on {effective}")
    if changes:
        # The page shows the prices of its build day: a build on that day changes them
        # (the README's daily cron line does it).
        echo(f"Next price change: {changes[0][0]} (build and publish on or after that day).")


BEACON_BUDGET = 1024  # bytes, minified and gzipped


def _report_beacon(size: dict | None, echo: Echo) -> None:
    """The activity beacon's own size (it is bundled into the page's script)."""
    if not size:
        return
    echo(f"Beacon: {size['raw']} B minified, {size['gzip']} B gzip "
         f"(budget {BEACON_BUDGET} B gzip).")
    if size["gzip"] > BEACON_BUDGET:
        echo(click.style("Warning: the beacon is over its 1 KB budget.", fg="yellow"), err=True)


def _report_weight(weight: PageWeight, budget_kb: int, echo: Echo) -> None:
    echo(weight.table())
    first_load_kb = weight.first_load_gzip / 1000
    if first_load_kb > budget_kb:
        echo(click.style(f"Warning: the first load is {first_load_kb:.1f} KB gzip, over the "
                         f"{budget_kb} KB budget (shop.yaml budget.first_load_kb).", fg="yellow"),
             err=True)
