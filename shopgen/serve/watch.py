"""The rebuild watcher of `shopgen serve`: it outlives every error, and says what went wrong."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from shopgen.build import build_site
from shopgen.errors import ShopgenError

STILL_SERVING = "(still serving the previous build)"


def watch_and_rebuild(site_dir: Path, out_dir: Path, stop: threading.Event,
                      echo: Callable[..., None], interval: float = 1.0, *,
                      build: Callable[..., object] = build_site,
                      rebuilt: Callable[[], None] | None = None, debug: bool = False) -> None:
    """Rebuild whenever the catalog or theme changes, until ``stop`` is set; call ``rebuilt``
    after each new build. A broken catalog, or any other failure, keeps the old build."""
    while not stop.wait(interval):
        try:
            result = build(site_dir, out_dir, echo=lambda *a, **k: None)
            if not result.skipped:
                if rebuilt is not None:
                    rebuilt()
                echo(f"Rebuilt {result.products} products in {result.seconds:.2f} s.")
        except ShopgenError as error:
            echo(f"Error: {error.format_message()}\n{STILL_SERVING}", err=True)
        except Exception as error:  # noqa: BLE001 - the preview must outlive any failure
            hint = "" if debug else "; `shopgen --debug serve` shows the traceback"
            echo(f"Error: unexpected {type(error).__name__}: {error}\n{STILL_SERVING[:-1]}"
                 f"{hint})", err=True)
            if debug:
                traceback.print_exc()
