"""The builds `shopgen serve` served last, kept as hard links beside the build folder.

A rebuild swaps a new `build/` in and the old one is deleted, but a page loaded a moment before
still asks for its own content-hashed `assets/` and `images/` (the search index loads lazily),
and for the instant of the swap `build/` does not exist at all. The preview answers those from
here, so no page it served breaks because of a rebuild.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

# Hashed names never change content, so a page from a replaced build may still ask for them.
HASHED_FOLDERS = ("assets", "images")


class BuildSnapshots:
    """Hard-linked copies of the newest builds (``keep`` of them), newest first."""

    def __init__(self, out_dir: Path, keep: int = 2):
        self.out_dir = Path(out_dir)
        self.keep = keep
        # Beside the build (same file system, so hard links work); the leading dot keeps it
        # out of the build's change detection.
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.serve-",
                                          dir=self.out_dir.parent))
        self._folders: list[Path] = []
        self._taken = 0
        self._closed = False
        self._lock = threading.Lock()

    def take(self) -> None:
        """Keep the build now in ``out_dir``; forget builds older than the last ``keep``.
        Once closed, keeps nothing (a rebuild may end after serve's stop)."""
        if self._closed:
            return
        self._taken += 1
        target = self.root / str(self._taken)
        try:
            shutil.copytree(self.out_dir, target, copy_function=_link_or_copy)
        except OSError:
            if not self._closed:
                raise
        with self._lock:
            if self._closed:  # closed while copying: the copy made the folder again
                shutil.rmtree(self.root, ignore_errors=True)
                return
            self._folders.insert(0, target)
            dropped, self._folders = self._folders[self.keep:], self._folders[:self.keep]
        for folder in dropped:
            # A request still sending a file from here keeps it open: unlinking is safe.
            shutil.rmtree(folder, ignore_errors=True)

    def find(self, relative: str, *, any_file: bool) -> str | None:
        """The kept copy of ``relative`` (a path inside the build), newest first, if any.

        Only hashed assets and images are looked up unless ``any_file`` (the build folder is
        missing: a swap is under way).
        """
        parts = Path(relative).parts
        top = parts[0] if parts else ""  # "" for the build's root folder
        if top == ".." or not (any_file or top in HASHED_FOLDERS):
            return None
        with self._lock:
            folders = list(self._folders)
        for folder in folders:
            candidate = folder / relative
            if candidate.exists():
                return str(candidate)
        return None

    def close(self) -> None:
        """Delete every kept copy."""
        with self._lock:
            self._closed = True
            self._folders = []
            shutil.rmtree(self.root, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)
