"""Word's list and heading numbers, read into each numbered paragraph's line as Word shows them."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.oxml import parse_xml

from index.formats import extract

DATA = Path(__file__).parent / "data"
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_lists_made_with_words_list_styles_read_with_their_numbers_and_bullets() -> None:
    document = docx.Document()
    document.add_paragraph("Closing the light", style="Heading 1")
    for step in ["Open the valve", "Close the door"]:
        document.add_paragraph(step, style="List Number")
    document.add_paragraph("Log the hour", style="List Number 2")  # a list of its own
    document.add_paragraph("Check the lamp", style="List Number")  # the first list goes on
    document.add_paragraph("Spare wicks", style="List Bullet")
    document.add_paragraph("A plain paragraph.")
    assert extract("steps.docx", saved(document)).text.splitlines() == [
        "Closing the light",
        "1. Open the valve",
        "2. Close the door",
        "1. Log the hour",
        "3. Check the lamp",
        "• Spare wicks",
        "A plain paragraph.",
    ]


def test_a_numbered_paragraph_in_a_table_cell_reads_with_its_number_and_the_list_counts_on() -> None:
    # A cell's paragraphs were read without their numbers, and the list after the table counted as
    # if the cell's step had not been there ("3. Check the lamp" where Word shows "4.").
    document = docx.Document()
    for step in ["Open the valve", "Close the door"]:
        document.add_paragraph(step, style="List Number")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Step", "Who"
    table.cell(1, 0).paragraphs[0].text = "Light the lamp"
    table.cell(1, 0).paragraphs[0].style = "List Number"
    table.cell(1, 1).text = "Keeper"
    document.add_paragraph("Check the lamp", style="List Number")
    assert extract("steps.docx", saved(document)).text.splitlines() == [
        "1. Open the valve",
        "2. Close the door",
        "Step | Who",
        "Step: 3. Light the lamp; Who: Keeper",
        "4. Check the lamp",
    ]


def outline(document) -> None:
    """A four-level outline list ("1.", "1.1.", "a)", "IV.") as list 90, and list 91 of the same
    levels restarted at 5."""
    levels = [("decimal", "%1."), ("decimal", "%1.%2."), ("lowerLetter", "%3)"), ("upperRoman", "%4.")]
    definition = "".join(
        f'<w:lvl w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for n, (fmt, text) in enumerate(levels)
    )
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(f'<w:abstractNum {NS} w:abstractNumId="90">{definition}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    restarted = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>'
    numbering.append(parse_xml(f'<w:num {NS} w:numId="91"><w:abstractNumId w:val="90"/>{restarted}</w:num>'))


def numbered(document, text: str, num_id: int, level: int) -> None:
    numbers = document.add_paragraph(text)._p.get_or_add_pPr().get_or_add_numPr()
    numbers.get_or_add_ilvl().val = level
    numbers.get_or_add_numId().val = num_id


def test_an_outline_counts_each_level_and_starts_deeper_levels_again() -> None:
    document = docx.Document()
    outline(document)
    for text, level in [("Scope", 0), ("Lights", 1), ("Buoys", 1), ("Keepers", 0), ("Rota", 1), ("Night", 2),
                        ("Day", 2), ("Relief", 3), ("Leave", 1), ("Pay", 2)]:  # fmt: skip
        numbered(document, text, 90, level)
    numbered(document, "Appendix", 91, 0)
    numbered(document, "Not numbered", 0, 0)  # list 0: numbering taken off
    assert extract("rules.docx", saved(document)).text.splitlines() == [
        "1. Scope",
        "1.1. Lights",
        "1.2. Buoys",
        "2. Keepers",
        "2.1. Rota",
        "a) Night",
        "b) Day",
        "I. Relief",
        "2.2. Leave",
        "a) Pay",
        "5. Appendix",
        "Not numbered",
    ]


def test_a_level_restarted_only_as_it_says_and_a_legal_levels_numbers_as_decimals() -> None:
    # Figures numbered on across chapters (lvlRestart 0) were counted from 1 again in each chapter; a
    # contract's "Section 1.01" under "Article I" (isLgl) read "Section I.01".
    document = docx.Document()
    figures = (
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Chapter %1"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:lvlRestart w:val="0"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="Figure %2"/></w:lvl>'
    )
    articles = (
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="Article %1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:isLgl/><w:numFmt w:val="decimalZero"/>'
        '<w:lvlText w:val="Section %1.%2"/></w:lvl>'
    )
    numbering = document.part.numbering_part.element
    for n, definition in ((80, figures), (81, articles)):
        numbering.insert(0, parse_xml(f'<w:abstractNum {NS} w:abstractNumId="{n}">{definition}</w:abstractNum>'))
        numbering.append(parse_xml(f'<w:num {NS} w:numId="{n}"><w:abstractNumId w:val="{n}"/></w:num>'))
    for text, level in [("Lights", 0), ("The lens", 1), ("The lamp", 1), ("Buoys", 0), ("A spar buoy", 1)]:
        numbered(document, text, 80, level)
    for text, level in [("Terms", 0), ("Term", 1), ("Notice", 1), ("Pay", 0), ("Rates", 1)]:
        numbered(document, text, 81, level)
    assert extract("manual.docx", saved(document)).text.splitlines() == [
        "Chapter 1 Lights",
        "Figure 1 The lens",
        "Figure 2 The lamp",
        "Chapter 2 Buoys",
        "Figure 3 A spar buoy",  # not "Figure 1": it never starts again
        "Article I. Terms",
        "Section 1.01 Term",  # the article's number as a decimal, as Word shows a legal level
        "Section 1.02 Notice",
        "Article II. Pay",
        "Section 2.01 Rates",
    ]


def test_a_word_97_documents_lists_read_as_word_shows_them() -> None:
    lines = extract("camp.doc", (DATA / "wps-table.doc").read_bytes()).text.splitlines()
    gear = lines.index("1. 必备露营装备")  # "1. Essential camping gear": its number is in its text
    assert lines[gear + 1].startswith("• 基础住宿类")  # then bulleted items, as antiword shows them too
    food = lines.index("2. 食材准备计划")
    assert [line[:3] for line in lines[food + 1 : food + 4]] == ["1. ", "2. ", "3. "]  # a numbered list


def test_a_malformed_number_leaves_its_paragraph_unnumbered_and_the_rest_read() -> None:
    document = docx.Document()
    outline(document)
    numbered(document, "Scope", 90, 0)
    bad = document.add_paragraph("Lights")._p.get_or_add_pPr()
    bad.append(parse_xml(f'<w:numPr {NS}><w:ilvl w:val="one"/><w:numId w:val="90"/></w:numPr>'))
    numbered(document, "Keepers", 90, 0)
    numbered(document, "Unknown list", 77, 0)  # a list with no definition
    assert extract("rules.docx", saved(document)).text.splitlines() == [
        "1. Scope",
        "Lights",
        "2. Keepers",
        "Unknown list",
    ]


def test_a_slides_numbered_paragraphs_read_with_their_numbers() -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    frame = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(4)).text_frame
    rows = [
        ("Closing the light", 0, None),
        ("Open the valve", 0, "arabicPeriod"),
        ("Close the door", 0, "arabicPeriod"),
        ("Log it", 1, "alphaLcParenR"),
        ("Sign it", 1, "alphaLcParenR"),
        ("Check the lamp", 0, "arabicPeriod"),
        ("Relief", 0, None),
        ("Spare wicks", 0, "romanUcPeriod"),
        ("Oil", 0, "romanUcPeriod"),
    ]
    for n, (text, level, scheme) in enumerate(rows):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.text, paragraph.level = text, level
        if scheme:
            paragraph._p.get_or_add_pPr().append(
                parse_xml(
                    f'<a:buAutoNum xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" type="{scheme}"/>'
                )
            )
    assert extract("steps.pptx", saved(deck)).text.splitlines() == [
        "Closing the light",
        "1. Open the valve",
        "2. Close the door",
        "a) Log it",
        "b) Sign it",
        "3. Check the lamp",  # goes on past its deeper ones
        "Relief",
        "I. Spare wicks",  # an unnumbered paragraph between: starts again
        "II. Oil",
    ]


def test_a_writer_documents_lists_read_with_their_numbers_and_bullets() -> None:
    from odf import text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    outline = text.ListStyle(name="Outline")
    outline.addElement(text.ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
    outline.addElement(text.ListLevelStyleNumber(level=2, numformat="1", numsuffix=".", displaylevels=2))
    outline.addElement(text.ListLevelStyleNumber(level=3, numformat="a", numsuffix=")"))
    document.automaticstyles.addElement(outline)
    bullets = text.ListStyle(name="Bullets")
    bullets.addElement(text.ListLevelStyleBullet(level=1, bulletchar="•"))
    document.automaticstyles.addElement(bullets)

    def listed(items: list, style_name: str | None = None, **attributes) -> text.List:
        made = text.List(stylename=style_name, **attributes) if style_name else text.List(**attributes)
        for entry in items:
            item = text.ListItem()
            words, deeper = entry if isinstance(entry, tuple) else (entry, None)
            item.addElement(text.P(text=words))
            if deeper:
                item.addElement(listed(deeper))
            made.addElement(item)
        return made

    document.text.addElement(text.H(outlinelevel=1, text="Closing the light"))
    document.text.addElement(
        listed(["Scope", ("Lights", ["Lamp", ("Fog horn", ["Night", "Day"])]), "Keepers"], "Outline")
    )
    document.text.addElement(text.P(text="Between the lists."))
    document.text.addElement(listed(["Relief", "Pay"], "Outline", continuenumbering="true"))  # goes on: 4., 5.
    document.text.addElement(listed(["Spare wicks", "Oil"], "Bullets"))
    document.text.addElement(listed(["Appendix"], "Outline"))  # a list of its own: 1. again
    out = io.BytesIO()
    document.write(out)
    assert extract("rules.odt", out.getvalue()).text.splitlines() == [
        "Closing the light",
        "1. Scope",
        "2. Lights",
        "2.1. Lamp",
        "2.2. Fog horn",
        "a) Night",
        "b) Day",
        "3. Keepers",
        "Between the lists.",
        "4. Relief",
        "5. Pay",
        "• Spare wicks",
        "• Oil",
        "1. Appendix",
    ]


def test_a_writer_list_in_a_table_cell_reads_with_its_numbers_and_the_list_after_goes_on() -> None:
    # A cell's list items were read without their numbers, as Word's were.
    from odf import table, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    steps = text.ListStyle(name="Steps")
    steps.addElement(text.ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
    document.automaticstyles.addElement(steps)

    def listed(*items: str, **attributes) -> text.List:
        made = text.List(stylename="Steps", **attributes)
        for words in items:
            item = text.ListItem()
            item.addElement(text.P(text=words))
            made.addElement(item)
        return made

    grid = table.Table(name="Night")
    for first, second in (("Step", "Who"), (listed("Light the lamp", "Wind the clock"), "Keeper")):
        row = table.TableRow()
        for value in (first, second):
            cell = table.TableCell()
            cell.addElement(text.P(text=value) if isinstance(value, str) else value)
            row.addElement(cell)
        grid.addElement(row)
    document.text.addElement(grid)
    document.text.addElement(listed("Log the hour", continuenumbering="true"))
    out = io.BytesIO()
    document.write(out)
    assert extract("night.odt", out.getvalue()).text.splitlines() == [
        "Step | Who",
        "Step: 1. Light the lamp 2. Wind the clock; Who: Keeper",
        "3. Log the hour",
    ]


def test_a_writer_documents_headings_read_with_their_chapter_numbers() -> None:
    from odf import text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    chapters = text.OutlineStyle(name="Outline")
    chapters.addElement(text.OutlineLevelStyle(level=1, numformat="1", numsuffix="."))
    chapters.addElement(text.OutlineLevelStyle(level=2, numformat="1", displaylevels=2))
    chapters.addElement(text.OutlineLevelStyle(level=3, numformat=""))  # this level shows none
    document.styles.addElement(chapters)
    for level, words in [(1, "Scope"), (2, "Lights"), (3, "Lamps"), (2, "Buoys"), (1, "Keepers"), (2, "Rota")]:
        document.text.addElement(text.H(outlinelevel=level, text=words))
        document.text.addElement(text.P(text=f"About {words.lower()}."))
    out = io.BytesIO()
    document.write(out)
    lines = extract("rules.odt", out.getvalue()).text.splitlines()
    assert lines[::2] == ["1. Scope", "1.1 Lights", "Lamps", "1.2 Buoys", "2. Keepers", "2.1 Rota"]
    assert lines[1] == "About scope."  # paragraphs stay as they are
