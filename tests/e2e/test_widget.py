"""The one-line widget on a host page from another origin, in a real browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import Server, ask_and_open_citation, free_port

pytestmark = pytest.mark.e2e


@contextmanager
def host_page(
    served: Server, tmp_path: Path, address: str, example: str = "index.html", attributes: str = ""
) -> Iterator[str]:
    """Serve an examples/embed page, pointed at the live server (its widget given ``attributes``), from ``address``."""
    page = (ROOT / "examples" / "embed" / example).read_text().replace(" data-title=", f" {attributes} data-title=")
    (tmp_path / "index.html").write_text(page.replace("http://127.0.0.1:7860", served.url))
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = ThreadingHTTPServer((address, free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def test_widget_on_another_origin_asks_and_shows_the_cited_answer(served: Server, browser, tmp_path: Path) -> None:
    with host_page(served, tmp_path, "127.0.0.1") as url:
        assert not url.startswith(served.url)  # a different origin (port)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.locator("#groundline-bubble").click()
        frame = page.frame_locator("#groundline-frame")
        highlighted = ask_and_open_citation(frame, "who denied arms deals?", "000_c3c639a3a8103260.txt · line 9")
        assert "North Korea" in frame.locator("#gl-chat").inner_text()
        assert highlighted.get_attribute("data-line") == "9"
        assert page.locator("#groundline-panel").inner_text().startswith("Ask the newsroom")
        assert not frame.locator("#gl-scope").is_visible()  # it asks every document: no note says otherwise


def test_a_widget_pinned_to_documents_asks_within_them_and_names_what_matches_nothing(
    served: Server, browser, tmp_path: Path
) -> None:
    # data-within names an article and a folder the library lacks: the question is refused, naming
    # the folder alone (the article was passed on and found), not asked of every document
    pinned = """data-within='["000_c3c639a3a8103260.txt", "not here/"]'"""
    with host_page(served, tmp_path, "127.0.0.1", attributes=pinned) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.locator("#groundline-bubble").click()
        frame = page.frame_locator("#groundline-frame")
        # the reader is told what the page chose (escaped: the names come from the host page)
        note = "Answers come from 000_c3c639a3a8103260.txt, not here/ alone."
        frame.locator("#gl-scope", has_text=note).wait_for(timeout=30_000)
        assert frame.locator("#gl-scope code").all_inner_texts() == ["000_c3c639a3a8103260.txt", "not here/"]
        box = frame.locator("#gl-question textarea")
        box.fill("who denied arms deals?")
        box.press("Enter")
        said = "⚠️ not ingested documents: 'not here/' (no document in it)"
        frame.locator("#gl-chat [data-testid=bot]", has_text=said).wait_for(timeout=60_000)
        assert frame.locator("#gl-chat [data-testid=bot]").inner_text().strip() == said


def test_a_widget_pinned_to_other_documents_keeps_its_own_chat(served: Server, browser, tmp_path: Path) -> None:
    # One Groundline embedded on two sites, one widget pinned to an article: the browser keeps one
    # widget chat for the server's origin, and the other site's chat showed (and was history) there
    (tmp_path / "plain").mkdir()
    (tmp_path / "pinned").mkdir()
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # one browser's storage
    with (
        host_page(served, tmp_path / "plain", "127.0.0.1") as plain,
        host_page(served, tmp_path / "pinned", "127.0.0.1", attributes='data-within="000_c3c639a3a8103260.txt"') as pin,
    ):
        page = context.new_page()
        page.goto(plain)
        page.locator("#groundline-bubble").click()
        frame = page.frame_locator("#groundline-frame")
        ask_and_open_citation(frame, "who denied arms deals?", "000_c3c639a3a8103260.txt · line 9")
        page.goto(pin)
        page.locator("#groundline-bubble").click()
        frame = page.frame_locator("#groundline-frame")
        frame.locator("#gl-question textarea").wait_for(timeout=30_000)
        page.wait_for_timeout(3000)  # the kept chat would be shown as the page opens
        assert frame.locator("#gl-chat [data-testid=user]").count() == 0
        page.goto(plain)  # the unpinned widget's chat is still there
        page.locator("#groundline-bubble").click()
        frame = page.frame_locator("#groundline-frame")
        frame.locator("#gl-chat [data-testid=user]", has_text="who denied arms deals?").wait_for(timeout=30_000)
    context.close()


def test_a_host_origin_outside_the_allowlist_is_refused(served: Server, browser, tmp_path: Path) -> None:
    """127.0.0.2 is loopback but not in the default allowlist (localhost, 127.0.0.1)."""
    with host_page(served, tmp_path, "127.0.0.2") as url:
        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.goto(url)
        page.locator("#groundline-bubble").click()
        page.wait_for_timeout(3000)
        frame = next(f for f in page.frames if f != page.main_frame)
        assert frame.locator("#gl-question").count() == 0  # the chat never rendered
        fetched = page.evaluate(
            """url => fetch(url + '/api/ask', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({question: 'who denied arms deals?'})})
                 .then(r => 'allowed ' + r.status).catch(e => 'blocked')""",
            served.url,
        )
        assert fetched == "blocked"
        assert any("frame-ancestors" in line for line in console) or frame.url.startswith("chrome-error://")


def test_gradio_web_component_and_plain_iframe_work_offline(served: Server, browser, tmp_path: Path) -> None:
    with host_page(served, tmp_path, "127.0.0.1", "web-component.html") as url:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1",)) else outside.append(r.url))
        page.goto(url)
        app = page.locator("gradio-app")
        box = app.locator("#gl-question textarea")
        box.fill("who denied arms deals?")
        box.press("Enter")
        app.locator(".gl-citation", has_text="line 9").first.wait_for(timeout=180_000)
        assert "North Korea" in app.locator("#gl-chat").inner_text()
        assert page.frame_locator("#groundline-iframe").locator("#gl-question textarea").count() == 1
        assert outside == []
