"""An admin's path in a real browser: upload documents, watch the progress bar, delete one, page a long one,
send a folder from another machine, and have the real model cite a slide deck."""

from __future__ import annotations

import json
import shutil
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import ask_and_open_citation, groundline, serve
from tests.index.test_formats import make_pptx

pytestmark = pytest.mark.e2e

SQUAD_DOCS = Path(__file__).parents[2] / "bench" / "squad-dev" / "docs"
LIST_REFRESH_S = 2  # how often the open page looks for documents changed elsewhere (10 s by default)


def test_upload_shows_progress_then_the_report_and_delete_removes_the_document(browser, tmp_path: Path) -> None:
    uploads = tmp_path / "to-upload"
    uploads.mkdir()
    # The three shortest articles: ~130 chunks, several seconds of embedding for the bar to show
    articles = sorted(SQUAD_DOCS.glob("*.txt"), key=lambda p: p.stat().st_size)[:3]
    for article in articles:
        shutil.copy(article, uploads / article.name)
    (uploads / "empty.txt").write_text("")
    server = serve(tmp_path / "data", tmp_path / "serve.log", GROUNDLINE_ADMIN_TOKEN="s3cret",
                   GROUNDLINE_LIST_REFRESH_S=str(LIST_REFRESH_S))  # fmt: skip
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(server.url, wait_until="domcontentloaded")
        page.get_by_text("Manage documents (admin)").click()
        page.locator("#gl-admin-token input").wait_for()
        assert page.locator("#gl-upload input[type=file]").count() == 0  # no upload box before the token
        assert anonymous_upload(server.url) == 403  # nor does Gradio's route take files from anyone
        assert not page.locator("#gl-backup-link").is_visible()  # nor is a backup offered
        page.locator("#gl-admin-token input").fill("s3cret")
        page.locator("#gl-upload input[type=file]").set_input_files(sorted(str(p) for p in uploads.iterdir()))
        page.wait_for_function(  # the uploads are listed (Gradio splits a name from its suffix)
            "() => document.querySelector('#gl-upload').innerText.replace(/\\s/g, '').includes('empty.txt')",
            timeout=30_000,
        )
        page.locator("#gl-ingest").click()
        # Gradio's progress bar, fed by the ingestor's callback: files done of total, chunks so far
        page.get_by_text("Ingesting:").first.wait_for(timeout=120_000)
        status = page.locator("#gl-admin-status textarea")
        page.wait_for_function(
            "() => document.querySelector('#gl-admin-status textarea').value.includes('added')", timeout=300_000
        )
        report = status.input_value()
        assert "3 added" in report
        assert "skipped: empty.txt has no text" in report  # the bad file is named, with the reason
        page.locator("#gl-unread").click()  # and stays named after the report has gone
        page.wait_for_function(
            "() => document.querySelector('#gl-admin-status textarea').value.includes('found and not read')",
            timeout=30_000,
        )
        shown = status.input_value().splitlines()
        assert shown[0] == "1 file(s) found and not read:" and shown[1].startswith("empty.txt has no text; skipped (")
        names = sorted(a.name for a in articles)
        assert listed_soon(page, names) == names  # the reader's list too (an event after the report)

        first = articles[0].name
        open_from_list(page, first)  # the reader has it open...
        page.locator("#gl-delete-choice input").fill(first)
        page.locator("#gl-delete-choice").get_by_role("option", name=first).click()
        page.locator("#gl-delete").click()  # the first click says what would go, and asks
        page.wait_for_function(
            "() => document.querySelector('#gl-admin-status textarea').value.startsWith('Delete 1 document')",
            timeout=60_000,
        )
        assert f": {first}?" in status.input_value() and page.locator("#gl-delete-confirm").is_visible()
        page.locator("#gl-delete-confirm").click()
        page.wait_for_function(
            "() => document.querySelector('#gl-admin-status textarea').value.startsWith('Deleted')", timeout=60_000
        )
        assert not page.locator("#gl-delete-confirm").is_visible()
        assert status.input_value() == f"Deleted {first}."
        assert not (tmp_path / "data" / "uploads" / first).exists()  # nor is a copy of it kept
        page.locator("#gl-check").click()  # the store checked from the page: the deletion left it whole
        page.wait_for_function(
            "() => document.querySelector('#gl-admin-status textarea').value.includes('consistency')", timeout=60_000
        )
        checked = status.input_value()
        assert "ok: consistency: every document has its chunks, and every chunk its document" in checked
        assert "ok: vector index" in checked and not checked.startswith("fail")
        # a backup from the page: the link the token showed downloads what is stored now (a link sends no
        # header: the token's cookie admits it)
        with page.expect_download(timeout=120_000) as downloading:
            page.locator("#gl-backup-link").click()
        assert downloading.value.suggested_filename.startswith("groundline-backup-")
        downloading.value.save_as(tmp_path / "page-backup.tar.gz")
        with tarfile.open(tmp_path / "page-backup.tar.gz") as tar:
            manifest = json.load(tar.extractfile("groundline-backup/backup.json"))
        assert manifest["documents"] == len(names) - 1  # the deleted one is not in it
        left = [n for n in names if n != first]
        assert listed_soon(page, left) == left  # updated by an event after the status: not read at once
        assert page.locator("#gl-delete-choice .token").count() == 0  # no longer chosen, nor offered
        page.locator("#gl-delete-choice input").fill(first)
        assert page.locator("#gl-delete-choice").get_by_role("option", name=first).count() == 0
        page.get_by_text("Click a citation to see its source lines.").wait_for(timeout=30_000)  # ...and no longer

        # a page opened now lists what is stored now, not what was there when the server started (none)
        fresh = browser.new_page()
        fresh.goto(server.url, wait_until="domcontentloaded")
        assert listed_documents(fresh) == [n for n in names if n != first]

        # the command line's ingest beside it goes through the server, and the open page lists it soon
        (tmp_path / "late").mkdir()
        (tmp_path / "late" / "late.txt").write_text("Ingested by the command line while the server ran.\n")
        done = groundline("ingest", str(tmp_path / "late"), data_dir=tmp_path / "data")
        assert done.returncode == 0 and "1 added" in done.stdout, done.stderr
        kept = [n for n in names if n != first]
        expected = sorted([*kept, "late.txt"])
        assert listed_soon(page, expected) == expected  # the open page, not reloaded

        # a script manages them over HTTP with the same token
        admin = {"Authorization": "Bearer s3cret"}
        sent = httpx.post(server.url + "/api/documents", files={"files": ("api.txt", b"Posted by a script.\n")},
                          headers=admin, timeout=120)  # fmt: skip
        assert sent.status_code == 200 and sent.json()["added"] == ["api.txt"], sent.text
        listed = httpx.get(server.url + "/api/documents", timeout=30).json()
        assert "api.txt" in [d["path"] for d in listed]
        assert httpx.delete(server.url + "/api/documents/late.txt", headers=admin, timeout=60).json()["deleted"]
        expected = sorted([*kept, "api.txt"])
        assert listed_soon(page, expected) == expected

        # a long document is shown 2,000 lines at a time, and the reader pages through it
        ledger = "".join(f"Entry {n}.\n" for n in range(1, 4501)).encode()
        sent = httpx.post(server.url + "/api/documents", files={"files": ("ledger.txt", ledger)},
                          headers=admin, timeout=300)  # fmt: skip
        assert sent.status_code == 200 and sent.json()["added"] == ["ledger.txt"], sent.text
        assert "ledger.txt" in listed_soon(page, sorted([*expected, "ledger.txt"]))
        open_from_list(page, "ledger.txt")
        earlier, later = page.locator("#gl-earlier"), page.locator("#gl-later")
        assert shown_lines(page) == ("Lines 1–2,000 of 4,500", 1, 2000) and not earlier.is_visible()
        later.click()
        page.locator("#gl-viewer .gl-window", has_text="Lines 2,001–4,000").wait_for(timeout=30_000)
        assert shown_lines(page) == ("Lines 2,001–4,000 of 4,500", 2001, 4000)
        later.click()  # the rest, and no line shown twice
        page.locator("#gl-viewer .gl-window", has_text="Lines 4,001–4,500").wait_for(timeout=30_000)
        assert shown_lines(page) == ("Lines 4,001–4,500 of 4,500", 4001, 4500)
        later.wait_for(state="hidden", timeout=30_000)
        earlier.click()
        page.locator("#gl-viewer .gl-window", has_text="Lines 2,001–4,000").wait_for(timeout=30_000)
        assert later.is_visible() and page.locator("#gl-line-3000").inner_text().endswith("Entry 3000.")

        # the command line on another machine: a folder sent by the server's URL and admin token
        folder = tmp_path / "elsewhere" / "reports"
        for side, light in (("north", "white"), ("south", "red")):
            (folder / side).mkdir(parents=True)
            (folder / side / "q3.txt").write_text(f"The {side} light is {light}.\n")
        away = {"data_dir": tmp_path / "elsewhere" / "data", "GROUNDLINE_ADMIN_TOKEN": "s3cret"}
        done = groundline("ingest", "--server", server.url, str(folder), **away)
        assert done.returncode == 0 and "2 added" in done.stdout, done.stderr
        listed = json.loads(groundline("list", "--server", server.url, "--json", **away).stdout)
        assert {"north/q3.txt", "south/q3.txt"} <= {d["path"] for d in listed}  # two q3.txt stay two
        gone = groundline("delete", "--server", server.url, "south/q3.txt", **away)
        assert gone.stdout == "deleted: south/q3.txt\n", gone.stderr
        assert not away["data_dir"].exists()  # nothing of that machine's own data dir was opened
        refused = groundline("ingest", "--server", server.url, str(folder), data_dir=away["data_dir"])
        assert refused.returncode == 1 and "set GROUNDLINE_ADMIN_TOKEN" in refused.stderr

        # a slide deck: the 1.5B's answer cites its slide and line, and the viewer shows that slide's line
        deck = make_pptx(tmp_path / "harbour-review.pptx").read_bytes()
        sent = httpx.post(server.url + "/api/documents", files={"files": ("harbour-review.pptx", deck)},
                          headers=admin, timeout=300)  # fmt: skip
        assert sent.status_code == 200 and sent.json()["added"] == ["harbour-review.pptx"], sent.text
        # asked within the deck alone (a link choosing it): its slides, not the articles, are what this shows
        page.goto(f"{server.url}/?within=harbour-review.pptx", wait_until="domcontentloaded")
        highlighted = ask_and_open_citation(page, "What was the Q2 tonnage at Skerry?", "harbour-review.pptx")
        assert page.locator(".gl-citation", has_text="harbour-review.pptx · slide 2 (Tonnage), line 3").count() == 1
        assert highlighted.inner_text().split() == ["3", "Port:", "Skerry;", "Q2:", "1,450"]  # line 3 of its slide
        assert page.locator("#gl-viewer .gl-page").all_inner_texts() == ["Slide 1: Harbour review", "Slide 2: Tonnage"]
    finally:
        server.stop()


def open_from_list(page, name: str, tries: int = 3) -> None:
    """Open a document in the viewer from the chat page's Documents list, as a reader would: the list
    opened and the name typed, again where it closed meanwhile. A list whose choices are replaced while
    open closes (Gradio's dropdown): the page's timer replaces them whenever the documents change, and
    until the tenth sitting an upload's own refresh replaced them again after the timer had (CI failed
    here once, waiting 30 s for the option)."""
    field = page.locator("#gl-files input")
    for attempt in range(1, tries + 1):
        if attempt > 1:  # the list closed: an updated list opens again only from blurred
            field.blur()
            field.click()
        field.fill(name)
        try:  # (its mousedown handler picks it: Playwright finds this list never stable enough to click)
            page.locator("#gl-files").get_by_role("option", name=name).dispatch_event("mousedown", timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == tries:
                raise
    page.locator("#gl-viewer .gl-file", has_text=name).wait_for(timeout=30_000)


def shown_lines(page) -> tuple[str, int, int]:
    """What the viewer says it shows of a long document, and the first and last line numbers in it."""
    numbers = page.locator("#gl-viewer .gl-line").evaluate_all("rows => rows.map(r => +r.dataset.line)")
    return page.locator("#gl-viewer .gl-window").inner_text(), numbers[0], numbers[-1]


def anonymous_upload(url: str) -> int:
    """The status of a file posted to the upload route with no cookie, as any script could."""
    body = b'--b\r\nContent-Disposition: form-data; name="files"; filename="x.txt"\r\n\r\nx\r\n--b--\r\n'
    request = urllib.request.Request(
        url + "/gradio_api/upload", data=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as refused:
        return refused.code


def listed_soon(page, expected: list[str], seconds: float = LIST_REFRESH_S * 5) -> list[str]:
    """The Documents list once it offers ``expected`` (an open page looks every LIST_REFRESH_S), or
    as it is after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (now := listed_documents(page)) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    return now


def listed_documents(page) -> list[str]:
    """The names the chat page's "Documents" list offers, as a reader opens it."""
    page.locator("#gl-files input").blur()  # a list updated while open opens again only from blurred
    page.locator("#gl-files input").click()
    options = page.locator("#gl-files [role=option]")
    options.first.wait_for(timeout=30_000)
    names = sorted(t.strip() for t in options.all_inner_texts())
    page.keyboard.press("Escape")
    return names
