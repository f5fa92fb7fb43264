from rag.types import Citation
from ui.viewer import Pages, render_document, render_view

TEXT = "Intro line.\n<script>alert(1)</script> Bad <img src=x onerror=alert(2)>.\nThe end.\n"


def test_document_text_is_escaped() -> None:
    html = render_document("x<y>.txt", TEXT)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "x&lt;y&gt;.txt" in html


def test_cited_lines_are_highlighted_and_the_quote_marked() -> None:
    start = TEXT.index("The end.")
    html = render_document("a.txt", TEXT, Citation("a.txt", 3, 3, "The end.", start, start + 8))
    assert '<div class="gl-line gl-hl" id="gl-line-3" data-line="3">' in html
    assert '<mark class="gl-span">The end.</mark>' in html
    assert html.count("gl-hl") == 1


def test_a_span_inside_an_escaped_line_stays_escaped() -> None:
    start = TEXT.index("Bad")
    html = render_document("a.txt", TEXT, Citation("a.txt", 2, 2, "Bad <img", start, start + 8))
    assert '<mark class="gl-span">Bad &lt;img</mark>' in html


def test_a_long_document_shows_a_window_of_lines_around_the_citation() -> None:
    # The whole of a 10 MB document was 23 MB of HTML sent to the browser on every click.
    text = "".join(f"Line {n} of the log.\n" for n in range(1, 10_001))
    start = text.index("Line 9000 ")
    html = render_document("log.txt", text, Citation("log.txt", 9000, 9000, "Line 9000", start, start + 9))
    assert html.count('class="gl-line') == 2000 and 'id="gl-line-8000"' in html and 'id="gl-line-9999"' in html
    assert '<mark class="gl-span">Line 9000</mark>' in html and "Lines 8,000–9,999 of 10,000" in html
    top = render_document("log.txt", text)
    assert 'id="gl-line-1"' in top and 'id="gl-line-2001"' not in top and "Lines 1–2,000 of 10,000" in top
    assert "gl-window" not in render_document("a.txt", TEXT)  # a short document is shown whole


def test_a_long_line_shows_the_characters_around_the_quote() -> None:
    text = "x" * 60_000 + " The quote. " + "y" * 60_000 + "\n"
    start = text.index("The quote.")
    html = render_document("one.txt", text, Citation("one.txt", 1, 1, "The quote.", start, start + 10), most_chars=1000)
    assert '<mark class="gl-span">The quote.</mark>' in html and len(html) < 1500
    assert "[… 59,506 characters]" in html and "[… 59,506 characters]" in html.split("</mark>")[1]
    uncited = render_document("one.txt", text, most_chars=1000)
    assert uncited.count("x") >= 1000 and "[… 119,012 characters]" in uncited


def test_a_long_paged_document_says_which_pages_the_window_reaches_into() -> None:
    text = "".join(f"Line {n}.\n" for n in range(1, 4501))
    pages = Pages(tuple(range(1, 4501, 45)), ("page", "line"))  # 100 pages of 45 lines
    html, shown = render_view("r.pdf", text, None, 2001, 4000, pages=pages)
    assert "Pages 45–89 of 100 (lines 2,001–4,000 of 4,500)" in html
    assert html.count('class="gl-page"') == 45  # page 45 from inside it, then 46 to 89
    assert '<span class="gl-ln">21</span><span class="gl-text">Line 2001.' in html  # page 45, line 21


def test_a_pages_name_is_shown_as_text() -> None:
    # A sheet, slide or subject is named by whoever made the file.
    pages = Pages((1, 2), ("sheet", "row"), ("Lights", "<img src=x onerror=alert(1)>"))
    html = render_view("book.xlsx", "a\nb", None, pages=pages)[0]
    assert "Sheet 2: &lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
