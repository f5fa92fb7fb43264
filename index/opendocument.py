"""Readers of OpenDocument files (LibreOffice, and any office suite's ODF export):
Writer text (``.odt``), Calc sheets (``.ods``) and Impress slides (``.odp``), each
as lines of text in the shape of its Office Open XML cousin (``index.office``).

``.odt``: one line per heading, paragraph or table row, in the document's order.
``.ods``: each sheet a page, one line a row (line = row number). ``.odp``: each
slide a page of its paragraphs, table rows and speaker notes. A table row is
labelled as ``index.tables`` labels it. This module reads; it neither decides
what a format is nor chunks.

The archive's ``content.xml`` is read with lxml (entities left unexpanded, no
network): odfpy, the ODF library, prints a part it cannot parse to stdout and
goes on with what it had, so a damaged file would read as a shorter one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from zipfile import ZipFile

from lxml import etree

from index.errors import SkippedFile
from index.formats import Extracted
from index.ocr import OCR, Pictures
from index.office import MOST_CELLS, reading
from index.tables import table_lines

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
LINES = {TEXT + "p", TEXT + "h"}
SPACES = {TEXT + "s", TEXT + "tab", TEXT + "line-break"}
# Not in the flow a reader sees: comments, footnotes, tracked deletions, images' titles.
UNSHOWN = {OFFICE + "annotation", TEXT + "tracked-changes", TEXT + "note", DRAW + "image"}
BODIES = {".odt": "text", ".ods": "spreadsheet", ".odp": "presentation"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def odf_text(data: bytes, name: str, suffix: str, ocr: OCR | None = None) -> Extracted:
    """The text of an ``.odt``, ``.ods`` or ``.odp`` file (``suffix``); with ``ocr``, the print in
    a Writer or Impress file's pictures too, where each picture is (as in ``index.office``)."""
    with reading(name, suffix), ZipFile(io.BytesIO(data)) as archive:
        content = etree.fromstring(archive.read("content.xml"), PARSER)
        body = content.find(f"{OFFICE}body/{OFFICE}{BODIES[suffix]}")
        if body is None:
            raise SkippedFile(name, f"is not a readable {suffix} file (it holds no {BODIES[suffix]}); skipped")
        pictures = Pictures(ocr)
        kept = set(archive.namelist())

        def printed(image) -> list[str]:  # a draw:image's picture, kept in the archive (not linked)
            href = image.get(XLINK + "href") or ""
            return pictures.lines(archive.read(href)) if href in kept else []

        read = printed if ocr else None
        if suffix == ".odt":
            return Extracted("\n".join(_lines(body, name, read)), note=pictures.note())
        if suffix == ".ods":
            names = [sheet.get(TABLE + "name") or "" for sheet in _elements(body) if sheet.tag == TABLE + "table"]
            return Extracted.paged(_sheets(body, name), names=names)
        titles = [_title(slide) for slide in _elements(body) if slide.tag == DRAW + "page"]
        slides = list(_slides(body, name, read))  # read now, for the note
        return Extracted.paged(slides, pictures.note(), names=titles)


def _elements(node) -> Iterator:
    return (child for child in node if isinstance(child.tag, str))  # not comments or entities


def _lines(node, name: str, printed: Callable[..., list[str]] | None = None) -> Iterator[str]:
    """Each paragraph and heading under ``node`` a line, each table row a line, in order; comments,
    footnotes and tracked deletions, which the page does not show in its flow, left out. With
    ``printed``, the printed lines of each picture (``draw:image``) after the paragraph or table it
    sits in, or in its place."""
    for element in _elements(node):
        if element.tag in LINES:
            yield _shown(element)
            for image in element.iter(DRAW + "image") if printed else ():
                yield from printed(image)
        elif element.tag == TABLE + "table":
            table = [cells for cells, _ in _rows(element, name)]
            yield from table_lines(table)
            for image in element.iter(DRAW + "image") if printed else ():  # after its rows, as in Word
                yield from printed(image)
        elif element.tag == DRAW + "image" and printed:
            yield from printed(element)
        elif element.tag not in UNSHOWN:
            yield from _lines(element, name, printed)


def _shown(element) -> str:
    """An element's text as shown, white space run together (a cell's paragraphs too)."""
    return " ".join("".join(_pieces(element)).split())


def _pieces(element) -> Iterator[str]:
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str) and child.tag not in UNSHOWN:
            if child.tag in SPACES or child.tag in LINES:
                yield " "
            yield from _pieces(child)
        yield child.tail or ""  # the text after a footnote is shown


def _rows(table, name: str) -> Iterator[tuple[list[str], int]]:
    """Each row of a table (in row groups too) as its cells' texts, trailing empty ones left off, and
    how many times the row repeats. A repeated cell is written each time; one covered by a merged
    cell is empty, as Word's are (so that the columns after it keep their names)."""
    for element in _elements(table):
        if element.tag == TABLE + "table-row":
            cells: list[str] = []
            blanks = 0  # empty cells not yet known to come before a filled one
            for cell in _elements(element):
                if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                    continue
                repeat = int(cell.get(TABLE + "number-columns-repeated") or 1)
                if not (text := _shown(cell)):
                    blanks += repeat
                    continue
                if len(cells) + blanks + repeat > MOST_CELLS:  # a few bytes can declare a billion
                    raise SkippedFile(name, f"has more than {MOST_CELLS:,} cells; skipped")
                cells.extend([""] * blanks + [text] * repeat)
                blanks = 0
            yield cells, int(element.get(TABLE + "number-rows-repeated") or 1)
        elif element.tag != TABLE + "table-column":
            yield from _rows(element, name)


def _sheets(spreadsheet, name: str) -> Iterator[list[str]]:
    """Each sheet's rows as lines (line = row number), labelled by its header row (``index.tables``).
    Empty rows repeated at a sheet's end are a spreadsheet's padding to its last row (often a
    million): left off."""
    cells = 0
    for sheet in _elements(spreadsheet):
        if sheet.tag != TABLE + "table":
            continue
        rows: list[list[str]] = []
        pending = 0  # empty rows not yet known to come before a filled one
        for row_cells, repeat in _rows(sheet, name):
            if not row_cells:
                pending += repeat
                continue
            cells += (pending + repeat) * len(row_cells)
            if cells > MOST_CELLS:
                raise SkippedFile(name, f"has more than {MOST_CELLS:,} cells; skipped")
            rows.extend([[] for _ in range(pending)] + [row_cells] * repeat)
            pending = 0
        yield table_lines(rows)


def _title(slide) -> str:
    """A slide's title: the text of its frame of the presentation class "title", if it has one."""
    for frame in slide.iter(DRAW + "frame"):
        if frame.get(PRESENTATION + "class") == "title":
            return " ".join(" ".join("".join(p.itertext()) for p in frame.iter(TEXT + "p", TEXT + "h")).split())
    return ""


def _slides(presentation, name: str, printed: Callable[..., list[str]] | None = None) -> Iterator[list[str]]:
    """Each slide's paragraphs, table rows (and with ``printed``, its pictures' print), then its
    speaker notes."""
    for slide in _elements(presentation):
        if slide.tag == DRAW + "page":
            yield [line for line in _lines(slide, name, printed) if line]
