"""`shopgen serve` tells open pages about rebuilds over server-sent events (a real server in a
subprocess, read with http.client): reload after a change, the catalog's problems until fixed."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

from servekit import serve_process, wait_until
from sitekit import product

from shopgen.serve.live_reload import SCRIPT_PATH, TAG, with_live_script


class EventStream:
    """The events of one /__shopgen/live connection, collected by a reader thread."""

    def __init__(self, base_url: str):
        address = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        self.connection.request("GET", "/__shopgen/live")
        self.response = self.connection.getresponse()
        self.events: list[tuple[str, dict]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        name = None
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: ") and name:
                    self.events.append((name, json.loads(line[len("data: "):])))
        except (OSError, ValueError):
            return

    def named(self, name: str) -> list[dict]:
        return [data for event, data in self.events if event == name]

    def close(self) -> None:
        self.connection.close()


def test_pages_reload_after_a_rebuild_and_show_problems_until_fixed(tiny_site: Path,
                                                                    tmp_path: Path) -> None:
    with serve_process(tiny_site, f"sqlite:///{tmp_path / 'events.sqlite3'}") as served:
        page = urlopen(served.url).read()
        assert TAG in page and page.index(TAG) < page.rindex(b"</body>")
        assert TAG not in (tiny_site / "build" / "index.html").read_bytes()  # never published
        script = urlopen(served.url + SCRIPT_PATH[1:]).read()
        assert b"EventSource" in script
        stream = EventStream(served.url)
        try:
            assert wait_until(lambda: stream.named("hello"))
            assert stream.named("hello")[0] == {"build": 0, "problems": None}

            mug = tiny_site / "products" / "zz-1.yaml"  # edited as an editor would: one file
            mug.write_text(product("ZZ-1", name="Trail Mug"))
            assert wait_until(lambda: stream.named("reload"), seconds=60), served.output
            assert wait_until(lambda: "Rebuilt 4 products in " in served.output)
            assert "products/zz-1.yaml changed: rebuilding…" in served.output
            assert b"Trail Mug" in urlopen(served.url).read()

            mug.write_text(product("ZZ-1", price='"0"'))
            assert wait_until(lambda: stream.named("problems"), seconds=60), served.output
            (problems,) = stream.named("problems")
            assert "products/zz-1.yaml:" in problems["problems"]
            assert "greater than 0" in problems["problems"]
            assert "still serving the previous build" in served.output
            # A page opened now learns of the problems on connecting.
            late = EventStream(served.url)
            assert wait_until(lambda: late.named("hello"))
            assert "products/zz-1.yaml:" in late.named("hello")[0]["problems"]
            late.close()

            mug.write_text(product("ZZ-1", price='"4.50"'))
            assert wait_until(lambda: len(stream.named("reload")) == 2, seconds=60), \
                served.output
        finally:
            stream.close()


def test_script_goes_before_the_last_body_end() -> None:
    html = b"<html><body><script>'</body>'</script><p>x</p></BODY></html>"
    assert with_live_script(html) == (b"<html><body><script>'</body>'</script><p>x</p>" + TAG
                                      + b"</BODY></html>")
    assert with_live_script(b"<p>fragment") == b"<p>fragment" + TAG
