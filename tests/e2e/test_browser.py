"""A person's path: open the served chat, ask, click the citation, see line 9."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, ask_and_open_citation

pytestmark = pytest.mark.e2e


def test_ask_click_citation_and_see_line_9_highlighted(served: Server, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(served.url) else outside.append(r.url))
    page.goto(served.url, wait_until="domcontentloaded")
    highlighted = ask_and_open_citation(page, "who denied arms deals?", "000_c3c639a3a8103260.txt · line 9")
    assert "North Korea" in page.locator("#gl-chat").inner_text()
    assert highlighted.get_attribute("data-line") == "9"
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
