"""What Word shows that python-docx's paragraph and body text leave out (``index.word``)."""

from __future__ import annotations

import io

import docx
import docx.shared
from docx.oxml import parse_xml

from index.formats import extract

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def text_box(*paragraphs: str) -> str:
    """A run holding a text box as Word 2010 and later save one: the drawing, and a VML copy of it
    for older readers (the same paragraphs again)."""
    content = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    return (
        f"<w:r {NS}><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><wp:anchor><a:graphic>"
        f"<a:graphicData><wps:wsp><wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx></wps:wsp>"
        f"</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>"
        f"<v:textbox><w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        f"</mc:AlternateContent></w:r>"
    )


def read(document) -> list[str]:
    out = io.BytesIO()
    document.save(out)
    return extract("report.docx", out.getvalue()).text.splitlines()


def test_content_controls_tracked_insertions_fields_and_text_boxes_are_read_as_word_shows_them() -> None:
    # Each of these was left out: a template's title field, a form's answer, a contract's tracked
    # insertion, a date field's result, a report's sidebar.
    document = docx.Document()
    body = document.element.body
    control = (
        f"<w:sdt {NS}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Kestrel Bay light</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    body.insert(len(body) - 1, parse_xml(control))  # before the section's properties, as Word puts it
    keeper = document.add_paragraph("The keeper is ")._p
    keeper.append(parse_xml(f"<w:sdt {NS}><w:sdtContent><w:r><w:t>Asa Lind</w:t></w:r></w:sdtContent></w:sdt>"))
    keeper.append(parse_xml(f"<w:del {NS} w:id='1' w:author='E'><w:r><w:delText>Ola Berg</w:delText></w:r></w:del>"))
    keeper.append(parse_xml(f"<w:ins {NS} w:id='2' w:author='E'><w:r><w:t>, since May</w:t></w:r></w:ins>"))
    keeper.append(parse_xml(f"<w:fldSimple {NS} w:instr='DATE'><w:r><w:t> (5 December)</w:t></w:r></w:fldSimple>"))
    history = document.add_paragraph("History.")._p
    history.append(parse_xml(text_box("First lit in 1851.", "Automated in 1987.")))
    document.add_paragraph("Signed by the keeper.")
    assert read(document) == [
        "Kestrel Bay light",
        "The keeper is Asa Lind, since May (5 December)",  # the deleted name left out
        "History.",
        "First lit in 1851.",  # the text box after its paragraph, once (not its copy for older readers)
        "Automated in 1987.",
        "Signed by the keeper.",
    ]


def test_a_table_holding_a_text_box_lays_the_page_out() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Kestrel Bay"
    table.cell(0, 1).paragraphs[0]._p.append(parse_xml(text_box("Height 11 m")))
    assert read(document) == ["Kestrel Bay", "", "Height 11 m"]


def with_notes(document, kind: str, notes: dict[str, str]) -> None:
    """A footnotes (or endnotes) part holding ``notes`` by id, as Word writes one: its separators
    first, each note's paragraph opening with its mark and a tab."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    separators = "".join(
        f"<w:{kind} w:type='{t}' w:id='{i}'><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>"
        for i, t in ((-1, "separator"), (0, "continuationSeparator"))
    )
    written = "".join(
        f"<w:{kind} w:id='{i}'><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:tab/><w:t>{text}</w:t></w:r></w:p></w:{kind}>"
        for i, text in notes.items()
    )
    xml = f"<w:{kind}s {NS}>{separators}{written}</w:{kind}s>".encode()
    kinds = {"footnote": RT.FOOTNOTES, "endnote": RT.ENDNOTES}
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml, document.part.package)
    document.part.relate_to(part, kinds[kind])


def refer(paragraph, kind: str, note_id: str, custom: str = "") -> None:
    mark = " w:customMarkFollows='1'" if custom else ""
    paragraph._p.append(parse_xml(f"<w:r {NS}><w:{kind}Reference{mark} w:id='{note_id}'/></w:r>"))
    if custom:
        paragraph._p.append(parse_xml(f"<w:r {NS}><w:t>{custom}</w:t></w:r>"))


def test_footnotes_and_endnotes_follow_the_paragraph_that_refers_to_them_numbered_as_word_shows_them() -> None:
    # They were on no line: "was the Oslo branch sold?" had no answer though the page said so.
    document = docx.Document()
    with_notes(
        document, "footnote", {"1": "Excluding the Oslo branch, sold in March.", "2": "Unaudited.", "3": "Estimated."}
    )
    with_notes(document, "endnote", {"1": "Figures from the harbour office."})
    revenue = document.add_paragraph("Revenue rose 12%.")
    refer(revenue, "footnote", "2")  # Word numbers notes in the order they are referred to, not by id
    refer(revenue, "endnote", "1")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Port", "Tonnage"
    table.cell(1, 0).text, table.cell(1, 1).text = "Skerry", "1,450"
    refer(table.cell(1, 1).paragraphs[0], "footnote", "1")
    refer(document.add_paragraph("Costs fell"), "footnote", "3", custom="*")
    assert read(document) == [
        "Revenue rose 12%.",
        "Footnote 1: Unaudited.",
        "Endnote i: Figures from the harbour office.",
        "Port | Tonnage",
        "Port: Skerry; Tonnage: 1,450",
        "Footnote 2: Excluding the Oslo branch, sold in March.",  # a table's notes after its rows
        "Costs fell*",
        "Footnote *: Estimated.",  # the author's own mark, not a number
    ]


def test_page_headers_and_footers_are_read_once_headers_first_footers_last() -> None:
    # A procedure's header held what nothing else said (its number, revision and effective date),
    # and was on no line.
    document = docx.Document()
    document.add_paragraph("Inspect the lamp daily.")
    document.add_section()  # the appendix: its own footer
    document.add_paragraph("Log each inspection.")
    body, appendix = document.sections
    control = body.header.add_table(rows=2, cols=3, width=docx.shared.Inches(6))
    for r, row in enumerate([["Document", "Revision", "Effective"], ["QA-SOP-012", "3", "2024-01-01"]]):
        for c, value in enumerate(row):
            control.cell(r, c).text = value
    body.footer.paragraphs[0].text = "Harbour Authority, internal use"
    appendix.footer.is_linked_to_previous = False
    appendix.footer.paragraphs[0].text = "Page 2 of 9"  # a page number alone says nothing
    appendix.footer.add_paragraph("Harbour Authority, internal use")  # said already
    body.different_first_page_header_footer = True
    body.first_page_header.paragraphs[0].text = "Harbour Authority"  # the title page's own
    assert read(document) == [
        "Harbour Authority",  # the first page's header, then the others'
        "Document | Revision | Effective",  # once, though both sections show it
        "Document: QA-SOP-012; Revision: 3; Effective: 2024-01-01",
        "Inspect the lamp daily.",
        "",  # the paragraph that ends the first section
        "Log each inspection.",
        "Harbour Authority, internal use",
    ]


def test_reviewers_comments_follow_what_they_comment_on_named_by_their_authors() -> None:
    # A report under review: "Figures to be confirmed by finance" beside its budget was left out, and a
    # question about what is still open had nothing to find.
    document = docx.Document()
    budget = document.add_paragraph("The budget is 4 million.")
    document.add_comment(budget.runs, text="Figures to be confirmed by finance.", author="Maren  Holt")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Port", "Tonnage", "Skerry", "1,450"], strict=True):
        cell.text = text
    comment = document.add_comment(table.cell(1, 1).paragraphs[0].runs, text="From the Q2 count.", author="")
    comment.add_paragraph("Check against Q3.")
    document.add_paragraph("Next paragraph.")
    assert read(document) == [
        "The budget is 4 million.",
        "Comment (Maren Holt): Figures to be confirmed by finance.",
        "Port | Tonnage",
        "Port: Skerry; Tonnage: 1,450",
        "Comment: From the Q2 count.",
        "Check against Q3.",
        "Next paragraph.",
    ]
