"""A Word document as lines: what a reader sees on its pages, in their order.

python-docx reads a paragraph's text from its direct runs and links alone and a body's
paragraphs and tables from its direct children alone, so it leaves out text Word shows:
tracked insertions (a contract under review), content controls (a template's title, author
and date fields, a form's answers), simple fields, smart tags, and text boxes (a report's
sidebar or pull quote). This module walks the XML itself, keeping python-docx's objects where
they read what is needed (a paragraph's style and number, a table's merged cells).

The page headers' lines come first and the footers' last, each once (``margins``). One line a
paragraph (with its number, ``index.numbering``), one a table row (labelled,
``index.tables``); a paragraph's text boxes follow it, a line a paragraph of theirs, then the
footnotes and endnotes it refers to ("Footnote 2: ...", numbered as Word numbers them; a table's
follow its rows), as a printed page shows them beneath it, and the reviewers' comments on it
("Comment (Maren Holt): Figures to be confirmed by finance.", as Word shows them beside it: what
a report under review says of itself, often what a reader asks about). A table
holding a table or a text box lays the page out, as an HTML page's may (a form, a letterhead):
its cells are read as blocks, row by row. Deleted text, and the older copy Word keeps of a text
box for older readers (``mc:Fallback``), are left out. Charts and SmartArt diagrams are read
after their paragraph as ``index.graphics`` reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from index.formats import margin_lines
from index.graphics import CHART_URI, DIAGRAM_URI, GRAPHIC_DATA, graphic_lines
from index.numbering import Numbering, formatted
from index.ocr import Pictures
from index.tables import table_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Wrappers whose blocks (paragraphs, tables) are read as if they stood in their place.
BLOCK_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml"}
COMMENT_REFERENCE = W + "commentReference"
NOTE_REFERENCES = (W + "footnoteReference", W + "endnoteReference", COMMENT_REFERENCE)
# Inside a paragraph: what is not its own shown text (deleted text; a text box, read on its own
# lines; the copy of a drawing kept for older readers).
NOT_OWN = {W + "del", W + "moveFrom", W + "txbxContent", MC + "Fallback", W + "p"}


def word_lines(document, numbering: Numbering, pictures: Pictures | None = None) -> Iterator[str]:
    """The lines of a python-docx ``document``: its page headers' (``margins``), its body's, then its
    page footers'; with ``pictures``, the print in each paragraph's pictures follows it, and in a
    table's, its rows."""
    notes = Notes(document)
    yield from margins(document, "header", numbering, pictures, notes)
    yield from _lines(document.element.body, document, numbering, pictures, notes)
    yield from margins(document, "footer", numbering, pictures, notes)


def margins(document, kind: str, numbering: Numbering, pictures: Pictures | None, notes: Notes) -> Iterator[str]:
    """The lines of a document's page headers (``kind`` "header") or footers ("footer"), each once
    however many sections or pages show it: the first page's, the default and the even pages', in
    each section's order. A procedure's header often holds what nothing else says (its document
    number, revision, effective date). Empty lines, lines said already, and page numbers ("Page 2
    of 9") are left out."""
    from types import SimpleNamespace

    seen_parts: set = set()
    said: set[str] = set()
    for section in document.sections:
        for which in (f"first_page_{kind}", kind, f"even_page_{kind}"):
            margin = getattr(section, which)
            if not margin._has_definition or (part := margin._definition) in seen_parts:
                continue
            seen_parts.add(part)
            yield from margin_lines(_lines(part.element, SimpleNamespace(part=part), numbering, pictures, notes), said)


def _lines(container, parent, numbering: Numbering, pictures: Pictures | None, notes: Notes) -> Iterator[str]:
    """The lines of the blocks in ``container`` (a body, a cell, a text box); ``parent``: the
    python-docx object its paragraphs belong to (their styles are read through it)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in blocks(container):
        if block.tag == W + "tbl":
            table = Table(block, parent)
            if _lays_out(block):
                for cell in _unmerged_cells(table):
                    yield from _lines(cell._tc, cell, numbering, pictures, notes)
                continue
            yield from table_lines(
                [row_cells(row.cells, partial(_cell_text, numbering=numbering)) for row in table.rows]
            )
            drawn = block.iter(A + "blip")  # a table's pictures (a stamp in a cell) follow its rows
            referred = block.iter(*NOTE_REFERENCES)
        else:
            yield numbering.label(Paragraph(block, parent)) + paragraph_text(block)
            for box in _own(block, W + "txbxContent"):
                yield from _lines(box, parent, numbering, pictures, notes)
            for graphic in _own(block, GRAPHIC_DATA):  # a chart, a SmartArt diagram
                yield from graphic_lines(graphic, parent.part)
            drawn = _own(block, A + "blip")
            referred = _own(block, *NOTE_REFERENCES)
        for reference in list(referred):
            yield from notes.lines(reference, parent, numbering)
        for blip in drawn if pictures else ():
            part = parent.part.related_parts.get(blip.get(R + "embed"))
            yield from pictures.lines(part.blob) if part is not None else []


class Notes:
    """A document's footnotes and endnotes, by id, and how many of each have been referred to so far
    (Word numbers them in the order they are referred to: 1, 2, 3 for footnotes and i, ii, iii for
    endnotes unless the document says otherwise); and its comments, by id."""

    def __init__(self, document) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        settings = document.settings.element
        self._kinds: dict[str, tuple[str, str, dict[str, object]]] = {}
        for tag, relationship, word, default in (
            ("footnote", RT.FOOTNOTES, "Footnote", "decimal"),
            ("endnote", RT.ENDNOTES, "Endnote", "lowerRoman"),
        ):
            shown = settings.find(f"{W}{tag}Pr/{W}numFmt")
            found = shown.get(W + "val", default) if shown is not None else default
            self._kinds[W + tag + "Reference"] = (word, found, _notes(document.part, relationship, W + tag))
        self._counts = dict.fromkeys(self._kinds, 0)
        self._comments = _notes(document.part, RT.COMMENTS, W + "comment")

    def lines(self, reference, parent, numbering: Numbering) -> Iterator[str]:
        """The lines of the note ``reference`` (a ``w:footnoteReference``) refers to: its first
        paragraph after "Footnote 2: ", the others on their own lines; none for a note not found. A
        ``w:commentReference``'s comment likewise, after "Comment (its author): "."""
        if reference.tag == COMMENT_REFERENCE:
            comment = self._comments.get(reference.get(W + "id"))
            author = " ".join((comment.get(W + "author") or "").split()) if comment is not None else ""
            yield from self._headed(f"Comment ({author})" if author else "Comment", comment, parent, numbering)
            return
        word, number_format, notes = self._kinds[reference.tag]
        if reference.get(W + "customMarkFollows") not in ("1", "true", "on"):
            self._counts[reference.tag] += 1
            mark = formatted(self._counts[reference.tag], number_format)
        else:  # a mark of the author's own ("*"), the run after the reference
            run = reference.getparent().getnext()
            mark = run.text.strip() if run is not None and run.tag == W + "r" else ""
        yield from self._headed(f"{word} {mark}", notes.get(reference.get(W + "id")), parent, numbering)

    def _headed(self, heading: str, note, parent, numbering: Numbering) -> Iterator[str]:
        """A note's (or comment's) lines, the first after ``heading``; none for one not found."""
        if note is None:
            return
        lines = _lines(note, parent, numbering, None, self)
        yield f"{heading}: " + next(lines, "").strip()
        yield from lines


def _notes(part, relationship: str, tag: str) -> dict[str, object]:
    """The notes (``tag``: ``w:footnote`` or ``w:endnote``) of a document's notes part, by id; not
    the separators Word keeps among them."""
    from docx.oxml import parse_xml

    try:
        related = part.part_related_by(relationship)
    except KeyError:  # python-docx's way of saying there is none
        return {}
    root = related.element if hasattr(related, "element") else parse_xml(related.blob)
    return {note.get(W + "id"): note for note in root.iter(tag) if note.get(W + "type") in (None, "normal")}


def _lays_out(table) -> bool:
    """Whether a table lays the page out rather than holding data: it holds a table, a text box, a
    chart or a diagram, which no cell's line could hold."""
    return any(
        element is not table
        for element in table.iter(W + "tbl", W + "txbxContent", GRAPHIC_DATA)
        if element.tag != GRAPHIC_DATA or element.get("uri") in (CHART_URI, DIAGRAM_URI)
    )


def blocks(container) -> Iterator:
    """The paragraphs (``w:p``) and tables (``w:tbl``) of a body, cell or text box in their order,
    those inside content controls and custom XML too."""
    for child in container:
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag in BLOCK_WRAPPERS:
            yield from blocks(child)


def paragraph_text(p) -> str:
    """A paragraph's shown text: its runs wherever they sit (links, tracked insertions, content
    controls, fields, smart tags), tabs and line breaks as python-docx writes them; not deleted
    text, nor its text boxes' (``_own``)."""
    return "".join(run.text for run in _own(p, W + "r"))


def _own(p, *tags: str) -> Iterator:
    """The elements ``tags`` inside paragraph ``p`` that are its own: not inside another paragraph
    (a text box's), deleted text, or a drawing's fallback copy; a text box's, for ``w:txbxContent``,
    is its own but not those inside it."""
    for element in p.iter(*tags):
        parent = element.getparent()
        while parent is not None and parent is not p and parent.tag not in NOT_OWN:
            parent = parent.getparent()
        if parent is p:
            yield element


def _cell_text(cell, numbering: Numbering) -> str:
    """A data table cell's paragraphs on one line, a numbered one with its number, counted in its
    place in the document."""
    from docx.text.paragraph import Paragraph

    return " ".join(
        numbering.label(Paragraph(p, cell)) + paragraph_text(p) for p in blocks(cell._tc) if p.tag == W + "p"
    )


def row_cells(cells, text: Callable[..., str]) -> list[str]:
    """A Word or PowerPoint table row's cells by column, each as ``text`` reads it on one line: a
    merged cell's text in its first column, the others it spans empty (so that the columns after it
    keep their names)."""
    return [" ".join(text(cell).split()) if first else "" for cell, first in _firsts(cells, set())]


def _unmerged_cells(table) -> Iterator:
    """A table's cells row by row, a merged cell once (python-docx lists it once per grid column)."""
    seen: set = set()
    for row in table.rows:
        yield from (cell for cell, first in _firsts(row.cells, seen) if first)


def _firsts(cells, seen: set) -> Iterator[tuple[object, bool]]:
    """Each cell, and whether it is met here first (a merged cell is listed once per column it spans);
    ``seen`` holds the cells' elements met before (held: an element's id is reused once nothing
    holds it)."""
    for cell in cells:
        yield cell, cell._tc not in seen
        seen.add(cell._tc)
