"""Search: the passages a question would be answered from, found without the model.

A reader who wants to look rather than be told (every place a name comes up, the clause a
contract has on notice) searches: the same hybrid retrieval as the chat, scoped the same way,
in a fraction of a second where an answer takes seconds. Each hit is a passage, best first,
opened at its sentence that best matches the query (``rag.attribution``), so the link
highlights that line and marks that sentence, as a citation's does.

This module neither calls the LLM nor decides whether the documents answer anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from index.store import reaching_the_server
from rag.answering import check_question
from rag.attribution import Attributor
from rag.types import Citation, Passage

log = logging.getLogger(__name__)
MOST_HITS = 20  # a search's hits: the fused rankings' candidates run out past a few tens


class PassageRetriever(Protocol):
    def retrieve(self, question: str, top_k: int | None = None, files: Sequence[str] = ()) -> list[Passage]: ...


@dataclass(frozen=True)
class Hit:
    """One passage found: the whole of it, and its sentence that best matches the query."""

    passage: Citation
    match: Citation  # the passage itself where it has no sentence to pick

    def to_json(self, cited: Callable[[Citation], dict] = Citation.public) -> dict:
        """The best-matching sentence as a citation is given (``file``, lines, ``quote``, its
        ``link`` where ``cited`` adds one), and the passage around it: its lines and text.

        >>> whole = Citation("a.txt", 3, 5, "One. Two.", 10, 19)
        >>> Hit(whole, Citation("a.txt", 4, 4, "Two.", 15, 19)).to_json()["passage"]
        {'start_line': 3, 'end_line': 5, 'text': 'One. Two.'}
        """
        passage = {"start_line": self.passage.start_line, "end_line": self.passage.end_line}
        return cited(self.match) | {"passage": passage | {"text": self.passage.quote}}


class Searcher:
    """Passages for a query, each opened at its best-matching sentence."""

    def __init__(self, retriever: PassageRetriever, attributor: Attributor, max_query_chars: int = 2000) -> None:
        self.retriever = retriever
        self.attributor = attributor
        self.max_query_chars = max_query_chars
        self.observers: list[Callable[[int, float], None]] = []

    def observe(self, observer: Callable[[int, float], None]) -> None:
        """Tell ``observer(hits, seconds)`` of each search made (a server counts them: ``ui.metrics``)."""
        self.observers.append(observer)

    def search(self, query: str, files: Sequence[str] = (), limit: int = 10) -> list[Hit]:
        """The best ``limit`` passages for ``query`` (at most ``MOST_HITS``), best first; from the
        documents ``files`` alone, where given (names as ``Library.within`` gives them). A clear
        error for an empty or over-long query."""
        query = check_question(query, self.max_query_chars, "search")
        started = time.perf_counter()
        with reaching_the_server():  # a Chroma server, where one is set, answers the retrieval
            passages = self.retriever.retrieve(query, top_k=max(1, min(limit, MOST_HITS)), files=files)
        hits, shown = [], set()
        for passage, ranked in zip(passages, self.attributor.ranked_in_each(query, passages), strict=True):
            # chunks overlap: a sentence two passages hold opens the first; the second opens at its own next best
            fresh = [s.citation for s in ranked if (s.citation.file, s.citation.start_char) not in shown]
            if ranked and not fresh:
                continue  # all it holds is shown already
            match = fresh[0] if fresh else passage.as_citation()
            shown.add((match.file, match.start_char))
            hits.append(Hit(passage.as_citation(), match))
        for observer in self.observers:
            try:
                observer(len(hits), time.perf_counter() - started)
            except Exception:  # counting failed: the hits stand
                log.exception("%s failed", observer)
        return hits
