"""Office files saved with macros (.docm, .pptm, .xlsm) read as their plain kinds: the same parts,
under another content type for the main one (and a vbaProject.bin, never run nor read)."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from pptx import Presentation

from index.errors import SkippedFile
from index.formats import extract, page_words, reader_version

PLAIN = "application/vnd.openxmlformats-officedocument"
MACRO = {
    ".docm": (f"{PLAIN}.wordprocessingml.document.main+xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
    ".pptm": (
        f"{PLAIN}.presentationml.presentation.main+xml",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    ),
    ".xlsm": (f"{PLAIN}.spreadsheetml.sheet.main+xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
}


def saved(thing) -> bytes:
    out = io.BytesIO()
    thing.save(out)
    return out.getvalue()


def with_macros(package: bytes, suffix: str) -> bytes:
    """``package`` as Office saves it with macros: its main part's content type changed, and a VBA
    project beside it."""
    plain, macro = MACRO[suffix]
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                assert plain.encode() in data
                data = data.replace(plain.encode(), macro.encode()).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            target.writestr(item, data)
        target.writestr("vbaProject.bin", b"\xd0\xcf\x11\xe0 not run, not read")
    return out.getvalue()


def test_a_word_document_with_macros_reads_as_a_docx() -> None:
    document = docx.Document()
    document.add_paragraph("Skerry light was lit in 1902.")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Light", "Lit", "Skerry", "1902"], strict=True):
        cell.text = text
    plain = saved(document)
    got = extract("lights.docm", with_macros(plain, ".docm"))
    assert (
        got.text
        == extract("lights.docx", plain).text
        == "Skerry light was lit in 1902.\nLight | Lit\nLight: Skerry; Lit: 1902"
    )
    assert reader_version("lights.docm", ocr=True) == reader_version("lights.docx", ocr=True)


def test_a_deck_and_a_workbook_with_macros_read_as_theirs() -> None:
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = "Tonnage"
    got = extract("review.pptm", with_macros(saved(deck), ".pptm"))
    assert got.text == "Tonnage" and got.page_names == ("Tonnage",) and page_words("review.pptm") == ("slide", "line")

    book = openpyxl.Workbook()
    book.active.title = "Keepers"
    book.active.append(["Light", "Keeper"])
    book.active.append(["Skerry", "Ann"])
    got = extract("rota.xlsm", with_macros(saved(book), ".xlsm"))
    assert got.text.splitlines() == ["Light | Keeper", "Light: Skerry; Keeper: Ann"]
    assert got.page_names == ("Keepers",) and page_words("rota.xlsm") == ("sheet", "row")


def test_a_docm_that_is_no_word_document_is_skipped_as_a_docm() -> None:
    with pytest.raises(SkippedFile, match=r"deck.docm is not a readable .docm file \(ValueError\)"):
        extract("deck.docm", with_macros(saved(Presentation()), ".pptm"))
