"""HTML for the citation viewer: a document with the cited lines highlighted.

Document text is untrusted, so every piece of it is HTML-escaped here; the
only markup is ours. This module reads nothing itself: callers pass the text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from index.formats import page_name, page_of
from rag.types import Citation

CSS = """
#gl-viewer .gl-doc { max-height: 520px; overflow-y: auto; font-family: ui-monospace, monospace;
  font-size: 13px; line-height: 1.5; border: 1px solid #ddd; border-radius: 6px; padding: 6px; }
#gl-viewer .gl-file { font-weight: 600; margin-bottom: 4px; }
#gl-viewer .gl-window { color: #666; font-size: 12px; margin-bottom: 4px; }
#gl-viewer .gl-line { display: flex; gap: 8px; white-space: pre-wrap; word-break: break-word; }
#gl-viewer .gl-ln { color: #888; min-width: 2.5em; text-align: right; user-select: none; white-space: nowrap;
  flex-shrink: 0; }
#gl-viewer .gl-hl { background: #fff3b0; }
#gl-viewer .gl-page { color: #666; font-weight: 600; border-top: 1px solid #eee; margin-top: 4px; padding-top: 2px; }
#gl-viewer mark.gl-span { background: #ffd54f; color: inherit; padding: 0; }
.gl-compact .gl-doc { max-height: 220px; }
#gl-scope { color: #666; font-size: 12px; }
#gl-hits { max-height: 330px; overflow-y: auto; flex-wrap: nowrap; gap: 4px; }
#gl-stop.gl-idle { display: none; }
#gl-hits button.gl-hit { justify-content: flex-start; text-align: left; white-space: normal; font-weight: 400; }
#gl-search-note { color: #666; font-size: 12px; }
"""

# After a citation opens: the viewer scrolls its first cited line to the top, a line of context above
# (the marked sentence too, if the line is taller than the viewer), then the page just enough to show
# the viewer. Scrolling the line into view "nearest" left a passage's first line at the bottom edge
# and the rest of it out of sight.
SCROLL_JS = """() => {
  const line = document.querySelector('#gl-viewer .gl-hl'); if (!line) return;
  const doc = line.closest('.gl-doc'), mark = line.querySelector('mark');
  const above = el => el.getBoundingClientRect().top - doc.getBoundingClientRect().top - 24;
  doc.scrollTop += above(line);
  if (mark && mark.getBoundingClientRect().bottom > doc.getBoundingClientRect().bottom) doc.scrollTop += above(mark);
  doc.scrollIntoView({block: 'nearest'});
}"""


# The most the viewer shows at once: a long document's lines around the citation, and a long
# line's characters around the quote (each says what it leaves out).
MOST_LINES = 2000
MOST_CHARS = 20_000


@dataclass(frozen=True)
class Window:
    """The lines ``first``..``last`` (from 1, inclusive) the viewer shows of ``total``."""

    first: int
    last: int
    total: int

    @property
    def earlier(self) -> bool:
        return self.first > 1

    @property
    def later(self) -> bool:
        return self.last < self.total


def window(
    total: int,
    citation: Citation | None,
    first: int | None = None,
    last: int | None = None,
    most_lines: int = MOST_LINES,
) -> Window:
    """The lines ``first``..``last`` as asked (a page turned to: as much of it as the document
    has); else ``most_lines`` lines from ``first``, or centred on the citation, or from the top.

    >>> window(10_000, None), window(10_000, None, first=9_500)
    (Window(first=1, last=2000, total=10000), Window(first=8001, last=10000, total=10000))
    >>> window(10_000, None, 9_001, 11_000)
    Window(first=9001, last=10000, total=10000)
    """
    if first is not None and last is not None and 1 <= first <= min(last, total):
        return Window(first, min(last, total), total)
    start = first if first is not None else (citation.start_line if citation else 1) - most_lines // 2
    begin = max(1, min(start, total - most_lines + 1))
    return Window(begin, min(total, begin + most_lines - 1), total)


def turned(shown: Window, step: int, most_lines: int = MOST_LINES) -> tuple[int, int]:
    """The lines a page turn shows: the ``most_lines`` just before ``shown`` (``step`` < 0) or just
    after it, none of them shown already; a short page at either end of the document.

    >>> turned(Window(501, 2500, 12_000), -1), turned(Window(9001, 11_000, 12_000), 1)
    ((1, 500), (11001, 13000))
    """
    if step < 0:
        return max(1, shown.first - most_lines), shown.first - 1
    return shown.last + 1, shown.last + most_lines


@dataclass(frozen=True)
class Pages:
    """Where a paged document's pages start (line numbers from 1), and what its pages and their
    lines are called (``index.formats.page_words``): the viewer numbers lines as citations do."""

    starts: tuple[int, ...]
    words: tuple[str, str] = ("page", "line")
    names: tuple[str, ...] = ()  # the pages' own names, where they have them (a workbook's sheets)

    def at(self, line: int) -> tuple[int, int]:
        """``(page, line within it)``, as a citation names ``line``."""
        return page_of(self.starts, line)

    def heading(self, page: int) -> str:
        """
        >>> Pages((1, 4), ("slide", "line")).heading(2)
        'Slide 2'
        >>> Pages((1, 4), ("sheet", "row"), ("Lights", "Keepers")).heading(2)
        'Sheet 2: Keepers'
        """
        name = page_name(self.names, page)
        return f"{self.words[0].capitalize()} {page:,}" + (f": {name}" if name else "")


def render_document(file: str, text: str, citation: Citation | None = None, **limits: int) -> str:
    """The document as numbered lines; cited lines get ``gl-hl``, the quote a ``<mark>``.

    >>> "gl-hl" in render_document("a.txt", "x\\ny", Citation("a.txt", 2, 2, "y", 2, 3))
    True
    """
    return render_view(file, text, citation, **limits)[0]


def render_view(
    file: str,
    text: str,
    citation: Citation | None = None,
    first: int | None = None,
    last: int | None = None,
    most_lines: int = MOST_LINES,
    most_chars: int = MOST_CHARS,
    pages: Pages | None = None,
) -> tuple[str, Window]:
    """``render_document``, and the window of lines it shows.

    A long document shows ``most_lines`` lines (``window``), and a long line ``most_chars``
    characters around the quote, each saying what is left out: the whole of a 10 MB document
    was 23 MB of HTML for the browser on every click. A paged document (``pages``) shows each
    page's heading and numbers lines within their page, as its citations say "slide 2, line 3".
    """
    lines = text.splitlines(keepends=True)
    shown = window(len(lines), citation, first, last, most_lines)
    first, last = shown.first, shown.last
    offset = sum(len(raw) for raw in lines[: first - 1])
    rows = []
    for number in range(first, last + 1):
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        cited = citation is not None and citation.start_line <= number <= citation.end_line
        content = _shown(body, offset, citation if cited else None, most_chars)
        shown_number = number
        if pages:
            page, shown_number = pages.at(number)
            if shown_number == 1 or number == first:  # a page begins, or the window begins inside one
                rows.append(f'<div class="gl-page">{html.escape(pages.heading(page))}</div>')
        rows.append(
            f'<div class="gl-line{" gl-hl" if cited else ""}" id="gl-line-{number}" data-line="{number}">'
            f'<span class="gl-ln">{shown_number}</span><span class="gl-text">{content or "&#8203;"}</span></div>'
        )
        offset += len(raw)
    note = ""
    if shown.earlier or shown.later:
        note = f"Lines {first:,}–{last:,} of {len(lines):,}"
        if pages:  # "Pages 3–51 of 100 (lines ...)": the pages the window reaches into
            reach = f"{pages.at(first)[0]:,}–{pages.at(last)[0]:,} of {len(pages.starts):,}"
            note = f"{pages.words[0].capitalize()}s {reach} ({note.lower()})"
        note = f'<div class="gl-window">{note}</div>'
    return (
        f'<div class="gl-file">{html.escape(file)}</div>{note}'
        f'<div class="gl-doc" data-file="{html.escape(file, quote=True)}">{"".join(rows)}</div>'
    ), shown


def _shown(body: str, offset: int, citation: Citation | None, most_chars: int) -> str:
    """Escape a line, wrapping the part inside the citation's span (if any) in ``<mark>``; of a
    line over ``most_chars``, only that many characters around the span (or from the start)."""
    start = max(citation.start_char - offset, 0) if citation else 0
    end = min(citation.end_char - offset, len(body)) if citation else 0
    room = max(0, most_chars - (end - start))  # for context either side of the span
    begin = max(0, min(start - room // 2, len(body) - most_chars))
    stop = min(len(body), begin + most_chars)
    start, end = max(start, begin), min(end, stop)
    cut_before = f"[… {begin:,} characters] " if begin else ""
    cut_after = f" [… {len(body) - stop:,} characters]" if stop < len(body) else ""
    if start >= end:
        return cut_before + html.escape(body[begin:stop]) + cut_after
    return (
        cut_before
        + html.escape(body[begin:start])
        + f'<mark class="gl-span">{html.escape(body[start:end])}</mark>'
        + html.escape(body[end:stop])
        + cut_after
    )


def placeholder() -> str:
    """What the viewer shows before a citation is clicked."""
    return '<div class="gl-file">Click a citation to see its source lines.</div>'
