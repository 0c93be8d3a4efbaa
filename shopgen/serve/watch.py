"""The rebuild watcher of `shopgen serve`: it outlives every error, says which file changed,
how long the rebuild took, and what went wrong."""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

from shopgen.build import build_site
from shopgen.build.pipeline import build_inputs
from shopgen.errors import ShopgenError

STILL_SERVING = "(still serving the previous build)"
NAMES_SHOWN = 3


def changed_files(before: Mapping[str, object], after: Mapping[str, object],
                  site_dir: Path) -> list[str]:
    """The files added, removed or changed between two `build_inputs`, as the user wrote them
    (relative to the shop folder when inside it), sorted."""
    names = {path for path in before.keys() | after.keys()
             if before.get(path) != after.get(path)}
    site = os.path.abspath(site_dir)
    return sorted(os.path.relpath(p, site) if os.path.abspath(p).startswith(site + os.sep)
                  else p for p in names)


def describe_changes(names: list[str]) -> str:
    """`products/a.yaml, images/b.jpg and 3 more changed`."""
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown}{f' and {more} more' if more > 0 else ''} changed"


def watch_and_rebuild(site_dir: Path, out_dir: Path, stop: threading.Event,
                      echo: Callable[..., None], interval: float = 1.0, *,
                      build: Callable[..., object] = build_site,
                      rebuilt: Callable[[], None] | None = None,
                      failed: Callable[[str], None] | None = None,
                      inputs: Callable[[Path, Path], Mapping[str, object]] = build_inputs,
                      watching: threading.Event | None = None,
                      debug: bool = False) -> None:
    """Rebuild whenever the catalog or theme changes, until ``stop`` is set; call ``rebuilt``
    after each new build and ``failed`` with the problems of a broken catalog, which keeps the
    old build. A catalog problem waits for the next change; any other failure (a full disk, a
    file half written) is retried at the next interval. ``watching`` is set once the files
    are seen: a change after that is reported as a change."""
    try:
        seen: Mapping[str, object] | None = inputs(site_dir, out_dir)
    except OSError:
        seen = None  # the first pass builds anyway
    finally:
        if watching is not None:
            watching.set()
    pending = True  # the first pass catches what changed while serve's first build ran
    broken = False
    while not stop.wait(interval):
        try:
            now = inputs(site_dir, out_dir)
            changed = changed_files(seen, now, site_dir) if seen is not None else []
            seen = now
            if not changed and not pending:
                continue
            pending = False
            if changed:
                echo(f"{describe_changes(changed)}: rebuilding…")
            result = build(site_dir, out_dir, echo=lambda *a, **k: None)
            if not result.skipped:
                echo(f"Rebuilt {result.products} products in {result.seconds:.2f} s.")
            if (not result.skipped or broken) and rebuilt is not None:
                rebuilt()  # also after a fix that brought back the last build's exact files
            broken = False
        except ShopgenError as error:
            broken = True
            echo(f"Error: {error.format_message()}\n{STILL_SERVING}", err=True)
            if failed is not None:
                failed(error.format_message())
        except Exception as error:  # noqa: BLE001 - the preview must outlive any failure
            pending = True
            hint = "" if debug else "; `shopgen --debug serve` shows the traceback"
            echo(f"Error: unexpected {type(error).__name__}: {error}\n{STILL_SERVING[:-1]}"
                 f"{hint})", err=True)
            if debug:
                traceback.print_exc()
