"""A PowerPoint deck's comments, by slide: what its reviewers said of a slide ("the Q3 tonnage is an
estimate until finance confirms it") that the slide alone does not say.

python-pptx reads neither kind, so they are read from the deck's parts here, through its
relationships: PowerPoint 365's comments (``ppt/comments/modernComment_*.xml``, with their replies
and their authors' names in ``ppt/authors.xml``), and older PowerPoint's (``ppt/comments/commentN.xml``,
authors in ``ppt/commentAuthors.xml``). Each is a line after the slide's own text and notes,
``Comment (Maren Holt): ...``, as Word's comments are read (``index.word``), a reply after what it
replies to.

This module reads nothing else of a slide (``index.office`` does).
"""

from __future__ import annotations

from lxml import etree

from index.graphics import PARSER

P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
MODERN = "{http://schemas.microsoft.com/office/powerpoint/2018/8/main}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
LEGACY_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
LEGACY_AUTHORS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/commentAuthors"
MODERN_COMMENTS = "http://schemas.microsoft.com/office/2018/10/relationships/comments"
MODERN_AUTHORS = "http://schemas.microsoft.com/office/2018/10/relationships/authors"
MOST_COMMENTS = 10_000  # of a deck: a few a slide is the use; more is not read


def comment_line(author: str, text: str) -> str:
    """A comment as its slide's line carries it.

    >>> comment_line("Maren Holt", "Tonnage is\\n an estimate."), comment_line("", "Check.")
    ('Comment (Maren Holt): Tonnage is an estimate.', 'Comment: Check.')
    """
    words = " ".join(text.split())
    return f"Comment ({author}): {words}" if author else f"Comment: {words}"


class SlideComments:
    """The comments of one deck (a python-pptx ``Presentation``), read slide by slide; at most
    ``MOST_COMMENTS`` of them. A part that cannot be read gives none (the slides are read all the same)."""

    def __init__(self, presentation) -> None:
        self.authors = _authors(presentation.part)
        self.left = MOST_COMMENTS

    def lines(self, slide) -> list[str]:
        """The comments on ``slide``, a line each, in the order of its comments parts."""
        said: list[tuple[str, str]] = []
        for rel in _related(slide.part, MODERN_COMMENTS, LEGACY_COMMENTS):
            try:
                said.extend(_comments(etree.fromstring(rel.target_part.blob, PARSER), self.authors))
            except (etree.XMLSyntaxError, ValueError, KeyError):
                continue
        said = said[: max(self.left, 0)]
        self.left -= len(said)
        return [comment_line(author, text) for author, text in said if text.strip()]


def _related(part, *kinds: str) -> list:
    """``part``'s relationships of the ``kinds`` (relationship types) to parts inside the deck."""
    return [rel for rel in part.rels.values() if rel.reltype in kinds and not rel.is_external]


def _authors(part) -> dict[str, str]:
    """The names of the deck's comment authors, by id (a modern comment's GUID, an older one's number)."""
    names = {}
    for rel in _related(part, MODERN_AUTHORS, LEGACY_AUTHORS):
        try:
            root = etree.fromstring(rel.target_part.blob, PARSER)
        except (etree.XMLSyntaxError, ValueError):
            continue
        for author in root.iter(MODERN + "author", P + "cmAuthor"):
            names[author.get("id") or ""] = " ".join((author.get("name") or "").split())
    return names


def _comments(root, authors: dict[str, str]) -> list[tuple[str, str]]:
    """A comments part's comments, ``(author, text)``: a modern one's replies after it (the part keeps
    them before its text), an older one's as they are."""
    out = []
    for comment in root.iter(MODERN + "cm", P + "cm"):
        if comment.tag == P + "cm":
            out.append((authors.get(comment.get("authorId") or "", ""), comment.findtext(P + "text") or ""))
            continue
        out.append((authors.get(comment.get("authorId") or "", ""), _body(comment)))
        for reply in comment.iter(MODERN + "reply"):
            out.append((authors.get(reply.get("authorId") or "", ""), _body(reply)))
    return out


def _body(element) -> str:
    """The text of a modern comment's (or reply's) own body, its paragraphs joined by spaces."""
    body = element.find(MODERN + "txBody")
    if body is None:
        return ""
    return " ".join("".join(t.text or "" for t in p.iter(DRAWING + "t")) for p in body.iter(DRAWING + "p"))
