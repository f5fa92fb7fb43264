"""A PDF's tables as labelled rows, in the lines pypdf read.

pypdf reads a table's row as its words run together ("Skerry Point Cork 1851 22"), which says
nothing of what the numbers are. pdfplumber finds a page's tables and their cells; each row whose
words are, in order, the words of a line pypdf read becomes that line's labelled form
(``index.tables.table_lines``: "Light: Skerry Point; County: Cork; Built: 1851; Height (m): 22"),
so that line numbers, and everything counted in them, stay as they were; a row pypdf read over a
few lines (a cell's text wrapped) is labelled on the first, and the others are left empty. A row
whose words pypdf read in another order matches no line and stays as pypdf read it, as does every
line of a page pdfplumber cannot read.
"""

from __future__ import annotations

import io
import logging

from index.tables import holds_datum, table_lines, under

log = logging.getLogger(__name__)
MOST_LINES = 6  # that one row's words may run over: a cell wrapped in a narrow column
RULES = 4  # paths drawn on a page (a ruled table's borders) before pdfplumber looks for tables on it
MOST_PAGES = 500  # of a PDF's ruled pages laid out (~0.1 s each), so that no PDF holds ingestion for long


def labelled_tables(
    data: bytes, pages: list[list[str]], skip: set[int] = frozenset()
) -> tuple[list[list[str]], str | None]:
    """``pages`` (each page's lines, as pypdf read them) with their tables' rows labelled, and a note
    where some were not looked at; pages in ``skip`` (scans, read by OCR instead) are left as they
    are, and so is every page with fewer than ``RULES`` lines drawn: pdfplumber finds tables by their
    rules, and laying a page out costs it ~0.1 s, 28 times what pypdf takes to read one
    (``bench.pdf_tables``). Of those, the first ``MOST_PAGES`` are looked at."""
    import pdfplumber

    pages = [list(lines) for lines in pages]
    ruled = sorted(_ruled(data, len(pages)) - set(skip))
    note = None
    if len(ruled) > MOST_PAGES:
        note = (
            f"tables on its ruled pages after the first {MOST_PAGES} (from page {ruled[MOST_PAGES] + 1}) not labelled"
        )
    ruled = set(ruled[:MOST_PAGES])
    if not ruled:
        return pages, note
    header, headed_on = None, -2  # the last table's header, and its page: a table may go on over the next
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages):
                if number not in ruled:
                    continue
                try:
                    tables = [table.extract() for table in page.find_tables()]
                except Exception:  # noqa: BLE001 - pdfminer's errors are many; the page keeps pypdf's lines
                    log.warning(
                        "the tables of page %d could not be read; its lines stay as pypdf read them", number + 1
                    )
                    continue
                for order, rows in enumerate(tables):
                    above = header if order == 0 and headed_on == number - 1 else None
                    cells = [[" ".join((cell or "").split()) for cell in row] for row in rows]
                    if cells and (header := _label(pages[number], cells, above)) is not None:
                        headed_on = number
    except Exception:  # noqa: BLE001 - a PDF pypdf read and pdfminer cannot: the lines stay pypdf's
        log.warning("pdfplumber could not open the PDF; its tables stay as pypdf read them")
    return pages, note


def _ruled(data: bytes, count: int) -> set[int]:
    """The pages (from 0, of the first ``count``) with at least ``RULES`` paths drawn on them, as
    pdfium (fast, in C) counts them; none where pdfium cannot open the PDF."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    ruled = set()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return ruled
    try:
        for number in range(min(len(document), count)):
            paths = document[number].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,))
            if sum(1 for _, __ in zip(range(RULES), paths, strict=False)) >= RULES:
                ruled.add(number)
    finally:
        document.close()
    return ruled


def _label(lines: list[str], rows: list[list[str]], above: list[str] | None = None) -> list[str] | None:
    """Replace, in order, each line whose words are a row's with that row's labelled line; or where
    a row's words run over up to ``MOST_LINES`` lines (a cell's text wrapped), the first of them,
    leaving the others empty (the CSV reader pads a record over several lines so too). A table
    whose first row is data (a number or a date in it) and as wide as ``above``, the header of the
    table at the end of the page before, goes on under that header: a table over a page break whose
    header is not printed again. The header the rows were labelled by, if any."""
    own = not holds_datum(rows[0])
    if not own and above is not None and len(rows[0]) == len(above):
        written, header = under(above, rows), above
    else:
        written, header = table_lines(rows), rows[0] if own else None
    at = 0
    for row, line in zip(rows, written, strict=True):
        words = " ".join(row).split()
        if not words:
            continue
        found = _lines_of(lines, words, at)
        if found is not None:
            first, end = found
            lines[first:end] = [line] + [""] * (end - first - 1)
            at = end
    return header


def _lines_of(lines: list[str], words: list[str], at: int) -> tuple[int, int] | None:
    """The first run of lines from ``at`` on, at most ``MOST_LINES`` long, whose words are ``words``:
    its first line and the one after its last; None if there is none."""
    for first in range(at, len(lines)):
        read: list[str] = []
        for end in range(first + 1, min(first + MOST_LINES, len(lines)) + 1):
            read += lines[end - 1].split()
            if read == words:
                return first, end
            if read != words[: len(read)]:
                break
    return None
