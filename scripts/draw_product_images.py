"""Draw the sample shop's product pictures (Pillow only, same bytes on every run).

For every image file a product in catalog_data/products/*.yaml names, draw a 900x900 JPEG:
a soft background and a simple shape for the product's category (shoe, jacket, bag, watch,
tent...) filled in the product's colour. The first image uses the first colour; a later image
uses the next colour, or, for a one-colour product, the same colour seen from the other side.

    python scripts/draw_product_images.py [--catalog DIR] [--only-missing]

Files whose bytes would not change are left alone, so their modification time stays put.
"""

from __future__ import annotations

import argparse
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter, ImageOps

SIZE = 900
SCALE = 2  # draw at twice the size, then shrink: smooth edges without anti-aliasing support
QUALITY = 82
RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "black": (38, 38, 42), "white": (244, 244, 240), "grey": (140, 144, 150),
    "charcoal": (70, 74, 80), "red": (200, 40, 45), "burgundy": (120, 30, 50),
    "orange": (240, 120, 30), "yellow": (245, 200, 40), "sand": (214, 190, 150),
    "cream": (240, 230, 205), "brown": (125, 82, 50), "olive": (110, 115, 60),
    "forest green": (35, 95, 60), "green": (60, 150, 80), "teal": (20, 130, 135),
    "blue": (40, 110, 200), "navy": (30, 45, 90), "pink": (230, 130, 160),
    "purple": (110, 60, 150), "silver": (190, 192, 196), "gold": (205, 165, 60),
}

BACKGROUNDS: list[tuple[RGB, RGB]] = [  # soft (top, bottom) gradients for strong colours
    ((246, 243, 236), (226, 220, 206)), ((238, 243, 246), (214, 224, 232)),
    ((242, 246, 240), (220, 230, 216)), ((247, 240, 240), (230, 216, 214)),
]
DARK_BACKGROUNDS: list[tuple[RGB, RGB]] = [  # for white, cream and yellow products
    ((205, 214, 222), (160, 174, 188)), ((214, 206, 196), (172, 160, 146)),
    ((200, 212, 204), (150, 168, 156)),
]


# --- colour helpers ----------------------------------------------------------------------


def colour_of(name: str) -> RGB:
    """The RGB of a colour name; an unknown name gets a steady colour from its hash."""
    known = COLOURS.get(name.strip().lower())
    if known:
        return known
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (60 + digest[0] % 160, 60 + digest[1] % 160, 60 + digest[2] % 160)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction `t` of the way to `b`."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore


def luminance(c: RGB) -> float:
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255


class Paint:
    """The fill of a shape with its outline, detail and highlight tones."""

    def __init__(self, fill: RGB):
        self.fill = fill
        self.outline = mix(fill, (0, 0, 0), 0.45) if luminance(fill) > 0.2 else (20, 20, 22)
        # details must stand out on the fill: darker on light colours, lighter on dark ones
        self.detail = (mix(fill, (0, 0, 0), 0.35) if luminance(fill) > 0.3
                       else mix(fill, (255, 255, 255), 0.35))
        self.light = mix(fill, (255, 255, 255), 0.4)
        self.sole = (236, 234, 228) if luminance(fill) < 0.8 else (70, 70, 74)


# --- drawing in a 1000x1000 design space ----------------------------------------------


class Pen:
    """ImageDraw with coordinates in a 1000x1000 design space."""

    def __init__(self, image: Image.Image):
        self.draw = ImageDraw.Draw(image)
        self.k = image.width / 1000

    def _p(self, points):
        return [(x * self.k, y * self.k) for x, y in points]

    def _w(self, width: float) -> int:
        return max(1, round(width * self.k))

    def poly(self, points, fill, outline=None, width=8):
        self.draw.polygon(self._p(points), fill=fill, outline=outline, width=self._w(width))

    def rect(self, box, fill, outline=None, width=8, radius=0):
        x0, y0, x1, y1 = (v * self.k for v in box)
        self.draw.rounded_rectangle((x0, y0, x1, y1), radius=radius * self.k, fill=fill,
                                    outline=outline, width=self._w(width))

    def ellipse(self, box, fill, outline=None, width=8):
        self.draw.ellipse([v * self.k for v in box], fill=fill, outline=outline,
                          width=self._w(width))

    def chord(self, box, start, end, fill, outline=None, width=8):
        self.draw.chord([v * self.k for v in box], start, end, fill=fill, outline=outline,
                        width=self._w(width))

    def arc(self, box, start, end, fill, width=8):
        self.draw.arc([v * self.k for v in box], start, end, fill=fill, width=self._w(width))

    def line(self, points, fill, width=8):
        self.draw.line(self._p(points), fill=fill, width=self._w(width), joint="curve")


# --- one function per shape ----------------------------------------------------------------


def draw_shoe(pen: Pen, c: Paint) -> None:
    pen.poly([(140, 640), (870, 640), (890, 680), (860, 720), (170, 720), (130, 690)],
             c.sole, c.outline)
    pen.poly([(160, 650), (150, 480), (220, 420), (330, 430), (430, 480), (580, 520),
              (740, 545), (840, 585), (875, 645)], c.fill, c.outline)
    pen.poly([(250, 600), (420, 540), (640, 600), (600, 620), (420, 575), (280, 630)], c.light)
    pen.ellipse((200, 425, 330, 475), c.detail)
    for i in range(4):
        x, y = 440 + i * 45, 490 + i * 12
        pen.line([(x - 20, y - 25), (x + 25, y + 15)], c.detail, 10)


def draw_boot(pen: Pen, c: Paint) -> None:
    pen.poly([(150, 660), (860, 660), (880, 700), (850, 750), (170, 750), (140, 710)],
             c.outline, c.outline)
    pen.poly([(170, 670), (190, 270), (390, 270), (410, 470), (600, 520), (770, 560),
              (850, 610), (860, 670)], c.fill, c.outline)
    pen.rect((180, 250, 400, 300), c.detail, radius=20, width=0)
    pen.line([(200, 600), (600, 600), (840, 640)], c.detail, 10)
    for i in range(5):
        y = 320 + i * 55
        pen.ellipse((370, y, 398, y + 28), c.light)
        pen.line([(384, y + 14), (420, y + 44)], c.detail, 9)


def draw_sandal(pen: Pen, c: Paint) -> None:
    # straps: thick arcs whose ends meet the sole (Pillow grows an arc's width inwards)
    for (x0, y0, x1, y1), start, end in (((250, 420, 490, 860), 180, 360),
                                         ((480, 430, 780, 850), 180, 360),
                                         ((110, 480, 330, 800), 180, 275)):
        pen.arc((x0 - 8, y0 - 8, x1 + 8, y1 + 8), start, end, c.outline, 80)
        pen.arc((x0, y0, x1, y1), start, end, c.fill, 64)
    pen.poly([(110, 640), (880, 630), (905, 675), (880, 720), (150, 725), (100, 690)],
             (96, 84, 72), (60, 52, 46))
    pen.line([(120, 640), (880, 632)], (205, 190, 165), 18)
    pen.rect((215, 500, 265, 550), c.light, c.outline, radius=8, width=5)


def draw_jacket(pen: Pen, c: Paint) -> None:
    pen.ellipse((380, 120, 620, 330), c.detail, c.outline)
    pen.poly([(400, 220), (320, 255), (220, 330), (160, 745), (245, 765), (305, 470),
              (305, 830), (695, 830), (695, 470), (755, 765), (840, 745), (780, 330),
              (680, 255), (600, 220), (500, 260)], c.fill, c.outline)
    pen.line([(500, 260), (500, 830)], c.detail, 10)
    pen.line([(350, 620), (440, 620)], c.detail, 10)
    pen.line([(560, 620), (650, 620)], c.detail, 10)
    pen.rect((160, 715, 245, 765), c.detail, width=0, radius=8)
    pen.rect((755, 715, 840, 765), c.detail, width=0, radius=8)


def draw_tshirt(pen: Pen, c: Paint) -> None:
    pen.poly([(390, 220), (260, 260), (140, 390), (235, 470), (300, 420), (300, 810),
              (700, 810), (700, 420), (765, 470), (860, 390), (740, 260), (610, 220)],
             c.fill, c.outline)
    pen.chord((400, 160, 600, 290), 0, 180, c.detail)
    pen.line([(160, 410), (250, 485)], c.detail, 8)
    pen.line([(840, 410), (750, 485)], c.detail, 8)
    pen.line([(310, 780), (690, 780)], c.detail, 6)


def draw_jumper(pen: Pen, c: Paint) -> None:
    pen.poly([(390, 220), (300, 250), (220, 330), (165, 750), (250, 765), (305, 460),
              (305, 820), (695, 820), (695, 460), (750, 765), (835, 750), (780, 330),
              (700, 250), (610, 220)], c.fill, c.outline)
    pen.chord((400, 170, 600, 290), 0, 180, c.detail)
    pen.rect((305, 770, 695, 820), c.detail, width=0)
    pen.rect((162, 715, 252, 765), c.detail, width=0, radius=6)
    pen.rect((748, 715, 838, 765), c.detail, width=0, radius=6)
    for x in (420, 500, 580):  # cables
        pen.line([(x, 320), (x - 20, 380), (x, 440), (x - 20, 500), (x, 560), (x - 20, 620),
                  (x, 680), (x - 20, 740)], c.light, 12)


def draw_trousers(pen: Pen, c: Paint) -> None:
    pen.poly([(330, 240), (290, 840), (475, 840), (500, 420), (525, 840), (710, 840),
              (670, 240)], c.fill, c.outline)
    pen.rect((325, 180, 675, 250), c.detail, c.outline, radius=8)
    pen.line([(500, 250), (500, 420)], c.outline, 8)
    pen.arc((330, 200, 430, 330), 0, 90, c.outline, 8)
    pen.arc((570, 200, 670, 330), 90, 180, c.outline, 8)


def draw_bag(pen: Pen, c: Paint) -> None:
    pen.arc((420, 130, 580, 280), 180, 360, c.outline, 24)
    pen.rect((290, 220, 710, 830), c.fill, c.outline, radius=90)
    pen.chord((290, 200, 710, 480), 180, 360, c.detail, c.outline)
    pen.rect((290, 330, 710, 360), c.detail, width=0)
    pen.rect((370, 520, 630, 770), c.light, c.outline, radius=40)
    pen.line([(390, 560), (610, 560)], c.outline, 8)
    pen.rect((470, 330, 530, 440), c.outline, width=0, radius=10)


def draw_watch(pen: Pen, c: Paint) -> None:
    pen.rect((420, 120, 580, 880), c.fill, c.outline, radius=40)
    for y in (180, 230, 770, 820):
        pen.line([(440, y), (560, y)], c.detail, 6)
    pen.ellipse((310, 310, 690, 690), (90, 92, 98), (40, 40, 44), 10)
    pen.ellipse((350, 350, 650, 650), (28, 30, 34))
    for angle in range(0, 360, 30):
        pen.arc((370, 370, 630, 630), angle - 2, angle + 2, (220, 220, 220), 18)
    pen.line([(500, 500), (500, 390)], (240, 240, 240), 12)
    pen.line([(500, 500), (580, 545)], c.light, 10)
    pen.rect((688, 475, 720, 525), (90, 92, 98), radius=6, width=0)


def draw_bottle(pen: Pen, c: Paint) -> None:
    pen.rect((420, 130, 580, 230), (50, 50, 54), radius=20, width=0)
    pen.poly([(430, 225), (570, 225), (610, 320), (390, 320)], c.fill, c.outline)
    pen.rect((380, 300, 620, 860), c.fill, c.outline, radius=60)
    pen.rect((420, 360, 450, 780), c.light, width=0, radius=14)
    pen.line([(380, 500), (620, 500)], c.detail, 8)


def draw_beanie(pen: Pen, c: Paint) -> None:
    pen.ellipse((430, 170, 570, 310), c.light, c.outline)
    pen.chord((270, 270, 730, 820), 180, 360, c.fill, c.outline)
    pen.rect((260, 530, 740, 680), c.detail, c.outline, radius=30)
    for x in range(300, 720, 40):
        pen.line([(x, 545), (x, 665)], c.fill, 8)


def draw_tent(pen: Pen, c: Paint) -> None:
    for x0, x1 in ((130, 220), (870, 780)):
        pen.line([(x1, 520), (x0, 720)], (90, 90, 90), 5)
    pen.chord((140, 300, 860, 1060), 180, 360, c.fill, c.outline)
    pen.poly([(500, 330), (390, 680), (610, 680)], c.detail, c.outline)
    pen.line([(500, 330), (500, 680)], c.outline, 6)
    pen.arc((240, 300, 760, 1060), 200, 340, c.light, 8)


def draw_sleeping_bag(pen: Pen, c: Paint) -> None:
    pen.poly([(330, 280), (670, 280), (630, 820), (370, 820)], c.fill, c.outline)
    pen.ellipse((365, 760, 635, 880), c.fill, c.outline)
    pen.ellipse((340, 130, 660, 400), c.fill, c.outline)
    pen.ellipse((410, 190, 590, 340), c.detail, c.outline)
    for i in range(6):
        y = 430 + i * 70
        pen.line([(345 + i * 5, y), (655 - i * 5, y)], c.detail, 8)


def draw_mug(pen: Pen, c: Paint) -> None:
    pen.arc((590, 440, 790, 680), 270, 90, c.outline, 34)
    pen.rect((300, 360, 660, 770), c.fill, c.outline, radius=30)
    pen.ellipse((300, 330, 660, 410), c.light, c.outline)
    pen.ellipse((320, 345, 640, 398), c.detail)
    pen.rect((340, 440, 370, 700), c.light, width=0, radius=12)


def draw_tag(pen: Pen, c: Paint) -> None:
    pen.poly([(250, 300), (650, 300), (800, 500), (650, 700), (250, 700)], c.fill, c.outline)
    pen.ellipse((620, 470, 680, 530), (250, 250, 250), c.outline)


SHAPES: dict[str, Callable[[Pen, Paint], None]] = {
    "running-shoes": draw_shoe, "hiking-boots": draw_boot, "sandals": draw_sandal,
    "jackets": draw_jacket, "t-shirts": draw_tshirt, "knitwear": draw_jumper,
    "trousers": draw_trousers, "bags": draw_bag, "watches": draw_watch, "bottles": draw_bottle,
    "hats-gloves": draw_beanie, "tents": draw_tent, "sleeping-bags": draw_sleeping_bag,
    "camp-kitchen": draw_mug,
}


# --- one picture ---------------------------------------------------------------------------


def _background(seed: bytes, fill: RGB, size: int) -> Image.Image:
    choices = DARK_BACKGROUNDS if luminance(fill) > 0.72 else BACKGROUNDS
    top, bottom = choices[seed[0] % len(choices)]
    column = Image.new("RGB", (1, 256))
    column.putdata([mix(top, bottom, i / 255) for i in range(256)])
    return column.resize((size, size), Image.Resampling.BILINEAR)


def draw_picture(category: str, colour: str, seed_text: str, mirrored: bool) -> bytes:
    """One product picture as JPEG bytes; the same arguments always give the same bytes."""
    big = SIZE * SCALE
    seed = hashlib.sha256(seed_text.encode("utf-8")).digest()
    paint = Paint(colour_of(colour))
    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    SHAPES.get(category, draw_tag)(Pen(layer), paint)
    if mirrored:
        layer = ImageOps.mirror(layer)
    image = _background(seed, paint.fill, big)
    box = layer.getbbox() or (0, 0, big, big)
    shadow = Image.new("L", (big, big), 0)
    ImageDraw.Draw(shadow).ellipse(
        (box[0] + (box[2] - box[0]) * 0.1, box[3] - big * 0.025,
         box[2] - (box[2] - box[0]) * 0.1, box[3] + big * 0.035), fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(big * 0.015))
    image.paste((0, 0, 0), (0, 0, big, big), shadow)
    image.paste(layer, (0, 0), layer)
    image = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


# --- the catalog ---------------------------------------------------------------------------


def pictures_for(product: dict) -> list[tuple[str, str, bool]]:
    """(file name, colour, mirrored) for each image a product names."""
    colours = [str(c) for c in product.get("colours") or []] or ["Grey"]
    result = []
    for index, name in enumerate(product.get("images") or []):
        # with no fresh colour left for this image, show the product's other side
        result.append((str(name), colours[index % len(colours)], index >= len(colours)))
    return result


def draw_catalog(catalog: Path, only_missing: bool = False) -> tuple[int, int]:
    """Draw every named image into catalog/images/; return (files written, total bytes)."""
    images = catalog / "images"
    images.mkdir(exist_ok=True)
    written = total = 0
    for path in sorted((catalog / "products").glob("*.y*ml")):
        product = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, colour, mirrored in pictures_for(product):
            target = images / name
            if only_missing and target.exists():
                continue
            data = draw_picture(str(product.get("category", "")), colour, name, mirrored)
            total += len(data)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
                written += 1
    return written, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path,
                        default=Path(__file__).resolve().parent.parent / "catalog_data",
                        help="the catalog folder (default: the repository's catalog_data/)")
    parser.add_argument("--only-missing", action="store_true",
                        help="draw only images that do not exist yet (keeps real photos)")
    args = parser.parse_args()
    written, total = draw_catalog(args.catalog, args.only_missing)
    print(f"{written} images written; {total / 1024:.0f} KiB drawn in all")


if __name__ == "__main__":
    main()
