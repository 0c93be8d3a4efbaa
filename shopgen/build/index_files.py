"""The search index's files (search/sharded.py, search/pieces.py), built, written and weighed
in a worker process of the build, which starts it as soon as the catalog is loaded: the
index is the longest of the build's jobs, and needs only the catalog."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from shopgen.build.budget import gzip_size
from shopgen.build.page_files import received_job, write_hashed
from shopgen.search.pieces import write_shards
from shopgen.search.sharded import build_sharded_index

ASSETS = "assets"


@dataclass(frozen=True)
class IndexFiles:
    meta: str  # paths relative to the site root: the meta file,
    terms: str  # the dictionary,
    shards: tuple[str, ...]  # and the shards
    sizes: dict[str, tuple[int, int]]  # each one's bytes, raw and gzip (budget.gzip_size)


def write_index(job: bytes | None) -> IndexFiles:
    """Build the index of the catalog in `job` (page_files.job_for_workers) and write its
    files into the staging folder's assets."""
    built = received_job(job)
    staging = built.staging
    weighing = {}
    # Each file is weighed (gzip) in a thread while the next is serialised: zlib lets go of
    # the interpreter, and this is often the build's last job, with a core to spare.
    with ThreadPoolExecutor(1) as weigher:

        def write(stem: str, content: bytes) -> str:
            name = write_hashed(staging / ASSETS, stem, content, built.previous.folder / ASSETS)
            weighing[f"{ASSETS}/{name}"] = len(content), weigher.submit(gzip_size, content)
            return name

        # (the meta file names the others from assets/, as `write` gives them)
        meta, terms, *shards = (f"{ASSETS}/{name}" for name in
                                write_shards(build_sharded_index(built.catalog), write))
        sizes = {path: (raw, gzip.result()) for path, (raw, gzip) in weighing.items()}
    return IndexFiles(meta, terms, tuple(shards), sizes)
