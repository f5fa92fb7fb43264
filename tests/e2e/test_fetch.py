"""``groundline ingest https://...`` as a user runs it: the real command fetching from a real local web
server, the real embedder, then found by the real search."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port
from tests.e2e.conftest import groundline


def test_a_web_page_is_ingested_by_its_address_and_found_at_its_line(tmp_path: Path) -> None:
    site = tmp_path / "site" / "news"
    site.mkdir(parents=True)
    (site / "harbour.html").write_text(
        "<html><body><h1>Harbour news</h1><p>The fog horn at Skerry Point was silenced in March.</p>"
        "<p>Maren Holt keeps the light.</p></body></html>"
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path / "site")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/news/harbour.html"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        done = groundline("ingest", url, f"http://127.0.0.1:{port}/news/gone.html", data_dir=tmp_path / "data")
    finally:
        server.terminate()
        server.wait(10)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout and f"fetching {url}" in done.stderr
    assert "gone.html answered HTTP 404" in done.stderr
    found = groundline("search", "when was the fog horn silenced?", "--json", data_dir=tmp_path / "data")
    best = json.loads(found.stdout)["hits"][0]
    assert (best["file"], best["start_line"]) == (f"127.0.0.1_{port}/news/harbour.html", 2)
