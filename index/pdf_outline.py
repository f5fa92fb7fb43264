"""A PDF's pages named by its outline (its bookmarks): "page 12 (3.2 Lamps and lenses), line 4".

A report's or a manual's PDF usually carries an outline, the table of contents a viewer shows
beside the pages. A page is named by the heading in force where it starts: the first heading
whose entry points at the page, or else the last one pointing before it (the deepest: entries are
taken in the outline's order, so "3.2" comes after "3"). The name goes where every paged format's
names go (``Extracted.page_names``): into citations, and beside each chunk's text for the
embedder and the keyword index, so that a question naming a section finds its pages.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

MOST_ENTRIES = 20_000  # of an outline read: a book's has hundreds


def outline_names(reader, pages: int) -> list[str]:
    """A name for each of the ``pages`` of a pypdf ``reader``'s document ("" where no heading is in
    force yet); none at all where it has no outline, or one pypdf cannot read."""
    try:
        starts = _starts(reader)
    except Exception:  # noqa: BLE001 -- a damaged outline costs the names, not the document
        log.warning("a PDF's outline could not be read", exc_info=True)
        return []
    if not starts:
        return []
    names, entry, current = [], 0, ""
    for page in range(pages):
        first_here = None
        while entry < len(starts) and starts[entry][0] <= page:
            if starts[entry][0] == page and first_here is None:
                first_here = starts[entry][1]
            current = starts[entry][1]
            entry += 1
        names.append(first_here or current)
    return names


def _starts(reader) -> list[tuple[int, str]]:
    """The outline's entries as (page, title), in page order (the outline's own order among entries of
    one page); entries pointing nowhere in the document left out."""
    found: list[tuple[int, str]] = []
    stack = [iter(reader.outline)]
    while stack and len(found) < MOST_ENTRIES:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif isinstance(entry, list):  # the entries under the one before
            stack.append(iter(entry))
        else:
            page = reader.get_destination_page_number(entry)
            title = " ".join(str(entry.title or "").split())
            if page is not None and page >= 0 and title:
                found.append((page, title))
    return sorted(found, key=lambda start: start[0])  # stable: one page's entries keep their order
