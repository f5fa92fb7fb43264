"""Search: the passages a question would be answered from, or every place some words appear,
found without the model.

A reader who wants to look rather than be told searches, in a fraction of a second where an
answer takes seconds. Plain words are ranked: the chat's own hybrid retrieval, scoped the same
way, each passage opened at its sentence that best matches them (``rag.attribution``), so its
link highlights that line and marks that sentence, as a citation's does. Words in double quotes
("Kwon Jung-geun") are found wherever they appear as written (any case, any spacing, whole
words): every
place, in the documents' order, each marked exactly; the clause on notice, each mention of a
name, which a ranking of the best few would leave out.

This module neither calls the LLM nor decides whether the documents answer anything.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from index.store import reaching_the_server
from rag.answering import check_question
from rag.attribution import Attributor
from rag.errors import QuestionError
from rag.retrieval import words_pattern
from rag.types import Citation, Passage

log = logging.getLogger(__name__)
MOST_HITS = 20  # a ranked search's: the fused rankings' candidates run out past a few tens
MOST_PLACES = 200  # a quoted search's places listed; past them, ``Found.more`` says there are more
MOST_CHUNKS = 2000  # read for a quoted search: far more places than are listed, but a bound
QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»"}  # typed, or a keyboard's or a phone's own
SHOWN_CHARS = 90  # of a place's line, around it, in a listing


class PassageRetriever(Protocol):
    def retrieve(self, question: str, top_k: int | None = None, files: Sequence[str] = ()) -> list[Passage]: ...

    def containing(self, words: str, files: Sequence[str] = (), most: int = MOST_CHUNKS) -> list[Passage]: ...


@dataclass(frozen=True)
class Hit:
    """One passage found: the whole of it, and where in it to look (its best-matching sentence, or
    the words searched for as they are written there)."""

    passage: Citation
    match: Citation  # the passage itself where it has no sentence to pick
    shown: str = ""  # what a listing shows of it, where not the match itself: a place's line around it

    def to_json(self, cited: Callable[[Citation], dict] = Citation.public) -> dict:
        """The match as a citation is given (``file``, lines, ``quote``, its ``link`` where ``cited``
        adds one), and the passage around it: its lines and text.

        >>> whole = Citation("a.txt", 3, 5, "One. Two.", 10, 19)
        >>> Hit(whole, Citation("a.txt", 4, 4, "Two.", 15, 19)).to_json()["passage"]
        {'start_line': 3, 'end_line': 5, 'text': 'One. Two.'}
        """
        passage = {"start_line": self.passage.start_line, "end_line": self.passage.end_line}
        context = {"context": self.shown} if self.shown else {}  # a place's line around it
        return cited(self.match) | context | {"passage": passage | {"text": self.passage.quote}}


@dataclass(frozen=True)
class Found:
    """A search's hits; whether it looked for words as written (``exact``), and whether there are
    more places than listed (``more``; a ranked search has no such end)."""

    hits: list[Hit] = field(default_factory=list)
    exact: bool = False
    more: bool = False

    def to_json(self, cited: Callable[[Citation], dict] = Citation.public) -> dict:
        """What ``groundline search --json`` prints (``/api/search`` answers it, each hit with its link)."""
        return {"hits": [hit.to_json(cited) for hit in self.hits], "exact": self.exact, "more": self.more}


def quoted(query: str) -> str | None:
    """The words of a search in double quotes (any kind), or None for a plain one.

    >>> quoted('"Kwon Jung-geun"'), quoted("“arms deals”"), quoted('arms "deals"'), quoted('"')
    ('Kwon Jung-geun', 'arms deals', None, None)
    """
    if len(query) > 2 and QUOTES.get(query[0]) == query[-1]:
        return query[1:-1].strip()
    return None


class Searcher:
    """Passages for a query (``search``): ranked, or every place quoted words appear."""

    def __init__(self, retriever: PassageRetriever, attributor: Attributor, max_query_chars: int = 2000) -> None:
        self.retriever = retriever
        self.attributor = attributor
        self.max_query_chars = max_query_chars
        self.observers: list[Callable[[int, float], None]] = []

    def observe(self, observer: Callable[[int, float], None]) -> None:
        """Tell ``observer(hits, seconds)`` of each search made (a server counts them: ``ui.metrics``)."""
        self.observers.append(observer)

    def search(self, query: str, files: Sequence[str] = (), limit: int | None = None) -> Found:
        """What ``query`` finds: in double quotes, every place its words appear (the first ``limit``,
        at most ``MOST_PLACES``, default 100), in the documents' order; else the best ``limit``
        passages (at most ``MOST_HITS``, default 10), best first. From the documents ``files``
        alone, where given (names as ``Library.within`` gives them). A clear error for an empty or
        over-long query."""
        query = check_question(query, self.max_query_chars, "search")
        words = quoted(query)
        if words == "":
            raise QuestionError("Please type the words to find between the quotes.")
        started = time.perf_counter()
        with reaching_the_server():  # a Chroma server, where one is set, answers
            if words is None:
                found = Found(self.ranked(query, files, max(1, min(limit or 10, MOST_HITS))))
            else:
                found = self.places(words, files, max(1, min(limit or 100, MOST_PLACES)))
        for observer in self.observers:
            try:
                observer(len(found.hits), time.perf_counter() - started)
            except Exception:  # counting failed: the hits stand
                log.exception("%s failed", observer)
        return found

    def ranked(self, query: str, files: Sequence[str], limit: int) -> list[Hit]:
        """The best ``limit`` passages, each opened at its sentence that best matches ``query``."""
        passages = self.retriever.retrieve(query, top_k=limit, files=files)
        hits, shown = [], set()
        for passage, ranked in zip(passages, self.attributor.ranked_in_each(query, passages), strict=True):
            # chunks overlap: a sentence two passages hold opens the first; the second opens at its own next best
            fresh = [s.citation for s in ranked if (s.citation.file, s.citation.start_char) not in shown]
            if ranked and not fresh:
                continue  # all it holds is shown already
            match = fresh[0] if fresh else passage.as_citation()
            shown.add((match.file, match.start_char))
            hits.append(Hit(passage.as_citation(), match))
        return hits

    def places(self, words: str, files: Sequence[str], limit: int) -> Found:
        """Every place ``words`` appear as written (any case, any spacing), the first ``limit`` in
        the documents' order (by name, then position), each marked exactly."""
        passages = self.retriever.containing(words, files, MOST_CHUNKS)
        pattern = re.compile(words_pattern(words, re.escape))  # as Chroma matched the chunks
        places: dict[tuple[str, int], Hit] = {}
        for p in passages:
            for m in pattern.finditer(p.text):
                at = p.start_char + m.start()
                if (p.file, at) in places:  # in two overlapping chunks: one place
                    continue
                line = p.start_line + p.text.count("\n", 0, m.start())
                end_line = p.start_line + p.text.count("\n", 0, m.end())
                match = Citation(p.file, line, end_line, m.group(), at, at + len(m.group()), *p.page_at(line))
                places[(p.file, at)] = Hit(p.as_citation(), match, _around(p.text, m.start(), m.end()))
        listed = [places[key] for key in sorted(places)]
        return Found(listed[:limit], exact=True, more=len(listed) > limit or len(passages) >= MOST_CHUNKS)


def _around(text: str, start: int, end: int) -> str:
    """The line of ``text`` holding ``start:end``, on one line, cut to about ``SHOWN_CHARS`` around it.

    >>> _around("first\\nThe lamp at Skerry was lit at dusk by the keeper.\\nlast", 17, 23)
    'The lamp at Skerry was lit at dusk by the keeper.'
    >>> _around("The keeper " * 20 + "Asa Lind " + "lit the lamp " * 20, 220, 228)
    '…keeper The keeper The keeper The keeper Asa Lind lit the lamp lit the lamp lit the lamp…'
    """
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    line = text[first : last if last >= 0 else len(text)]
    start, end = start - first, end - first
    if len(line) <= SHOWN_CHARS:
        return " ".join(line.split())
    room = max(0, (SHOWN_CHARS - (end - start)) // 2)
    left, right = max(0, start - room), min(len(line), end + room)
    if left and (space := line.find(" ", left, start)) >= 0:  # whole words only
        left = space + 1
    if right < len(line) and (space := line.rfind(" ", end, right)) >= 0:
        right = space
    return ("…" if left else "") + " ".join(line[left:right].split()) + ("…" if right < len(line) else "")
