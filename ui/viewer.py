"""HTML for the citation viewer: a document with the cited lines highlighted.

Document text is untrusted, so every piece of it is HTML-escaped here; the
only markup is ours. This module reads nothing itself: callers pass the text.
"""

from __future__ import annotations

import html

from rag.types import Citation

CSS = """
#gl-viewer .gl-doc { max-height: 520px; overflow-y: auto; font-family: ui-monospace, monospace;
  font-size: 13px; line-height: 1.5; border: 1px solid #ddd; border-radius: 6px; padding: 6px; }
#gl-viewer .gl-file { font-weight: 600; margin-bottom: 4px; }
#gl-viewer .gl-line { display: flex; gap: 8px; white-space: pre-wrap; word-break: break-word; }
#gl-viewer .gl-ln { color: #888; min-width: 2.5em; text-align: right; user-select: none; }
#gl-viewer .gl-hl { background: #fff3b0; }
#gl-viewer mark.gl-span { background: #ffd54f; color: inherit; padding: 0; }
.gl-compact .gl-doc { max-height: 220px; }
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


def render_document(file: str, text: str, citation: Citation | None = None) -> str:
    """The document as numbered lines; cited lines get ``gl-hl``, the quote a ``<mark>``.

    >>> "gl-hl" in render_document("a.txt", "x\\ny", Citation("a.txt", 2, 2, "y", 2, 3))
    True
    """
    rows, offset = [], 0
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        body = raw.rstrip("\r\n")
        cited = citation is not None and citation.start_line <= number <= citation.end_line
        content = _marked(body, offset, citation) if cited else html.escape(body)
        rows.append(
            f'<div class="gl-line{" gl-hl" if cited else ""}" id="gl-line-{number}" data-line="{number}">'
            f'<span class="gl-ln">{number}</span><span class="gl-text">{content or "&#8203;"}</span></div>'
        )
        offset += len(raw)
    return (
        f'<div class="gl-file">{html.escape(file)}</div>'
        f'<div class="gl-doc" data-file="{html.escape(file, quote=True)}">{"".join(rows)}</div>'
    )


def _marked(body: str, offset: int, citation: Citation) -> str:
    """Escape a line, wrapping the part inside the citation's span in ``<mark>``."""
    start = max(citation.start_char - offset, 0)
    end = min(citation.end_char - offset, len(body))
    if start >= end:
        return html.escape(body)
    return (
        html.escape(body[:start])
        + f'<mark class="gl-span">{html.escape(body[start:end])}</mark>'
        + html.escape(body[end:])
    )


def placeholder() -> str:
    """What the viewer shows before a citation is clicked."""
    return '<div class="gl-file">Click a citation to see its source lines.</div>'
