"""One import is all-or-nothing for the shop folder.

Every changed file is first written under `.shopgen-import/new/`, each file it replaces (or
deletes) is hard-linked under `.shopgen-import/old/`, and a journal naming them is written
(atomically). Only then are the new files renamed into place, one `os.replace` each. If that
is interrupted — an error, Ctrl-C, or a killed process — the old files are put back: at once
for an exception, or by the next `shopgen import`, which finds the journal and rolls back
before anything else. Without a journal, leftovers are a staging that never started and are
removed. The folder is dot-named, so `shopgen build` never reads it.

This protects against an interrupted process, not a power cut: only the journal is synced.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from shopgen.atomic_files import atomic_write

WORK_DIR = ".shopgen-import"
JOURNAL = "journal.json"


@dataclass
class ShopChanges:
    """Files to write (relative path → bytes) and to delete, inside one shop folder."""

    writes: dict[str, bytes] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.writes or self.deletes)


def apply_changes(site: Path, changes: ShopChanges) -> None:
    """Write and delete every file of `changes`, all or none of them."""
    recover_interrupted_import(site)
    if not changes:
        return
    work = site / WORK_DIR
    try:
        folders = _Folders()
        for rel, content in changes.writes.items():
            staged = work / "new" / rel
            folders.make(staged.parent)
            staged.write_bytes(content)
        targets = [*changes.writes, *changes.deletes]
        existed = [rel for rel in targets if (site / rel).exists()]
        for rel in existed:
            _keep_copy(site / rel, work / "old" / rel)
        with atomic_write(work / JOURNAL, "w", encoding="utf-8") as handle:
            json.dump({"targets": targets, "existed": existed}, handle)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # nothing in the shop was touched yet
        raise
    try:
        for rel in changes.writes:
            folders.make((site / rel).parent)
            os.replace(work / "new" / rel, site / rel)
        for rel in changes.deletes:
            (site / rel).unlink(missing_ok=True)
    except BaseException:
        _roll_back(site)
        raise
    (work / JOURNAL).unlink()  # the import is now committed
    shutil.rmtree(work, ignore_errors=True)


class _Folders:
    """mkdir once per folder, not once per file (10,000 products share one folder)."""

    def __init__(self) -> None:
        self.made: set[Path] = set()

    def make(self, folder: Path) -> None:
        if folder not in self.made:
            folder.mkdir(parents=True, exist_ok=True)
            self.made.add(folder)


def recover_interrupted_import(site: Path) -> bool:
    """Undo an import that was stopped half-way (True when there was one to undo)."""
    work = site / WORK_DIR
    if not work.exists():
        return False
    if (work / JOURNAL).exists():
        _roll_back(site)
        return True
    shutil.rmtree(work, ignore_errors=True)
    return False


def _keep_copy(source: Path, backup: Path) -> None:
    backup.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, backup)  # the old bytes stay reachable after the rename, for free
    except OSError:
        shutil.copy2(source, backup)


def _roll_back(site: Path) -> None:
    work = site / WORK_DIR
    journal = json.loads((work / JOURNAL).read_text(encoding="utf-8"))
    existed = set(journal["existed"])
    for rel in journal["targets"]:
        if rel in existed:
            if (work / "old" / rel).exists():
                os.replace(work / "old" / rel, site / rel)
        else:
            with contextlib.suppress(FileNotFoundError):
                (site / rel).unlink()
    (work / JOURNAL).unlink()
    shutil.rmtree(work, ignore_errors=True)
