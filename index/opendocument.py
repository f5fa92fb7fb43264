"""Readers of OpenDocument files (LibreOffice, and any office suite's ODF export):
Writer text (``.odt``), Calc sheets (``.ods``) and Impress slides (``.odp``), each
as lines of text in the shape of its Office Open XML cousin (``index.office``).

``.odt``: one line per heading, paragraph or table row, in the document's order (a
table holding a table lays the page out: its cells are read as blocks, as in Word).
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
from dataclasses import dataclass
from zipfile import ZipFile

from lxml import etree

from index.errors import SkippedFile
from index.formats import Extracted, margin_lines
from index.graphics import chart_table_lines
from index.numbering import count_one, formatted, whole_number
from index.ocr import OCR, Pictures
from index.office import MOST_CELLS, reading
from index.sheet_comments import comment_text, with_comments
from index.slide_comments import comment_line
from index.tables import table_lines

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
OFFICEOOO = "{http://openoffice.org/2009/office}"  # LibreOffice's own: where Impress keeps a slide's comments
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
XML = "{http://www.w3.org/XML/1998/namespace}"
LIST_LEVELS = 10  # an ODF list style's levels
OUTLINE = "\x00outline"  # the document's outline (chapter numbering) style, among its list styles
LINES = {TEXT + "p", TEXT + "h"}
# A page style's headers and footers: the first page's, then the default, then left pages'.
HEADERS, FOOTERS = ("header-first", "header", "header-left"), ("footer-first", "footer", "footer-left")
SPACES = {TEXT + "s", TEXT + "tab", TEXT + "line-break"}
# Not in the flow a reader sees: comments, tracked deletions, images' titles; and footnotes, which are
# read after the paragraph or table that refers to them (``_notes``), not in its line.
UNSHOWN = {
    OFFICE + "annotation", OFFICEOOO + "annotation", TEXT + "tracked-changes", TEXT + "note", DRAW + "image",
    DRAW + "object",
}  # fmt: skip
# What ``printed`` reads where it stands: a picture's print (with OCR), an embedded chart's data.
DRAWN = (DRAW + "image", DRAW + "object")
CHART = "{urn:oasis:names:tc:opendocument:xmlns:chart:1.0}"
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

        charts: dict[str, list[str]] = {}

        def chart(href: str) -> list[str]:  # an embedded object's lines, if it is a chart (read once)
            if href not in charts:
                part = f"{_in_archive(href).rstrip('/')}/content.xml"
                charts[href] = _chart_lines(etree.fromstring(archive.read(part), PARSER), name) if part in kept else []
            return charts[href]

        def read(element) -> list[str]:  # a chart's lines; with ocr, a picture's print (not a chart's picture)
            href = element.get(XLINK + "href") or ""
            if element.tag == DRAW + "object":
                return chart(href)
            frame = element.getparent()
            shown = frame.find(DRAW + "object") if frame is not None else None
            if ocr is None or (shown is not None and chart(shown.get(XLINK + "href") or "")):
                return []
            href = _in_archive(href)
            return pictures.lines(archive.read(href)) if href in kept else []

        if suffix == ".odt":
            styles = etree.fromstring(archive.read("styles.xml"), PARSER) if "styles.xml" in kept else None
            lists = ListNumbers(list_styles(styles, content))  # "2.1", "b)", "•": the list styles' labels
            lines = [
                *_margins(styles, HEADERS, name, read, lists),
                *_lines(body, name, read, lists),
                *_margins(styles, FOOTERS, name, read, lists),
            ]
            return Extracted("\n".join(lines), note=pictures.note())
        if suffix == ".ods":
            names = [sheet.get(TABLE + "name") or "" for sheet in _elements(body) if sheet.tag == TABLE + "table"]
            return Extracted.paged(_sheets(body, name), names=names)
        titles = [_title(slide) for slide in _elements(body) if slide.tag == DRAW + "page"]
        styles = etree.fromstring(archive.read("styles.xml"), PARSER) if "styles.xml" in kept else None
        # a numbered paragraph with its number, as a PowerPoint slide's; not the bullets of every outline line
        numbered = {
            style: {n: level for n, level in levels.items() if not level.bullet}
            for style, levels in list_styles(styles, content).items()
        }
        slides = list(_slides(body, name, read, ListNumbers(numbered)))  # read now, for the note
        return Extracted.paged(slides, pictures.note(), names=titles)


def _elements(node) -> Iterator:
    return (child for child in node if isinstance(child.tag, str))  # not comments or entities


def _lines(
    node,
    name: str,
    printed: Callable[..., list[str]] | None = None,
    lists: ListNumbers | None = None,
    within: tuple[str | None, int, object] | None = None,
    notes: bool = True,
) -> Iterator[str]:
    """Each paragraph and heading under ``node`` a line, each table row a line, in order; comments
    and tracked deletions, which the page does not show, left out; with ``notes``, a footnote on
    lines of its own after the paragraph or table that refers to it (``_notes``). With ``printed``,
    the lines of each picture's print (``draw:image``) and embedded chart (``draw:object``) after
    the paragraph or table it sits in, or in its place. With ``lists``, a list item's first
    paragraph with its number or bullet (``within``: the list it is in, as ``ListNumbers.items``
    gives it), in a data table's cell too."""
    for element in _elements(node):
        if element.tag == TEXT + "list" and lists is not None:
            for item, label, inner in lists.items(element, within):
                lines = _lines(item, name, printed, lists, inner, notes)
                first = next(_elements(item), None)
                if label and first is not None and first.tag in LINES:
                    yield label + next(lines, "")
                yield from lines
        elif element.tag in LINES:
            numbered = element.tag == TEXT + "h" and lists is not None and within is None
            yield (lists.heading(element) if numbered else "") + _shown(element)
            yield from _notes(element, name, lists) if notes else ()
            for image in element.iter(*DRAWN) if printed else ():
                yield from printed(image)
        elif element.tag == TABLE + "table" and element.find(f".//{TABLE}table") is not None:
            for cell in _cells(element):  # a table holding a table lays the page out, as in Word
                yield from _lines(cell, name, printed, lists, within, notes)
        elif element.tag == TABLE + "table":
            shown = (
                (lambda cell: " ".join(" ".join(_lines(cell, name, None, lists, notes=False)).split()))
                if lists
                else _shown
            )
            table = [cells for cells, _ in _rows(element, name, shown)]
            yield from table_lines(table)
            yield from _notes(element, name, lists) if notes else ()
            for image in element.iter(*DRAWN) if printed else ():  # after its rows, as in Word
                yield from printed(image)
        elif element.tag in DRAWN and printed:
            yield from printed(element)
        elif element.tag not in UNSHOWN:
            yield from _lines(element, name, printed, lists, within, notes)


def _in_archive(href: str) -> str:
    """A link to a part of the document's own archive as the part's name ("./Object 1" -> "Object 1").

    >>> _in_archive("./Object 1"), _in_archive("Pictures/a.png")
    ('Object 1', 'Pictures/a.png')
    """
    while href.startswith("./"):
        href = href[2:]
    return href


def _chart_lines(content, name: str) -> list[str]:
    """An embedded object's ``content.xml`` as a chart's lines (``index.graphics.chart_table_lines``:
    its title, then its data table's rows labelled by their series' names); none where it holds no
    chart (a formula, say)."""
    chart = content.find(f".//{CHART}chart")
    if chart is None:
        return []
    title = chart.find(CHART + "title")
    axis = chart.find(f".//{CHART}axis[@{CHART}dimension='x']/{CHART}title")
    tables = [[cells for cells, _ in _rows(table, name)] for table in chart.iter(TABLE + "table")]
    return chart_table_lines(
        _shown(title) if title is not None else "",
        [rows for rows in tables if rows],
        _shown(axis) if axis is not None else "Category",
    )


def _notes(element, name: str, lists: ListNumbers | None) -> Iterator[str]:
    """The footnotes and endnotes a paragraph or table refers to, after it, as a printed page shows
    them beneath it: "Footnote 2: " (its mark as shown) before the first paragraph of each, as Word's
    are read (``index.word``); and the comments on it, "Comment (Maren Holt): ", as Writer shows them
    beside it."""
    for note in element.iter(TEXT + "note", OFFICE + "annotation"):
        if note.tag == OFFICE + "annotation":  # a reviewer's comment, as Word's are read
            author = _author(note)
            heading, body = (f"Comment ({author})" if author else "Comment"), note
        else:
            word = "Endnote" if note.get(TEXT + "note-class") == "endnote" else "Footnote"
            heading = f"{word} {' '.join((note.findtext(TEXT + 'note-citation') or '').split())}"
            body = note.find(TEXT + "note-body")
        lines = _lines(body, name, None, lists) if body is not None else iter(())
        yield f"{heading}: " + next(lines, "")
        yield from lines


def _author(annotation) -> str:
    """Who wrote a comment (``dc:creator``), "" where it does not say."""
    return " ".join((annotation.findtext(DC + "creator") or "").split())


@dataclass(frozen=True)
class ListLevel:
    """One level of an ODF list style: a number (``format`` "1", "a", "A", "i", "I"; "" shows none)
    between ``prefix`` and ``suffix``, showing the ``shown`` levels up to it ("2.1."), from ``start``;
    or a ``bullet``."""

    format: str = ""
    prefix: str = ""
    suffix: str = ""
    shown: int = 1
    start: int = 1
    bullet: str = ""


ODF_FORMATS = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}


def _margins(styles, kinds: tuple[str, ...], name: str, printed, lists: ListNumbers) -> Iterator[str]:
    """The lines of the page headers (``kinds``: ``HEADERS``) or footers of a Writer document's page
    styles (``styles``: its parsed ``styles.xml``), each once, as Word's are read (``index.word``)."""
    said: set[str] = set()
    for master in styles.iter(STYLE + "master-page") if styles is not None else ():
        for kind in kinds:
            for margin in master.iter(STYLE + kind):
                yield from margin_lines(_lines(margin, name, printed, lists), said)


def list_styles(styles, content) -> dict[str, dict[int, ListLevel]]:
    """Every list style (``text:list-style``) of the document (``styles``: its parsed ``styles.xml``,
    if it has one; ``content``: its ``content.xml``), by name: its levels, from 1."""
    found: dict[str, dict[int, ListLevel]] = {}
    for root in [styles, content] if styles is not None else [content]:  # the document's own styles last
        for list_style in root.iter(TEXT + "list-style", TEXT + "outline-style"):
            levels = {}
            for level in _elements(list_style):
                n = whole_number(level.get(TEXT + "level"), 1)
                if level.tag in (TEXT + "list-level-style-number", TEXT + "outline-level-style"):
                    levels[n] = ListLevel(
                        level.get(STYLE + "num-format", ""),
                        level.get(STYLE + "num-prefix", ""),
                        level.get(STYLE + "num-suffix", ""),
                        whole_number(level.get(TEXT + "display-levels"), 1),
                        whole_number(level.get(TEXT + "start-value"), 1),
                    )
                elif level.tag == TEXT + "list-level-style-bullet":
                    levels[n] = ListLevel(bullet=level.get(TEXT + "bullet-char") or "•")
            named = OUTLINE if list_style.tag == TEXT + "outline-style" else list_style.get(STYLE + "name") or ""
            found[named] = levels
    return found


class ListNumbers:
    """The labels of a Writer document's list items, counted as Writer counts them: each list on
    its own unless it continues another (``text:continue-list``, or ``text:continue-numbering``:
    the last list of its style), deeper levels starting again under each item, an item's own
    ``text:start-value`` restarting its level; and headings' chapter numbers (``heading``)."""

    def __init__(self, styles: dict[str, dict[int, ListLevel]]) -> None:
        self.styles = styles
        self.counts: dict[object, list[int | None]] = {}  # by list, as continued: each level's number
        self.named: dict[str, object] = {}  # a list's xml:id -> the list it counts with
        self.last: dict[str | None, object] = {}  # a style -> the last list of it

    def items(self, element, within: tuple[str | None, int, object] | None) -> Iterator[tuple]:
        """``(item, label, within)`` for each item of the ``text:list`` ``element`` (``within``: the
        list around it, for a nested one): the label ("2.1. ", "• ", "") for its first paragraph."""
        style = element.get(TEXT + "style-name") or (within[0] if within else None)
        level = within[1] + 1 if within else 1
        if within is not None:
            chain = within[2]
        elif (continued := element.get(TEXT + "continue-list")) in self.named:
            chain = self.named[continued]
        elif element.get(TEXT + "continue-numbering") == "true" and style in self.last:
            chain = self.last[style]
        else:
            chain = object()
        self.named[element.get(XML + "id") or ""] = chain
        self.last[style] = chain
        counts = self.counts.setdefault(chain, [None] * (LIST_LEVELS + 2))
        levels = self.styles.get(style or "", {})
        shown = levels.get(min(level, LIST_LEVELS), ListLevel())
        for item in _elements(element):
            label = ""
            if item.tag == TEXT + "list-item" and level <= LIST_LEVELS:
                restart = item.get(TEXT + "start-value")
                count_one(counts, level, shown.start, whole_number(restart, shown.start) if restart else None)
                label = self._label(levels, level, counts)
            yield item, label, (style, level, chain)

    def heading(self, element) -> str:
        """The chapter number (and a space) of a heading (``text:h``) outside lists, counted by its
        outline level as the document's outline style numbers them ("2.1 "); "" where it numbers none."""
        levels = self.styles.get(OUTLINE, {})
        level = whole_number(element.get(TEXT + "outline-level"), 1)
        if not levels or element.get(TEXT + "is-list-header") == "true" or not 1 <= level <= LIST_LEVELS:
            return ""
        counts = self.counts.setdefault(OUTLINE, [None] * (LIST_LEVELS + 2))
        restart = element.get(TEXT + "start-value") if element.get(TEXT + "restart-numbering") == "true" else None
        start = levels.get(level, ListLevel()).start
        count_one(counts, level, start, whole_number(restart, start) if restart else None)
        return self._label(levels, level, counts)

    @staticmethod
    def _label(levels: dict[int, ListLevel], level: int, counts: list[int | None]) -> str:
        shown = levels.get(level, ListLevel())
        if shown.bullet:
            return f"{shown.bullet} "
        if not shown.format:
            return ""
        numbers = []
        for upper in range(max(1, level - shown.shown + 1), level + 1):
            known = levels.get(upper, ListLevel())
            count = counts[upper] if counts[upper] is not None else known.start
            numbers.append(formatted(count, ODF_FORMATS.get(known.format or shown.format, "decimal")))
        return f"{shown.prefix}{'.'.join(numbers)}{shown.suffix} "


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


def _cells(table) -> Iterator:
    """A table's own cells (in row groups too, not a table's inside them), row by row; a repeated
    cell once, a cell covered by a merged one not at all."""
    for element in _elements(table):
        if element.tag == TABLE + "table-row":
            yield from (cell for cell in _elements(element) if cell.tag == TABLE + "table-cell")
        elif element.tag != TABLE + "table-column":
            yield from _cells(element)


def _rows(table, name: str, shown: Callable[..., str] | None = None) -> Iterator[tuple[list[str], int]]:
    """Each row of a table (in row groups too) as its cells' texts (``shown`` of each, ``_shown`` where
    not given), trailing empty ones left off, and how many times the row repeats. A repeated cell is
    written each time; one covered by a merged cell is empty, as Word's are (so that the columns
    after it keep their names)."""
    shown = shown or _shown
    for element in _elements(table):
        if element.tag == TABLE + "table-row":
            cells: list[str] = []
            blanks = 0  # empty cells not yet known to come before a filled one
            for cell in _elements(element):
                if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                    continue
                repeat = int(cell.get(TABLE + "number-columns-repeated") or 1)
                if not (text := shown(cell)):
                    blanks += repeat
                    continue
                if len(cells) + blanks + repeat > MOST_CELLS:  # a few bytes can declare a billion
                    raise SkippedFile(name, f"has more than {MOST_CELLS:,} cells; skipped")
                cells.extend([""] * blanks + [text] * repeat)
                blanks = 0
            yield cells, int(element.get(TABLE + "number-rows-repeated") or 1)
        elif element.tag != TABLE + "table-column":
            yield from _rows(element, name, shown)


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
        yield with_comments(table_lines(rows), _sheet_comments(sheet))


def _sheet_comments(sheet) -> dict[int, list[str]]:
    """A Calc sheet's cell comments by row (from 1), each as an Excel one is written
    (``index.sheet_comments``): "[Comment on B2 (Maren Holt): estimate]"."""
    from openpyxl.utils import get_column_letter

    found: dict[int, list[str]] = {}
    row = 0
    for element in _row_elements(sheet):
        column = 0
        for cell in _elements(element):
            if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                continue
            for note in cell.iter(OFFICE + "annotation"):
                ref = f"{get_column_letter(min(column + 1, 16384))}{row + 1}"
                said = " ".join("".join(p.itertext()) for p in note.iter(TEXT + "p"))
                found.setdefault(row + 1, []).append(comment_text(ref, note.findtext(DC + "creator") or "", said))
            column += int(cell.get(TABLE + "number-columns-repeated") or 1)
        row += int(element.get(TABLE + "number-rows-repeated") or 1)
    return found


def _row_elements(table) -> Iterator:
    """A table's own rows (in row groups too), in order, as ``_rows`` reads them."""
    for element in _elements(table):
        if element.tag == TABLE + "table-row":
            yield element
        elif element.tag != TABLE + "table-column":
            yield from _row_elements(element)


def _title(slide) -> str:
    """A slide's title: the text of its frame of the presentation class "title", if it has one."""
    for frame in slide.iter(DRAW + "frame"):
        if frame.get(PRESENTATION + "class") == "title":
            return " ".join(" ".join("".join(p.itertext()) for p in frame.iter(TEXT + "p", TEXT + "h")).split())
    return ""


def _slides(
    presentation, name: str, printed: Callable[..., list[str]] | None = None, lists: ListNumbers | None = None
) -> Iterator[list[str]]:
    """Each slide's paragraphs (with ``lists``, a list item's with its number), table rows (and with
    ``printed``, its pictures' print), then its speaker notes, then its reviewers' comments, as
    PowerPoint's are read (``index.slide_comments``)."""
    for slide in _elements(presentation):
        if slide.tag == DRAW + "page":
            comments = [
                comment_line(_author(note), " ".join(_shown(p) for p in note.iter(TEXT + "p")))
                for note in _elements(slide)
                if note.tag in (OFFICEOOO + "annotation", OFFICE + "annotation")
            ]
            yield [line for line in _lines(slide, name, printed, lists) if line] + comments
