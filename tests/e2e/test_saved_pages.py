"""A web page as a browser saves it whole (MHTML), ingested and searched as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import groundline

pytestmark = pytest.mark.e2e

# An older page, in Windows-1252 as its meta tag says, with a frame and a picture beside its text.
PAGE = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    b"<title>Lights</title><style>p { color: red }</style></head><body><h1>Harbour lights</h1>"
    b"<p>The Skerry light was lit in 1851 by the keeper Ren\xe9e Ahl \x96 \x93first light\x94.</p>"
    b"<iframe srcdoc='<p>An advert for ferries.</p>'></iframe>"
    b"<img src='data:image/png;base64,iVBORw0KGgo='></body></html>"
)


def test_a_page_chromium_saves_as_one_file_is_ingested_and_found_as_its_page_reads(tmp_path: Path, browser) -> None:
    (tmp_path / "lights.html").write_bytes(PAGE)
    page = browser.new_page()
    page.goto((tmp_path / "lights.html").as_uri())
    snapshot = page.context.new_cdp_session(page).send("Page.captureSnapshot", {"format": "mhtml"})["data"]
    page.close()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lights.mhtml").write_text(snapshot, newline="")  # as Chrome's "Save page as... single file"
    done = groundline("ingest", str(docs), data_dir=tmp_path / "data")
    assert done.returncode == 0 and "1 added" in done.stdout, done.stdout + done.stderr
    found = groundline("search", '"renée ahl"', "--json", data_dir=tmp_path / "data")
    hits = json.loads(found.stdout)["hits"]
    assert [(hit["file"], hit["start_line"], hit["quote"]) for hit in hits] == [("lights.mhtml", 2, "Renée Ahl")]
    assert "“first light”" in hits[0]["context"]  # its own charset, not replacement characters
    advert = groundline("search", '"ferries"', "--json", data_dir=tmp_path / "data")
    assert json.loads(advert.stdout)["hits"] == []  # the page alone: not the frame's
