"""Tables as labelled rows: each row under the header a line of ``column: value`` pairs.

A row of a CSV file or a sheet ("Kestrel Bay,Cork,Eoin Ward,1933,11,17")
means nothing without the header that names its columns, and a passage of
rows from the middle of a table has no header in it. So each row after a
table's header row becomes "Light: Kestrel Bay; County: Cork; ...; Height
(m): 11; Range (nmi): 17": what the model reads, what the verifier and the
attribution compare an answer with, and what the viewer shows. Line numbers
do not move: the header row stays as it is, one row is one line, and a CSV
record that spans several lines (a quoted line break) is padded with empty
lines, so line N is still the file's line N. Empty cells are left out.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from itertools import zip_longest

# A cell no header would hold: a number (1450, -3.5, 12%, 1,200) or a date (2024-07-01).
DATUM = re.compile(r"[-+]?[\d.,]+%?|\d{4}-\d{2}-\d{2}.*")
CONTINUED = 3  # filled cells of a row after an empty one that goes on under the header above it


def labelled(header: list[str], cells: list[str]) -> str:
    """One row as ``column: value`` pairs (a column with no name is numbered).

    >>> labelled(["Light", "", "Height"], ["Skerry", "Cork", "", "extra"])
    'Light: Skerry; column 2: Cork; column 4: extra'
    """
    pairs = []
    for number, (name, value) in enumerate(zip_longest(header, cells, fillvalue=""), start=1):
        if value := " ".join(value.split()):
            pairs.append(f"{' '.join(name.split()) or f'column {number}'}: {value}")
    return "; ".join(pairs)


def under(header: list[str], rows: list[list[str]]) -> list[str]:
    """Rows known to stand under ``header`` (a row of ``th`` cells, a header printed on the page
    before), each ``labelled``; an empty row stays empty.

    >>> under(["Port", "2024"], [["Skerry", "1,450"], ["", ""]])
    ['Port: Skerry; 2024: 1,450', '']
    """
    return [labelled(header, row) if any(cell.strip() for cell in row) else "" for row in rows]


def holds_datum(cells: list[str]) -> bool:
    """Whether a row holds a number or a date: not a header, then.

    >>> holds_datum(["Skerry", " 1851 "]), holds_datum(["Light", "Built"])
    (True, False)
    """
    return any(DATUM.fullmatch(cell.strip()) for cell in cells if cell.strip())


def labelled_rows(rows: list[list[str] | None]) -> list[str] | None:
    """A table's rows as lines, block by block (rows between empty rows): a block whose first row is
    a header (no number or date among its cells) has that row's cells joined by `` | `` and every
    row after it ``labelled``; a block whose first row looks like the rows above it (a number or
    date among at least ``CONTINUED`` filled cells, no wider than their header, of the kinds of the
    row above in each column: ``_goes_on``) goes on under that header, past a spacer row; any other
    block (a note under a table, another table without a header) has each row's cells joined.
    Empty rows stay empty; a None row is an empty line that ends no block (the second line of a CSV
    record). None if no block has a header.

    >>> labelled_rows([[], ["Light", "Height"], ["Skerry", "22"], [], ["Checked", "2024-07-01"]])
    ['', 'Light | Height', 'Light: Skerry; Height: 22', '', 'Checked | 2024-07-01']
    >>> labelled_rows([["Light", "County", "Height"], ["Skerry", "Cork", "22"], [], ["Hallo", "Kerry", "31"]])[-1]
    'Light: Hallo; County: Kerry; Height: 31'
    >>> labelled_rows([["Skerry", "22"], ["Hallo", "31"]]) is None
    True
    """
    lines: list[str] = []
    header: list[str] | None = None
    above: list[str] = []  # the last row under ``header``, if any
    block_starts, headed = True, False
    for cells in rows:
        if cells is None:
            lines.append("")
            continue
        filled = [cell for cell in cells if cell.strip()]
        if not filled:
            lines.append("")
            block_starts = True
            continue
        if block_starts:
            block_starts = False
            data = holds_datum(filled)
            goes_on = data and header is not None and _goes_on(header, above, cells, filled)
            if not goes_on:  # a block of its own: headed by this row, or by none
                header = None if data else cells
                headed = headed or header is not None
                if header is not None:
                    lines.append(joined(cells))
                    above = []  # no row yet to compare a row after a spacer with
                    continue
        lines.append(labelled(header, cells) if header is not None else joined(cells))
        above = cells
    return lines if headed else None


def _goes_on(header: list[str], above: list[str], cells: list[str], filled: list[str]) -> bool:
    """Whether a row after an empty one is another row of the table ``header`` heads (a spacer row
    split it), not a note or another table: as many filled cells as a row needs to be one, no cell
    past the header's columns, and cells of the kinds of the row ``above`` in the same columns (a
    number or date under one, a word under a word), but for one in four, a cell left "n/a" say.

    >>> header, above = ["Light", "County", "Built", "Range"], ["Skerry", "Cork", "1851", "22"]
    >>> _goes_on(header, above, ["Hallo", "Kerry", "1902", "31"], ["Hallo", "Kerry", "1902", "31"])
    True
    >>> _goes_on(header, above, ["2019", "Cork", "86"], ["2019", "Cork", "86"])  # a year under a name
    False
    """
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    if len(filled) < CONTINUED or width > len(header):
        return False
    pairs = [(a.strip(), b.strip()) for a, b in zip(above, cells, strict=False) if a.strip() and b.strip()]
    unlike = sum(bool(DATUM.fullmatch(a)) != bool(DATUM.fullmatch(b)) for a, b in pairs)
    return unlike <= len(pairs) // 4


def table_lines(rows: list[list[str]]) -> list[str]:
    """A table's rows as lines: labelled by its header rows (``labelled_rows``), or where no block
    has a header, each row's cells joined (``joined``), as every reader of tables writes them.

    >>> table_lines([["Light", "Height"], ["Skerry", "22"]]), table_lines([["Skerry", "22"]])
    (['Light | Height', 'Light: Skerry; Height: 22'], ['Skerry | 22'])
    """
    return labelled_rows(rows) or [joined(cells) for cells in rows]


def joined(cells: list[str]) -> str:
    """A row's cells joined by `` | ``, empty ones at its end left off (the ones between kept, so
    that columns line up).

    >>> joined(["Skerry", "", "1450", "", ""])
    'Skerry |  | 1450'
    """
    cells = [" ".join(cell.split()) for cell in cells]
    while cells and not cells[-1]:
        cells.pop()
    return " | ".join(cells)


_EXCEL_SEPARATOR = re.compile(r"sep=(.)\r?\n?")  # Excel's first line naming a CSV's separator
_QUOTED = re.compile(r'"[^"]*"')


def csv_delimiter(text: str) -> str:
    """What a CSV file's cells are separated by: what its Excel ``sep=`` line names, else ``;``
    where its first line (quoted cells aside) has more semicolons than commas (Excel's CSV where a
    comma is the decimal mark: German, French, Spanish...), else ``,``.

    >>> csv_delimiter("Name;Ort;Betrag\\nRenée;Zürich;1.234,50\\n"), csv_delimiter('Name,"a;b;c"\\n')
    (';', ',')
    >>> csv_delimiter("sep=|\\nName|Ort\\n")
    '|'
    """
    first = text.split("\n", 1)[0]
    if named := _EXCEL_SEPARATOR.fullmatch(first.rstrip("\r")):
        return named[1]
    bare = _QUOTED.sub("", first)
    return ";" if bare.count(";") > bare.count(",") else ","


def delimited_text(text: str, delimiter: str | None = None) -> tuple[str, str | None]:
    """A CSV (or, with a tab, TSV) file's text as ``labelled_rows``, line for line with the file; or,
    where it cannot be parsed as one, the text as it is, and a note saying so; or, where it has no
    header row, the text as it is. ``delimiter`` None: a CSV's own (``csv_delimiter``); an Excel
    ``sep=`` line is kept as a line, not read as the header."""
    delimiter = delimiter or csv_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str] | None] = []
    try:
        for cells in reader:
            rows.append(None if not rows and _EXCEL_SEPARATOR.fullmatch(delimiter.join(cells)) else cells)
            rows.extend(None for _ in range(reader.line_num - len(rows)))  # a record over several lines
    except csv.Error as exc:  # a cell over csv's field limit, say
        return text, f"could not be read as a table (line {reader.line_num}: {exc}); read as plain text"
    lines = labelled_rows(rows)
    return ("\n".join(lines) if lines is not None else text), None


def unicode_text_sheet(data: bytes, text: str) -> bool:
    """Whether a ``.txt`` file (``data``, read as ``text``) is a sheet Excel saved as "Unicode Text":
    UTF-16 with its byte-order mark, two rows or more, each as many cells (two or more) between tabs.

    >>> sheet = "Name\\tCity\\nRenée\\tZürich\\n"
    >>> unicode_text_sheet(sheet.encode("utf-16"), sheet), unicode_text_sheet(sheet.encode(), sheet)
    (True, False)
    >>> note = "Dear Renée,\\n\\tthe crane\\tpassed.\\nBest\\n"
    >>> unicode_text_sheet(note.encode("utf-16"), note)
    False
    """
    if data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return False
    try:
        widths = [len(cells) for cells in csv.reader(io.StringIO(text, newline=""), delimiter="\t") if cells]
    except csv.Error:
        return False
    return len(widths) > 1 and len(set(widths)) == 1 and widths[0] > 1


def markdown_tables(text: str) -> str:
    """A Markdown file's text with each pipe table's body rows labelled by its header row, as a
    CSV's are ("| Kestrel Bay | 11 |" -> "Light: Kestrel Bay; Height (m): 11"); every other line,
    the header and the ``|---|`` line under it included, as it is, and each line where it was, so
    that the file's line N is still line N. A cell reads as it shows: emphasis, links and code
    marks dropped, an escaped ``\\|`` a bar. Tables as GitHub's Markdown (and Notion's and
    Obsidian's exports) write them, parsed by markdown-it-py.

    >>> print(markdown_tables("Lights:\\n\\n| Light | Height |\\n|---|--:|\\n| **Skerry** | 22 |\\n"))
    Lights:
    <BLANKLINE>
    | Light | Height |
    |---|--:|
    Light: Skerry; Height: 22
    <BLANKLINE>
    """
    if "|" not in text:
        return text
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines = text.splitlines(keepends=True)
    header: list[str] = []
    row: list[str] | None = None
    at, in_head = None, False
    for token in tokens:
        match token.type:
            case "thead_open":
                header, in_head = [], True
            case "thead_close":
                in_head = False
            case "tr_open":
                row, at = [], token.map[0] if token.map else None
            case "inline" if row is not None:
                row.append(_shown_cell(token))
            case "tr_close" if row is not None:
                if in_head:
                    header = row
                elif at is not None and at < len(lines):
                    ending = lines[at][len(lines[at].rstrip("\r\n")) :]
                    lines[at] = under(header, [row])[0] + ending
                row = None
    return "".join(lines)


def _shown_cell(inline) -> str:
    """A Markdown cell's text as it shows: its words, without emphasis, link or code marks."""
    shown = (child.content for child in inline.children or () if child.type in ("text", "code_inline"))
    return " ".join("".join(shown).split())


# An HTML table is read as data (a row a line, ``table_lines``) when it holds no table itself and no
# cell longer than this; otherwise it lays a page out, and its cells read as blocks of text.
DATA_CELL_CHARS = 300
MOST_SPAN = 100  # of the columns or rows one HTML cell may span
MOST_CELLS = 200_000  # of an HTML table read as data, spans laid out (one cell spanning 100 x 100 is 10,000)


def html_tables(soup) -> None:
    """Each data table of a parsed HTML page (BeautifulSoup) made its lines in place, a row a line:
    its caption, then its rows, labelled by its header row where it has one (``labelled``): a first
    row of ``th`` cells, or, in a table of no ``th`` and three columns or more, a first row as a
    sheet's (``table_lines``: no number or date in it). A table whose ``th`` head its rows instead
    (down the first column: "Capital | Dublin"), or of two columns with none, has each row's cells
    joined. A cell spanning rows is repeated in each (each line then says it); one spanning columns
    fills the first. A table that lays a page out (a table inside, or a cell of a paragraph's
    length) is left as it is."""
    for table in [t for t in soup.find_all("table") if t.find("table") is None]:
        grid = _grid(table)
        if grid is None:
            continue
        rows, headed = grid
        if len(rows) < 2 or max(map(len, rows)) < 2:
            continue
        if headed:
            lines = [joined(rows[0]), *under(rows[0], rows[1:])]
        elif table.find("th") is None and max(map(len, rows)) >= 3:
            lines = table_lines(rows)
        else:
            lines = [joined(row) for row in rows]
        caption = table.find("caption")
        lines = ([" ".join(caption.get_text(" ").split())] if caption else []) + lines
        table.replace_with("\n" + "\n".join(lines) + "\n")


def _grid(table) -> tuple[list[list[str]], bool] | None:
    """A table's rows as their cells' text, spans laid out, and whether its first row is a header
    (``th`` cells alone); None where a cell is too long for data, or the cells laid out are more
    than ``MOST_CELLS``."""
    rows: list[list[str]] = []
    below: dict[int, tuple[int, str]] = {}  # column -> (rows still spanned, text) of a cell spanning rows
    laid, headed = 0, False
    for number, tr in enumerate(table.find_all("tr")):
        cells, column = [], 0
        found = tr.find_all(["td", "th"], recursive=False)
        headed = headed or (number == 0 and bool(found) and all(cell.name == "th" for cell in found))
        for cell in found:
            while column in below:
                column = _spanned(cells, below, column)
            text = " ".join(cell.get_text(" ").split())
            if len(text) > DATA_CELL_CHARS:
                return None
            across, down = _span(cell, "colspan"), _span(cell, "rowspan")
            for offset in range(across):
                cells.append(text if offset == 0 else "")
                if down > 1:
                    below[column + offset] = (down - 1, text if offset == 0 else "")
            column += across
        while below and max(below) >= column:  # cells spanning down into this row past its last one
            if column in below:
                column = _spanned(cells, below, column)
            else:
                cells.append("")
                column += 1
        rows.append(cells)
        laid += len(cells)
        if laid > MOST_CELLS:
            return None
    return rows, headed


def _spanned(cells: list[str], below: dict[int, tuple[int, str]], column: int) -> int:
    """Fill ``column`` of this row with the cell above that spans into it; the next column."""
    left, text = below.pop(column)
    cells.append(text)
    if left > 1:
        below[column] = (left - 1, text)
    return column + 1


def _span(cell, attribute: str) -> int:
    """How many columns or rows a cell spans (1 where it says nothing sensible; ``MOST_SPAN`` at most)."""
    try:
        return min(max(int(str(cell.get(attribute, 1)).strip()), 1), MOST_SPAN)
    except ValueError:
        return 1
