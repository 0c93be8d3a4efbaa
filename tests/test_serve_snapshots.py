"""The builds `shopgen serve` keeps for pages loaded before a rebuild (serve/snapshots.py)."""

from __future__ import annotations

from pathlib import Path

from shopgen.serve.snapshots import BuildSnapshots


def build_folder(root: Path, version: str) -> Path:
    out = root / "build"
    (out / "assets").mkdir(parents=True, exist_ok=True)
    (out / "assets" / f"products-{version}.json").write_text(version)
    (out / "index.html").write_text(version)
    return out


def test_older_builds_answer_for_their_hashed_files_until_dropped(tmp_path: Path) -> None:
    snapshots = BuildSnapshots(build_folder(tmp_path, "a"), keep=2)
    snapshots.take()
    for version in "bc":
        (tmp_path / "build" / "assets" / "products-a.json").unlink(missing_ok=True)
        build_folder(tmp_path, version)
        snapshots.take()
    assert snapshots.find("assets/products-b.json", any_file=False)
    assert snapshots.find("assets/products-a.json", any_file=False) is None  # (keep=2)
    assert snapshots.find("index.html", any_file=False) is None  # only hashed files…
    assert Path(snapshots.find("index.html", any_file=True)).read_text() == "c"  # …or in a swap
    snapshots.close()


def test_a_build_kept_after_the_close_leaves_nothing(tmp_path: Path) -> None:
    # A rebuild that ends after serve's stop began calls take() after close().
    snapshots = BuildSnapshots(build_folder(tmp_path, "a"))
    snapshots.take()
    snapshots.close()
    assert not snapshots.root.exists()
    snapshots.take()
    assert not snapshots.root.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["build"]
