"""Which of a series of documents a question asks of: minutes by their meeting's date, release notes by
version, reports by quarter or year.

Asked "What did the board decide in November about the roof?" with the October and the November minutes
retrieved, the 1.5B model answered from October's: "The board decided to postpone the decision on the roof
repair until the November meeting." Every word of it is on the October line cited ("... the decision was
postponed to the November meeting."), which word overlap and MiniLM score high, and the verifier, shown the
question and that line, let it through. The question names the November meeting, whose minutes were shown.

Two documents are editions of one series where their names (title and file name) share their words, "board"
and "minutes", and differ in their marks: dates, numbers, versions, quarters, seasons. A question that names
a mark one edition's name holds and the other's does not asks of that edition (``Editions.named``); a
sentence cited to the other is doubted (``rag.attribution``), and a second try reads the named edition's
passages (``rag.attribution.Attributor.closest``).

This module reads names only; it does not score or cite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from rag.types import Passage
from rag.wording import Wording

_MONTHS = "january february march april may june july august september october november december".split()
# a month by its short name too ("Nov 2026"); "may" and "march" only with a capital (they are words too)
MONTHS = {name[:3]: name for name in _MONTHS} | {"sept": "september"} | {name: name for name in _MONTHS}
_AMBIGUOUS = {"may", "mar", "march"}
SEASONS = {"spring", "summer", "autumn", "winter"}
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[A-Za-z0-9]+")  # "4.2", "Q3", "K200", "2026", "November"
_DATED = re.compile(r"(?<!\d)\d{4}-(\d{2})(?:-\d{2})?(?!\d)")  # "board-minutes-2026-11": November


def marks(text: str) -> set[str]:
    """The marks that tell one edition of a series from another in ``text``: numbers (a version's "4.2"
    whole) and words with a digit (quarters, "Q3"; models, "K200"), months by their full name (a file name's
    "2026-11" too), and seasons.

    >>> sorted(marks("Riverside Library Board — Minutes, 11 Nov 2026")), sorted(marks("board-minutes-2026-11"))
    (['11', '2026', 'november'], ['11', '2026', 'november'])
    >>> sorted(marks("Release notes 4.2, Q3 (spring)")), marks("What may I bring in march?"), marks("In May?")
    (['4.2', 'q3', 'spring'], set(), {'may'})
    >>> sorted(marks("K200 kettle manual")), sorted(marks("kettle-manual-k300"))
    (['k200'], ['k300'])
    """
    found = set()
    for token in _TOKEN.findall(text):
        low = token.lower()
        if any(c.isdigit() for c in low) or low in SEASONS:
            found.add(low)
        elif low in MONTHS and (low not in _AMBIGUOUS or token[0].isupper()):
            found.add(MONTHS[low])
    found |= {_MONTHS[int(month) - 1] for month in _DATED.findall(text) if 1 <= int(month) <= 12}
    return found


class Editions:
    """Reads which edition of a series a question asks of, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording
        self._unmarked = wording.terms(" ".join([*_MONTHS, *SEASONS]))

    def words(self, name: str) -> set[str]:
        """A name's words that are no marks: what editions of one series share."""
        return {term for term in self.wording.terms(name) if not any(c.isdigit() for c in term)} - self._unmarked

    def named(self, question: str, passages: Sequence[Passage]) -> dict[str, str]:
        """For each document of ``passages`` (its file) that the question does not ask of, where it asks of
        another edition of its series, that edition's file: the question names a mark of that edition's name
        that this document's name lacks, and none of this one's that the other's lacks. Documents are of one
        series where their names share a word, and half the words of the shorter name or more.

        >>> october = Passage("minutes-2026-10.md", 1, 1, 0, "Put off to November.", 1.0, title="Board minutes, Oct")
        >>> november = Passage("minutes-2026-11.md", 1, 1, 0, "Kalm chosen.", 1.0, title="Board minutes, 11 Nov")
        >>> e = Editions(Wording())
        >>> e.named("What did the board decide in November?", [october, november])
        {'minutes-2026-10.md': 'minutes-2026-11.md'}
        >>> e.named("What changed from October to November?", [october, november])  # both asked of
        {}
        >>> e.named("What did the board decide?", [october, november])
        {}
        >>> e.named("What happened in November?", [october, Passage("lease.txt", 1, 1, 0, "Rent.", 1.0)])
        {}
        """
        asked = marks(question)
        if not asked:
            return {}
        names = _names(passages)
        marked = {file: marks(name) for file, name in names.items()}
        words = {file: self.words(name) for file, name in names.items()}
        out = {}
        for file in names:
            for other in names:
                shared = words[file] & words[other]
                if other == file or not shared or 2 * len(shared) < min(len(words[file]), len(words[other])):
                    continue
                if asked & (marked[other] - marked[file]) and not asked & (marked[file] - marked[other]):
                    out[file] = other
                    break
        return out

    def mentions(self, question: str, line: str, named: Sequence[Passage]) -> bool:
        """Whether a line of another edition than the one the question names (whose passages are ``named``) is
        what the question asks of all the same: it says the mark the question names, with words the question
        asks that it says and the named edition's passages do not. "What was postponed to the November
        meeting?" is answered by the October minutes' "the decision was postponed to the November meeting",
        where November's minutes say nothing postponed; "What did the board decide in November?" is not, where
        they say what the board did.

        >>> november = [Passage("m-11.md", 1, 1, 0, "The board chose Kalm Roofing.", 1.0, title="Minutes, November")]
        >>> line, e = "The board's decision was postponed to the November meeting.", Editions(Wording())
        >>> e.mentions("What was postponed to the November meeting?", line, november)
        True
        >>> e.mentions("What did the board decide in November?", line, november)
        False
        """
        if not marks(question) & marks(line):
            return False
        said = self.words(question) & self.words(line)
        held = self.wording.terms(" ".join(f"{p.text} {p.title or ''}" for p in named))
        return bool(said) and not said & held

    def misnamed(self, sentence: str, file: str, line: str, passages: Sequence[Passage]) -> str | None:
        """The edition an answer sentence names (as a question would: ``named``), where the line it is cited to
        (of ``file``) is of another edition of its series and does not say the sentence's mark itself; else
        None. Asked "What changed in the default cache size between 4.1 and 4.2?", the 1.5B model answered
        "The default cache size was raised from 128 MB to 256 MB in Tidewater 4.2." from 4.1's notes.

        >>> old = Passage("notes-4.1.txt", 9, 9, 0, "The cache was raised to 256 MB.", 1.0)
        >>> new = Passage("notes-4.2.txt", 9, 9, 0, "The cache was raised to 1 GB.", 1.0)
        >>> e = Editions(Wording())
        >>> e.misnamed("In 4.2 the cache was raised to 256 MB.", old.file, old.text, [old, new])
        'notes-4.2.txt'
        >>> e.misnamed("In 4.1 the cache was raised to 256 MB.", old.file, old.text, [old, new])
        >>> e.misnamed("In 4.2 the cache will grow.", old.file, "4.2 will raise the cache.", [old, new])
        """
        other = self.named(sentence, passages).get(file)
        if other is None:
            return None
        names = _names(passages)
        said = marks(sentence) & (marks(names[other]) - marks(names[file]))  # the other edition's, it says
        return None if said & marks(line) else other

    def name(self, file: str, passages: Sequence[Passage]) -> str:
        """What a document is called where the reader is told which edition a question asks of: its title,
        else its file's name."""
        return next((p.title for p in passages if p.file == file and p.title), None) or PurePath(file).name


def _names(passages: Sequence[Passage]) -> dict[str, str]:
    """What each document of ``passages`` is called, as editions of a series are told apart: its title and its
    file's name."""
    return {p.file: " ".join(filter(None, [p.title, PurePath(p.file).stem])) for p in passages}
