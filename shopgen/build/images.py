"""Product pictures: resized WebP + JPEG variants, content-hashed names, cached by source."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
from PIL import Image, ImageOps

from shopgen.catalog.image_files import too_many_pixels, unreadable_reason
from shopgen.errors import ShopgenError

WIDTHS = (320, 640, 1280)
JPEG_QUALITY = 80
WEBP_QUALITY = 78
CACHE_VERSION = 1


class UnreadableImage(Exception):
    """One picture the build could not decode; `reason` follows "image 'x.jpg'"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UnreadableImages(ShopgenError):
    """Pictures the build could not decode: `reasons` maps each file name to its reason.

    The build names the products (file:line) that use them; this message is the fallback.
    """

    def __init__(self, reasons: dict[str, str]):
        self.reasons = reasons
        super().__init__("\n".join(f"image {name!r} {why}" for name, why in reasons.items()))


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    webp: str  # file name inside the images/ output folder
    jpeg: str


@dataclass(frozen=True)
class ImageSet:
    """The variants of one source picture, smallest first."""

    source: str
    variants: tuple[Variant, ...]

    def closest(self, width: int) -> Variant:
        """The smallest variant at least `width` wide (or the largest there is)."""
        for variant in self.variants:
            if variant.width >= width:
                return variant
        return self.variants[-1]


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def process_images(
    names: Iterable[str],
    source_dir: Path,
    out_dir: Path,
    cache_dir: Path,
    echo: Callable[[str], None] = click.echo,
) -> dict[str, ImageSet]:
    """Write every picture's variants into `out_dir`; unchanged sources come from the cache."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = {name: source_dir / name for name in sorted(set(names))}
    digests = {name: file_digest(path) for name, path in sources.items()}
    missing = [name for name in sources if not _cache_entry(cache_dir, digests[name]).exists()]
    if missing:
        jobs = [(sources[name], cache_dir / digests[name]) for name in missing]
        reasons = _render_all(jobs, echo)
        if any(reasons):
            raise UnreadableImages({name: reason for name, reason in zip(missing, reasons,
                                                                         strict=True) if reason})
    result: dict[str, ImageSet] = {}
    for name, digest in digests.items():
        image_set = _read_cache(cache_dir / digest, name)
        for variant in image_set.variants:
            for file in (variant.webp, variant.jpeg):
                _link_or_copy(cache_dir / digest / file, out_dir / file)
        result[name] = image_set
    return result


def _render_all(jobs: list[tuple[Path, Path]], echo: Callable[[str], None]) -> list[str | None]:
    """Render every job; for each, None or why its picture could not be decoded."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < 4:
        return [_render_job(job) for job in jobs]
    echo(f"Processing {len(jobs)} images on {workers} cores…")
    with ProcessPoolExecutor(workers) as pool:
        results = pool.map(_render_job, jobs, chunksize=4)
        with click.progressbar(results, length=len(jobs), label="Images") as bar:
            return list(bar)


def _render_job(job: tuple[Path, Path]) -> str | None:
    # A broken picture comes back as its reason, not as an exception: every broken picture
    # is listed at once, and no worker traceback reaches the user.
    try:
        render_variants(*job)
    except UnreadableImage as error:
        return error.reason
    return None


def render_variants(source: Path, entry_dir: Path) -> None:
    """Decode one picture, honour its EXIF orientation, write stripped, resized variants.

    Raises UnreadableImage when the picture cannot be decoded (nothing is written then).
    """
    picture = _decode(source)
    has_alpha = picture.mode in ("RGBA", "LA") or "transparency" in picture.info
    picture = picture.convert("RGBA" if has_alpha else "RGB")
    stem = _safe_stem(source.stem)
    widths = [w for w in WIDTHS if w < picture.width] + [min(picture.width, WIDTHS[-1])]
    tmp_dir = entry_dir.with_name(entry_dir.name + f".tmp{os.getpid()}")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    variants = []
    for width in sorted(set(widths)):
        height = max(1, round(picture.height * width / picture.width))
        resized = picture.resize((width, height), Image.Resampling.LANCZOS)
        webp = _encode(resized, "WEBP", quality=WEBP_QUALITY, method=4)
        flat = resized if not has_alpha else _on_white(resized)
        jpeg = _encode(flat.convert("RGB"), "JPEG", quality=JPEG_QUALITY, optimize=True,
                       progressive=True)
        names = {}
        for data, ext in ((webp, "webp"), (jpeg, "jpg")):
            names[ext] = f"{stem}-{width}-{hashlib.sha256(data).hexdigest()[:10]}.{ext}"
            (tmp_dir / names[ext]).write_bytes(data)
        variants.append({"width": width, "height": height, "webp": names["webp"],
                         "jpeg": names["jpg"]})
    (tmp_dir / "variants.json").write_text(json.dumps({"v": CACHE_VERSION, "variants": variants}))
    try:
        os.replace(tmp_dir, entry_dir)
    except OSError:  # another build filled the entry first: theirs is as good as ours
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _decode(source: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its pixel limit and twice it: refuse from the limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                picture = ImageOps.exif_transpose(opened)
                picture.load()
                return picture
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableImage(too_many_pixels()) from None
    # Pillow's decoders report a broken file with any of these.
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as error:
        raise UnreadableImage(f"is not a readable image ({unreadable_reason(error)})") from None


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)  # no exif= / icc: metadata is stripped
    return buffer.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    background = Image.new("RGBA", image.size, "white")
    return Image.alpha_composite(background, image.convert("RGBA"))


def _safe_stem(stem: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem.lower())
    return cleaned.strip("-")[:60] or "image"


def _cache_entry(cache_dir: Path, digest: str) -> Path:
    return cache_dir / digest / "variants.json"


def _read_cache(entry_dir: Path, source: str) -> ImageSet:
    data = json.loads((entry_dir / "variants.json").read_text())
    variants = tuple(Variant(v["width"], v["height"], v["webp"], v["jpeg"])
                     for v in data["variants"])
    return ImageSet(source, variants)


def _link_or_copy(source: Path, target: Path) -> None:
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
