"""Summaries: a request for what the documents say as a whole.

"Summarize this", "what are these documents about?" name no topic to retrieve by: their words
are far from every passage, so the relevance check abstained ("The documents do not say."), and
had it not, the passages nearest "summarize" are no one's summary. Such a request (``is_overview``)
is answered from passages chosen by where they lie instead: each document in scope gets its share
of ``most`` passages, spread through it from its opening (``spread``). Its sentences are attributed
as an answer's are (not put to the verifier: do these lines answer "summarize this"? has no answer);
what it did not read of a long document is said (``Overview.note``).

This module neither prompts the model nor decides the answer (``rag.answering`` does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.errors import QuestionError
from rag.retrieval import stored_passages
from rag.types import Passage

# A word that asks for the whole rather than a part; and the words that may go with one and still
# name no topic ("please give me a short summary of these three articles").
_ASKING = re.compile(
    r"\b(summar(y|ies|i[sz]e[sd]?)|overview|gist|synopsis|recap|tl;?\s*dr|takeaways?|sum (it |them )?up"
    r"|(main|key) (points?|ideas?|topics?|themes?|findings?)|what('s| is| are)\b.*\babout)\b",
    re.IGNORECASE,
)
_BESIDE = set(
    """a about all an and any are article articles bullet bullets briefly brief can chosen concise contents
    content could dr do doc docs document documents does each entire few file files findings for gist give
    here idea ideas in is it its key list main me my news notes of one our overview page pages paper papers
    please point points provide quick quickly recap report reports s say says selected sentence sentences
    short story stories sum summaries summarise summarised summarize summarized summary synopsis takeaway
    takeaways tell text texts that the them themes these this those three tl tldr to topic topics two up us
    what whole with would write you five four""".split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def is_overview(question: str) -> bool:
    """Whether ``question`` asks what the documents say as a whole, naming no topic: a word asking
    for the whole, and no word but those that may go with one.

    >>> [is_overview(q) for q in ("Summarize the documents.", "What is this article about?", "tl;dr")]
    [True, True, True]
    >>> [is_overview(q) for q in ("Summarize the arms deals.", "Who denied arms deals?", "Key points on Iran?")]
    [False, False, False]
    """
    return bool(_ASKING.search(question)) and all(
        word.lower() in _BESIDE or word.isdigit() for word in _WORD.findall(question)
    )


def spread(count: int, most: int) -> list[int]:
    """Which of a document's ``count`` passages, in order, ``most`` of them read: all where they
    fit, else its first and the rest evenly through it (a summary of its opening alone would miss
    where a report ends up).

    >>> spread(3, 8), spread(10, 4), spread(5, 0)
    ([0, 1, 2], [0, 2, 5, 7], [])
    """
    return list(range(count)) if count <= most else [n * count // most for n in range(most)]


def shares(counts: Sequence[int], most: int) -> list[int]:
    """How many passages each of the documents with ``counts`` passages is read for, ``most`` in
    all, shared evenly: what a short one does not need goes to the others.

    >>> shares([2, 40, 40], 8), shares([40, 40, 40], 8)
    ([2, 3, 3], [2, 3, 3])
    """
    given = [0] * len(counts)
    left = most
    for place, n in enumerate(sorted(range(len(counts)), key=lambda i: counts[i])):
        given[n] = min(counts[n], left // (len(counts) - place))
        left -= given[n]
    return given


@dataclass(frozen=True)
class Overview:
    """The passages a summary is written from, in the documents' order, and what it says of what
    it did not read (empty where it read every passage)."""

    passages: list[Passage]
    note: str = ""

    def by_document(self) -> list[list[Passage]]:
        """The passages of each document, in turn.

        >>> read = Overview([Passage("a.txt", 1, 1, 0, "A.", 0), Passage("a.txt", 9, 9, 80, "B.", 0),
        ...                  Passage("b.txt", 1, 1, 0, "C.", 0)])
        >>> [[p.text for p in part] for part in read.by_document()]
        [['A.', 'B.'], ['C.']]
        """
        parts: dict[str, list[Passage]] = {}
        for passage in self.passages:
            parts.setdefault(passage.file, []).append(passage)
        return list(parts.values())


class Overviewer:
    """Chooses a summary's passages from the store by where they lie in their documents."""

    def __init__(self, collection, documents: Callable[[], list[str]], most: int) -> None:
        self.collection = collection  # Chroma's: the chunks, their text and where they lie
        self.documents = documents  # every ingested document's name
        self.most = most

    def read(self, files: Sequence[str] = ()) -> Overview:
        """The passages a summary of ``files`` (every document, where none are given) is written
        from. More documents than passages to read is a ``QuestionError`` saying to choose some."""
        names = list(files) or self.documents()
        if len(names) > self.most:
            raise QuestionError(
                f"A summary reads at most {self.most} documents at a time, and there are {len(names):,} here: "
                "choose some to ask within, or ask about a topic."
            )
        if not names:
            return Overview([])
        rows = self.collection.get(where={"file": {"$in": names}}, include=["metadatas"])
        places: dict[str, list[tuple[int, int, str]]] = {name: [] for name in names}
        for chunk_id, meta in zip(rows["ids"], rows["metadatas"], strict=True):
            offsets = json.loads(meta.get("_node_content") or "{}")
            places.setdefault(str(meta.get("file")), []).append(
                (int(meta.get("start_line") or 0), int(offsets.get("start_char_idx") or 0), chunk_id)
            )
        ordered = {name: sorted(found) for name, found in places.items() if found}
        given = shares([len(found) for found in ordered.values()], self.most)
        chosen = [
            found[n][2] for found, share in zip(ordered.values(), given, strict=True) for n in spread(len(found), share)
        ]
        texts = self.collection.get(ids=chosen, include=["documents", "metadatas"])
        by_id = dict(zip(texts["ids"], stored_passages(texts), strict=True))
        unread = [
            f"{share} of {len(found):,} passages of {name}"
            for (name, found), share in zip(ordered.items(), given, strict=True)
            if share < len(found)
        ]
        where = "it" if len(unread) == 1 else "each"
        note = (
            f"Summarized from {'; '.join(unread)}, spread through {where}; ask about a topic for the rest."
            if unread
            else ""
        )
        return Overview([by_id[chunk_id] for chunk_id in chosen if chunk_id in by_id], note)
