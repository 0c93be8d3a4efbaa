"""Product pictures named by an imported file: downloaded, or copied from local paths.

URLs are fetched concurrently (`WORKERS` at once), each with a timeout and a few retries for
errors that may pass (timeouts, refused connections, 5xx), never for a 404. Every download is
checked to be a picture, converted to JPEG, and cached by URL under the shop's cache folder,
so importing the same file again downloads nothing. A picture that cannot be had is a warning
naming the product and the URL, and the product is imported without it.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import click
from PIL import Image, ImageOps, UnidentifiedImageError

from shopgen.atomic_files import atomic_write
from shopgen.importers.model import ImportedProduct

WORKERS = 8
TIMEOUT = 15.0  # seconds per attempt
ATTEMPTS = 3
JPEG_QUALITY = 90
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(jpe?g|png|webp)$", re.IGNORECASE)
USER_AGENT = "shopgen-import/1"


@dataclass
class ImageFiles:
    """Each product's picture names, the picture files to write into `images/`, warnings."""

    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sku → names
    writes: dict[str, bytes] = field(default_factory=dict)  # "images/x.jpg" → bytes
    warnings: list[str] = field(default_factory=list)
    downloaded: int = 0  # fetched over the network this time (not from the cache)


class ImageUnavailable(Exception):
    """A picture that could not be had, with the reason."""


def gather_images(products: Iterable[ImportedProduct], site: Path, base: Path | None,
                  cache_dir: Path, *, timeout: float = TIMEOUT, workers: int = WORKERS,
                  show_progress: bool = True) -> ImageFiles:
    """Fetch or copy every picture the products name; see the module's docstring."""
    products = [p for p in products if p.images is not None]
    result = ImageFiles()
    urls = sorted({u for p in products for u in p.images if _is_url(u)})
    fetched = _fetch_all(urls, cache_dir, timeout, workers, show_progress, result)
    for product in products:
        names: list[str] = []
        for number, source in enumerate(product.images, start=1):
            try:
                content = fetched[source] if _is_url(source) else None
                if isinstance(content, ImageUnavailable):
                    raise content
                name = _place(product.sku, len(names) + 1, source, content, site, base, result)
            except ImageUnavailable as why:
                result.warnings.append(f"{product.sku}: image {number} {source} skipped: {why}")
                continue
            if name not in names:
                names.append(name)
        result.names[product.sku] = tuple(names)
    return result


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _place(sku: str, number: int, source: str, content: bytes | None, site: Path,
           base: Path | None, result: ImageFiles) -> str:
    """The picture's name under images/, with its bytes queued when they are new."""
    if content is None:  # a local file
        path = _local_path(source, site, base)
        if path.parent.resolve() == (site / "images").resolve() and IMAGE_NAME.match(path.name):
            return path.name  # already in the shop
        content = path.read_bytes()
        _check_picture(content)
        if IMAGE_NAME.match(path.name) and _free(site, result, path.name, content):
            return _queue(site, result, path.name, content)
        content = to_jpeg(content)
    stem = sku.lower() if number == 1 else f"{sku.lower()}-{number}"
    name, n = f"{stem}.jpg", 2
    while not _free(site, result, name, content):
        name, n = f"{stem}-{n}.jpg", n + 1
    return _queue(site, result, name, content)


def _local_path(source: str, site: Path, base: Path | None) -> Path:
    candidates = [Path(source)] if Path(source).is_absolute() else [
        *([base / source] if base is not None else []), site / source, site / "images" / source]
    for path in candidates:
        if path.is_file():
            return path
    raise ImageUnavailable("file not found")


def _free(site: Path, result: ImageFiles, name: str, content: bytes) -> bool:
    """The name is unused, or holds these very bytes."""
    queued = result.writes.get(f"images/{name}")
    if queued is not None:
        return queued == content
    target = site / "images" / name
    return not target.exists() or target.read_bytes() == content


def _queue(site: Path, result: ImageFiles, name: str, content: bytes) -> str:
    target = site / "images" / name
    if not (target.exists() and target.read_bytes() == content):
        result.writes[f"images/{name}"] = content
    return name


def _check_picture(content: bytes) -> None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageUnavailable(f"not a picture ({error})") from None


def to_jpeg(content: bytes) -> bytes:
    """The picture as a JPEG (transparency on white); ImageUnavailable when it is none."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, "white")
                background.paste(image, mask=image.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageUnavailable(f"not a picture ({error})") from None


def _fetch_all(urls: list[str], cache_dir: Path, timeout: float, workers: int,
               show_progress: bool, result: ImageFiles) -> dict[str, bytes | ImageUnavailable]:
    fetched: dict[str, bytes | ImageUnavailable] = {}
    missing = []
    for url in urls:
        cached = _cache_file(cache_dir, url)
        if cached.is_file():
            fetched[url] = cached.read_bytes()
        else:
            missing.append(url)
    if not missing:
        return fetched
    bar = click.progressbar(length=len(missing), label="Downloading images", file=sys.stderr) \
        if show_progress else None
    with ThreadPoolExecutor(min(workers, len(missing))) as pool:
        jobs = {pool.submit(_download, url, timeout): url for url in missing}
        for job in as_completed(jobs):
            url = jobs[job]
            try:
                content = to_jpeg(job.result())
                with atomic_write(_cache_file(cache_dir, url)) as handle:
                    handle.write(content)
                fetched[url] = content
                result.downloaded += 1
            except ImageUnavailable as why:
                fetched[url] = why
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.render_finish()
    return fetched


def _cache_file(cache_dir: Path, url: str) -> Path:
    return cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()}.jpg"


def _download(url: str, timeout: float, sleep: Callable[[float], None] = time.sleep) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == ATTEMPTS:
                raise ImageUnavailable(f"HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            if attempt == ATTEMPTS:
                reason = getattr(error, "reason", error)
                raise ImageUnavailable(f"{reason or type(error).__name__} after {ATTEMPTS} "
                                       "attempts") from None
        sleep(0.2 * attempt)  # a short back-off before trying again
    raise AssertionError("unreachable")
