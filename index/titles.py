"""A document's title, where its text opens with one: what the verifier is shown above a cited sentence
whose own words leave out what the document is about (``rag.attribution.Attributor.lead_ins``).

"Whitefly was found on Black Krim and treated with Encarsia wasps." answers "What pest was found on the
tomatoes?" only under its log's title, "Greenhouse log, spring trial of tomato varieties": the 1.5B judge
gave it 0.33 alone and 0.80 under the title (asked "What was found on the cucumbers?" of it: 0.33 and 0.30).

This module reads text only; the loader puts the title in the document's metadata, which every chunk
carries (``index.loaders.make_document``).
"""

from __future__ import annotations

import re

MAX_WORDS = 16  # a longer first line is a sentence, whatever it ends with
_MARKDOWN_TITLE = re.compile(r"#\s+(.+?)\s*#*\s*$")  # a first-level heading: "# Kettle manual"
_ENDED = (".", "!", "?", ":", ";", ",")  # a line ended so is a sentence, a label or a line broken off


def title_of(text: str) -> str | None:
    """The first line of ``text`` where it is a title: a Markdown first-level heading, or a line of at most
    ``MAX_WORDS`` words that ends with no full stop (nor ``! ? : ; ,``) and stands alone, a blank line after
    it; either with text below it. A first line run on by the next ("Team meeting, 5 March" over "Attendees:
    ...") or a table's header row is not taken: the lines under it may not be what it is about.

    >>> title_of("Greenhouse log, spring trial of tomato varieties\\n\\nWeek 1: Seeds were sown.")
    'Greenhouse log, spring trial of tomato varieties'
    >>> title_of("# Travel policy (2025 edition)\\n\\n## Booking"), title_of("# Kettle manual\\nRead first.")
    ('Travel policy (2025 edition)', 'Kettle manual')
    >>> title_of("Kenya is a country in Africa.\\n\\nIt ..."), title_of("Team meeting, 5 March\\nAttendees: Anna")
    (None, None)
    >>> title_of("## Booking\\n\\nStaff book flights."), title_of("\\n\\nText."), title_of("# Alone\\n")
    (None, None, None)
    """
    first, _, rest = text.partition("\n")
    first = first.strip()
    if not rest.strip():
        return None  # a title of nothing
    if found := _MARKDOWN_TITLE.fullmatch(first):
        return found.group(1)
    if rest.partition("\n")[0].strip():
        return None  # the next line runs on
    if not first or first.startswith("#") or first.endswith(_ENDED) or len(first.split()) > MAX_WORDS:
        return None
    return first
