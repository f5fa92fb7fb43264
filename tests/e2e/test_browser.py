"""A person's path: open the served chat, ask, click the citation, see line 9."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, Server, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served(cli_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    server = Server(
        [str(BIN / "groundline"), "serve", "--port", str(port)],
        port, "/", tmp_path_factory.mktemp("serve") / "serve.log",
        env={"GROUNDLINE_DATA_DIR": str(cli_data_dir), "GRADIO_ANALYTICS_ENABLED": "False"},
    )  # fmt: skip
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.exists(chromium), "Debian's chromium is missing: run `make browser`"
    with sync_playwright() as pw:
        yield pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )


def test_ask_click_citation_and_see_line_9_highlighted(served: Server, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(served.url) else outside.append(r.url))
    page.goto(served.url, wait_until="domcontentloaded")
    box = page.locator("#gl-question textarea")
    box.fill("who denied arms deals?")
    box.press("Enter")
    citation = page.locator(".gl-citation", has_text="000_c3c639a3a8103260.txt · line 9")
    citation.first.wait_for(timeout=180_000)
    assert "North Korea" in page.locator("#gl-chat").inner_text()
    citation.first.click()
    highlighted = page.locator("#gl-viewer .gl-hl")
    highlighted.first.wait_for(timeout=30_000)
    assert highlighted.first.get_attribute("data-line") == "9"
    assert "denied" in page.locator("#gl-viewer mark.gl-span").first.inner_text()
    page.wait_for_function(
        "() => { const el = document.querySelector('#gl-viewer .gl-hl');"
        " const box = el.closest('.gl-doc').getBoundingClientRect(); const r = el.getBoundingClientRect();"
        " return r.bottom > box.top && r.top < box.bottom; }",
        timeout=10_000,
    )  # scrolled into view inside the viewer
    page.screenshot(path=str(tmp_path / "citation.png"))
    assert outside == [], f"the page reached outside localhost: {outside}"
    print(f"\n[screenshot] {tmp_path / 'citation.png'}", file=sys.stderr)
