"""Charts and SmartArt diagrams in Word and PowerPoint files, as lines of what they show.

Neither python-docx nor python-pptx reads them as text: a slide's bar chart of tonnage by
quarter, or a process drawn as SmartArt ("Inspect → Repair → Log"), was on no line, so a
question about them had no answer. Both formats keep them in parts of their own, the same XML in
each, referred to from a drawing's ``a:graphicData``.

A chart reads as its title ("Chart: Tonnage by port"), then, for each of its plots, a table:
a header row of the category axis's title (or "Category") and the series' names, then one
row a category labelled by it as any table's rows are (``index.tables``), the values as the
chart's data holds them (a percentage format's as percentages). A SmartArt diagram reads as
its boxes' text, a line each, in the diagram's own order (each box, then the boxes under it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from lxml import etree

from index.numbering import whole_number
from index.tables import joined, under

log = logging.getLogger(__name__)

CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DGM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
GRAPHIC_DATA = A + "graphicData"


def graphic_lines(graphic_data, part) -> list[str]:
    """The lines of the chart or diagram an ``a:graphicData`` element shows, its parts found
    through ``part`` (the slide's or document's, python-pptx's or python-docx's); none for any
    other graphic, or for one whose part is missing or cannot be read (the rest of the file is
    read all the same)."""
    uri = graphic_data.get("uri")
    try:
        if uri == CHART_URI and (chart := graphic_data.find(C + "chart")) is not None:
            return chart_lines(_related(part, chart.get(R + "id")).blob)
        if uri == DIAGRAM_URI and (ids := graphic_data.find(DGM + "relIds")) is not None:
            return diagram_lines(_related(part, ids.get(R + "dm")).blob)
    except (KeyError, ValueError, AttributeError, TypeError, etree.LxmlError) as exc:
        log.warning("a %s could not be read (%s)", "chart" if uri == CHART_URI else "diagram", exc)
    return []


def _related(part, rid: str | None):
    """The part ``rid`` names: python-pptx's parts say ``related_part``, python-docx's ``related_parts``."""
    if rid is None:
        raise KeyError("no relationship id")
    return part.related_part(rid) if hasattr(part, "related_part") else part.related_parts[rid]


def chart_lines(xml: bytes) -> list[str]:
    """A chart part's title and tables (the module's docstring)."""
    from pptx.chart.chart import Chart
    from pptx.oxml import parse_xml

    chart = Chart(parse_xml(xml), None)
    title = chart.chart_title.text_frame.text if chart.has_title else ""
    tables = []
    for plot in chart.plots:
        series = list(plot.series)
        if not series:
            continue
        categories = [" ".join(str(label).split()) for label in plot.categories]
        columns = [_values(s) for s in series]
        rows = max(len(categories), *(len(values) for values in columns))
        if not rows:  # no data kept with the chart (a workbook written by a library, not by Excel)
            continue
        header = [_category_title(chart), *(s.name or "" for s in series)]
        table = [
            [categories[i] if i < len(categories) else str(i + 1), *(v[i] if i < len(v) else "" for v in columns)]
            for i in range(rows)
        ]
        tables.append([header, *table])
    return chart_table_lines(title, tables)


def chart_table_lines(title: str, tables: list[list[list[str]]], category: str = "Category") -> list[str]:
    """A chart as its lines: its title ("Chart: Tonnage by port"), then each table of its data (a
    header row of the categories' name and the series' names, then a row a category), its rows
    labelled by the header, a header with no name for its categories calling them ``category``.
    Office's charts and OpenDocument's both read through here; one with neither title nor data, none."""
    title = " ".join(title.split())
    if not title and not tables:  # nothing it shows is text
        return []
    lines = [f"Chart: {title}" if title else "Chart"]
    for header, *rows in tables:
        header = [" ".join(cell.split()) for cell in header]
        header[0] = header[0] or category
        lines += [joined(header), *under(header, rows)]
    return lines


def _category_title(chart) -> str:
    try:
        axis = chart.category_axis
    except ValueError:  # a pie chart has none
        return "Category"
    text = " ".join(axis.axis_title.text_frame.text.split()) if axis.has_title else ""
    return text or "Category"


def _values(series) -> list[str]:
    """A series' values as the chart shows them: whole numbers without ".0", a percentage format's
    as percentages; an empty point empty."""
    cache = series._element.find(f"{C}val/{C}numRef/{C}numCache")
    code = cache.findtext(C + "formatCode") if cache is not None else None
    percent = "%" in (code or "")
    return [_number(value * 100 if percent else value) + ("%" if percent else "") if value is not None else ""
            for value in series.values]  # fmt: skip


def _number(value: float) -> str:
    """A value without a float's noise: a whole number as one, others to 12 significant digits.

    >>> _number(1200.0), _number(1450.5), _number(0.1 + 0.2)
    ('1200', '1450.5', '0.3')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.12g}"


def diagram_lines(xml: bytes) -> list[str]:
    """A SmartArt diagram's data part as its boxes' text (the module's docstring): from the
    document point down its "parent of" connections in their order; where those lead nowhere,
    the points in the order they are listed."""
    root = etree.fromstring(xml, PARSER)
    points = {point.get("modelId"): point for point in root.iter(DGM + "pt")}
    children: dict[str, list[tuple[int, str]]] = {}
    for cxn in root.iter(DGM + "cxn"):
        if cxn.get("type", "parOf") == "parOf":
            order = whole_number(cxn.get("srcOrd"), 0)
            children.setdefault(cxn.get("srcId") or "", []).append((order, cxn.get("destId") or ""))
    top = next((key for key, point in points.items() if point.get("type") == "doc"), None)
    ordered = list(_under(top, children, set())) if top is not None else []
    boxes = [points[key] for key in ordered if key in points] or list(points.values())
    lines = []
    for point in boxes:
        if point.get("type", "node") == "node" and (text := _point_text(point)):
            lines.append(text)
    return lines


def _under(key: str, children: dict[str, list[tuple[int, str]]], seen: set[str]) -> Iterator[str]:
    """``key``'s descendants, each before those under it, siblings in their order; each once, however
    the connections loop or deep they go."""
    stack = [child for _, child in sorted(children.get(key, []), reverse=True)]
    while stack:
        child = stack.pop()
        if child not in seen:
            seen.add(child)
            yield child
            stack.extend(grandchild for _, grandchild in sorted(children.get(child, []), reverse=True))


def _point_text(point) -> str:
    body = point.find(DGM + "t")
    if body is None:
        return ""
    paragraphs = ("".join(run.text or "" for run in p.iter(A + "t")) for p in body.iter(A + "p"))
    return " ".join(" ".join(paragraphs).split())
