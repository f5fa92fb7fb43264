"""A scanned PDF through the real command line, server, Tesseract and 1.5B: cited by page and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Server, groundline
from tests.e2e.test_handoff import NOTE
from tests.index.test_ocr import scanned, scanned_pdf

pytestmark = pytest.mark.e2e


def test_a_scanned_page_is_read_answered_from_and_cited_by_page_and_line(served: Server, tmp_path: Path) -> None:
    scan = tmp_path / "harbour-scan.pdf"
    scan.write_bytes(scanned_pdf(["Harbour notes, typed cover page."], scanned(NOTE.splitlines())))
    try:
        done = groundline("ingest", str(scan), data_dir=served.data_dir)
        assert done.returncode == 0, done.stderr
        assert "1 added" in done.stdout
        assert (
            "note: harbour-scan.pdf page 2 read by text recognition (OCR); check what is cited from it" in done.stderr
        )
        # asked of the scan alone: what is read off it, not how it ranks among the news, is what this shows
        reply = served.fetch_json(
            "/api/ask", {"question": "Who keeps the lighthouse on Skerry Point?", "files": ["harbour-scan.pdf"]}
        )
        assert "Maren Holt" in reply["answer"], reply
        cited = [(c["file"], c["page"], c["page_line"]) for c in reply["citations"]]
        assert cited == [("harbour-scan.pdf", 2, 3)], reply
    finally:
        groundline("delete", "harbour-scan.pdf", data_dir=served.data_dir)
    assert served.fetch_json("/healthz")["documents"] == 2
