"""PowerPoint 97-2003 presentations (.ppt): real ones (``data/README.md``), converted by ppt2pptx
and read as the .pptx they become."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import SkippedFile
from index.formats import extract, page_of, page_words
from tests.index.test_doc import excel_97_workbook

DATA = Path(__file__).parent / "data"


def test_a_powerpoint_97_deck_reads_as_its_slides_notes_and_comments() -> None:
    got = extract("review.ppt", (DATA / "two-slides.ppt").read_bytes())
    lines = got.text.splitlines()
    assert lines == [
        "",  # a shape
        "ppt2pptx visual fixture",
        "Comment (ppt2pptx): visual fixture comment",  # a reviewer's, as the converter carries it over
        "second slide",
        "visual fixture speaker note",
    ]
    assert page_words("review.ppt") == ("slide", "line") and got.page_starts == (1, 4)
    assert page_of(got.page_starts, lines.index("visual fixture speaker note") + 1) == (2, 2)  # slide 2, line 2
    assert got.page_names == ("", "")  # its titles are text boxes, not title placeholders
    assert got.note is None


def test_a_table_on_a_slide_is_labelled_by_its_header_row() -> None:
    lines = [line for line in extract("table.ppt", (DATA / "table.ppt").read_bytes()).text.splitlines() if line]
    assert lines == [
        "R1C1 | R1C2 | R1C3",
        "R1C1: R2C1; R1C2: R2C2; R1C3: R2C3",
        "R1C1: R3C1; R1C2: R3C2; R1C3: R3C3",
        "Table fixture",
    ]


def test_what_cannot_be_read_is_skipped_with_the_reason() -> None:
    with pytest.raises(SkippedFile, match=r"notes.ppt is not a PowerPoint 97-2003 presentation \(it is not an OLE"):
        extract("notes.ppt", b"Just notes.\n")
    with pytest.raises(SkippedFile, match=r"book.ppt is not a readable .ppt file \(ppt2pptx: .*Current User\)"):
        extract("book.ppt", excel_97_workbook())
    with pytest.raises(SkippedFile, match=r"cut.ppt is not a readable .ppt file \(ppt2pptx: "):
        extract("cut.ppt", (DATA / "two-slides.ppt").read_bytes()[:3000])
