"""Word 97-2003 documents (.doc): real ones (``data/README.md``), read by Debian's antiword."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import index.office
from index.errors import SkippedFile
from index.formats import extract

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def antiword() -> None:
    assert shutil.which("antiword"), "Debian's antiword is missing: run `make antiword`"


def test_a_word_97_document_reads_as_its_paragraphs_one_a_line() -> None:
    got = extract("harmless-clean.doc", (DATA / "harmless-clean.doc").read_bytes())
    assert got.text.splitlines() == [
        "Test",
        "This is a harmless test document.",
        "It contains neither macros nor dde links nor embedded viruses nor links to evil web pages. "
        "Not even a single insult. Boring!",
        "Just to make things slightly interesting, however, we add some ünicöde-ßtringß and different text "
        "sizes, colors and fonts",
    ]
    assert got.note is None and got.page_starts == ()


def test_rich_text_saved_as_doc_is_read_as_rich_text() -> None:
    rtf = rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\f0 Skerry light: LED since May.\par Hallo Head: lit 1902.\par}"
    assert extract("lights.doc", rtf).text.splitlines() == ["Skerry light: LED since May.", "Hallo Head: lit 1902."]


def excel_97_workbook() -> bytes:
    """An OLE compound file, as every Office 97-2003 file is, that is a workbook: no document, no deck."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Lights").write(0, 0, "Skerry")
    sheet = io.BytesIO()
    book.save(sheet)
    return sheet.getvalue()


def test_what_antiword_cannot_read_is_skipped_with_the_reason() -> None:
    with pytest.raises(SkippedFile, match=r"notes.doc is not a Word 97-2003 document \(it is not an OLE compound"):
        extract("notes.doc", b"Just notes.\n")
    with pytest.raises(
        SkippedFile, match=r"book.doc is not a readable .doc file \(antiword: .* an Excel spreadsheet\)"
    ):
        extract("book.doc", excel_97_workbook())
    with pytest.raises(SkippedFile, match="cut.doc is not a readable .doc file"):
        extract("cut.doc", (DATA / "harmless-clean.doc").read_bytes()[:3000])


def test_without_antiword_a_doc_is_skipped_saying_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(index.office.shutil, "which", lambda name: None)
    with pytest.raises(SkippedFile, match="install the antiword package"):
        extract("harmless-clean.doc", (DATA / "harmless-clean.doc").read_bytes())


def test_antiword_is_stopped_at_its_time_limit(monkeypatch, tmp_path: Path) -> None:
    stuck = tmp_path / "antiword"
    stuck.write_text("#!/bin/sh\nsleep 30\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(index.office.shutil, "which", lambda name: str(stuck))
    monkeypatch.setattr(index.office, "ANTIWORD_SECONDS", 0.5)
    with pytest.raises(SkippedFile, match=r"slow.doc took antiword over 0.5 s to read; skipped"):
        extract("slow.doc", (DATA / "harmless-clean.doc").read_bytes())


def test_antiword_runs_under_its_memory_limit(monkeypatch) -> None:
    monkeypatch.setattr(index.office, "ANTIWORD_BYTES", 1 << 20)  # 1 MB: too little for it to start
    with pytest.raises(SkippedFile, match=r"tight.doc is not a readable .doc file \(antiword: "):
        extract("tight.doc", (DATA / "harmless-clean.doc").read_bytes())
