"""A word an answer sentence puts in the place of another on the line it is cited to.

Asked "What insurance does the client hold?" of a cleaning contract, the 1.5B model answered "The client holds
public liability insurance of at least 2 million euros." from "The contractor holds public liability insurance
of at least 2 million euros.": the question's word in the place of the line's. Asked "What protective equipment
is needed for liquid nitrogen?" of a lab protocol, it answered "Nitrile gloves are needed for liquid nitrogen."
from "Liquid nitrogen causes burns; wear a face shield and cryo gloves.", the gloves of the line before. Every
other word is on the line, which word overlap and MiniLM score high, and the verifier, shown the question and
the line, rightly says the line answers it.

A word of the sentence that the lines cited lack, and the question or another line shown says, right before (or
after) a word the sentence and a line cited both say, where that line has a word of its own in its place, is
such a swap (``Swaps.swapped``), where the words beyond the two are the same too ("The client holds" of "The
contractor holds"). Names and verbs are not read so: "Denver defeated Carolina" is said as "The Broncos defeated
the Panthers", "Tesla proceeded to do his own experiments" as "Tesla began to research".

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rag.wording import WORD, Wording


class Word(NamedTuple):
    """A word of a text, its stemmed terms, and whether it runs on from the word before (only spaces between)."""

    text: str
    terms: frozenset[str]
    joined: bool


class Swaps:
    """Reads a word put in another's place, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording

    def words(self, text: str) -> list[Word]:
        """The words of ``text``, each with its terms and whether only spaces part it from the one before."""
        out, end = [], None
        for found in WORD.finditer(text):
            joined = end is not None and text[end : found.start()].isspace()
            out.append(Word(found.group(0), frozenset(self.wording.terms(found.group(0))), joined))
            end = found.end()
        return out

    def swapped(self, sentence: str, lines: Sequence[str], elsewhere: set[str]) -> str:
        """The words of a line cited (of ``lines``) where the sentence puts a word of its own in the place of
        the line's: a word the lines lack and ``elsewhere`` (the terms of the question and of the other lines
        shown) holds, beside a word the line says too, where the line has another word on that side of it,
        and the same word beyond (or both are at a phrase's edge: the sentence's end, "and", "or", "but").
        Neither word may be a name, a number or a verb (a verb is said in other words: "Tesla began to
        research" of "Tesla proceeded to do his own experiments"), and the line's may not be the sentence's.
        "" where there is none.

        >>> s = Swaps(Wording())
        >>> line = "The contractor holds public liability insurance of at least 2 million euros."
        >>> s.swapped("The client holds public liability insurance.", [line], {"client", "hold", "insur"})
        'contractor holds'
        >>> glove = "Liquid nitrogen causes burns; wear a face shield and cryo gloves."
        >>> s.swapped("Nitrile gloves are needed for liquid nitrogen.", [glove], {"nitril", "glove"})
        'cryo gloves'
        >>> s.swapped("The client holds public liability insurance.", [line], {"hold", "insur"})  # said nowhere
        ''
        >>> s.swapped("The Broncos defeated Carolina.", ["Denver defeated Carolina."], {"bronco"})
        ''
        >>> s.swapped("Tesla began to research X-rays.", ["Tesla proceeded to research X-rays."], {"began"})
        ''
        >>> s.swapped("Besides ABC News, he ran ABC Sports.", ["He ran the new ABC News."], {"besid"})
        ''
        """
        said = self.words(sentence)
        mine = frozenset().union(*(word.terms for word in said))
        cited = [self.words(line) for line in lines]
        held = frozenset().union(*(word.terms for words in cited for word in words))
        for i, word in enumerate(said):
            if word.terms & held or not word.terms <= elsewhere or not self._swappable(word, i):
                continue
            for j, side in ((i + 1, -1), (i - 1, 1)):  # the word after it, and the line's word before that one
                if not (_beside(said, i, j) and said[j].terms and said[j].terms <= held):
                    continue
                for words in cited:
                    for k, other in enumerate(words):
                        m = k + side
                        if other.terms != said[j].terms or not _beside(words, k, m):
                            continue
                        put = words[m]
                        if put.terms & mine or not self._swappable(put, m):
                            continue
                        if (
                            _beyond(said, i, side) == _beyond(words, m, side)
                            or {_beyond(said, i, side), _beyond(words, m, side)} <= _EDGES
                        ):
                            return f"{put.text} {other.text}" if side < 0 else f"{other.text} {put.text}"
        return ""

    def _swappable(self, word: Word, at: int) -> bool:
        """Whether a word (the ``at``-th of its text) may be one put in another's place: a content word, no
        name (a capital but the first word's), no number and no verb."""
        if not word.terms or _marked(word.text) or (at and word.text[0].isupper()):
            return False
        return not self.wording.verb(word.text.lower())


_EDGES = {None, "and", "or", "but"}  # where a phrase ends: the words beyond a swapped word may differ so


def _beside(words: Sequence[Word], i: int, j: int) -> bool:
    """Whether ``words[j]`` is there and runs on from ``words[i]`` (or it on from that) with only spaces between."""
    return 0 <= j < len(words) and words[max(i, j)].joined


def _beyond(words: Sequence[Word], i: int, side: int) -> str | None:
    """The word beyond ``words[i]`` on the far side from its neighbour (``side``: -1 before it, 1 after), in
    small letters; None where none runs on from it."""
    j = i + side
    return words[j].text.lower() if _beside(words, i, j) else None


def _marked(word: str) -> bool:
    """Whether a word holds a digit: numbers are the number checks' (``rag.stated_numbers``)."""
    return any(c.isdigit() for c in word)
