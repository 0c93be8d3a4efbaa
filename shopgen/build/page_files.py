"""The files a build writes per product: its page, the numbered pages that list it and the
card files, in worker processes (each a run of products), reusing the previous build's pages.

A build of thousands of products spends most of its time here; the pipeline hands each worker
a run of positions (`page_parts`) while another builds the search index (index_files.py). A
page whose key (render.PageKeys) is the one the previous build recorded is linked from it,
not rendered: after one edit, a rebuild renders that product's page and its numbered page.
A card or index file whose bytes the previous build holds is linked from it too, not made
anew (`write_cards`, `write_hashed`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import pickle
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shopgen.build.budget import file_sizes
from shopgen.build.images import ImageSet
from shopgen.build.render import (
    LIST_PAGE,
    Assets,
    PageKeys,
    Views,
    render_numbered_pages,
    render_product_pages,
)
from shopgen.catalog import Catalog

# Products a worker process renders pages for, at least; a shop with fewer renders them in
# one (a process costs more than it saves).
PAGES_PER_WORKER = 2000


def page_parts(count: int) -> list[range]:
    """The products' positions cut into a run per worker process (at most one per core), each
    starting a list page (multiples of LIST_PAGE), so each numbered page is one worker's."""
    workers = max(1, min(os.cpu_count() or 1, count // PAGES_PER_WORKER))
    pages = -(-count // LIST_PAGE)
    starts = [min(count, -(-pages * i // workers) * LIST_PAGE) for i in range(workers + 1)]
    return [range(start, end) for start, end in itertools.pairwise(starts) if end > start]


@dataclass(frozen=True)
class BuildJob:
    """What every worker process of a build needs: the catalog, its pictures, the theme, the
    staging folder being written and the previous build's pages (see `job_for_workers`)."""

    catalog: Catalog
    images: dict[str, ImageSet]
    theme: Path
    staging: Path
    previous: PreviousPages


_FORKED: BuildJob | None = None  # the running build's job, in the processes forked from it
_ONE_AT_A_TIME = threading.Lock()


@contextlib.contextmanager
def job_for_workers(job: BuildJob) -> Iterator[bytes | None]:
    """What to send the build's worker processes of `job`, for the time they are started in:
    nothing where they are forked from this process (each finds the job in its copy of this
    module: the catalog is not pickled, sent and unpickled once a process), else the job
    pickled (pickled here, not in a pool's feeder thread, which would read the catalog while
    this thread goes on using it)."""
    global _FORKED
    if multiprocessing.get_start_method() != "fork":
        yield pickle.dumps(job)
        return
    with _ONE_AT_A_TIME:  # (a build in another thread must not swap the job meanwhile)
        _FORKED = job
        try:
            yield None
        finally:
            _FORKED = None


def received_job(payload: bytes | None) -> BuildJob:
    """The job a worker process was sent (`job_for_workers`)."""
    if payload is not None:
        return pickle.loads(payload)
    assert _FORKED is not None, "a build's worker process started without its job"
    return _FORKED


def write_pages(job: bytes | None, assets: Assets, positions: range,
                cards: dict[str, bytes]) -> tuple[dict[str, list], list[tuple[int, int]]]:
    """Render (or take from the previous build) and write the pages of the products at
    `positions` and the numbered pages that list them, and write `cards` (their card files);
    returns the pages' record and the card files' sizes."""
    built = received_job(job)
    catalog, images, theme, staging, previous = (built.catalog, built.images, built.theme,
                                                 built.staging, built.previous)
    write_cards(previous, cards)
    views, keys = Views(catalog, images), PageKeys(catalog, images, assets, theme)
    record = {}
    folders = previous.folders
    for path, key, content in itertools.chain(
            render_numbered_pages(catalog, views, keys, assets, theme, positions, previous.take),
            render_product_pages(catalog, views, keys, assets, theme, positions, previous.take)):
        if content is None:  # taken: linked into the staging folder as it was
            record[path] = previous.record[path]
            continue
        _make_folder(staging, path, folders)
        with open(staging / path, "wb") as file:
            file.write(content)
            file.flush()  # written before fstat looks
            record[path] = [key, *_identity(os.fstat(file.fileno()))]
    return record, file_sizes(list(cards.values()))


def _identity(stat: os.stat_result) -> list[int]:
    """What says a page file is still the one a build wrote: its size, modification time and
    inode (a later build links it, which keeps all three; an edit changes the time)."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


@dataclass(frozen=True)
class PreviousPages:
    """The product and numbered pages of the build in `folder`, as its record lists them,
    for the build being written into `staging`."""

    folder: Path
    staging: Path
    record: dict[str, list]
    cards: str = ""  # its card files' folder ("cards/<digest>/"), "" when it had none
    folders: set[str] = field(default_factory=set)  # made in staging already

    def take(self, path: str, key: str) -> bool:
        """Link the previous build's page at `path` into the staging folder when it was made
        with `key` and its file is untouched since; False: render it. The page is not read:
        files in a build are never changed in place, and the swap drops the old name."""
        entry = self.record.get(path)
        if entry is None or entry[0] != key:
            return False
        # (paths joined as text: this runs for every page, 10,000 times after one edit)
        old, new = os.path.join(self.folder, path), os.path.join(self.staging, path)
        try:
            if _identity(os.stat(old)) != entry[1:]:
                return False
            _make_folder(self.staging, path, self.folders)
            os.link(old, new)
        except OSError:
            return False
        return True


def previous_pages(out_dir: Path, staging: Path, pages: object,
                   cards: str = "") -> PreviousPages:
    """The product and numbered pages of the previous build in `out_dir`, as `pages` (its
    record's entry) lists them, and its card files' folder; anything unreadable there is
    rendered again."""
    if not isinstance(pages, dict):
        pages = {}
    return PreviousPages(out_dir, staging, {
        path: entry for path, entry in pages.items()
        if isinstance(entry, list) and len(entry) == 4
        and all(isinstance(part, int) for part in entry[1:])}, cards)


def write_cards(previous: PreviousPages, cards: dict[str, bytes]) -> None:
    """Write the card files (path → bytes) into the staging folder; one whose bytes are
    those of the previous build's card file of the same number is linked from it instead.
    After one edit, one card file changes: the others cost a read, not a new file."""
    new = {}
    for path, content in cards.items():
        _make_folder(previous.staging, path, previous.folders)
        number = path.rpartition("/")[2]
        if not (previous.cards and _linked_if_same(previous.folder / previous.cards / number,
                                                   previous.staging / path, content)):
            new[path] = content
    write_files(previous.staging, new)


def write_files(root: Path, files: dict[str, bytes]) -> None:
    """Write each file (path relative to `root` → its bytes), making folders as needed."""
    folders: set[str] = set()
    for path, content in files.items():
        _make_folder(root, path, folders)
        with open(os.path.join(root, path), "wb") as file:
            file.write(content)


def write_hashed(folder: Path, stem: str, content: bytes, previous: Path | None = None) -> str:
    """Write `content` into `folder` as <stem>-<digest>.json (a name that changes with the
    content, so the file can be cached for ever); returns that name. When `previous` (the
    previous build's folder of the same name) holds that file with those bytes, it is linked
    from there instead."""
    name = f"{stem}-{hashlib.sha256(content).hexdigest()[:10]}.json"
    if previous is None or not _linked_if_same(previous / name, folder / name, content):
        (folder / name).write_bytes(content)
    return name


def _linked_if_same(old: Path, new: Path, content: bytes) -> bool:
    """Link `old` as `new` if `old` holds exactly `content`: a file of the previous build,
    whose inode the next build keeps rather than making one (on some filesystems, making a
    file soon after others were deleted costs more than reading it). False: write `new`."""
    try:
        if os.stat(old).st_size != len(content) or old.read_bytes() != content:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


def _make_folder(root: Path, path: str, made: set[str]) -> None:
    """Make the folder of the file at `path` (relative to `root`) unless it is in `made`,
    the folders made already: one mkdir a folder, not one a file."""
    folder, _, _ = path.rpartition("/")
    if folder not in made:
        (root / folder).mkdir(parents=True, exist_ok=True)
        made.add(folder)
