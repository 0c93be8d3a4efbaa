"""Pictures: EXIF orientation honoured, metadata stripped, hashed names, a cache by source hash."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from shopgen.build.images import process_images

QUIET = {"echo": lambda *a, **k: None}


def photo_turned_on_its_side(path: Path) -> Path:
    """A 800x600 landscape JPEG whose EXIF says: rotate 90° to view (Orientation 6)."""
    image = Image.new("RGB", (800, 600), "orange")
    exif = Image.Exif()
    exif[0x0112] = 6          # Orientation: rotate 90 CW
    exif[0x010F] = "Camera"   # Make: metadata that must not leak
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, exif=exif.tobytes())
    return path


def test_variants_honour_orientation_and_drop_metadata(tmp_path: Path) -> None:
    photo_turned_on_its_side(tmp_path / "src" / "side.jpg")
    result = process_images(["side.jpg"], tmp_path / "src", tmp_path / "out", tmp_path / "cache",
                            **QUIET)
    variants = result["side.jpg"].variants
    assert [v.width for v in variants] == [320, 600]   # never wider than the source
    for variant in variants:
        assert variant.height > variant.width          # portrait once turned
        for name in (variant.webp, variant.jpeg):
            with Image.open(tmp_path / "out" / name) as written:
                assert written.size == (variant.width, variant.height)
                assert not written.getexif(), name
                assert "exif" not in written.info
    assert variants[0].webp.startswith("side-320-") and variants[0].webp.endswith(".webp")


def test_unchanged_sources_come_from_the_cache(tmp_path: Path) -> None:
    Image.new("RGB", (700, 700), "teal").save(tmp_path / "a.jpg")
    Image.new("RGBA", (500, 300), (0, 0, 0, 0)).save(tmp_path / "b.png")
    first = process_images(["a.jpg", "b.png"], tmp_path, tmp_path / "o1", tmp_path / "c", **QUIET)
    entries = {p: p.stat().st_mtime_ns for p in (tmp_path / "c").rglob("variants.json")}
    assert len(entries) == 2
    second = process_images(["a.jpg", "b.png"], tmp_path, tmp_path / "o2", tmp_path / "c",
                            **QUIET)
    assert second == first
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "c").rglob("variants.json")} == entries
    # A changed picture gets new content-hashed names.
    Image.new("RGB", (700, 700), "gold").save(tmp_path / "a.jpg")
    third = process_images(["a.jpg"], tmp_path, tmp_path / "o3", tmp_path / "c", **QUIET)
    assert third["a.jpg"].variants[0].jpeg != first["a.jpg"].variants[0].jpeg


def test_many_pictures_are_processed_in_parallel(tmp_path: Path) -> None:
    names = []
    for i in range(6):
        Image.new("RGB", (400, 300), (i * 40, 90, 200)).save(tmp_path / f"p{i}.jpg")
        names.append(f"p{i}.jpg")
    messages: list[str] = []
    result = process_images(names, tmp_path, tmp_path / "out", tmp_path / "cache",
                            echo=lambda m="", **k: messages.append(str(m)))
    assert len(result) == 6 and all(len(s.variants) == 2 for s in result.values())
    assert any("Processing 6 images" in m for m in messages)
