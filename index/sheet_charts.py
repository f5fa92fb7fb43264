"""An Excel workbook's charts, by sheet: a chart sheet's chart, and the charts drawn over a
worksheet, as their titles and tables of their data (``index.graphics``), as Word's and
PowerPoint's charts read. openpyxl reads no chart; a chart sheet was an empty page, and a worksheet's
"Tonnage by port" named nothing a passage said.

Each sheet's drawing part (``xl/drawings/drawingN.xml``) names its charts (``xl/charts/chartN.xml``);
each chart's data is the copy Excel keeps in it of the cells it plots. A workbook written by a library
that keeps no such copy has its charts' titles alone.

This module reads neither cells nor comments (``index.office``, ``index.sheet_comments``).
"""

from __future__ import annotations

import io
import logging
import zipfile

from lxml import etree

from index.graphics import PARSER, C, chart_lines
from index.sheet_comments import R, relationships, workbook_sheets

log = logging.getLogger(__name__)

DRAWING_TYPE = "/drawing"
CHART_TYPE = "/chart"
MOST_CHARTS = 200  # of a workbook: a few is the use


def sheet_charts(data: bytes) -> dict[str, list[str]]:
    """The charts of an ``.xlsx`` workbook (``data``), by sheet name: their lines, in the order each
    sheet's drawing holds them. A workbook whose parts cannot be read has none (its cells are read
    all the same); a chart that cannot be read is left out."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return _charts(book)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError):
        return {}


def _charts(book: zipfile.ZipFile) -> dict[str, list[str]]:
    names = set(book.namelist())
    found: dict[str, list[str]] = {}
    left = MOST_CHARTS
    for sheet, path in workbook_sheets(book, names):
        lines = []
        for _, kind, drawing in relationships(book, names, path):
            if not kind.endswith(DRAWING_TYPE):
                continue
            charts = {rid: part for rid, kind, part in relationships(book, names, drawing) if kind.endswith(CHART_TYPE)}
            for placed in etree.fromstring(book.read(drawing), PARSER).iter(C + "chart"):
                part = charts.get(placed.get(R + "id") or "")
                if part is None or left <= 0:
                    continue
                left -= 1
                try:
                    lines += chart_lines(book.read(part))
                except Exception:  # noqa: BLE001 -- a chart python-pptx cannot parse: the rest is read
                    log.warning("a chart of the workbook could not be read (%s)", part, exc_info=True)
        if lines:
            found[sheet] = lines
    return found
