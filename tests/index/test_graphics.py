"""Charts and SmartArt diagrams in PowerPoint and Word files, read as what they show (``index.graphics``)."""

from __future__ import annotations

import io

import docx
from docx.oxml import parse_xml as docx_xml
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xmlwriter import ChartXmlWriter
from pptx.enum.chart import XL_CHART_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.util import Inches

from index.formats import extract

DGM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
NS = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    f'xmlns:dgm="{DGM}"'
)


def tonnage() -> CategoryChartData:
    data = CategoryChartData()
    data.categories = ["Q1", "Q2", "Q3"]
    data.add_series("Skerry", (1200, 1450.5, None))
    data.add_series("Hallo Head", (900, 950, 1000))
    return data


def saved(deck) -> bytes:
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_a_slides_chart_reads_as_its_title_and_a_table_of_its_data() -> None:
    # A chart was on no line: "what was Skerry's tonnage in Q2?" had no answer though the slide showed it.
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Tonnage"
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, Inches(6), Inches(4), tonnage()).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "Tonnage by port"
    chart.category_axis.has_title = True
    chart.category_axis.axis_title.text_frame.text = "Quarter"
    shares = CategoryChartData(number_format="0%")
    shares.categories = ["Fish", "Timber"]
    shares.add_series("Share", (0.65, 0.35))
    slide.shapes.add_chart(XL_CHART_TYPE.PIE, 0, 0, Inches(4), Inches(4), shares)  # no title, no axis
    assert extract("review.pptx", saved(deck)).text.splitlines() == [
        "Tonnage",
        "Chart: Tonnage by port",
        "Quarter | Skerry | Hallo Head",
        "Quarter: Q1; Skerry: 1200; Hallo Head: 900",
        "Quarter: Q2; Skerry: 1450.5; Hallo Head: 950",
        "Quarter: Q3; Hallo Head: 1000",  # an empty point left out, as an empty cell is
        "Chart",
        "Category | Share",
        "Category: Fish; Share: 65%",  # as its format shows it
        "Category: Timber; Share: 35%",
    ]


def smart_art(deck, slide, points: list[tuple[str, str, str]], links: list[tuple[str, str, int]]) -> None:
    """A SmartArt diagram on ``slide``: its data part's ``points`` (id, type, text) and "parent of"
    ``links`` (from, to, order), and the graphic frame that shows it."""
    pts = "".join(
        f"<dgm:pt modelId='{key}' type='{kind}'><dgm:prSet/><dgm:spPr/>"
        + (f"<dgm:t><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></dgm:t>" if text else "")
        + "</dgm:pt>"
        for key, kind, text in points
    )
    cxns = "".join(
        f"<dgm:cxn modelId='c{i}' srcId='{src}' destId='{dest}' srcOrd='{order}' destOrd='0'/>"
        for i, (src, dest, order) in enumerate(links)
    )
    xml = f"<dgm:dataModel {NS}><dgm:ptLst>{pts}</dgm:ptLst><dgm:cxnLst>{cxns}</dgm:cxnLst></dgm:dataModel>"
    kind = "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"
    part = Part(PackURI("/ppt/diagrams/data1.xml"), kind, deck.part.package, xml.encode())
    rid = slide.part.relate_to(part, RT.DIAGRAM_DATA)
    frame = (
        f"<p:graphicFrame {NS}><p:nvGraphicFramePr><p:cNvPr id='9' name='Diagram'/><p:cNvGraphicFramePr/><p:nvPr/>"
        f"</p:nvGraphicFramePr><p:xfrm><a:off x='0' y='0'/><a:ext cx='1' cy='1'/></p:xfrm><a:graphic>"
        f"<a:graphicData uri='{DGM}'><dgm:relIds r:dm='{rid}' r:lo='' r:qs='' r:cs=''/></a:graphicData>"
        f"</a:graphic></p:graphicFrame>"
    )
    slide.shapes._spTree.append(parse_xml(frame))


def test_a_smartart_diagram_reads_as_its_boxes_in_the_diagrams_order() -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Night routine"
    points = [("0", "doc", ""), ("3", "node", "Log the hour"), ("1", "node", "Light the lamp"),
              ("2", "node", "Wind the clockwork"), ("4", "node", "Check the wick"), ("9", "sibTrans", "")]  # fmt: skip
    links = [("0", "3", 2), ("0", "1", 0), ("0", "2", 1), ("1", "4", 0)]  # listed in another order than shown
    smart_art(deck, slide, points, links)
    assert extract("routine.pptx", saved(deck)).text.splitlines() == [
        "Night routine",
        "Light the lamp",
        "Check the wick",  # a box under another follows it
        "Wind the clockwork",
        "Log the hour",
    ]


def test_a_chart_in_a_word_file_reads_after_its_paragraph_as_a_slides_does() -> None:
    document = docx.Document()
    document.add_paragraph("Tonnage this year:")
    kind = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
    xml = ChartXmlWriter(XL_CHART_TYPE.BAR_CLUSTERED, tonnage()).xml.encode()
    part = docx.opc.part.Part(docx.opc.packuri.PackURI("/word/charts/chart1.xml"), kind, xml, document.part.package)
    rid = document.part.relate_to(part, RT.CHART)
    holder = document.add_paragraph()
    holder._p.append(
        docx_xml(
            f"<w:r xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main' {NS} "
            "xmlns:wp='http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing' "
            "xmlns:c='http://schemas.openxmlformats.org/drawingml/2006/chart'><w:drawing><wp:inline>"
            "<a:graphic><a:graphicData uri='http://schemas.openxmlformats.org/drawingml/2006/chart'>"
            f"<c:chart r:id='{rid}'/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )
    )
    document.add_paragraph("Skerry grew most.")
    out = io.BytesIO()
    document.save(out)
    assert extract("report.docx", out.getvalue()).text.splitlines() == [
        "Tonnage this year:",
        "",  # the paragraph holding the chart
        "Chart",
        "Category | Skerry | Hallo Head",
        "Category: Q1; Skerry: 1200; Hallo Head: 900",
        "Category: Q2; Skerry: 1450.5; Hallo Head: 950",
        "Category: Q3; Hallo Head: 1000",
        "Skerry grew most.",
    ]


def test_a_chart_that_cannot_be_read_leaves_the_rest_of_the_deck_read() -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Tonnage"
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, Inches(6), Inches(4), tonnage())
    frame.chart.part._element = parse_xml(b"<c:chartSpace xmlns:c='urn:not-a-chart'/>")  # no chart in it
    dangling = parse_xml(frame._element.xml.replace(f'r:id="{frame._element.chart_rId}"', 'r:id="rId99"'))
    slide.shapes._spTree.append(dangling)  # a chart whose part is not in the deck
    slide.shapes.add_textbox(0, 0, Inches(2), Inches(1)).text_frame.text = "Skerry grew most."
    assert extract("review.pptx", saved(deck)).text.splitlines() == ["Tonnage", "Skerry grew most."]


def odf_chart(title: str = "Tonnage by port"):
    """An OpenDocument chart object (odfpy's), its data in its own table as LibreOffice keeps it."""
    from odf import chart, table, text
    from odf.opendocument import OpenDocumentChart

    made = OpenDocumentChart()
    body = chart.Chart(attributes={"class": "chart:bar"})
    made.chart.addElement(body)
    heading = chart.Title()
    heading.addElement(text.P(text=title))
    body.addElement(heading)
    plot = chart.PlotArea()
    axis = chart.Axis(dimension="x", name="primary-x")
    named = chart.Title()
    named.addElement(text.P(text="Quarter"))
    axis.addElement(named)
    plot.addElement(axis)
    body.addElement(plot)
    data = table.Table(name="local-table")
    head, rows = table.TableHeaderRows(), table.TableRows()
    for group, values in (
        (head, [["", "Skerry", "Hallo Head"]]),
        (rows, [["Q1", "1200", "900"], ["Q2", "1450.5", ""]]),
    ):
        for cells in values:
            row = table.TableRow()
            for value in cells:
                cell = table.TableCell()
                if value:
                    cell.addElement(text.P(text=value))
                row.addElement(cell)
            group.addElement(row)
    data.addElement(head)
    data.addElement(rows)
    body.addElement(data)
    return made


ODF_CHART_LINES = [
    "Chart: Tonnage by port",
    "Quarter | Skerry | Hallo Head",
    "Quarter: Q1; Skerry: 1200; Hallo Head: 900",
    "Quarter: Q2; Skerry: 1450.5",
]


def test_writer_and_impress_charts_read_as_office_charts_do() -> None:
    from odf import draw

    def framed(doc) -> draw.Frame:
        frame = draw.Frame(width="8cm", height="6cm", x="1cm", y="1cm", anchortype="paragraph")
        frame.addElement(draw.Object(href=doc.addObject(odf_chart())))
        return frame

    lines = extract("report.odt", writer_with(framed, "Tonnage this year:")).text.splitlines()
    assert lines == ["Tonnage this year:", "", *ODF_CHART_LINES]

    assert extract("review.odp", one_slide(framed)).text.splitlines() == ODF_CHART_LINES


def writer_with(framed, *around: str) -> bytes:
    """A Writer document of a paragraph holding what ``framed`` makes for it (a ``draw:frame``), after
    the first of ``around`` and before the others, each a paragraph."""
    from odf import text
    from odf.opendocument import OpenDocumentText

    writer = OpenDocumentText()
    holder = text.P()
    holder.addElement(framed(writer))
    for paragraph in [text.P(text=around[0]), holder, *(text.P(text=t) for t in around[1:])] if around else [holder]:
        writer.text.addElement(paragraph)
    out = io.BytesIO()
    writer.save(out)
    return out.getvalue()


def one_slide(framed) -> bytes:
    """An Impress deck of one slide holding what ``framed`` makes for the deck (a ``draw:frame``)."""
    from odf import draw, style
    from odf.opendocument import OpenDocumentPresentation

    deck = OpenDocumentPresentation()
    layout = style.PageLayout(name="L")
    deck.automaticstyles.addElement(layout)
    master = style.MasterPage(name="M", pagelayoutname=layout)
    deck.masterstyles.addElement(master)
    slide = draw.Page(name="One", masterpagename=master)
    slide.addElement(framed(deck))
    deck.presentation.addElement(slide)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_a_workbooks_charts_read_after_their_sheets_rows_and_a_chart_sheet_as_its_chart(tmp_path) -> None:
    # openpyxl reads no chart: a chart sheet was an empty page, and the chart over a worksheet was on no line.
    import zipfile

    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    sheet = book.active
    sheet.title = "Tonnage"
    for row in (["Quarter", "Skerry", "Hallo Head"], ["Q1", 1200, 900], ["Q2", 1450.5, 950]):
        sheet.append(row)
    for where in ("over", "alone"):
        chart = BarChart()
        chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=3), titles_from_data=True)
        if where == "over":
            sheet.add_chart(chart, "E2")
        else:
            book.create_chartsheet("Chart").add_chart(chart)
    book.save(tmp_path / "book.xlsx")
    # Excel keeps a copy of the plotted cells in each chart, which openpyxl does not write: the charts as
    # Excel saves them, titled and with their data
    excel = {
        "xl/charts/chart1.xml": ChartXmlWriter(XL_CHART_TYPE.COLUMN_CLUSTERED, tonnage()).xml,
        "xl/charts/chart2.xml": ChartXmlWriter(XL_CHART_TYPE.PIE, shares()).xml,
    }
    source = zipfile.ZipFile(tmp_path / "book.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as saved_book:
        for item in source.infolist():
            saved_book.writestr(item, excel.get(item.filename) or source.read(item))
    got = extract("book.xlsx", out.getvalue())
    assert got.text.splitlines() == [
        "Quarter | Skerry | Hallo Head",
        "Quarter: Q1; Skerry: 1200; Hallo Head: 900",
        "Quarter: Q2; Skerry: 1450.5; Hallo Head: 950",
        "",
        "Chart",  # after the sheet's rows
        "Category | Skerry | Hallo Head",
        "Category: Q1; Skerry: 1200; Hallo Head: 900",
        "Category: Q2; Skerry: 1450.5; Hallo Head: 950",
        "Category: Q3; Hallo Head: 1000",
        "Chart",  # the chart sheet's own page
        "Category | Share",
        "Category: Fish; Share: 65%",
        "Category: Timber; Share: 35%",
    ]
    assert got.page_starts == (1, 10) and got.page_names == ("Tonnage", "Chart")


def shares() -> CategoryChartData:
    data = CategoryChartData(number_format="0%")
    data.categories = ["Fish", "Timber"]
    data.add_series("Share", (0.65, 0.35))
    return data
