"""The chat page's addresses: the link that opens it at a citation, and what a page's address
asks of it (a citation to open, the documents to ask within). Written and read here alone: the
HTTP API hands the links out, the chat page reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode

from rag.types import Citation
from ui.limits import MAX_SCOPE_FILES


def citation_link(citation: Citation, root: str = "") -> str:
    """The path of the chat page opened at ``citation``: its document in the viewer, its lines
    highlighted, its characters marked (``linked_citation`` reads it); under ``root``, the path a
    reverse proxy serves Groundline under (``GROUNDLINE_ROOT_PATH``), if any.

    >>> cited = Citation("north/q3.txt", 9, 10, "Dogs bark.", 310, 320)
    >>> citation_link(cited), citation_link(cited, "/groundline")
    ('/?file=north%2Fq3.txt&lines=9-10&chars=310-320', '/groundline/?file=north%2Fq3.txt&lines=9-10&chars=310-320')
    """
    lines, chars = f"{citation.start_line}-{citation.end_line}", f"{citation.start_char}-{citation.end_char}"
    return f"{root}/?" + urlencode({"file": citation.file, "lines": lines, "chars": chars})


def linked(citation: Citation, root: str = "") -> dict:
    """A citation as the HTTP API returns it: its fields, and ``link`` (``citation_link``)."""
    return citation.public() | {"link": citation_link(citation, root)}


def root_of(request) -> str:
    """The path a request's server is served under (uvicorn's ``root_path``: ``GROUNDLINE_ROOT_PATH``)."""
    return request.scope.get("root_path", "").rstrip("/")


def span(text: str | None) -> tuple[int, int] | None:
    """``"9"`` or ``"9-11"`` as a first and last number (a link's lines or characters); None if it is not.

    >>> span("9"), span("9-11"), span("11-9"), span("x"), span(None)
    ((9, 9), (9, 11), None, None, None)
    """
    match = re.fullmatch(r"(\d{1,9})(?:-(\d{1,9}))?", text or "")
    if not match:
        return None
    first, last = int(match[1]), int(match[2] or match[1])
    return (first, last) if first <= last else None


def linked_citation(params: Mapping[str, str]) -> tuple[str, Citation | None] | None:
    """The document, and the lines in it, a page's address (its query ``params``) asks to open: a
    citation's own link (``citation_link``: the lines highlighted, the characters marked, as a
    click on the citation shows them; without ``lines``, the document from its top). None without
    ``file``.

    >>> from urllib.parse import parse_qsl, urlsplit
    >>> cited = Citation("north/q3.txt", 9, 10, "", 310, 320)
    >>> linked_citation(dict(parse_qsl(urlsplit(citation_link(cited)).query))) == ("north/q3.txt", cited)
    True
    >>> linked_citation({"file": "a.txt", "lines": "0-2"}), linked_citation({"lines": "9"})
    (('a.txt', None), None)
    """
    file = params.get("file")
    if not file:
        return None
    lines, chars = span(params.get("lines")), span(params.get("chars")) or (0, 0)
    return file, Citation(file, *lines, "", *chars) if lines and lines[0] > 0 else None


def asked_within(entries: list[str]) -> list[str]:
    """The documents and folders a page's address names to ask within (its ``within`` entries:
    ``?within=north/&within=a.txt``, a shared link's, or the widget's ``data-within``), each as
    given: one that names nothing is an error when asked, not a question asked of everything. One
    more than is allowed, at most, for the question's check to refuse.

    >>> asked_within(["north/", "", "a.txt"])
    ['north/', 'a.txt']
    """
    return [entry for entry in entries if entry][: MAX_SCOPE_FILES + 1]
