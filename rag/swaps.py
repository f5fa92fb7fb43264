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

from rag.answer_text import claim
from rag.wording import WORD, Wording, clauses


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
        A word the line says too is read so only where the line tells two things apart that the sentence runs
        into one ("rear brake pads replaced; the front pads were still fine", said as "the front brake pads
        were replaced"): then a word that may be a verb as well as a noun ("front") may be the one put, and
        the words beyond the two are read past an article. Where no line gives one, a line's clause the
        sentence is drawn from is read so, the rest of the line as elsewhere, where all the sentence says
        that the clause lacks is the word put in ("The motor warranty ended in October 2026." of "The
        warranty on the motor runs until June 2028; the battery warranty ended in October 2026."). ""
        where there is none.

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
        >>> pads = "3 November: rear brake pads replaced; the front pads were still fine."
        >>> s.swapped("Yes, the front brake pads were replaced.", [pads], {"front", "brake", "pad"})
        'rear brake'
        >>> s.swapped("The front pads were fine.", [pads], {"front", "brake", "pad"})
        ''
        >>> s.swapped("A volunteer may work two shifts.", ["Nobody may work more than two shifts."], {"volunt"})
        ''
        >>> warranty = "The warranty on the motor runs until June 2028; the battery warranty ended in October 2026."
        >>> s.swapped("The motor warranty ended in October 2026.", [warranty], {"motor", "warranti"})
        'battery warranty'
        >>> s.swapped("The motor warranty runs until June 2028 and the battery's ended.", [warranty], {"motor"})
        ''
        >>> listed = "It did better than incompetent, or neglectful governments whose aims are rhetoric."
        >>> s.swapped("Incompetent governments' aims are rhetoric.", [listed], {"incompet"})  # a list
        ''
        >>> s.swapped("The blue car was sold.", ["The red car and the blue car were sold."], {"blue", "car"})
        ''
        """
        found = self._swapped(sentence, lines, elsewhere) or self.named_for_anyone(sentence, lines)
        for line in lines if not found else ():
            if part := self.clause_of(sentence, line):  # the clause it is drawn from, and the rest as elsewhere
                found = self._swapped(sentence, [part], elsewhere | self.wording.terms(line), alone=True)
                if found:
                    break
        return found

    def named_for_anyone(self, sentence: str, lines: Sequence[str]) -> str:
        """The words of a line cited where it says "nobody", "everyone" or the like, and the sentence a name in
        its place, the two words after the same ("Tom Becker may work up to two shifts" of "Nobody may work more
        than two shifts"): a name is never said so. "" where there is none.

        >>> s = Swaps(Wording())
        >>> line = "Nobody may work more than two shifts a week without asking the coordinator."
        >>> s.named_for_anyone("Tom Becker may work up to two shifts.", [line])
        'Nobody may'
        >>> s.named_for_anyone("A volunteer may work two shifts.", [line])
        ''
        >>> s.named_for_anyone("Volunteers may work two shifts.", [line])
        ''
        """
        said = self.words(sentence)
        for words in (self.words(line) for line in lines):
            for k, anyone in enumerate(words[:-2]):
                if anyone.text.lower() not in _ANYONE or not (words[k + 1].joined and words[k + 2].joined):
                    continue
                for i, word in enumerate(said[:-2]):
                    if (
                        i  # a name's last word (a sentence's first is capitalised anyway: "Volunteers may work")
                        and word.text[0].isupper()
                        and said[i + 1].joined
                        and said[i + 2].joined
                        and said[i + 1].text.lower() == words[k + 1].text.lower()
                        and said[i + 2].terms == words[k + 2].terms
                    ):
                        return f"{anyone.text} {words[k + 1].text}"
        return ""

    def clause_of(self, sentence: str, line: str) -> str:
        """The clause of a line of more than one that shares more terms with the sentence than any other
        does, two at least; "" where none does."""
        mine = self.wording.terms(sentence)
        shared = sorted(((len(self.wording.terms(part) & mine), part) for part in clauses(line)), reverse=True)
        if len(shared) < 2 or shared[0][0] < 2 or shared[0][0] == shared[1][0]:
            return ""
        return shared[0][1]

    def _swapped(self, sentence: str, lines: Sequence[str], elsewhere: set[str], alone: bool = False) -> str:
        """``swapped`` of ``lines`` as they are; ``alone``: of a clause, where the sentence says nothing else
        that the clause lacks than the word put in (past an opening yes)."""
        said = self.words(sentence)
        mine = frozenset().union(*(word.terms for word in said))
        cited = [self.words(line) for line in lines]
        held = frozenset().union(*(word.terms for words in cited for word in words))
        unheld = self.wording.terms(claim(sentence)) - held if alone else set()  # what the clause lacks
        for i, word in enumerate(said):
            told = bool(word.terms & held)  # a word the line says too: of two things it tells apart, or none
            loose = told or alone  # read as the sentence's one change: nouns that may be verbs too, articles past
            if not word.terms <= elsewhere or not self._swappable(word, i, loose):
                continue
            if alone and unheld != word.terms:
                continue
            for j, side in ((i + 1, -1), (i - 1, 1)):  # the word after it, and the line's word before that one
                if not (_beside(said, i, j) and said[j].terms and said[j].terms <= held):
                    continue
                if told and not any(_contrasted(words, said, i, j) for words in cited):
                    continue
                for words in cited:
                    for k, other in enumerate(words):
                        m = k + side
                        if other.terms != said[j].terms or not _beside(words, k, m):
                            continue
                        put = words[m]
                        if put.terms & mine or not self._swappable(put, m, loose):
                            continue
                        if told and (not _beside(words, k, k - side) or words[k - side].terms != said[j - side].terms):
                            continue  # the line's other thing goes on as the sentence does: "rear brake pads"
                        ends = _beyond(said, i, side, loose), _beyond(words, m, side, loose)
                        if ends[0] == ends[1] or (set(ends) <= _EDGES and not alone):  # a list's "or" ends
                            return f"{put.text} {other.text}" if side < 0 else f"{other.text} {put.text}"
        return ""

    def _swappable(self, word: Word, at: int, loose: bool) -> bool:
        """Whether a word (the ``at``-th of its text) may be one put in another's place: a content word, no
        name (a capital but the first word's), no number, no "nobody" or "everyone" ("Nobody may work more
        than two shifts" is a volunteer's limit) and no verb; read ``loose`` (the line tells two things
        apart, or the sentence is its clause but for the word), no word that is a verb only ("began":
        "rear", "front" and "motor" are nouns too)."""
        if not word.terms or _marked(word.text) or (at and word.text[0].isupper()) or word.text.lower() in _ANYONE:
            return False
        return not (self.wording.only_verb if loose else self.wording.verb)(word.text.lower())


_EDGES = {None, "and", "or", "but"}  # where a phrase ends: the words beyond a swapped word may differ so
_ANYONE = set(
    "nobody anybody somebody everybody everyone anyone someone none nothing anything something everything".split()
)
_ARTICLES = {"the", "a", "an"}  # read past: "the front brake" and "November: rear brake" both start a phrase


def _beside(words: Sequence[Word], i: int, j: int) -> bool:
    """Whether ``words[j]`` is there and runs on from ``words[i]`` (or it on from that) with only spaces between."""
    return 0 <= j < len(words) and words[max(i, j)].joined


def _contrasted(words: Sequence[Word], said: Sequence[Word], i: int, j: int) -> bool:
    """Whether a line (``words``) tells apart two things the sentence runs into one, ``said[i]`` put before
    (or after) its neighbour ``said[j]``: the line says that word beside the word beyond the neighbour, not
    beside the neighbour ("the front pads" beside "rear brake pads", where the sentence says "front brake
    pads")."""
    step = j - i
    beyond = j + step
    if not _beside(said, j, beyond) or not said[beyond].terms:
        return False
    pairs = [(k, k + step) for k, other in enumerate(words) if other.terms == said[i].terms]
    return not any(_beside(words, k, m) and words[m].terms == said[j].terms for k, m in pairs) and any(
        _beside(words, k, m) and words[m].terms == said[beyond].terms for k, m in pairs
    )


def _beyond(words: Sequence[Word], i: int, side: int, past: bool = False) -> str | None:
    """The word beyond ``words[i]`` on the far side from its neighbour (``side``: -1 before it, 1 after), in
    small letters, ``past`` an article too; None where none runs on from it.

    >>> said = Swaps(Wording()).words("Yes, the front brake")
    >>> _beyond(said, 2, -1), _beyond(said, 2, -1, past=True), _beyond(said, 3, -1)
    ('the', None, 'front')
    """
    j = i + side
    while past and _beside(words, i, j) and words[j].text.lower() in _ARTICLES:
        i, j = j, j + side
    return words[j].text.lower() if _beside(words, i, j) else None


def _marked(word: str) -> bool:
    """Whether a word holds a digit: numbers are the number checks' (``rag.stated_numbers``)."""
    return any(c.isdigit() for c in word)
