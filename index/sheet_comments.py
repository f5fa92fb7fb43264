"""An Excel workbook's cell comments, by sheet and row: what a sheet's author noted beside a
number ("estimate: final figures in March") that the number alone does not say.

openpyxl's read-only reader, which reads a large workbook row by row, leaves comments out, so
they are read from the workbook's parts here: each sheet's comments part (``xl/comments1.xml``,
Excel's notes), or its threaded comments (``xl/threadedComments/...``, Excel 365's comments, with
their replies and their people's names), in place of the legacy copy Excel keeps of those for
older readers ("[Threaded comment] Your version of Excel allows you to read...").

Calc's comments (``office:annotation`` in a cell) are read by ``index.opendocument`` and go after
their rows' text as these do (``with_comments``).

This module neither reads cell values nor labels rows (``index.office`` does).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from index.graphics import PARSER

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
THREADED = "{http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments}"
LEGACY_TYPE = "/comments"
THREADED_TYPE = "/threadedComment"
PERSON_TYPE = "/person"
MOST_COMMENTS = 10_000  # of a workbook: a note each to a few rows is the use; more is not read


def comment_text(ref: str, author: str, text: str) -> str:
    """A comment as its row's line carries it: its cell, its author, its words (the author's name
    Excel writes at the head of a note's text, "Maren Holt:", not repeated).

    >>> comment_text("C2", "Maren Holt", "Maren Holt:\\nestimate,  final in March")
    '[Comment on C2 (Maren Holt): estimate, final in March]'
    >>> comment_text("A1", "", "check")
    '[Comment on A1: check]'
    """
    words = " ".join(text.split())
    if author and words.startswith(f"{author}:"):
        words = words[len(author) + 1 :].strip()
    return f"[Comment on {ref} ({author}): {words}]" if author else f"[Comment on {ref}: {words}]"


def row_of(ref: str) -> int:
    """The row (from 1) of a cell reference; 0 for one that names none.

    >>> row_of("C12"), row_of("$AB$3"), row_of("nonsense")
    (12, 3, 0)
    """
    digits = ref.lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").lstrip("$")
    return int(digits) if digits.isdigit() else 0


def with_comments(lines: list[str], comments: dict[int, list[str]]) -> list[str]:
    """A sheet's lines (line N: row N) with each row's cell comments after its text (a comment on a
    row past the last one read on a line of its own, at its row).

    >>> with_comments(["Port | Tonnage", "Port: Skerry; Tonnage: 1,450"], {2: ["[Comment on B2: estimate]"]})
    ['Port | Tonnage', 'Port: Skerry; Tonnage: 1,450 [Comment on B2: estimate]']
    """
    out = list(lines)
    for row, said in sorted(comments.items()):
        if row < 1:
            continue
        out.extend([""] * (row - len(out)))
        out[row - 1] = " ".join(filter(None, (out[row - 1], *said)))
    return out


def sheet_comments(data: bytes) -> dict[str, dict[int, list[str]]]:
    """The comments of an ``.xlsx`` workbook (``data``): by sheet name, then by row (from 1), each
    as ``comment_text`` writes it, in the sheet's order, replies after what they reply to. A
    workbook whose parts cannot be read has none (its cells are read all the same)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return _comments(book)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError):
        return {}


def workbook_sheets(book: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """Each sheet's name and the path of its part (a worksheet's, or a chart sheet's), in the
    workbook's order; a sheet whose part is missing left out."""
    workbook = etree.fromstring(book.read("xl/workbook.xml"), PARSER)
    sheets_at = {rid: path for rid, _, path in relationships(book, names, "xl/workbook.xml")}
    return [
        (sheet.get("name") or "", sheets_at[rid])
        for sheet in workbook.iter(MAIN + "sheet")
        if (rid := sheet.get(R + "id") or "") in sheets_at
    ]


def _comments(book: zipfile.ZipFile) -> dict[str, dict[int, list[str]]]:
    names = set(book.namelist())
    people = {}
    for _, kind, target in relationships(book, names, "xl/workbook.xml"):
        if kind.endswith(PERSON_TYPE):
            for person in etree.fromstring(book.read(target), PARSER).iter(THREADED + "person"):
                people[person.get("id")] = person.get("displayName") or ""
    found: dict[str, dict[int, list[str]]] = {}
    count = 0
    for sheet, path in workbook_sheets(book, names):
        parts = relationships(book, names, path)
        threaded = [part for _, kind, part in parts if kind.endswith(THREADED_TYPE)]
        legacy = [part for _, kind, part in parts if kind.endswith(LEGACY_TYPE)]
        rows: dict[int, list[str]] = {}
        for target in threaded or legacy:
            for ref, author, text in _read(book.read(target), people):
                if count >= MOST_COMMENTS:
                    break
                rows.setdefault(row_of(ref), []).append(comment_text(ref, author, text))
                count += 1
        if rows:
            found[sheet] = rows
    return found


def _read(xml: bytes, people: dict[str, str]) -> list[tuple[str, str, str]]:
    """A comments part's comments: (cell, author, text), in the part's order (a reply after what it
    replies to, as Excel writes them)."""
    root = etree.fromstring(xml, PARSER)
    if root.tag == THREADED + "ThreadedComments":
        return [
            (c.get("ref") or "", people.get(c.get("personId") or "", ""), c.findtext(THREADED + "text") or "")
            for c in root.iter(THREADED + "threadedComment")
        ]
    authors = [a.text or "" for a in root.iter(MAIN + "author")]
    out = []
    for comment in root.iter(MAIN + "comment"):
        at = int(comment.get("authorId") or -1)
        text = "".join(t.text or "" for t in comment.iter(MAIN + "t"))
        out.append((comment.get("ref") or "", authors[at] if 0 <= at < len(authors) else "", text))
    return out


def relationships(book: zipfile.ZipFile, names: set[str], part: str) -> list[tuple[str, str, str]]:
    """The relationships of ``part`` to other parts of the workbook: (id, type, the part's path)."""
    folder, file = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{file}.rels")
    if rels not in names:
        return []
    out = []
    for rel in etree.fromstring(book.read(rels), PARSER).iter(REL + "Relationship"):
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if path in names and rel.get("TargetMode") != "External":
            out.append((rel.get("Id") or "", rel.get("Type") or "", path))
    return out
