from rag.types import Citation
from ui.viewer import render_document

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
