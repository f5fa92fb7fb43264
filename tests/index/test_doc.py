"""Word 97-2003 documents (.doc): real ones (``data/README.md``), converted to .docx by msdoc2docx and
read as one; what it cannot convert, read by Debian's antiword."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import index.office
from index.errors import SkippedFile
from index.formats import extract
from index.office import Unconverted

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def antiword() -> None:
    assert shutil.which("antiword"), "Debian's antiword is missing: run `make antiword`"


def test_a_word_97_document_reads_as_its_paragraphs_one_a_line() -> None:
    got = extract("harmless-clean.doc", (DATA / "harmless-clean.doc").read_bytes())
    assert got.text.splitlines() == [
        "Test",
        "",
        "This is a harmless test document.",
        "",
        "It contains neither macros nor dde links nor embedded viruses nor links to evil web pages. "
        "Not even a single insult. Boring!",
        "",
        "Just to make things slightly interesting, however, we add some ünicöde-ßtringß and different text "
        "sizes, colors and fonts",
    ]
    assert got.note is None and got.page_starts == ()


def test_a_tables_rows_are_labelled_by_its_header_row_as_a_word_files_are() -> None:
    # Written by WPS Office, which puts a class ID in the file's header where the format wants zeros.
    got = extract("camp.doc", (DATA / "wps-table.doc").read_bytes()).text.splitlines()
    at = got.index("二、三日行程安排")  # "Day-by-day plan"; then the table's header row and three days
    assert got[at + 1 : at + 5] == [
        "日期 | 上午行程 | 下午行程 | 晚上安排",
        "日期: 第一天; 上午行程: 9点集合出发，11点到达营地搭建帐篷; 下午行程: 周边山林徒步，认识野生植物; "
        "晚上安排: 烧烤篝火晚会，分享户外故事",
        "日期: 第二天; 上午行程: 晨起观鸟，自助早餐制作; 下午行程: 湖边垂钓+户外摄影创作; 晚上安排: 星空观影，帐篷夜聊",
        "日期: 第三天; 上午行程: 自然手作体验，收拾整理营地; 下午行程: 12点返程集合，途中农家乐聚餐; "
        "晚上安排: 到家休整，整理照片分享",
    ]  # antiword lays a row out over lines, a wrapped cell going on below: "|第一天 |9点集合出发，11|..."


class PrintedEverywhere:
    """Text recognition that finds one line in any picture (the document's picture is a photo)."""

    def lines(self, image) -> list[str]:
        return [f"Campsite map, {image.width} x {image.height}"]


def test_with_text_recognition_the_print_in_its_pictures_follows_their_paragraph() -> None:
    got = extract("camp.doc", (DATA / "wps-table.doc").read_bytes(), PrintedEverywhere())
    lines = got.text.splitlines()
    lake = next(n for n, line in enumerate(lines) if line.startswith("营地位于城郊云栖谷"))  # "The campsite lies ..."
    # then empty paragraphs, the last holding the photo, followed by its print; then the next heading
    assert lines[lake + 1 : lines.index("四、活动注意事项")] == ["", "", "", "Campsite map, 800 x 534"]
    assert "text in 1 picture(s) read by text recognition" in got.note


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


@pytest.fixture()
def unconverted(monkeypatch) -> None:
    """msdoc2docx cannot convert the document (as one from Word 95 would be): antiword reads it."""

    def refuses(data: bytes, name: str) -> bytes:
        raise Unconverted("UnsupportedFeatureError: Word 95")

    monkeypatch.setattr(index.office, "_doc_as_docx", refuses)


def test_what_msdoc2docx_cannot_convert_antiword_reads(unconverted) -> None:
    got = extract("harmless-clean.doc", (DATA / "harmless-clean.doc").read_bytes())
    assert got.text.splitlines()[:2] == ["Test", "This is a harmless test document."]  # its empty lines left out


def test_what_neither_can_read_is_skipped_with_both_reasons() -> None:
    with pytest.raises(SkippedFile, match=r"notes.doc is not a Word 97-2003 document \(it is not an OLE compound"):
        extract("notes.doc", b"Just notes.\n")
    with pytest.raises(
        SkippedFile,
        match=r"book.doc is not a readable .doc file \(msdoc2docx: StreamNotFound: .*'WordDocument'.*; "
        r"antiword: .* an Excel spreadsheet\)",
    ):
        extract("book.doc", excel_97_workbook())
    with pytest.raises(SkippedFile, match=r"cut.doc is not a readable .doc file \(msdoc2docx: .*; antiword"):
        extract("cut.doc", (DATA / "harmless-clean.doc").read_bytes()[:3000])


def test_without_antiword_a_doc_is_read_and_one_msdoc2docx_cannot_convert_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(index.office.shutil, "which", lambda name: None)
    assert extract("harmless-clean.doc", (DATA / "harmless-clean.doc").read_bytes()).text.startswith("Test")
    with pytest.raises(SkippedFile, match=r"cut.doc is not a readable .doc file \(msdoc2docx: .*install.* antiword"):
        extract("cut.doc", (DATA / "harmless-clean.doc").read_bytes()[:3000])


def test_antiword_is_stopped_at_its_time_limit(monkeypatch, unconverted, tmp_path: Path) -> None:
    stuck = tmp_path / "antiword"
    stuck.write_text("#!/bin/sh\nsleep 30\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(index.office.shutil, "which", lambda name: str(stuck))
    monkeypatch.setattr(index.office, "ANTIWORD_SECONDS", 0.5)
    with pytest.raises(SkippedFile, match=r"slow.doc took antiword over 0.5 s to read; skipped"):
        extract("slow.doc", (DATA / "harmless-clean.doc").read_bytes())


def test_antiword_runs_under_its_memory_limit(monkeypatch, unconverted) -> None:
    monkeypatch.setattr(index.office, "ANTIWORD_BYTES", 1 << 20)  # 1 MB: too little for it to start
    with pytest.raises(SkippedFile, match=r"tight.doc is not a readable .doc file \(msdoc2docx: .*; antiword: "):
        extract("tight.doc", (DATA / "harmless-clean.doc").read_bytes())


def test_a_doc_in_an_archive_or_attached_to_mail_reads_as_one_alone() -> None:
    from email.message import EmailMessage
    from zipfile import ZipFile

    doc = (DATA / "wps-table.doc").read_bytes()
    row = (
        "日期: 第二天; 上午行程: 晨起观鸟，自助早餐制作; 下午行程: 湖边垂钓+户外摄影创作; 晚上安排: 星空观影，帐篷夜聊"
    )
    archive = io.BytesIO()
    with ZipFile(archive, "w") as zipped:
        zipped.writestr("trips/camp.doc", doc)
    message = EmailMessage()
    message["Subject"] = "Spring camp"
    message.set_content("The plan is attached.")
    message.add_attachment(doc, maintype="application", subtype="msword", filename="camp.doc")
    assert row in extract("trips.zip", archive.getvalue()).text.splitlines()
    assert row in extract("camp.eml", message.as_bytes()).text.splitlines()
