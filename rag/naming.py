"""Documents a question names: "what does minutes-2024.pdf say about the budget?" is asked of that
document alone, as if it were chosen under "Ask within", and "summarize q3 report.docx" is a
summary of it (``rag.overview``).

A name counts where the question holds it whole, extension and all, in any case, not inside a
longer word: a document's path (``north/q3.txt``), or its base name (``q3.txt``: every document
of that name). Words that only look like a name ("the minutes") are not guessed at.

This module neither retrieves nor answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.formats import SUFFIXES

# Where a name may end: its extension, then no more of a word.
_EXTENSION = re.compile(r"\.[^\W_]{1,5}\b")
# A word that names a file of a kind Groundline reads ("budget.xlsx"), whether or not one is ingested.
_FILE_WORD = re.compile(
    rf"(?<![\w./\\-])\w[\w.\-/]*(?:{'|'.join(re.escape(suffix) for suffix in SUFFIXES)})\b", re.IGNORECASE
)
MOST_NAME_CHARS = 255  # a longer run before an extension is not looked up


@dataclass(frozen=True)
class Named:
    """The documents a question names, in the order it names them, and the question without their
    names, or any file's (what it asks of them); and the words that name a file no document is (``unknown``: a
    misspelt name, a file not ingested), which the answer should say it did not read."""

    files: list[str]
    rest: str
    unknown: tuple[str, ...] = ()

    def note(self, chosen: bool) -> str:
        """What the answer says of the files named that no document is, asked of what was
        ``chosen`` (else of every document); nothing where there are none.

        >>> Named([], "What does budget.xlsx say?", ("budget.xlsx",)).note(chosen=False)
        'No document is named budget.xlsx: answered from all of them.'
        """
        if not self.unknown:
            return ""
        names = ", ".join(self.unknown)
        scope = "the chosen documents" if chosen else "all of them"
        return f"No document is named {names}: answered from {scope}."


def named_in(question: str, names: Callable[[], Sequence[str]]) -> Named:
    """The documents of ``names()`` (every document's name, read only where the question holds a
    word with an extension) that ``question`` names (the module's docstring).

    >>> named_in("What does Q3.txt say of fog?", lambda: ["north/q3.txt", "b.txt"])
    Named(files=['north/q3.txt'], rest='What does  say of fog?', unknown=())
    >>> named_in("Is q3.txt like north/q3.txt?", lambda: ["north/q3.txt", "south/q3.txt"]).files
    ['north/q3.txt', 'south/q3.txt']
    >>> named_in("What is ab.txt2, or xab.txt, e.g. U.S. data?", lambda: ["ab.txt"])
    Named(files=[], rest='What is ab.txt2, or , e.g. U.S. data?', unknown=('xab.txt',))
    """
    if not _EXTENSION.search(question):  # no name at all: the names need not be read
        return Named([], question)
    lookup: dict[str, list[str]] = {}
    for name in names():
        lookup.setdefault(name.lower(), []).append(name)
        base = name.rsplit("/", 1)[-1].lower()
        if base != name.lower():
            lookup.setdefault(base, []).append(name)
    lower = question.lower()
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for extension in _EXTENSION.finditer(lower):
        stop = extension.end()
        for start in range(max(0, stop - MOST_NAME_CHARS), extension.start()):
            if start and (lower[start - 1].isalnum() or lower[start - 1] in "_-./\\"):
                continue  # inside a longer word or path
            if hit := lookup.get(lower[start:stop]):
                found.extend(hit)
                spans.append((start, stop))
                break  # the longest name ending here
    rest = question
    for start, stop in reversed(spans):
        rest = rest[:start] + rest[stop:]
    unknown = dict.fromkeys(word.group() for word in _FILE_WORD.finditer(rest))
    return Named(list(dict.fromkeys(found)), _FILE_WORD.sub("", rest), tuple(unknown))
