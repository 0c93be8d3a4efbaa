"""The picture files products name: present, inside the shop, and pictures the build can use.

The catalog checks what a file's header says (cheap: Pillow reads a few bytes, not the
pixels); a picture broken further in (a truncated JPEG) is only found when the build decodes
it, and `where_named` leads that problem back to the product lines that name the picture.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from shopgen.catalog.model import Product
from shopgen.config.site_files import link_outside, refused_link_message
from shopgen.config.yaml_source import LineMap, YamlSyntaxError, read_yaml

# Pillow's format names → how a merchandiser writes them. GIF, BMP, TIFF, SVG… are refused:
# browsers show these three everywhere, and they are what the variants are made from.
SUPPORTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def image_file_problem(images_dir: Path, name: str) -> str | None:
    """Why the picture `images/<name>` cannot be used (the words after `image 'x.jpg'`)."""
    path = images_dir / name
    if not path.is_file():
        return "not found in images/"
    outside = link_outside(images_dir.parent, path)  # images/ sits in the shop folder
    if outside is not None:
        return refused_link_message(outside)
    return picture_problem(path)


def picture_problem(path: Path) -> str | None:
    """What is wrong with a picture file, judged from its header; None when it looks usable."""
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Over the limit Pillow only warns (and raises at twice it): both are refused below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, (width, height) = image.format, image.size
    except Image.DecompressionBombError:
        return too_many_pixels()
    except UnidentifiedImageError:
        return "is not a readable image (not a picture file)"
    except (OSError, SyntaxError, ValueError) as error:  # Pillow's ways of saying "broken"
        return f"is not a readable image ({unreadable_reason(error)})"
    if kind not in SUPPORTED_FORMATS:
        return f"is a {kind} picture: use JPEG, PNG or WebP"
    if limit and width * height > limit:
        return too_many_pixels(width, height)
    return None


def too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    """The problem text for a picture over Pillow's decompression-bomb limit."""
    size = f"{width}×{height} pixels, " if width and height else ""
    return (f"is too large to decode safely ({size}more than Pillow's limit of "
            f"{Image.MAX_IMAGE_PIXELS:,} pixels): make it smaller")


def unreadable_reason(error: BaseException) -> str:
    """A short reason from a Pillow decoding error ("truncated", or Pillow's own words)."""
    text = str(error).strip()
    if "truncated" in text.lower() or isinstance(error, EOFError):
        return "truncated"
    return text or type(error).__name__


def where_named(site_dir: Path, products: Iterable[Product], image: str) -> list[tuple[str, int]]:
    """(file, line) of every product that names `image`, for problems found after loading."""
    return [(p.source, _images_line(site_dir / p.source))
            for p in products if image in p.images]


def _images_line(path: Path) -> int:
    """The line of the product's `images:` key, as the catalog's own image problems give."""
    try:
        data = read_yaml(path)
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return 1  # changed since it was loaded: the file alone still says where to look
    return data.line_of("images") if isinstance(data, LineMap) else 1
