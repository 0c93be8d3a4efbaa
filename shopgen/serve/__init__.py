"""`shopgen serve`: the build and the beacon endpoint on one local server, rebuilt on change.

`beacon_http.py` adapts any `http.server` request to the tracker's `handle_http`."""

from shopgen.serve.command import serve_site

__all__ = ["serve_site"]
