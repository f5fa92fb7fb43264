"""Readers of Office Open XML files: Word paragraphs and tables, PowerPoint
slides, Excel sheets (and Excel 97-2003's ``.xls``, Word 97-2003's ``.doc``, PowerPoint 97-2003's
``.ppt``), each as lines of text
(``index.formats`` says what a line and a page are in each, and calls these).

A table row is one line: its cells labelled by the table's header row, or
joined by `` | `` where it has none (``index.tables``); Word's body is walked by
``index.word``. This module reads; it
neither decides what a format is nor chunks.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zipfile import BadZipFile

from lxml.etree import LxmlError

from index.errors import Encrypted, SkippedFile
from index.formats import Extracted, check_ole, rtf_text
from index.graphics import GRAPHIC_DATA, graphic_lines
from index.number_formats import shown
from index.numbering import Numbering, slide_labels
from index.ocr import OCR, Pictures
from index.sheet_charts import sheet_charts
from index.sheet_comments import sheet_comments, with_comments
from index.slide_comments import SlideComments
from index.tables import table_lines
from index.word import row_cells, word_lines

# antiword, which reads Word 97-2003 documents, runs apart from the server, in these bounds.
ANTIWORD_SECONDS = 60
ANTIWORD_BYTES = 1 << 30  # of memory


@contextmanager
def reading(name: str, suffix: str, *library_errors: type[Exception]) -> Iterator[None]:
    """Whatever a reader's library raises on a damaged or hostile file (a bad zip, malformed XML,
    a missing part; and ``library_errors``), as a ``SkippedFile`` that says so. The libraries read
    lazily, so the whole reading goes inside."""
    try:
        yield
    except (BadZipFile, LxmlError, KeyError, ValueError, IndexError, *library_errors) as exc:
        raise SkippedFile(name, f"is not a readable {suffix} file ({exc.__class__.__name__}); skipped") from exc


def docx_text(data: bytes, name: str, ocr: OCR | None = None, suffix: str = ".docx") -> Extracted:
    """A Word document's paragraphs (each numbered paragraph with its number, ``index.numbering``)
    and table rows, one per line, in the document's order, as ``index.word`` reads them; with
    ``ocr``, the print in a paragraph's pictures follows it, a line per printed line, and the print
    in a table's follows its rows.
    ``suffix``: what the file is, for a reason to skip it (a ``.docm`` reads as a ``.docx``)."""
    from docx.opc.exceptions import PackageNotFoundError

    pictures = Pictures(ocr)
    with reading(name, suffix, PackageNotFoundError):
        document = _word_document(data)
        numbering = Numbering(document)  # "2.1", "b)", "•": kept beside the text, not in it
        lines = list(word_lines(document, numbering, pictures if ocr else None))
    return Extracted("\n".join(lines), note=pictures.note())


# The main parts of Word documents saved with macros (.docm) or as templates, which python-docx does
# not open as documents (python-openxml/python-docx#284, open since 2017): their XML is a .docx's. A
# file named .docx may be one of them too.
WORD_KINDS = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def _word_document(data: bytes):
    """python-docx's document of a ``.docx``, a ``.docm`` or a template; ValueError for another package."""
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for kind in WORD_KINDS:
        PartFactory.part_type_for.setdefault(kind, DocumentPart)
    part = Package.open(io.BytesIO(data)).main_document_part
    if not isinstance(part, DocumentPart):
        raise ValueError(f"not a Word document: its main part is {part.content_type}")
    return part.document


def _table_lines(rows) -> list[str]:
    """A PowerPoint table's rows as lines, labelled by its header row where it has one
    (``index.tables``); a merged cell, listed once per column it spans, is written once."""
    return table_lines([row_cells(row.cells, lambda cell: cell.text) for row in rows])


def pptx_text(data: bytes, name: str, ocr: OCR | None = None, suffix: str = ".pptx") -> Extracted:
    """Each slide's paragraphs (grouped shapes too), table rows, the print in its pictures (with
    ``ocr``), speaker notes and reviewers' comments (``index.slide_comments``), one per line; a slide
    is named by its title. ``suffix``: what the
    file is, for a reason to skip it (a ``.pptm``; a ``.ppt`` is read as the ``.pptx`` it converts to)."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    slides, titles = [], []
    pictures = Pictures(ocr)
    with reading(name, suffix, PackageNotFoundError):
        deck = Presentation(io.BytesIO(data))
        comments = SlideComments(deck)
        for slide in deck.slides:
            lines = _shape_lines(slide.shapes, pictures)
            if slide.has_notes_slide:
                lines.extend(_paragraph_lines(slide.notes_slide.notes_text_frame))
            lines.extend(comments.lines(slide))
            slides.append(lines)
            title = slide.shapes.title
            titles.append(title.text_frame.text if title is not None and title.has_text_frame else "")
    return Extracted.paged(slides, pictures.note(), names=titles)


def ppt_text(data: bytes, name: str, ocr: OCR | None = None) -> Extracted:
    """A PowerPoint 97-2003 presentation (``.ppt``), converted to a ``.pptx`` by ppt2pptx (pure
    Python: it parses the binary records itself, and raises its own errors on what it cannot read)
    and read as one. Its converter writes a slide's title as a plain text box, so slides are not
    named by their titles."""
    from ppt2pptx import convert
    from ppt2pptx.errors import EncryptedPresentationError, Ppt2PptxError, UnsupportedPptVersionError

    check_ole(data, name, "a PowerPoint 97-2003 presentation")
    try:
        pptx = _converted(data, convert, ".ppt", ".pptx")
    except EncryptedPresentationError as exc:
        raise Encrypted(name, "PowerPoint 97-2003 presentation") from exc
    except UnsupportedPptVersionError as exc:
        raise SkippedFile(name, "is not a readable .ppt file (it is from PowerPoint 95 or before); skipped") from exc
    except Ppt2PptxError as exc:
        raise SkippedFile(name, f"is not a readable .ppt file (ppt2pptx: {exc}); skipped") from exc
    return pptx_text(pptx, name, ocr, suffix=".ppt")


def _converted(data: bytes, convert: Callable[[Path, Path], object], old: str, new: str) -> bytes:
    """What a converter (ppt2pptx's, msdoc2docx's ``convert``: a file's path in, the path to write
    out) makes of ``data``, through a temporary folder; files there are not named by the document's
    own name. Its errors go to the caller."""
    with tempfile.TemporaryDirectory(prefix="groundline-convert-") as folder:
        source, converted = Path(folder, f"original{old}"), Path(folder, f"converted{new}")
        source.write_bytes(data)
        convert(source, converted)
        return converted.read_bytes()


def _shape_lines(shapes, pictures: Pictures) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    lines = []
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            lines.extend(_shape_lines(shape.shapes, pictures))
        elif shape.has_text_frame:
            lines.extend(_paragraph_lines(shape.text_frame))
        elif shape.has_table:
            lines.extend(_table_lines(shape.table.rows))
        elif shape._element.tag == GRAPHIC_FRAME:  # a chart, a SmartArt diagram (index.graphics)
            for data in shape._element.iter(GRAPHIC_DATA):
                lines.extend(graphic_lines(data, shape.part))
        elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE and pictures.ocr is not None:
            lines.extend(pictures.lines(_picture_bytes(shape)))
    return lines


def _picture_bytes(shape) -> bytes:
    """A slide picture's bytes; none for a picture linked to a file outside the deck."""
    try:
        return shape.image.blob
    except (ValueError, KeyError, AttributeError):  # python-pptx: "no embedded image" for a linked one
        return b""


def _paragraph_lines(frame) -> list[str]:
    """A text frame's paragraphs, one line each (a soft line break inside one is a space), each
    numbered paragraph with its number ("2.", "b)"; ``index.numbering.slide_labels``)."""
    if frame is None:
        return []
    paragraphs = frame.paragraphs
    return [label + " ".join(p.text.split()) for label, p in zip(slide_labels(paragraphs), paragraphs, strict=True)]


GRAPHIC_FRAME = "{http://schemas.openxmlformats.org/presentationml/2006/main}graphicFrame"
MOST_CELLS = 10_000_000  # a workbook's, empty ones between filled ones included (~2 s to read)


def xlsx_text(data: bytes, name: str, suffix: str = ".xlsx") -> Extracted:
    """Each sheet's rows, one line each (line = row number), labelled by the sheet's header row
    (``index.tables``): the values a workbook shows, by their number formats, not its formulas; then,
    after an empty line, the charts drawn over it (``index.sheet_charts``). A chart sheet is a page
    of its chart's lines, so that "sheet 3" is the workbook's third tab. ``suffix``: what the file
    is (``.xlsm``)."""
    from openpyxl import load_workbook
    from openpyxl.chartsheet import Chartsheet
    from openpyxl.utils.exceptions import InvalidFileException

    sheets: list[list[str]] = []
    cells = 0
    with reading(name, suffix, InvalidFileException, OSError):
        noted = sheet_comments(data)  # openpyxl's read-only reader leaves them out
        charts = sheet_charts(data)  # and openpyxl reads no chart
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in (book[title] for title in book.sheetnames):  # read as iterated: a damaged sheet fails here
                drawn = charts.get(sheet.title, [])
                if isinstance(sheet, Chartsheet):
                    sheets.append(drawn)
                    continue
                sheet.reset_dimensions()  # the declared size, not the cells: one stray format pads every row
                rows = []
                for row in sheet.iter_rows():
                    cells += len(row)
                    if cells > MOST_CELLS:  # a few MB of zipped XML can declare billions
                        raise SkippedFile(name, f"has more than {MOST_CELLS:,} cells; skipped")
                    rows.append([_cell(c.value, c.number_format) for c in row])
                lines = with_comments(_sheet_lines(rows), noted.get(sheet.title, {}))
                sheets.append([*lines, "", *drawn] if drawn else lines)
        finally:
            book.close()
    return Extracted.paged(sheets, names=book.sheetnames)


def xls_text(data: bytes, name: str) -> Extracted:
    """An Excel 97-2003 workbook (``.xls``, read by xlrd) as an ``.xlsx`` reads: each worksheet's
    rows, one line each (line = row number), labelled by its header row; the values it shows (a
    number without a trailing ".0", a date as a date). xlrd lists worksheets only: a chart sheet
    is not counted, as it is in ``.xlsx``."""
    import xlrd
    from xlrd.compdoc import CompDocError

    sheets: list[list[str]] = []
    cells = 0
    with reading(name, ".xls", xlrd.XLRDError, CompDocError, AssertionError, struct.error):
        try:
            book = xlrd.open_workbook(
                file_contents=data, on_demand=True, ragged_rows=True, formatting_info=True, logfile=io.StringIO()
            )
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc):  # xlrd's "Workbook is encrypted"
                raise Encrypted(name, "Excel 97-2003 workbook") from exc
            raise
        try:
            for number in range(book.nsheets):
                sheet = book.sheet_by_index(number)
                rows = []
                for row in range(sheet.nrows):
                    cells += sheet.row_len(row)
                    if cells > MOST_CELLS:
                        raise SkippedFile(name, f"has more than {MOST_CELLS:,} cells; skipped")
                    rows.append([_xls_cell(cell, book) for cell in sheet.row(row)])
                sheets.append(_sheet_lines(rows))
                book.unload_sheet(number)
            names = book.sheet_names()
        finally:
            book.release_resources()
    return Extracted.paged(sheets, names=names)


def _sheet_lines(rows: list[list[str]]) -> list[str]:
    """A sheet's rows as lines, labelled by its header row (``index.tables``), or cells joined."""
    while rows and not any(rows[-1]):  # formatting alone can stretch a sheet by thousands of empty rows
        rows.pop()
    return table_lines(rows)


def _xls_cell(cell, book) -> str:
    """An ``.xls`` cell as the workbook shows it: 1200 (stored as 1200.0), 25% by its number format,
    2024-07-01, TRUE."""
    import xlrd

    match cell.ctype:
        case xlrd.XL_CELL_NUMBER:
            return shown(cell.value, _xls_format(cell, book))
        case xlrd.XL_CELL_DATE:
            try:
                return _cell(xlrd.xldate_as_datetime(cell.value, book.datemode))
            except (xlrd.xldate.XLDateError, OverflowError, ValueError):  # a date before 1900, or none
                return format(cell.value, ".15g")
        case xlrd.XL_CELL_BOOLEAN:
            return "TRUE" if cell.value else "FALSE"
        case xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERROR")
        case xlrd.XL_CELL_TEXT:
            return _cell(cell.value)
    return ""


def _xls_format(cell, book) -> str | None:
    """An ``.xls`` cell's number format code (xlrd reads them with ``formatting_info``); None where
    its format record is missing (a damaged file)."""
    try:
        return book.format_map[book.xf_list[cell.xf_index].format_key].format_str
    except (IndexError, KeyError, TypeError, AttributeError):
        return None


def _cell(value, number_format: str | None = None) -> str:
    """A cell's value as the sheet shows it: a number by its number format (``index.number_formats``:
    "25%", "€1,234.50"), a date without a midnight time, text on one line."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return shown(value, number_format)
    if hasattr(value, "isoformat"):  # a date, shown without a midnight time
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return " ".join(str(value).split())


def doc_text(data: bytes, name: str, ocr: OCR | None = None) -> Extracted:
    """A Word 97-2003 document (``.doc``), converted to a ``.docx`` by msdoc2docx (pure Python: it
    parses the binary format itself, with bounded parsers) and read as one: its paragraphs, its
    tables' rows labelled by their header rows, and with ``ocr`` the print in its pictures. A
    document msdoc2docx cannot convert (from Word 95 or before, or using what it does not read yet)
    is read by antiword where it is installed (``_antiword_text``). A ``.doc`` that Word saved as
    Rich Text is read as an ``.rtf``."""
    if data.lstrip().startswith(b"{\\rtf"):
        return rtf_text(data, name)
    check_ole(data, name, "a Word 97-2003 document")
    try:
        converted = _doc_as_docx(data, name)
    except Unconverted as exc:
        return _antiword_text(data, name, exc.reason)
    return docx_text(converted, name, ocr, suffix=".doc")


class Unconverted(Exception):
    """msdoc2docx could not convert a ``.doc`` (``reason``: what it said)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _doc_as_docx(data: bytes, name: str) -> bytes:
    """The ``.docx`` msdoc2docx converts a ``.doc`` to; ``Unconverted`` where it cannot."""
    from doc2docx import convert
    from doc2docx.errors import EncryptedDocumentError

    # [MS-CFB] 2.2: the header's class ID (bytes 8-24) is reserved, "MUST be set to all zeroes", and
    # read by no one; WPS Office writes one there, and msdoc2docx refuses the file for it.
    try:
        return _converted(data[:8] + bytes(16) + data[24:], convert, ".doc", ".docx")
    except EncryptedDocumentError as exc:
        raise Encrypted(name, "Word 97-2003 document") from exc
    except Exception as exc:  # noqa: BLE001 -- its own errors, or a young parser's slip on a hostile file
        raise Unconverted(f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__) from exc


def _antiword_text(data: bytes, name: str, unconverted: str) -> Extracted:
    """A ``.doc``'s paragraphs, one per line, as antiword (Debian's package) reads them (a picture's
    ``[pic]`` and empty lines left out; a table's rows as it lays them out, cells between ``|``).
    antiword runs as a process of its own, with a time and memory limit: it is old C code, and a
    document may be hostile. ``unconverted``: why msdoc2docx could not read it, said if antiword
    cannot either."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise SkippedFile(
            name,
            f"is not a readable .doc file (msdoc2docx: {unconverted}); installing the antiword package "
            "(make run does) gives it a second reader",
        )
    # The memory limit is set by the shell that then becomes antiword: Python's preexec_fn is not
    # safe in a process with threads (the server ingests on one).
    bounded = ["/bin/sh", "-c", 'ulimit -v "$1" && exec "$2" -w 0 -m UTF-8.txt -', "sh", str(ANTIWORD_BYTES // 1024)]
    try:
        done = subprocess.run(
            [*bounded, antiword],  # -w 0, no wrapping: a paragraph is a line; -: the document on stdin
            input=data,
            capture_output=True,
            timeout=ANTIWORD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SkippedFile(name, f"took antiword over {ANTIWORD_SECONDS} s to read; skipped") from exc
    if done.returncode != 0:
        said = " ".join(done.stderr.decode("utf-8", errors="replace").split()).removeprefix("- ")  # "-": stdin
        if "Encrypted" in said:
            raise Encrypted(name, "Word 97-2003 document")
        if said.startswith("is not a Word Document"):
            reason = "antiword finds no Word document in it"
        else:
            reason = f"antiword: {said}" if said else f"antiword stopped with status {done.returncode}"
        raise SkippedFile(name, f"is not a readable .doc file (msdoc2docx: {unconverted}; {reason}); skipped")
    text = done.stdout.decode("utf-8", errors="replace")
    lines = [line.rstrip() for line in text.splitlines() if line.strip() and line.strip() != "[pic]"]
    return Extracted("\n".join(lines))
