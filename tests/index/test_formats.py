"""Each format from a real file the test writes with that format's own library."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from index.errors import SkippedFile
from index.formats import extract, page_of, page_words, reader_version
from index.loaders import load_paths

HOSTILE_HTML = """<html><head><title>T</title><style>p{color:red}</style></head><body>
<h1>Harbour report</h1><script>alert('x')</script>
<p>Ships arrived <b>on time</b>.</p><img src=x onerror="alert(1)"><p>Cranes were idle.</p>
<noscript>enable js</noscript></body></html>"""


def make_pdf(path: Path, pages: list[list[str]], password: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    if password:
        pdf.set_encryption(owner_password=password, user_password=password)
    pdf.output(str(path))
    return path


def test_html_keeps_visible_text_only() -> None:
    text = extract("page.html", HOSTILE_HTML.encode()).text
    assert text.splitlines() == ["Harbour report", "Ships arrived on time.", "Cranes were idle."]
    assert "alert" not in text and "color" not in text and "enable js" not in text


def test_an_html_page_is_read_in_the_charset_it_declares() -> None:
    # A page an older editor saved in Windows-1252 was read as UTF-8: every "é" and curly quote replaced.
    page = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
    got = extract("old.htm", page + b"<p>Caf\xe9 \x93Skerry\x94 \x96 1851</p></html>")
    assert got.text == "Café “Skerry” – 1851" and got.note is None  # Latin-1 read as browsers read it: cp1252
    utf8 = extract("new.html", "<p>Café “Skerry”</p>".encode())
    assert utf8.text == "Café “Skerry”" and utf8.note is None
    undeclared = extract("odd.html", b"<p>Caf\xe9</p>")  # nothing declared, not UTF-8: as a text file, and said
    assert undeclared.text == "Café" and "read as Windows-1252" in undeclared.note
    notepad = extract("unicode.html", "<p>Café “Skerry”</p>".encode("utf-16"))  # Notepad's "Unicode": refused as
    assert notepad.text == "Café “Skerry”"  # binary (its NUL bytes) before
    assert reader_version("old.htm") == reader_version("old.html") > 2  # stored pages are read again


def saved_page(html: str, charset: str = "utf-8") -> bytes:
    """A web page saved as one file, as Chrome's "Save page as... single file" writes it (MHTML):
    the page quoted-printable, then a picture it shows, then a frame's own page."""
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    archive = MIMEMultipart("related", type="text/html")
    archive["From"] = "<Saved by Blink>"
    archive["Snapshot-Content-Location"] = "https://harbour.example/report"
    page = MIMEText(html, "html", charset)
    page["Content-Location"] = "https://harbour.example/report"
    archive.attach(page)
    archive.attach(MIMEImage(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "png"))
    archive.attach(MIMEText("<p>An advert in a frame.</p>", "html", "utf-8"))
    return archive.as_bytes()


def test_a_web_page_saved_as_one_file_reads_as_its_page_does() -> None:
    # Chrome's and Edge's "Save page as... single file" (.mhtml) and Word's "Single File Web Page" (.mht)
    # were skipped as an unsupported type.
    data = saved_page(HOSTILE_HTML + "<p>Tonnage: 1,450 t — über plan.</p>")
    for name in ("report.mhtml", "report.MHT"):
        text = extract(name, data).text
        assert text.splitlines() == ["Harbour report", "Ships arrived on time.", "Cranes were idle.",
                                     "Tonnage: 1,450 t — über plan."]  # fmt: skip
    assert "advert" not in text and "PNG" not in text  # the page alone: not its frames, nor its pictures
    assert extract("latin.mht", saved_page("<p>Tonnage über plan.</p>", "latin-1")).text == "Tonnage über plan."
    with pytest.raises(SkippedFile, match=r"notes.mht is not a saved web page \(it holds no HTML page\)"):
        extract("notes.mht", b"Subject: hi\n\njust text\n")
    assert extract("page.xhtml", b"<html><body><p>Skerry light.</p></body></html>").text == "Skerry light."
    chrome = saved_page('<meta charset="windows-1252"><p>café “open”</p>', "windows-1252").replace(
        b'text/html; charset="windows-1252"', b"text/html"
    )  # Chrome names no charset on the page's part: its own meta tag says it
    assert b'charset="windows-1252"\n' not in chrome and extract("chrome.mhtml", chrome).text == "café “open”"
    message = make_message("port@example.org", "Report", "See the page.\n", attach={"report.mhtml": data})
    assert "Tonnage: 1,450 t — über plan." in extract("fwd.eml", message.as_bytes()).text  # attached: read too


def test_an_html_data_tables_rows_are_lines_labelled_by_its_header_and_a_layout_table_is_text() -> None:
    # Each cell was a line of its own: "22" on a line, nothing saying it is Skerry's height.
    page = """<h1>Lights</h1><table><caption>Lights of <b>Cork</b></caption>
    <thead><tr><th>Light</th><th>County</th><th>Height (m)</th></tr></thead>
    <tbody><tr><td>Skerry</td><td rowspan="2">Cork</td><td>22</td></tr><tr><td><p>Hallo Head</p></td><td>31</td></tr>
    <tr><td colspan="2">Total</td><td>53</td></tr></tbody></table>
    <table><tr><td>1851</td><td>22</td></tr><tr><td>1902</td><td>31</td></tr></table>
    <table><tr><th>Keeper</th><td>Maren Holt</td></tr><tr><th>Lit</th><td>1851</td></tr></table>
    <table><tr><th>Port</th><th>2023</th><th>2024</th></tr><tr><td>Skerry</td><td>1,450</td><td>1,610</td></tr></table>
    <table><tr><td>Light</td><td>County</td><td>Range</td></tr><tr><td>Skerry</td><td>Cork</td><td>17</td></tr></table>
    <table><tr><td><table><tr><td>Menu</td></tr></table></td><td>Ships arrived on time.</td></tr>
    <tr><td>Logo</td><td>Cranes were idle.</td></tr></table>
    <table><tr><td>Note</td><td>x</td></tr><tr><td>Long</td><td>%s</td></tr></table>""" % ("word " * 80)
    assert extract("lights.html", page.encode()).text.splitlines() == [
        "Lights",
        "Lights of Cork",  # the caption
        "Light | County | Height (m)",
        "Light: Skerry; County: Cork; Height (m): 22",
        "Light: Hallo Head; County: Cork; Height (m): 31",  # a cell spanning two rows says so in each
        "Light: Total; Height (m): 53",  # one spanning two columns fills the first
        "1851 | 22",  # no header: the cells joined, a row a line
        "1902 | 31",
        "Keeper | Maren Holt",  # th cells heading rows, not columns: joined too
        "Lit | 1851",
        "Port | 2023 | 2024",  # a header of th cells, though it holds numbers
        "Port: Skerry; 2023: 1,450; 2024: 1,610",
        "Light | County | Range",  # no th: a first row of words heads three columns or more, as a sheet's
        "Light: Skerry; County: Cork; Range: 17",
        "Menu",  # a table holding a table lays the page out: its cells stay blocks of text
        "Ships arrived on time.",
        "Logo",
        "Cranes were idle.",
        "Note",  # and so does one with a cell of a paragraph's length
        "x",
        "Long",
        ("word " * 80).strip(),
    ]


def test_pdf_lines_map_to_pages(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "r.pdf", [["Alpha one", "Alpha two"], ["Beta one", "Beta two", "Beta three"]])
    got = extract("r.pdf", pdf.read_bytes())
    lines = got.text.splitlines()
    assert lines == ["Alpha one", "Alpha two", "Beta one", "Beta two", "Beta three"]
    assert got.page_starts == (1, 3)
    assert page_of(got.page_starts, lines.index("Beta two") + 1) == (2, 2)


def test_docx_paragraphs_become_lines(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for text in ["First paragraph.", "Second paragraph."]:
        document.add_paragraph(text)
    document.save(tmp_path / "n.docx")
    assert extract("n.docx", (tmp_path / "n.docx").read_bytes()).text == "First paragraph.\nSecond paragraph."


def make_docx_with_a_table(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("Quarterly tonnage by port.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["Port", "Q1", "Q2"], ["Skerry", "1,200", "1,450"], ["Total", "", "2,650"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(2, 0).merge(table.cell(2, 1))  # "Total" spans two columns
    document.add_paragraph("Skerry grew in the second quarter.")
    document.save(path)
    return path


def test_docx_tables_become_one_line_a_row_in_their_place(tmp_path: Path) -> None:
    # Only paragraphs were read: every table in a Word report was left out, figures and all.
    docx_file = make_docx_with_a_table(tmp_path / "t.docx")
    assert extract("t.docx", docx_file.read_bytes()).text.splitlines() == [
        "Quarterly tonnage by port.",
        "Port | Q1 | Q2",
        "Port: Skerry; Q1: 1,200; Q2: 1,450",  # labelled by the header row (index.tables)
        "Port: Total; Q2: 2,650",  # the merged cell once, the figure still under Q2
        "Skerry grew in the second quarter.",
    ]


def test_a_word_table_that_holds_a_table_lays_the_page_out_and_its_cells_read_as_blocks() -> None:
    # A cell's nested table was read as nothing: python-docx's cell text is its paragraphs alone, so
    # a form's inner table of figures was answerable from no line.
    import docx

    document = docx.Document()
    form = document.add_table(rows=2, cols=2)
    form.cell(0, 0).merge(form.cell(0, 1)).text = "Inspection of Kestrel Bay light"
    form.cell(1, 0).text = "Kestrel Bay"
    inner = form.cell(1, 1).add_table(rows=2, cols=3)
    for r, row in enumerate([["Light", "Height (m)", "Range (nmi)"], ["Kestrel Bay", "11", "18"]]):
        for c, text in enumerate(row):
            inner.cell(r, c).text = text
    document.add_paragraph("Signed by the keeper.")
    out = io.BytesIO()
    document.save(out)
    assert extract("form.docx", out.getvalue()).text.splitlines() == [
        "Inspection of Kestrel Bay light",  # the merged cell once
        "Kestrel Bay",
        "",  # the cell's paragraphs as Word keeps them: one before its table, one after
        "Light | Height (m) | Range (nmi)",
        "Light: Kestrel Bay; Height (m): 11; Range (nmi): 18",  # the inner table, a data table
        "",
        "Signed by the keeper.",
    ]


def make_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = "Harbour review"
    title.placeholders[1].text = "Second quarter"
    body = deck.slides.add_slide(deck.slide_layouts[5])  # title only: the rest added below
    body.shapes.title.text = "Tonnage"
    table = body.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for r, row in enumerate([["Port", "Q2"], ["Skerry", "1,450"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    group = body.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(4), Inches(4), Inches(1)).text_frame.text = "Cranes were idle\vin May."
    body.notes_slide.notes_text_frame.text = "Mention the new crane."
    deck.save(path)
    return path


def test_pptx_slides_are_pages_of_paragraphs_tables_and_notes(tmp_path: Path) -> None:
    got = extract("deck.pptx", make_pptx(tmp_path / "deck.pptx").read_bytes())
    lines = got.text.splitlines()
    assert lines == [
        "Harbour review",
        "Second quarter",
        "Tonnage",
        "Port | Q2",
        "Port: Skerry; Q2: 1,450",
        "Cranes were idle in May.",
        "Mention the new crane.",
    ]
    assert got.page_starts == (1, 3)
    assert page_of(got.page_starts, lines.index("Port: Skerry; Q2: 1,450") + 1) == (2, 3)  # slide 2, line 3
    assert page_words("deck.pptx") == ("slide", "line") and got.page_names == ("Harbour review", "Tonnage")


def make_xlsx(path: Path) -> Path:
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Tonnage"
    first.append(["Port", "Q1", "Q2", "Total"])
    first.append(["Skerry", 1200, 1450, "=B2+C2"])
    first.append([])
    first.append(["Checked", datetime.datetime(2024, 7, 1), None, None])
    first["A40"].number_format = "0.00"  # formatting alone, far below: no rows of its own
    second = book.create_sheet("Crews")
    second.append(["Maren Holt", "keeper"])
    book.save(path)
    return path


def test_xlsx_sheets_are_pages_and_a_line_is_a_row(tmp_path: Path) -> None:
    got = extract("book.xlsx", make_xlsx(tmp_path / "book.xlsx").read_bytes())
    lines = got.text.splitlines()
    # The formula shows its cached value, as Excel does; one written by a library has none yet: empty.
    assert lines == [
        "Port | Q1 | Q2 | Total",
        "Port: Skerry; Q1: 1200; Q2: 1450",  # labelled by the header row (index.tables)
        "",
        "Checked | 2024-07-01",  # a date in its first row: no header, so cells as they are
        "Maren Holt | keeper",
    ]
    assert got.page_starts == (1, 5) and got.page_names == ("Tonnage", "Crews")  # citations name the sheet
    assert page_of(got.page_starts, 5) == (2, 1) and page_words("book.xlsx") == ("sheet", "row")


def test_an_xlsx_is_read_by_its_cells_not_the_size_it_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # openpyxl pads every row to the width a sheet declares: 1,000 rows of a sheet that says it is
    # 16,384 columns wide were 16 million cells.
    import zipfile

    from openpyxl import Workbook

    import index.office

    book = Workbook()
    for n in range(1, 1001):
        book.active.append([f"Entry {n}", n])
    book.save(tmp_path / "book.xlsx")
    swollen = tmp_path / "swollen.xlsx"  # the same cells, in a sheet that says it is 16,384 x 1,048,576
    with zipfile.ZipFile(tmp_path / "book.xlsx") as source, zipfile.ZipFile(swollen, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(item, data)
    text = extract("swollen.xlsx", swollen.read_bytes()).text
    assert text == extract("book.xlsx", (tmp_path / "book.xlsx").read_bytes()).text
    assert text.splitlines()[-1] == "Entry 1000 | 1000"
    monkeypatch.setattr(index.office, "MOST_CELLS", 1999)  # and one that holds too many is refused
    with pytest.raises(SkippedFile, match="has more than 1,999 cells; skipped"):
        extract("book.xlsx", (tmp_path / "book.xlsx").read_bytes())


def make_epub(path: Path) -> Path:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("lights-1")
    book.set_title("Lights of the coast")
    book.set_language("en")
    chapters = []
    for n, (light, keeper) in enumerate([("north", "Maren Holt"), ("south", "Asa Lind")], start=1):
        chapter = epub.EpubHtml(title=f"The {light} light", file_name=f"c{n}.xhtml", lang="en")
        chapter.content = f"<h1>The {light} light</h1><p>{keeper} keeps it.</p><script>track()</script>"
        book.add_item(chapter)
        chapters.append(chapter)
    blank = epub.EpubHtml(title="Blank", file_name="blank.xhtml", lang="en")
    blank.content = "<p></p>"
    book.add_item(blank)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())  # the table of contents, in the reading order as many books have it
    book.spine = ["nav", chapters[0], blank, chapters[1]]
    epub.write_epub(str(path), book)
    return path


def test_epub_sections_in_reading_order_are_pages_of_visible_text(tmp_path: Path) -> None:
    got = extract("lights.epub", make_epub(tmp_path / "lights.epub").read_bytes())
    assert got.text.splitlines() == ["The north light", "Maren Holt keeps it.", "The south light", "Asa Lind keeps it."]
    assert got.page_starts == (1, 3)  # the blank document is not a section, nor the table of contents
    assert page_words("lights.epub") == ("section", "line")
    assert got.page_names == ("The north light", "The south light")  # each section by its first heading
    with pytest.raises(SkippedFile, match="not a readable .epub"):
        extract("broken.epub", b"PK\x03\x04 nope")


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".xlsx", ".odt", ".ods", ".odp", ".epub", ".zip"])
def test_a_zipped_document_that_would_unpack_too_large_is_refused_before_it_is_read(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2 MB of zeros pack into ~2 KB: the same at scale, a few MB that unpack to many GB, took the
    # reader's memory (each reads an archive's XML whole).
    import zipfile

    import index.formats

    monkeypatch.setattr(index.formats, "MOST_UNZIPPED", 2**20)
    bomb = tmp_path / f"bomb{suffix}"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(2 * 2**20))
    assert bomb.stat().st_size < 10_000
    with pytest.raises(SkippedFile, match="would unpack to 2 MB, over the 1 MB allowed; skipped"):
        extract(bomb.name, bomb.read_bytes())


def test_whatever_a_readers_library_raises_skips_that_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Only the errors each reader expected became a skip: anything else a parser raised on hostile
    # bytes (lxml's XMLSyntaxError did) ended the whole ingestion.
    import index.office

    def choke(data: bytes, name: str, ocr: object, suffix: str) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(index.office, "docx_text", choke)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "deep.docx").write_bytes(b"PK")
    (tmp_path / "docs" / "fine.txt").write_text("Fine.\n")
    result = load_paths([tmp_path / "docs"])
    assert [d.id_ for d in result.documents] == ["fine.txt"]
    assert [str(s) for s in result.skipped] == ["deep.docx could not be read (RecursionError); skipped"]
    assert "reading deep.docx failed" in caplog.text  # with its traceback, for whoever looks into it


@pytest.mark.parametrize("suffix", [".rst", ".org", ".adoc", ".tex", ".log"])
def test_plain_text_formats_are_read_as_they_are(suffix: str) -> None:
    text = "port,tonnage\nSkerry,1450\n"
    assert extract(f"data{suffix.upper()}", text.encode()).text == text


def test_a_csv_is_read_as_rows_labelled_by_its_header_line_for_line() -> None:
    text = (
        'Light,County,Note,Height (m)\nSkerry Point,Cork,"repainted\nin April",22\nHallo Head,,plain,31\n\nTotal,,,53\n'
    )
    got = extract("lights.csv", text.encode())
    assert got.text.splitlines() == [
        "Light | County | Note | Height (m)",
        "Light: Skerry Point; County: Cork; Note: repainted in April; Height (m): 22",
        "",  # the record's second line: line 4 is still the file's line 4
        "Light: Hallo Head; Note: plain; Height (m): 31",
        "",
        "Total |  |  | 53",  # a block after an empty row, with no header of its own
    ]
    assert got.note is None
    tsv = extract("lights.tsv", b"Light\tHeight\nSkerry, Cork\t22\n").text
    assert tsv.splitlines() == ["Light | Height", "Light: Skerry, Cork; Height: 22"]


def test_a_tables_rows_go_on_under_its_header_past_spacer_rows() -> None:
    # A spacer row (people group a sheet's rows with them) ended the labels: the rows after it read
    # "Kestrel Bay | Cork | 1933 | 17", their columns unnamed.
    text = (
        "Light,County,Built,Range (nmi)\nSkerry Point,Cork,1851,22\n\nKestrel Bay,Cork,1933,17\n,,,\n"
        "Hallo Head,Kerry,1902,31\n\nTotal,,,70\n\nMap,Area,Scale,Sheet,Year\nCork,South,1:50000,86,2019\n"
    )
    assert extract("lights.csv", text.encode()).text.splitlines() == [
        "Light | County | Built | Range (nmi)",
        "Light: Skerry Point; County: Cork; Built: 1851; Range (nmi): 22",
        "",
        "Light: Kestrel Bay; County: Cork; Built: 1933; Range (nmi): 17",  # past a spacer row
        "",
        "Light: Hallo Head; County: Kerry; Built: 1902; Range (nmi): 31",  # and an empty one
        "",
        "Total |  |  | 70",  # too few cells to be a row of the table: a note
        "",
        "Map | Area | Scale | Sheet | Year",  # another table, headed by its own
        "Map: Cork; Area: South; Scale: 1:50000; Sheet: 86; Year: 2019",
    ]


def test_a_headerless_table_after_a_spacer_is_not_labelled_by_the_table_above() -> None:
    # Its rows looked like rows of the table above (a number among 3 cells, no wider): "Light: 2019;
    # County: South; Built: 86", the labels of another table's columns on numbers they never named.
    text = (
        "Light,County,Built,Range (nmi)\n\nSkerry Point,Cork,1851,22\n\nHallo Head,Kerry,n/a,31\n"
        "\n2019,South,86\n2020,North,91\n"
    )
    assert extract("lights.csv", text.encode()).text.splitlines() == [
        "Light | County | Built | Range (nmi)",
        "",
        "Light: Skerry Point; County: Cork; Built: 1851; Range (nmi): 22",  # under the header, past a spacer
        "",
        "Light: Hallo Head; County: Kerry; Built: n/a; Range (nmi): 31",  # one cell of four unlike the row above
        "",
        "2019 | South | 86",  # a year under a light's name: another table, its columns unnamed
        "2020 | North | 91",
    ]


def test_a_csv_without_a_header_or_that_is_no_table_is_read_as_it_is() -> None:
    data = "Skerry Point,22\nHallo Head,31\n"
    assert extract("lights.csv", data.encode()).text == data  # a number in the first row: no header
    huge = 'a,b\n"' + "x" * 200_000 + '",1\n'
    got = extract("huge.csv", huge.encode())
    assert got.text == huge
    assert (
        got.note == "could not be read as a table (line 2: field larger than field limit (131072)); read as plain text"
    )


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".xlsx", ".odt", ".ods", ".odp", ".epub"])
def test_corrupt_office_files_and_books_get_clear_errors(suffix: str) -> None:
    # A zip whose XML is malformed raised lxml's XMLSyntaxError out of the whole ingestion.
    with pytest.raises(SkippedFile, match=f"not a readable \\{suffix} file"):
        extract(f"broken{suffix}", b"PK\x03\x04 nope")
    malformed = io.BytesIO()
    with zipfile.ZipFile(malformed, "w") as archive:
        for part in ("[Content_Types].xml", "word/document.xml", "META-INF/container.xml"):
            archive.writestr(part, "<Types><not closed")
    with pytest.raises(SkippedFile, match=f"not a readable \\{suffix} file"):
        extract(f"malformed{suffix}", malformed.getvalue())


def test_encrypted_and_corrupt_pdfs_get_clear_errors(tmp_path: Path) -> None:
    locked = make_pdf(tmp_path / "locked.pdf", [["secret"]], password="pw")
    with pytest.raises(SkippedFile, match="encrypted PDF"):
        extract("locked.pdf", locked.read_bytes())
    with pytest.raises(SkippedFile, match="not a readable PDF"):
        extract("broken.pdf", b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(SkippedFile, match="not a readable .docx"):
        extract("broken.docx", b"PK\x03\x04 nope")


def test_a_mixed_folder_ingests_what_it_can(tmp_path: Path) -> None:
    make_pdf(tmp_path / "a.pdf", [["Page one text"]])
    (tmp_path / "b.html").write_text(HOSTILE_HTML)
    (tmp_path / "c.pdf").write_bytes(b"garbage")
    result = load_paths([tmp_path])
    assert [d.id_ for d in result.documents] == ["a.pdf", "b.html"]
    assert result.documents[0].metadata["page_starts"] == "1"
    assert [s.file for s in result.skipped] == ["c.pdf"]


def make_message(
    sender: str, subject: str, plain: str | None, html: str | None = None, attach: dict[str, bytes] | None = None
):
    """A message; ``attach``: attachments by file name (their MIME type is not what a reader goes by)."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Date"] = sender, "harbour@example.org", "Tue, 3 Sep 2024 09:15:00 +0000"
    message["Subject"] = subject
    if plain is not None:
        message.set_content(plain)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, data in (attach or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return message


def test_an_email_reads_as_its_headers_then_its_plain_body_then_its_attachments_names() -> None:
    message = make_message(
        "Maren Holt <maren@example.org>",
        "Skerry light: lamp replaced — über alles",  # not ASCII: sent as an encoded word
        "The lamp was replaced on Monday.\nIt burns 1450 hours a year.\n",
        html="<p>The lamp was <b>replaced</b> on Monday.</p><script>x()</script>",
        attach={"logo.png": b"\x89PNG\r\n\x1a\n a signature's picture, not read"},
    )
    assert b"=?utf-8?" in message.as_bytes()
    got = extract("lamp.eml", message.as_bytes())
    assert got.text.splitlines() == [
        "From: Maren Holt <maren@example.org>",
        "To: harbour@example.org",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Skerry light: lamp replaced — über alles",
        "",
        "The lamp was replaced on Monday.",
        "It burns 1450 hours a year.",
        "Attachment: logo.png",
    ]
    assert got.page_starts == () and got.note is None


def test_an_emails_attached_documents_are_read_after_their_names(tmp_path: Path) -> None:
    import docx

    make_pdf(tmp_path / "report.pdf", [["Lamp hours: 1450."], ["Fog horn: tested."]])
    document = docx.Document()
    document.add_paragraph("Keeper: Maren Holt.")
    document.save(tmp_path / "rota.docx")
    attachments = {
        "report.pdf": (tmp_path / "report.pdf").read_bytes(),
        "rota.docx": (tmp_path / "rota.docx").read_bytes(),
        "broken.docx": b"PK not a zip",
        "photo.jpg": b"\xff\xd8\xff not a picture: named only",
        "notes.txt": "Café\n".encode() + b"\xff",  # UTF-8 with a damaged byte
    }
    message = make_message("maren@example.org", "Reports", "Both attached.\n", attach=attachments)
    got = extract("reports.eml", message.as_bytes())
    assert got.text.splitlines()[4:] == [
        "",
        "Both attached.",
        "",
        "Attachment: report.pdf",
        "Lamp hours: 1450.",
        "Fog horn: tested.",  # a PDF's pages are lines of the message, which has no pages
        "",
        "Attachment: rota.docx",
        "Keeper: Maren Holt.",
        "Attachment: broken.docx",
        "Attachment: photo.jpg",
        "",
        "Attachment: notes.txt",
        "Café",
        "\ufffd",
    ]
    assert got.note == (
        "has an attachment that was not read: broken.docx is not a readable .docx file (BadZipFile); "
        "attachment notes.txt: was not valid UTF-8 (first bad byte at 6); decoded with replacement characters"
    )  # what reading an attachment noted is said too (a page read by OCR: check what is cited from it)
    assert reader_version("reports.eml") > 1 and reader_version("box.mbox") > 1  # stored mail is read again


def test_attached_messages_are_read_in_their_place_down_to_the_most_nested() -> None:
    from index.mail import MOST_NESTED

    report = make_message("asa@example.org", "Fog horn", "Tested on Friday.\n", attach={"hours.txt": b"1450 h\n"})
    forward = make_message("maren@example.org", "Fwd: Fog horn", "See below.\n")
    forward.add_attachment(report)  # "forward as attachment": a message/rfc822 part
    message = make_message("port@example.org", "Log", "Two forwards.\n", attach={"sent.eml": forward.as_bytes()})
    lines = extract("log.eml", message.as_bytes()).text.splitlines()
    assert lines[4:] == [
        "",
        "Two forwards.",
        "",
        "Attachment: sent.eml",  # an attached .eml file
        "From: maren@example.org",
        "To: harbour@example.org",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Fwd: Fog horn",
        "",
        "See below.",
        "",
        "Attachment: message/rfc822",  # a forward has no file name
        "From: asa@example.org",
        "To: harbour@example.org",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Fog horn",
        "",
        "Tested on Friday.",
        "",
        "Attachment: hours.txt",  # an attached message's attachments are read as its own
        "1450 h",
    ]
    nested = make_message("a@example.org", "Deepest", "Too deep to open.\n")
    for depth in range(MOST_NESTED + 1):
        outer = make_message("a@example.org", f"Fwd {depth}", "Forwarded.\n")
        outer.add_attachment(nested)
        nested = outer
    got = extract("deep.eml", nested.as_bytes())
    assert "Too deep to open." not in got.text and got.text.count("Forwarded.") == MOST_NESTED + 1
    assert (
        got.note == f"attached message: has a message attached more than {MOST_NESTED} deep that was named, not opened"
    )
    not_mail = make_message("a@example.org", "Odd", "Look.\n", attach={"notes.eml": b"just notes, no headers"})
    assert extract("odd.eml", not_mail.as_bytes()).text.splitlines()[-1] == "Attachment: notes.eml"


def test_a_mailboxs_attachments_are_read_into_their_messages_page(tmp_path: Path) -> None:
    import mailbox

    written = mailbox.mbox(tmp_path / "box.mbox")
    written.add(make_message("maren@example.org", "Lamp", "See notes.\n", attach={"notes.txt": b"LED since May.\n"}))
    written.add(make_message("asa@example.org", "Bad", "See file.\n", attach={"empty.txt": b"   \n"}))
    written.close()
    got = extract("box.mbox", (tmp_path / "box.mbox").read_bytes())
    lines = got.text.splitlines()
    assert lines[5:10] == ["See notes.", "", "Attachment: notes.txt", "LED since May.", "From: asa@example.org"]
    assert got.page_starts == (1, 10)
    assert got.note == "message 2 has an attachment that was not read: empty.txt has no text"


def test_an_email_with_only_html_reads_its_visible_text() -> None:
    html = "<html><body><p>Cranes were <i>idle</i>.</p><script>alert(1)</script></body></html>"
    got = extract("idle.eml", make_message("port@example.org", "Cranes", None, html=html).as_bytes())
    assert got.text.splitlines()[-2:] == ["", "Cranes were idle."]


def test_a_mailbox_is_paged_by_message(tmp_path: Path) -> None:
    import mailbox

    written = mailbox.mbox(tmp_path / "harbour.mbox")
    written.add(make_message("maren@example.org", "Lamp", "Replaced on Monday.\nFrom now on it is LED.\n"))
    written.add(make_message("asa@example.org", "Fog", "Fog horn tested.\n"))
    written.close()
    box = (tmp_path / "harbour.mbox").read_bytes()
    assert b"\n>From now on" in box  # a body line starting "From " is escaped in the file
    got = extract("harbour.mbox", box)
    lines = got.text.splitlines()
    assert got.page_starts == (1, 8) and page_words("harbour.mbox") == ("message", "line")
    assert lines[:7] == [
        "From: maren@example.org",
        "To: harbour@example.org",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Lamp",
        "",
        "Replaced on Monday.",
        "From now on it is LED.",  # unescaped, as a mail reader shows it
    ]
    assert lines[7] == "From: asa@example.org" and lines[-1] == "Fog horn tested."
    assert page_of(got.page_starts, 12) == (2, 5) and got.page_names == ("Lamp", "Fog")  # by subject


def test_mail_that_is_not_mail_is_skipped_and_a_bad_charset_is_noted() -> None:
    with pytest.raises(SkippedFile, match="notes.eml is not an e-mail message"):
        extract("notes.eml", b"Just some notes\nwith no headers at all.\n")
    with pytest.raises(SkippedFile, match='notes.mbox is not an mbox mailbox .it does not start with a "From " line'):
        extract("notes.mbox", b"Subject: hi\n\nbody\n")
    lying = b"From: a@example.org\nSubject: Odd\nContent-Type: text/plain; charset=klingon\n\nCaf\xc3\xa9 \xff\n"
    got = extract("odd.eml", lying)
    assert got.text.splitlines()[-1] == "Café \ufffd"
    assert got.note == "had a part that was not valid UTF-8 (first bad byte at 6); decoded with replacement characters"


def test_a_mail_body_in_an_older_encoding_is_read_in_it_whatever_its_header_says() -> None:
    # An older mail program's Russian mail: its body in Windows-1251, with no charset, or one that lies
    # ("us-ascii"): read as ASCII, every letter was a replacement character, and nothing said.
    body = "Собрание перенесено на четверг, в десять часов утра, в большом зале.\n".encode("cp1251")
    for content_type in ("text/plain", 'text/plain; charset="us-ascii"'):
        got = extract("meeting.eml", b"From: a@example.org\nSubject: Meeting\nContent-Type: " + content_type.encode()
                      + b"\nContent-Transfer-Encoding: 8bit\n\n" + body)  # fmt: skip
        assert got.text.splitlines()[-1] == "Собрание перенесено на четверг, в десять часов утра, в большом зале."
        assert got.note == "had a part that was not UTF-8: read as Windows-1251 (Cyrillic); check its letters"
    declared = b"From: a@example.org\nSubject: Menu\nContent-Type: text/plain; charset=windows-1252\n\nCaf\xe9\n"
    assert extract("menu.eml", declared).note is None  # a charset its bytes are in: read in it, nothing to say


def make_odt(path: Path) -> Path:
    from odf import office, table, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    doc.text.addElement(text.H(outlinelevel=1, text="Harbour report"))
    para = text.P(text="Ships arrived")
    para.addElement(text.S(c=3))
    para.addText("on time.")
    note = text.Note(noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="A footnote, after its paragraph."))
    note.addElement(body)
    para.addElement(note)
    comment = office.Annotation()
    comment.addElement(text.P(text="A reviewer's comment."))
    para.addElement(comment)
    doc.text.addElement(para)
    items = text.List()
    item = text.ListItem()
    item.addElement(text.P(text="Cranes were idle."))
    items.addElement(item)
    doc.text.addElement(items)
    grid = table.Table(name="Lights")
    for cells in (["Light", "Keeper"], ["Skerry", None], ["Hallo Head", "Asa Lind"]):
        row = table.TableRow()
        for value in cells:
            if value is None:  # covered by the merged cell before it
                row.addElement(table.CoveredTableCell())
                continue
            cell = table.TableCell(numbercolumnsspanned=2 if value == "Skerry" else 1)
            for part in value.split(" "):  # a cell of two paragraphs
                cell.addElement(text.P(text=part))
            row.addElement(cell)
        grid.addElement(row)
    doc.text.addElement(grid)
    doc.text.addElement(text.P(text="Signed, the harbour master."))
    doc.save(str(path))
    return path


def test_odt_paragraphs_lists_and_table_rows_are_lines_in_order(tmp_path: Path) -> None:
    got = extract("report.odt", make_odt(tmp_path / "report.odt").read_bytes())
    assert got.text.splitlines() == [
        "Harbour report",
        "Ships arrived on time.",  # the footnote's mark not in the text, its note on the next line
        "Footnote 1: A footnote, after its paragraph.",
        "Comment: A reviewer's comment.",  # beside its paragraph, as Writer shows it (no author named)
        "Cranes were idle.",
        "Light | Keeper",
        "Light: Skerry",  # its merged cell once
        "Light: Hallo Head; Keeper: Asa Lind",
        "Signed, the harbour master.",
    ]
    assert got.page_starts == ()


def test_a_writer_table_that_holds_a_table_lays_the_page_out_as_a_word_one_does(tmp_path: Path) -> None:
    # Its cells were run together into one row: "Kestrel Bay | Light Height Kestrel Bay 11".
    from odf import table, text
    from odf.opendocument import OpenDocumentText

    def cell(*content) -> table.TableCell:
        made = table.TableCell()
        for element in content:
            made.addElement(element)
        return made

    doc = OpenDocumentText()
    inner = table.Table(name="Heights")
    for cells in (["Light", "Height (m)"], ["Kestrel Bay", "11"]):
        row = table.TableRow()
        for value in cells:
            row.addElement(cell(text.P(text=value)))
        inner.addElement(row)
    form, row = table.Table(name="Form"), table.TableRow()
    row.addElement(cell(text.P(text="Inspection"), text.P(text="Kestrel Bay")))
    row.addElement(cell(inner))
    form.addElement(row)
    doc.text.addElement(form)
    doc.save(str(tmp_path / "form.odt"))
    assert extract("form.odt", (tmp_path / "form.odt").read_bytes()).text.splitlines() == [
        "Inspection",
        "Kestrel Bay",
        "Light | Height (m)",
        "Light: Kestrel Bay; Height (m): 11",
    ]


def make_ods(path: Path, padding: int = 1_048_000) -> Path:
    from odf import table, text
    from odf.opendocument import OpenDocumentSpreadsheet

    def row(*values: str, repeat: int = 1, columns: int = 1) -> table.TableRow:
        made = table.TableRow(numberrowsrepeated=repeat) if repeat > 1 else table.TableRow()
        for value in values:
            cell = table.TableCell(numbercolumnsrepeated=columns) if columns > 1 and value else table.TableCell()
            if value:
                cell.addElement(text.P(text=value))
            made.addElement(cell)
        made.addElement(table.TableCell(numbercolumnsrepeated=16_000))  # a sheet's padding to its last column
        return made

    doc = OpenDocumentSpreadsheet()
    lights = table.Table(name="Lights")
    lights.addElement(table.TableColumn(numbercolumnsrepeated=3))
    for made in (row("Light", "", "Hours"), row("Skerry", "", "1450"), row("", repeat=2), row("Hallo", "", "900")):
        lights.addElement(made)
    lights.addElement(row("", repeat=padding))
    doc.spreadsheet.addElement(lights)
    checks = table.Table(name="Checks")
    checks.addElement(row("ok", repeat=2, columns=2))
    doc.spreadsheet.addElement(checks)
    doc.save(str(path))
    return path


def test_ods_sheets_are_pages_a_line_a_row_without_the_padding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_ods(tmp_path / "lights.ods")
    assert path.stat().st_size < 20_000  # a million rows and 16,000 columns, declared in a few bytes
    got = extract("lights.ods", path.read_bytes())
    assert got.text.splitlines() == [
        "Light |  | Hours",
        "Light: Skerry; Hours: 1450",
        "",
        "",
        "Hallo |  | 900",  # after empty rows, a block of its own, with no header
        "ok | ok",
        "ok: ok; ok: ok",
    ]
    assert got.page_starts == (1, 6) and page_of(got.page_starts, 7) == (2, 2)
    assert page_words("lights.ods") == ("sheet", "row") and got.page_names == ("Lights", "Checks")

    import index.opendocument

    monkeypatch.setattr(index.opendocument, "MOST_CELLS", 5)
    with pytest.raises(SkippedFile, match="lights.ods has more than 5 cells; skipped"):
        extract("lights.ods", path.read_bytes())


def make_odp(path: Path) -> Path:
    from odf import draw, presentation, style, table, text
    from odf.opendocument import OpenDocumentPresentation

    doc = OpenDocumentPresentation()
    layout = style.PageLayout(name="L")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="M", pagelayoutname=layout)
    doc.masterstyles.addElement(master)

    def frame(*lines: str, kind: str | None = None) -> draw.Frame:
        made = draw.Frame(width="10cm", height="2cm", x="1cm", y="1cm", attributes={"class": kind} if kind else {})
        box = draw.TextBox()
        for line in lines:
            box.addElement(text.P(text=line))
        made.addElement(box)
        return made

    first = draw.Page(name="One", masterpagename=master)
    first.addElement(frame("Harbour review"))
    second = draw.Page(name="Two", masterpagename=master)
    second.addElement(frame("Tonnage", "Up a tenth", kind="title"))
    grid, row = table.Table(), table.TableRow()
    for value in ("Checked", "2024-07-01"):
        cell = table.TableCell()
        cell.addElement(text.P(text=value))
        row.addElement(cell)
    grid.addElement(row)
    holder = draw.Frame(width="10cm", height="2cm", x="1cm", y="4cm")
    holder.addElement(grid)
    second.addElement(holder)
    notes = presentation.Notes()
    notes.addElement(frame("Say the figure slowly."))
    second.addElement(notes)
    doc.presentation.addElement(first)
    doc.presentation.addElement(second)
    doc.save(str(path))
    return path


def test_odp_slides_are_pages_of_paragraphs_tables_and_notes(tmp_path: Path) -> None:
    got = extract("review.odp", make_odp(tmp_path / "review.odp").read_bytes())
    assert got.text.splitlines() == [
        "Harbour review",
        "Tonnage",
        "Up a tenth",
        "Checked | 2024-07-01",
        "Say the figure slowly.",
    ]
    assert got.page_starts == (1, 2) and page_words("review.odp") == ("slide", "line")
    assert got.page_names == ("", "Tonnage Up a tenth")  # the slide with a title frame is named by it


def test_an_opendocument_file_that_is_not_what_it_says_is_skipped(tmp_path: Path) -> None:
    with pytest.raises(SkippedFile, match=r"broken.odt is not a readable .odt file \(BadZipFile\)"):
        extract("broken.odt", b"PK\x03\x04 nope")
    sheet = make_ods(tmp_path / "sheet.ods", padding=2).read_bytes()
    with pytest.raises(SkippedFile, match=r"renamed.odt is not a readable .odt file \(it holds no text\)"):
        extract("renamed.odt", sheet)


def with_content(odt: Path, edit) -> bytes:
    """The .odt with its content.xml passed through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(odt) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            target.writestr(part, edit(data.decode()).encode() if part.filename == "content.xml" else data)
    return out.getvalue()


def test_an_odt_with_broken_or_hostile_xml_is_skipped_or_read_without_expanding_it(tmp_path: Path) -> None:
    # odfpy, which writes these, printed a part it could not parse to stdout and went on without it.
    odt = make_odt(tmp_path / "report.odt")
    truncated = with_content(odt, lambda xml: xml[: len(xml) // 2])
    with pytest.raises(SkippedFile, match=r"cut.odt is not a readable .odt file \(XMLSyntaxError\)"):
        extract("cut.odt", truncated)
    laughs = (
        '<!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("bcdefgh", "cdefghi", strict=True))
        + "]>"
    )  # &i; would be 10^9 "ha"s
    bomb = with_content(odt, lambda xml: xml.replace("?>", "?>" + laughs, 1).replace("idle.", "&i;"))
    with pytest.raises(SkippedFile, match=r"bomb.odt is not a readable .odt file \(XMLSyntaxError\)"):
        extract("bomb.odt", bomb)  # refused by libxml2 as it parses (amplification), not expanded


RTF = rb"""{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Helvetica;}}
{\info{\title Not shown}}
\f0\fs24 Harbour report\par
Ships arrived on time at the caf\'e9.\par
{\pict\pngblip 89504e470d0a1a0a}Cranes were idle \u8364?5 a day.\par
\trowd\cellx2000\cellx4000 Light\cell Keeper\cell\row
\trowd\cellx2000\cellx4000 Skerry\cell Maren Holt\cell\row
Signed.\par
}"""


def test_rtf_paragraphs_and_table_rows_are_lines() -> None:
    got = extract("report.rtf", RTF)
    assert got.text.splitlines() == [
        "Harbour report",
        "Ships arrived on time at the café.",
        "Cranes were idle €5 a day.",
        "Light|Keeper|",
        "Skerry|Maren Holt|",
        "Signed.",
    ]
    assert got.note is None and got.page_starts == ()
    with pytest.raises(SkippedFile, match=r"notes.rtf is not an RTF document \(it does not start with \{\\rtf\)"):
        extract("notes.rtf", b"Just text, saved with the wrong name.\n")


def test_a_chart_sheet_counts_as_a_sheet_so_sheet_numbers_are_excels_tabs(tmp_path: Path) -> None:
    # "sheet 2" counted worksheets only: with a chart between, it named the reader's third tab.
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference

    path = make_xlsx(tmp_path / "book.xlsx")
    book = load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(book["Tonnage"], min_col=2, min_row=1, max_row=2))
    book.create_chartsheet("Chart", 1).add_chart(chart)  # between the two worksheets
    book.save(path)
    assert load_workbook(path).sheetnames == ["Tonnage", "Chart", "Crews"]
    got = extract("book.xlsx", path.read_bytes())
    assert got.page_starts == (1, 5, 5)  # the chart: a sheet with no rows
    assert page_of(got.page_starts, 5) == (3, 1) and got.text.splitlines()[4] == "Maren Holt | keeper"


def make_xls(path: Path) -> Path:
    """An Excel 97-2003 workbook (xlwt writes the BIFF8 format Excel 97-2003 saves)."""
    import datetime

    import xlwt

    book = xlwt.Workbook()
    first = book.add_sheet("Tonnage")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    rows = [["Port", "Q1", "Q2", "Share"], ["Skerry", 1200, 1450.5, 0.1 + 0.2], ["Hallo", 900, 1000, True]]
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            first.write(row, column, value)
    first.write(4, 0, "Checked")
    first.write(4, 1, datetime.datetime(2024, 7, 1), dated)
    second = book.add_sheet("Crews")
    second.write(0, 0, "Maren Holt")
    second.write(0, 1, "keeper")
    book.save(str(path))
    return path


def test_an_excel_97_workbook_reads_as_an_xlsx_does(tmp_path: Path) -> None:
    # Old spreadsheets (.xls) were refused as an unsupported type.
    data = make_xls(tmp_path / "old.xls").read_bytes()
    got = extract("old.xls", data)
    assert got.text.splitlines() == [
        "Port | Q1 | Q2 | Share",
        "Port: Skerry; Q1: 1200; Q2: 1450.5; Share: 0.3",  # as Excel shows them: no "1200.0", 15 digits
        "Port: Hallo; Q1: 900; Q2: 1000; Share: TRUE",
        "",
        "Checked | 2024-07-01",  # a note of its own under the empty row (index.tables), its date a date
        "Maren Holt | keeper",
    ]
    assert got.page_starts == (1, 6) and got.page_names == ("Tonnage", "Crews")
    assert page_words("old.xls") == ("sheet", "row") and page_of(got.page_starts, 6) == (2, 1)
    with pytest.raises(SkippedFile, match=r"broken.xls is not a readable .xls file"):
        extract("broken.xls", data[: len(data) // 2])
    with pytest.raises(SkippedFile, match=r"fake.xls is not a readable .xls file"):
        extract("fake.xls", b"Port,Q1\nSkerry,1200\n")  # a CSV named .xls


def test_a_markdown_tables_rows_are_labelled_by_its_header_and_every_line_stays_where_it_was() -> None:
    # A pipe table's rows were read as "| Kestrel Bay | **11** | Asa |": a passage from the middle of
    # a long table (a Notion or Obsidian export) did not say what its numbers were.
    note = (
        "# Lights\r\n\r\n| Light | Height (m) | Keeper |\r\n|---|--:|---|\r\n"
        "| Kestrel Bay | **11** | [Asa](people/asa.md) |\r\n| Hallo Head | 22 | `A \\| B` |\r\n|  |  |  |\r\n"
        "\r\nSee `| not a table |`.\r\n"
    )
    got = extract("lights.md", note.encode()).text
    assert got.splitlines() == [
        "# Lights",
        "",
        "| Light | Height (m) | Keeper |",  # the file's own header and rule, as they are
        "|---|--:|---|",
        "Light: Kestrel Bay; Height (m): 11; Keeper: Asa",  # as the table shows: no emphasis or link marks
        "Light: Hallo Head; Height (m): 22; Keeper: A | B",
        "",  # an empty row
        "",
        "See `| not a table |`.",
    ]
    assert got.count("\r\n") == note.count("\r\n")  # each line where it was, its ending kept
    plain = "# Notes\n\nNo table here, only a | bar.\n"
    assert extract("notes.md", plain.encode()).text == plain
    assert extract("lights.txt", note.encode()).text == note  # plain text is read as it is


def test_a_pdfs_pages_are_named_by_its_outline_and_its_chunks_carry_the_names(tmp_path: Path) -> None:
    # A manual's pages were "page 12", though its bookmarks said which section each was in.
    from pypdf import PdfReader, PdfWriter

    from index.chunking import PAGES, LineChunker

    plain = make_pdf(tmp_path / "plain.pdf", [["Contents"], ["Lamps"], ["Lenses"], ["More on lenses"], ["Fog horn"]])
    writer = PdfWriter(clone_from=PdfReader(plain))
    care = writer.add_outline_item("3 Care of the light", 1)
    writer.add_outline_item("3.1 Lamps", 1, parent=care)  # two entries on one page: the first names it
    writer.add_outline_item("3.2 Lenses", 2, parent=care)
    writer.add_outline_item("4 Fog signals", 4)
    out = tmp_path / "manual.pdf"
    writer.write(out)
    got = extract("manual.pdf", out.read_bytes())
    assert got.page_names == ("", "3 Care of the light", "3.2 Lenses", "3.2 Lenses", "4 Fog signals")
    assert extract("plain.pdf", plain.read_bytes()).page_names == ()  # no outline, no names

    from llama_index.core import Document

    from index.formats import encode_names, encode_starts
    from tests.fakes import word_count

    metadata = {
        "file": "manual.pdf",
        "page_starts": encode_starts(got.page_starts),
        "page_names": encode_names(got.page_names),
    }
    chunks = list(
        LineChunker(word_count, max_tokens=4).chunk(Document(text=got.text, id_="manual.pdf", metadata=metadata))
    )
    assert any("3.2 Lenses" in chunk.metadata.get(PAGES, "") for chunk in chunks)  # embedded and searched with the text


def test_a_pdf_whose_outline_cannot_be_read_is_read_without_names(tmp_path: Path, monkeypatch) -> None:
    import pypdf

    def broken(self):
        raise pypdf.errors.PdfReadError("bad outline")

    monkeypatch.setattr(pypdf.PdfReader, "outline", property(broken))
    pdf = make_pdf(tmp_path / "r.pdf", [["Alpha one"], ["Beta one"]])
    got = extract("r.pdf", pdf.read_bytes())
    assert got.text.splitlines() == ["Alpha one", "Beta one"] and got.page_names == ()


def test_a_writer_documents_page_headers_and_footers_are_read_once_as_words_are(tmp_path: Path) -> None:
    from odf import style, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    layout = style.PageLayout(name="L")
    doc.automaticstyles.addElement(layout)
    for name in ("Standard", "Appendix"):  # two page styles showing the same header
        master = style.MasterPage(name=name, pagelayoutname=layout)
        header, footer = style.Header(), style.Footer()
        header.addElement(text.P(text="QA-SOP-012, revision 3"))
        footer.addElement(text.P(text="Page 1 of 2"))  # a bare page number: left out
        footer.addElement(text.P(text="Harbour Authority"))
        master.addElement(header)
        master.addElement(footer)
        doc.masterstyles.addElement(master)
    doc.text.addElement(text.P(text="Inspect the lamp daily."))
    doc.save(str(tmp_path / "sop.odt"))
    assert extract("sop.odt", (tmp_path / "sop.odt").read_bytes()).text.splitlines() == [
        "QA-SOP-012, revision 3",
        "Inspect the lamp daily.",
        "Harbour Authority",
    ]


def test_spreadsheet_numbers_read_as_their_number_formats_show_them(tmp_path: Path) -> None:
    # A share stored as 0.25 and shown as 25% was read "0.25"; a cost lost its currency.
    import openpyxl
    import xlwt

    rows = [("Paint", 0.25, 1234.5, -80.0, 1234567, 1.375), ("Brushes", 0.125, 99.999, 0.0, 2500, 0.5)]
    formats = ["0%", '"€"#,##0.00', "#,##0.00;(#,##0.00)", "#,##0,", "# ?/8"]
    header = ["Item", "Share", "Cost", "Change", "Sales (k)", "Width (in)"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
        for column, code in zip("BCDEF", formats, strict=True):
            sheet[f"{column}{sheet.max_row}"].number_format = code
    book.save(tmp_path / "costs.xlsx")
    old = xlwt.Workbook()
    sheet = old.add_sheet("Sheet1")
    for c, value in enumerate(header):
        sheet.write(0, c, value)
    styles = [xlwt.easyxf(num_format_str=code) for code in formats]
    for r, (item, *numbers) in enumerate(rows, start=1):
        sheet.write(r, 0, item)
        for c, (value, style) in enumerate(zip(numbers, styles, strict=True), start=1):
            sheet.write(r, c, value, style)
    old.save(str(tmp_path / "costs.xls"))
    expected = [
        "Item | Share | Cost | Change | Sales (k) | Width (in)",
        # the negative numbers' own section; a sheet "in thousands"; eighths
        "Item: Paint; Share: 25%; Cost: €1,234.50; Change: (80.00); Sales (k): 1,235; Width (in): 1 3/8",
        # rounded half away from zero, as Excel does; a fixed denominator is not reduced, as Excel shows it
        "Item: Brushes; Share: 13%; Cost: €100.00; Change: 0.00; Sales (k): 3; Width (in): 4/8",
    ]
    assert extract("costs.xlsx", (tmp_path / "costs.xlsx").read_bytes()).text.splitlines() == expected
    assert extract("costs.xls", (tmp_path / "costs.xls").read_bytes()).text.splitlines() == expected


def test_a_markdown_file_too_large_to_parse_is_read_as_it_is_and_its_report_says_so(monkeypatch) -> None:
    # markdown-it-py takes ~1.6 s and ~130 MB a MB of table rows: a 50 MB file would hold a reader for
    # a minute and gigabytes.
    import index.formats

    monkeypatch.setattr(index.formats, "MOST_MARKDOWN", 40)
    note = "| Light | Height |\n|---|---|\n| Skerry | 22 |\n"
    got = extract("lights.md", note.encode())
    assert got.text == note and got.note == "its tables were read as they are (over 0 MB, not labelled)"


def test_a_document_of_a_kind_not_read_says_what_to_export_it_as() -> None:
    # "has an unsupported type; supported: .txt, .md, ... (43 of them)" told a Mac user nothing they could do.
    with pytest.raises(SkippedFile, match=r"report.pages is an Apple Pages document .*; export it as PDF or Word"):
        extract("report.pages", b"PK\x03\x04 a zip of Apple's own format")
    with pytest.raises(SkippedFile, match=r"budget.gsheet is a Google Drive shortcut, .*download it as Excel or CSV"):
        extract("budget.gsheet", b'{"url": "https://docs.google.com/spreadsheets/d/x", "doc_id": "x"}')
    with pytest.raises(SkippedFile, match=r"data.xyz has an unsupported type; supported: \.txt, \.md"):
        extract("data.xyz", b"1,2,3")


def test_a_csv_excel_saved_with_semicolons_in_windows_1252_reads_labelled() -> None:
    # Excel where a comma is the decimal mark (German, French, Spanish...) separates cells with ";", in the
    # system's code page, and may name its separator on a first "sep=" line: each row was one cell, its
    # amounts split at their decimal commas, its "é" replaced.
    export = 'sep=;\nName;Ort;Betrag (€)\nRenée Ahl;Zürich;1.234,50\nJosé Núñez;"Málaga; Spain";99,00\n'
    got = extract("export.csv", export.encode("cp1252"))
    assert got.text.splitlines() == [
        "",  # the sep= line: a line still (line numbers are the file's), not the header
        "Name | Ort | Betrag (€)",
        "Name: Renée Ahl; Ort: Zürich; Betrag (€): 1.234,50",
        "Name: José Núñez; Ort: Málaga; Spain; Betrag (€): 99,00",
    ]
    assert "read as Windows-1252" in got.note
    plain = extract("lights.csv", b'Light,Note\nSkerry,"lit; then dark"\n').text  # a semicolon in a cell only
    assert plain.splitlines()[1] == "Light: Skerry; Note: lit; then dark"


def test_a_writer_documents_comments_follow_what_they_comment_on(tmp_path: Path) -> None:
    # Writer's comments (office:annotation) were left out, as not shown in the text's flow; Word's are
    # read, "Comment (author): ..." after their paragraph, and so are these now.
    from odf import dc, office, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    para = text.P(text="The budget is 4 million.")
    comment = office.Annotation()
    comment.addElement(dc.Creator(text="Maren Holt"))
    comment.addElement(dc.Date(text="2026-12-01T10:00:00"))
    comment.addElement(text.P(text="Figures to be confirmed by finance."))
    para.addElement(comment)
    doc.text.addElement(para)
    doc.text.addElement(text.P(text="Next paragraph."))
    doc.save(str(tmp_path / "review.odt"))
    got = extract("review.odt", (tmp_path / "review.odt").read_bytes())
    assert got.text.splitlines() == [
        "The budget is 4 million.",
        "Comment (Maren Holt): Figures to be confirmed by finance.",
        "Next paragraph.",
    ]


def test_an_impress_slides_numbered_list_is_read_with_its_numbers_and_bullets_left_out() -> None:
    # "step 3" on a slide was not found: Impress keeps a list's numbers in its list style, not its text.
    from odf import draw, style, text
    from odf.opendocument import OpenDocumentPresentation

    doc = OpenDocumentPresentation()
    layout = style.PageLayout(name="L")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="M", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    numbered, bulleted = text.ListStyle(name="L1"), text.ListStyle(name="L2")
    numbered.addElement(text.ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
    bulleted.addElement(text.ListLevelStyleBullet(level=1, bulletchar="●"))
    for list_style in (numbered, bulleted):
        doc.automaticstyles.addElement(list_style)
    page = draw.Page(name="One", masterpagename=master)
    frame, box = draw.Frame(width="10cm", height="4cm", x="1cm", y="1cm"), draw.TextBox()
    box.addElement(text.P(text="Lighting up"))
    for list_style, items in ((numbered, ("Trim the wick", "Fill the oil")), (bulleted, ("Spare wicks",))):
        listed = text.List(stylename=list_style)
        for words in items:
            item = text.ListItem()
            item.addElement(text.P(text=words))
            listed.addElement(item)
        box.addElement(listed)
    frame.addElement(box)
    page.addElement(frame)
    doc.presentation.addElement(page)
    out = io.BytesIO()
    doc.save(out)
    lines = extract("steps.odp", out.getvalue()).text.splitlines()
    assert lines == ["Lighting up", "1. Trim the wick", "2. Fill the oil", "Spare wicks"]  # as a .pptx's read
