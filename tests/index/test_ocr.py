"""Scanned pages and pictures, read by the real Tesseract (installed by `make test`)."""

import io
from pathlib import Path

import pytest
from PIL import Image

from index import ocr as ocr_module
from index.errors import SkippedFile
from index.formats import extract, page_of, reader_version
from index.ocr import OCR, available
from index.progress import listening
from rag.settings import Settings
from tests.conftest import fake_app

LINES = [
    "Harbour report, spring edition.",
    "Maren Holt has kept the Skerry light for 22 years.",
    "Tonnage checked on 2024-07-01: 1,450 t.",
]


@pytest.fixture(scope="module")
def ocr() -> OCR:
    found = available("eng")
    assert isinstance(found, OCR), found  # make test installs tesseract-ocr: a missing one is a failure here
    return found


def scanned(lines: list[str], dpi: int = 200) -> Image.Image:
    """A page of these lines as a scanner sees it: pixels, no text."""
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(scanned_pdf(lines))[0].render(scale=dpi / 72).to_pil().convert("L")


def scanned_pdf(*pages: Image.Image | list[str]) -> bytes:
    """A PDF whose pages are scans (images) or, given lines, text."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for page in pages:
        pdf.add_page()
        if isinstance(page, Image.Image):
            pdf.image(page, x=0, y=0, w=pdf.w)
        else:
            for line in page:
                pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_scanned_pdf_is_read_by_text_recognition_and_says_so(ocr: OCR) -> None:
    got = extract("scan.pdf", scanned_pdf(scanned(LINES)), ocr)
    assert got.text.splitlines() == LINES
    assert got.page_starts == (1,)
    assert got.note == "page 1 read by text recognition (OCR); check what is cited from it"


def test_only_the_pages_without_text_are_recognized(ocr: OCR) -> None:
    mixed = scanned_pdf(["Typed cover page."], scanned(LINES), ["Typed last page."])
    got = extract("mixed.pdf", mixed, ocr)
    assert got.text.splitlines() == ["Typed cover page.", *LINES, "Typed last page."]
    assert got.page_starts == (1, 2, 5) and page_of(got.page_starts, 3) == (2, 2)
    assert got.note.startswith("page 2 read by text recognition")


def test_without_tesseract_a_scan_is_skipped_or_its_pages_noted_with_what_to_install() -> None:
    with pytest.raises(
        SkippedFile, match=r"scan.pdf has no text layer \(a scan\?\); install the tesseract-ocr package"
    ):
        extract("scan.pdf", scanned_pdf(scanned(LINES)))
    got = extract("mixed.pdf", scanned_pdf(["Typed cover page."], scanned(LINES)))
    assert got.text.splitlines() == ["Typed cover page."]
    assert (
        got.note
        == "no text layer on page 2 (scans?), left empty; install the tesseract-ocr package (make run does) to read it"
    )


def test_pictures_are_documents_and_a_multipage_tiff_is_paged(ocr: OCR) -> None:
    png = io.BytesIO()
    scanned(LINES).save(png, format="PNG")
    got = extract("notice.png", png.getvalue(), ocr)
    assert got.text.splitlines() == LINES and got.page_starts == ()
    assert got.note == "read by text recognition (OCR); check what is cited from it"
    tiff = io.BytesIO()
    first, second = scanned(LINES[:1]), scanned(LINES[1:])
    first.save(tiff, format="TIFF", save_all=True, append_images=[second])
    paged = extract("fax.tiff", tiff.getvalue(), ocr)
    assert paged.text.splitlines() == LINES and paged.page_starts == (1, 2)


def test_pictures_too_large_or_not_pictures_are_skipped(ocr: OCR) -> None:
    huge = io.BytesIO()
    Image.new("1", (8000, 8000), 1).save(huge, format="PNG")  # 64 M pixels in a few KB
    assert len(huge.getvalue()) < 100_000
    with pytest.raises(SkippedFile, match="huge.png is 8000 x 8000 pixels, over the 40,000,000 allowed; skipped"):
        extract("huge.png", huge.getvalue(), ocr)
    with pytest.raises(SkippedFile, match=r"fake.jpg is not a readable image \(UnidentifiedImageError\)"):
        extract("fake.jpg", b"not a picture at all", ocr)


def test_no_text_recognition_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    assert available("xyz") == "no text recognition here: Tesseract has no data for xyz (tesseract-ocr-LANG)"
    monkeypatch.setattr(ocr_module.shutil, "which", lambda _: None)
    assert available("eng").startswith("no text recognition here: install the tesseract-ocr package")


def test_a_pdf_stored_without_text_recognition_is_read_again_with_it(
    ocr: OCR, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mixed.pdf").write_bytes(scanned_pdf(["Typed cover page."], scanned(LINES)))
    without = fake_app(settings.model_copy(update={"ocr": False}))
    assert without.ocr is None
    first = without.ingestor.ingest([tmp_path / "docs"])
    assert first.added == ["mixed.pdf"] and "no text layer on page 2" in first.notes[0].reason
    assert reader_version("mixed.pdf", ocr=True) != reader_version("mixed.pdf")  # stored without: read again
    again = fake_app(settings)  # Tesseract is there: the PDF is read again, and its page 2 with it
    assert again.ocr == ocr
    report = again.ingestor.ingest([tmp_path / "docs"])
    assert report.updated == ["mixed.pdf"] and again.library.text("mixed.pdf").splitlines()[1:] == LINES
    assert again.ingestor.ingest([tmp_path / "docs"]).unchanged == ["mixed.pdf"]  # once


def test_a_scan_with_a_typed_page_number_is_recognized_too(ocr: OCR) -> None:
    # The stamp was the page's whole text layer, so the scan itself was never read.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    pdf.image(scanned(LINES), x=0, y=0, w=pdf.w)
    pdf.set_xy(0, pdf.h - 15)
    pdf.cell(pdf.w, 10, "Page 7", align="C")
    got = extract("stamped.pdf", bytes(pdf.output()), ocr)
    assert got.text.splitlines()[:3] == LINES
    assert got.note.startswith("page 1 read by text recognition")
    typed = extract("typed.pdf", scanned_pdf(["Page 7"]), ocr)  # a short page with no picture is just short
    assert typed.text == "Page 7" and typed.note is None


def picture(lines: list[str]) -> io.BytesIO:
    png = io.BytesIO()
    scanned(lines).save(png, format="PNG")
    png.seek(0)
    return png


def test_the_print_in_a_word_files_pictures_follows_their_paragraph(ocr: OCR, tmp_path: Path) -> None:
    # A scanned page pasted into a Word file was a hole in its text.
    import docx
    from docx.shared import Inches

    document = docx.Document()
    document.add_paragraph("The scanned report follows.")
    document.add_paragraph().add_run().add_picture(picture(LINES), width=Inches(6))
    document.add_paragraph().add_run().add_picture(io.BytesIO(icon()), width=Inches(0.3))  # an icon: left out
    document.add_paragraph("End of file.")
    document.save(tmp_path / "pasted.docx")
    data = (tmp_path / "pasted.docx").read_bytes()
    got = extract("pasted.docx", data, ocr)
    assert got.text.splitlines() == ["The scanned report follows.", "", *LINES, "", "End of file."]
    assert got.note == "text in 1 picture(s) read by text recognition (OCR); check what is cited from it"
    without = extract("pasted.docx", data)  # no text recognition here: the pictures are left out, as before
    assert without.text.splitlines() == ["The scanned report follows.", "", "", "End of file."] and not without.note
    assert reader_version("pasted.docx", ocr=True) != reader_version("pasted.docx")  # stored without: read again


def test_the_print_in_a_slides_pictures_is_read_in_its_place(ocr: OCR, tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Spring report"
    slide.shapes.add_picture(picture(LINES), Inches(0.5), Inches(1.5), width=Inches(9))
    slide.shapes.add_picture(picture(LINES), Inches(0.5), Inches(5), width=Inches(2))  # drawn small: read all the same
    deck.save(tmp_path / "report.pptx")
    heard: list[str] = []
    with listening(heard.append):
        got = extract("report.pptx", (tmp_path / "report.pptx").read_bytes(), ocr)
    assert got.text.splitlines() == ["Spring report", *LINES, *LINES] and got.page_names == ("Spring report",)
    assert heard[0] == "picture 1"  # seconds each: the bar says how far a deck of scans has got
    assert got.note == "text in 2 picture(s) read by text recognition (OCR); check what is cited from it"


def test_pictures_past_the_most_or_that_are_no_pictures_are_counted_not_fatal(ocr: OCR) -> None:
    from index.ocr import Pictures

    pictures = Pictures(ocr, most=1)
    assert pictures.lines(picture(LINES).getvalue()) == LINES
    assert pictures.lines(picture(LINES).getvalue()) == []  # past the most
    assert Pictures(ocr).lines(icon()) == []  # too small to hold print: not even tried
    damaged = Pictures(ocr)
    assert damaged.lines(picture(LINES).getvalue()[:2000]) == []  # cut short: counted
    assert damaged.lines(b"\x01\x00\x00\x00 an EMF drawing") == [] and damaged.lines(b"") == []  # no picture of print
    assert pictures.note() == (
        "text in 1 picture(s) read by text recognition (OCR); check what is cited from it; "
        "1 picture(s) past the first 1 left unread"
    )
    assert damaged.note() == "1 picture(s) could not be read by text recognition"
    assert Pictures(None).lines(picture(LINES).getvalue()) == [] and Pictures(None).note() is None


def icon() -> bytes:
    """A bullet or logo: too small to hold a line of print."""
    out = io.BytesIO()
    Image.new("L", (64, 64), 0).save(out, format="PNG")
    return out.getvalue()


def test_the_print_in_writer_and_impress_pictures_is_read_as_in_word_and_powerpoint(ocr: OCR) -> None:
    from odf import draw

    from tests.index.test_graphics import one_slide, writer_with

    def framed(doc) -> draw.Frame:
        frame = draw.Frame(width="16cm", height="6cm", x="1cm", y="1cm", anchortype="paragraph")
        frame.addElement(draw.Image(href=doc.addPictureFromString(picture(LINES).getvalue(), "image/png")))
        return frame

    data = writer_with(framed, "The scanned report follows.", "End of file.")
    got = extract("pasted.odt", data, ocr)
    assert got.text.splitlines() == ["The scanned report follows.", "", *LINES, "End of file."]
    assert got.note == "text in 1 picture(s) read by text recognition (OCR); check what is cited from it"
    assert extract("pasted.odt", data).text.splitlines() == ["The scanned report follows.", "", "End of file."]

    slides = extract("report.odp", one_slide(framed), ocr)
    assert slides.text.splitlines() == LINES and slides.page_starts == (1,) and slides.note
    assert reader_version("a.odt", ocr=True) != reader_version("a.odt")
    assert reader_version("a.odp", ocr=True) != reader_version("a.odp")


def test_the_print_in_a_tables_pictures_follows_its_rows(ocr: OCR, tmp_path: Path) -> None:
    # A form scanned into a table cell (Word's and Writer's layout tables) was left out.
    import docx
    from docx.shared import Inches
    from odf import draw, table, text
    from odf.opendocument import OpenDocumentText

    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    for row, values in zip(grid.rows, [["Item", "Filed", "Scan"], ["Report", "2024-07-01", ""]], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    grid.rows[1].cells[2].paragraphs[0].add_run().add_picture(picture(LINES), width=Inches(3))
    document.add_paragraph("End of file.")
    document.save(tmp_path / "form.docx")
    got = extract("form.docx", (tmp_path / "form.docx").read_bytes(), ocr)
    assert got.text.splitlines() == ["Item | Filed | Scan", "Item: Report; Filed: 2024-07-01", *LINES, "End of file."]
    assert got.note == "text in 1 picture(s) read by text recognition (OCR); check what is cited from it"

    writer = OpenDocumentText()
    grid = table.Table(name="Form")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=3))
    for values in (("Item", "Filed", "Scan"), ("Report", "2024-07-01", None)):
        row = table.TableRow()
        for value in values:
            cell = table.TableCell()
            holder = text.P(text=value or "")
            if value is None:
                frame = draw.Frame(width="8cm", height="4cm", anchortype="as-char")
                png = writer.addPictureFromString(picture(LINES).getvalue(), "image/png")
                frame.addElement(draw.Image(href=png))
                holder.addElement(frame)
            cell.addElement(holder)
            row.addElement(cell)
        grid.addElement(row)
    writer.text.addElement(grid)
    writer.text.addElement(text.P(text="End of file."))
    writer.save(str(tmp_path / "form.odt"))
    got = extract("form.odt", (tmp_path / "form.odt").read_bytes(), ocr)
    assert got.text.splitlines() == ["Item | Filed | Scan", "Item: Report; Filed: 2024-07-01", *LINES, "End of file."]
    assert reader_version("a.docx", ocr=True) > 5 and reader_version("a.odt", ocr=True) > 4  # stored: read again


def test_the_print_in_pictures_attached_to_mail_is_read_after_their_names(ocr: OCR) -> None:
    from tests.index.test_formats import make_message

    fax = io.BytesIO()
    scanned(LINES[:1]).save(fax, format="TIFF", save_all=True, append_images=[scanned(LINES[1:])])
    attached = {"scan.png": picture(LINES).getvalue(), "logo.png": icon(), "fax.tif": fax.getvalue()}
    data = make_message("maren@example.org", "Report", "Scanned, attached.\n", attach=attached).as_bytes()
    got = extract("report.eml", data, ocr)
    assert got.text.splitlines()[5:] == [
        "Scanned, attached.",
        "",
        "Attachment: scan.png",
        *LINES,
        "Attachment: logo.png",  # a signature's logo: too small to hold print, named only
        "",
        "Attachment: fax.tif",
        *LINES,  # each page of a fax, in order
    ]
    assert got.note == "text in 2 picture(s) read by text recognition (OCR); check what is cited from it"
    without = extract("report.eml", data)  # no text recognition here: pictures named, as before
    assert without.text.splitlines()[-3:] == ["Attachment: scan.png", "Attachment: logo.png", "Attachment: fax.tif"]
    assert without.note is None and reader_version("report.eml", ocr=True) > reader_version("report.eml")


def test_a_charts_picture_is_not_read_by_text_recognition_when_its_data_is_read(ocr: OCR, tmp_path: Path) -> None:
    # LibreOffice keeps a picture of each chart beside it for readers that cannot draw one; its print
    # would repeat the chart's data, less exactly.
    from odf import draw, text
    from odf.opendocument import OpenDocumentText

    from tests.index.test_graphics import ODF_CHART_LINES, odf_chart

    writer = OpenDocumentText()
    frame = draw.Frame(width="16cm", height="6cm", anchortype="paragraph")
    frame.addElement(draw.Object(href=writer.addObject(odf_chart())))
    frame.addElement(draw.Image(href=writer.addPictureFromString(picture(LINES).getvalue(), "image/png")))
    holder = text.P()
    holder.addElement(frame)
    writer.text.addElement(holder)
    writer.save(str(tmp_path / "report.odt"))
    got = extract("report.odt", (tmp_path / "report.odt").read_bytes(), ocr)
    assert got.text.splitlines() == ["", *ODF_CHART_LINES] and got.note is None
