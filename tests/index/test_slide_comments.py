"""A PowerPoint deck's comments, after their slide's text (index.slide_comments)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from index.formats import extract
from tests.index.test_formats import make_pptx

MODERN_NS = "http://schemas.microsoft.com/office/powerpoint/2018/8/main"
P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_RELS = "http://schemas.microsoft.com/office/2018/10/relationships"
ESTIMATE = "The Q2 tonnage is an estimate\nuntil finance confirms it."  # two paragraphs


def text_body(text: str) -> str:
    paragraphs = "".join(f"<a:p><a:r><a:t>{line}</a:t></a:r></a:p>" for line in text.split("\n"))
    return f"<p188:txBody><a:bodyPr/><a:lstStyle/>{paragraphs}</p188:txBody>"


def with_comments(data: bytes) -> bytes:
    """The deck as PowerPoint saves it with comments: an older PowerPoint's on slide 1 (authors by
    number), and PowerPoint 365's on slide 2, a reply to it kept (as PowerPoint keeps it) before its text."""
    parts = {
        "ppt/commentAuthors.xml": (
            f'<p:cmAuthorLst xmlns:p="{P_NS}"><p:cmAuthor id="0" name="Asa Lind" initials="AL" lastIdx="1"'
            ' clrIdx="0"/></p:cmAuthorLst>'
        ),
        "ppt/comments/comment1.xml": (
            f'<p:cmLst xmlns:p="{P_NS}"><p:cm authorId="0" dt="2024-05-02T10:00:00" idx="1"><p:pos x="10" y="10"/>'
            "<p:text>Use the board's\nnew name.</p:text></p:cm></p:cmLst>"
        ),
        "ppt/authors.xml": (
            f'<p188:authorLst xmlns:p188="{MODERN_NS}"><p188:author id="{{A1}}" name="Maren Holt" initials="MH"'
            ' userId="maren" providerId="None"/><p188:author id="{A2}" name="Ole Berg" initials="OB" userId="ole"'
            ' providerId="None"/></p188:authorLst>'
        ),
        "ppt/comments/modernComment_101_1.xml": (
            f'<p188:cmLst xmlns:a="{A_NS}" xmlns:p188="{MODERN_NS}"><p188:cm id="{{C1}}" authorId="{{A1}}"'
            ' created="2024-05-02T10:00:00"><p188:replyLst><p188:reply id="{R1}" authorId="{A2}"'
            f' created="2024-05-03T09:00:00">{text_body("Finance confirmed it.")}</p188:reply></p188:replyLst>'
            f"{text_body(ESTIMATE)}</p188:cm></p188:cmLst>"
        ),
    }
    types = {
        "/ppt/commentAuthors.xml": "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml",
        "/ppt/comments/comment1.xml": "application/vnd.openxmlformats-officedocument.presentationml.comments+xml",
        "/ppt/authors.xml": "application/vnd.ms-powerpoint.authors+xml",
        "/ppt/comments/modernComment_101_1.xml": "application/vnd.ms-powerpoint.comments+xml",
    }
    related = {
        "ppt/_rels/presentation.xml.rels": [
            (f"{OFFICE_RELS}/commentAuthors", "commentAuthors.xml"),
            (f"{MS_RELS}/authors", "authors.xml"),
        ],
        "ppt/slides/_rels/slide1.xml.rels": [(f"{OFFICE_RELS}/comments", "../comments/comment1.xml")],
        "ppt/slides/_rels/slide2.xml.rels": [(f"{MS_RELS}/comments", "../comments/modernComment_101_1.xml")],
    }
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as deck:
        for item in source.infolist():
            content = source.read(item)
            if item.filename in related:
                rels = "".join(
                    f'<Relationship Id="rIdC{n}" Type="{kind}" Target="{target}"/>'
                    for n, (kind, target) in enumerate(related[item.filename])
                )
                content = content.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            if item.filename == "[Content_Types].xml":
                overrides = "".join(
                    f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in types.items()
                )
                content = content.replace(b"</Types>", overrides.encode() + b"</Types>")
            deck.writestr(item, content)
        for name, xml in parts.items():
            deck.writestr(name, xml)
    return out.getvalue()


def test_a_decks_comments_follow_their_slides_text_named_by_their_authors_replies_after(tmp_path: Path) -> None:
    data = with_comments(make_pptx(tmp_path / "deck.pptx").read_bytes())
    got = extract("deck.pptx", data)
    lines = got.text.splitlines()
    assert lines == [
        "Harbour review",
        "Second quarter",
        "Comment (Asa Lind): Use the board's new name.",
        "Tonnage",
        "Port | Q2",
        "Port: Skerry; Q2: 1,450",
        "Cranes were idle in May.",
        "Mention the new crane.",
        "Comment (Maren Holt): The Q2 tonnage is an estimate until finance confirms it.",
        "Comment (Ole Berg): Finance confirmed it.",
    ]
    assert got.page_starts == (1, 4)  # each on its slide
    assert extract("deck.pptm", data).text == got.text  # a deck with macros likewise


def test_a_deck_whose_comment_parts_are_broken_is_read_without_them(tmp_path: Path) -> None:
    data = with_comments(make_pptx(tmp_path / "deck.pptx").read_bytes())
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as deck:
        for item in source.infolist():
            broken = item.filename.startswith("ppt/comments/") or item.filename == "ppt/authors.xml"
            deck.writestr(item, b"<not xml" if broken else source.read(item))
    lines = extract("deck.pptx", out.getvalue()).text.splitlines()
    assert "Harbour review" in lines and "Mention the new crane." in lines
    assert not [line for line in lines if line.startswith("Comment")]


def test_an_impress_slides_comments_follow_its_text_as_powerpoints_do(tmp_path: Path) -> None:
    from tests.index.test_formats import make_odp

    comment = (
        '<officeooo:annotation xmlns:officeooo="http://openoffice.org/2009/office" xmlns:dc="http://purl.org/dc/'
        'elements/1.1/" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" svg:x="1cm" svg:y="1cm">'
        "<dc:creator>Maren Holt</dc:creator><dc:date>2024-05-02T10:00:00</dc:date>"
        "<text:p>Use the board's</text:p><text:p>new name.</text:p></officeooo:annotation>"
    )  # as LibreOffice Impress saves a comment, inside the slide's draw:page
    source = zipfile.ZipFile(io.BytesIO(make_odp(tmp_path / "deck.odp").read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as deck:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "content.xml":
                end = content.index(b"</draw:page>")  # the first slide's
                content = content[:end] + comment.encode() + content[end:]
            deck.writestr(item, content)
    lines = extract("deck.odp", out.getvalue()).text.splitlines()
    assert lines[:2] == ["Harbour review", "Comment (Maren Holt): Use the board's new name."]  # not a bare line
