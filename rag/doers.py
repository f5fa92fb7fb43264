"""Who did what: the doers a source sentence names, who an answer sentence says did what, and who it
says said it; whether a source sentence says another did it, or that no one of that name said it.

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from lemminflect import getLemma

from rag.types import Citation, Passage, text_before
from rag.wording import DETERMINERS, WORD, Wording, clause_at, held, verb_form

# Who did what. A source sentence names an act's doer with "by" after a participle ("produced by a young Roone
# Arledge") or "of" after a noun ("at the invitation of Russian dictator Vladimir Putin"); the name runs to
# the end of its clause, a preposition or a relative word; a participle as an adjective names the act and
# no doer ("Kim Jong-un's announced visit": ``doers``). An answer sentence that says someone else the sentence
# names did it ("The White House invited Kim Jong-un to Russia ...", asked "Who invited Kim Jong-un to
# Russia?" of the sample news) says otherwise (``miscasts``). Only an answer sentence whose first
# clause opens with its doer and a verb in the simple past is read so (``deed``): a passive, "there was", a
# verb after "has" or "will", a relative clause say their doer otherwise, or not at all.
_OF_DOER = re.compile(r"\b(by|of)\s+")
# a name set beside a doer's noun after a comma, to the clause's end: "by her agent, Tobias Keller."
_APPOSITIVE = re.compile(r",\s*((?:[A-Z][\w'’.-]*\s*){1,4})(?=[,.;)]|$)")
_DOER_ENDS = frozenset(
    "to in on at by for with from into after before during since who which that when while as".split()
)
_NOT_A_DEED = frozenset(
    """am is are was were be been being get gets got become became has have had do does did will would can
    could may might must should shall there who which that whom""".split()
)
# An answer sentence that opens with who said what: a name (capitalised words), then a verb of speech. Cited
# to a line that neither names them nor reports speech, it puts the line in their mouth: "Adrienne Watson said
# that the White House is calling on North Korea ...", asked "What did Adrienne Watson say?" of the sample
# news, was cited, supported (0.90), to line 4, which is no one's words (hers are on line 5).
_SPEECH = r"(?:said|says|told|tells|warned|warns|stated|states|added|adds|noted|notes|argued|argues|claimed|claims)"
SPEAKER = re.compile(rf"^\W*(?P<who>(?:[A-Z][\w'’.-]*\s+){{1,5}}?){_SPEECH}\b")
_REPORTING = re.compile(rf"\b(?:{_SPEECH}|say|tell|warn|state|add|note|argue|claim|according|quoted?|spoke)\b", re.I)


# A name right before a verb in the simple past is who did it: "Sungold germinated first, after five days." An
# answer sentence that says another did it, cited to that sentence (or to it as a second source) where it does
# not name them, stitches one's act onto another: asked "How many days did Black Krim take to germinate?", the
# 1.5B model answered "Black Krim germinated after five days." of "Week 2: Sungold germinated first, after five
# days. Black Krim was the slowest, at eleven days.", cited to "Week 14: Black Krim split badly ..." and to the
# Sungold sentence for the rest (``Doers.acting``, ``Doers.recasts``).
_NAMED_ACT = re.compile(r"\b((?:[A-Z][\w'’-]*\s+){1,4})([a-z]+)\b")
_NOT_A_NAME = DETERMINERS | frozenset("i he she it we they you there here then when while after before".split())


class Doer(NamedTuple):
    """An act's doer, as a source sentence names it (``Doers.doers``)."""

    said: str  # its words: "invitation of Russian dictator Vladimir Putin"
    act: frozenset[str]  # the stemmed terms of the act ("invitation": the same as "invited")
    doer: frozenset[str]  # and of who did it
    by: bool = False  # named with "by" after a participle: a passive's doer ("was shown by her agent")


class Deed(NamedTuple):
    """Who an answer sentence says did what (``Doers.deed``)."""

    act: frozenset[str]  # the stemmed terms of its verb
    doer: frozenset[str]  # and of the words before it: who did it
    done: frozenset[str]  # and of the first content word after it: what it was done to


def led(citation: Citation, passages: Sequence[Passage]) -> str:
    """The text of a cited sentence's line (its paragraph, in most documents) before it, from the passage it
    came from; "" for a sentence that opens its line.

    >>> shown = [Passage("a.txt", 3, 4, 10, "Intro.\\nLuther gave reasons. First, p. Second, q.", 1.0)]
    >>> led(Citation("a.txt", 4, 4, "Second, q.", 48, 58), shown)
    'Luther gave reasons. First, p. '
    """
    before = text_before(citation, passages)
    return before[before.rfind("\n") + 1 :]


class Doers:
    """Reads who did what, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording

    def doers(self, quote: str) -> list[Doer]:
        """Each act a source sentence names the doer of (``_OF_DOER``): a participle with "by", or a noun with
        "of"; the doer is the words after it, to the end of its clause, a preposition, a relative word or an
        "and" before another verb once it has a content word, seven at most (at its clause's end, with a name
        set beside it after a comma: "by her agent, Tobias Keller"). And each it names without a
        doer: a participle as an adjective ("Kim's announced visit"), the act's only word in it.

        >>> line = "It was created by Edgar Scherick and produced by a young Roone Arledge."
        >>> [d.said for d in Doers(Wording()).doers(line)]
        ['created by Edgar Scherick', 'produced by a young Roone Arledge']
        >>> (doer,) = Doers(Wording()).doers("Kim's visit to Russia at the invitation of Vladimir Putin, it said.")
        >>> sorted(doer.act), sorted(doer.doer)
        (['invit'], ['putin', 'vladimir'])
        >>> Doers(Wording()).doers("What is it made of? It was paid for by (all of) them; any of the ministers knew.")
        []
        >>> [(d.said, d.doer) for d in Doers(Wording()).doers("It warned amid Kim's announced visit to Russia.")]
        [('announced visit', frozenset())]
        """
        out = []
        for match in _OF_DOER.finditer(quote):
            head = WORD.findall(quote, 0, match.start())[-1:]
            if not head or not head[0].islower():
                continue
            if match.group(1) == "by" and not getLemma(head[0], "VERB", lemmatize_oov=False):
                continue  # "by" after a verb's form: "close by the harbour" names no doer
            words: list[str] = []
            clause = clause_at(quote, match.start())
            after = WORD.findall(quote, match.end(), clause.end())[:7]
            for word, then in zip(after, [*after[1:], ""], strict=False):  # (none: a sentence ending "of")
                ends = word.lower() in _DOER_ENDS or (word in ("and", "or", "but") and then.islower())
                if ends and self.wording.terms(" ".join(words)):  # "and produced by ...": another act's
                    break
                words.append(word)
            else:  # the doer ran to its clause's end: a name beside it after a comma is the doer too
                if named := _APPOSITIVE.match(quote, clause.end()):
                    words += WORD.findall(named.group(1))
            act, doer = self.wording.terms(head[0]), self.wording.terms(" ".join(words))
            if act and doer:  # (no act: "any of the ministers")
                said, by = " ".join([head[0], match.group(1), *words]), match.group(1) == "by"
                out.append(Doer(said, frozenset(act), frozenset(doer), by))
        # a participle between an article or a possessive and its noun, the act's only word in the sentence,
        # names the act and no one who did it: "amid Kim Jong-un's announced visit"
        words = WORD.findall(quote)
        for before, word, noun in zip(words, words[1:], words[2:], strict=False):
            determined = before.lower() in DETERMINERS or before.endswith(("'s", "’s"))
            if determined and verb_form(word, "VBN") and noun.islower() and self.wording.terms(noun):
                act = self.wording.terms(word)
                if sum(self.wording.terms(other) == act for other in words) == 1:
                    out.append(Doer(f"{word} {noun}", frozenset(act), frozenset()))
        return out

    def acting(self, quote: str) -> list[Doer]:
        """Each act a source sentence says a name did, in the simple past: the capitalised words right before
        the verb (a pronoun, an article or a sentence's opening word that is neither is no name).

        >>> [(sorted(d.act), sorted(d.doer)) for d in Doers(Wording()).acting("Week 2: Sungold germinated first.")]
        [(['germin'], ['sungold'])]
        >>> Doers(Wording()).acting("He germinated. The seeds germinated. Black Krim was the slowest.")
        []
        """
        out = []
        for match in _NAMED_ACT.finditer(quote):
            names = [w for w in match.group(1).split() if w.lower() not in _NOT_A_NAME]
            verb = verb_form(match.group(2), "VBD")
            if names and verb and verb not in _NOT_A_DEED:
                act, doer = self.wording.terms(verb), self.wording.terms(" ".join(names))
                if act and doer:
                    out.append(Doer(f"{' '.join(names)} {match.group(2)}", frozenset(act), frozenset(doer)))
        return out

    def recasts(self, deed: Deed, doer: Doer, terms: set[str]) -> bool:
        """Whether a source sentence of these terms, saying ``doer`` did an act (``acting``), says another did
        what an answer sentence says (``deed``): the same act, by a name that shares no word with the answer's
        doer, in a sentence that names the answer's doer nowhere (one that does may say both did it).

        >>> a = Doers(Wording())
        >>> (sungold,) = a.acting("Week 2: Sungold germinated first, after five days.")
        >>> line = a.wording.terms("Week 2: Sungold germinated first, after five days.")
        >>> [a.recasts(a.deed(s), sungold, line) for s in ("Black Krim germinated after five days.",
        ...                                                "Sungold germinated after five days.")]
        [True, False]
        >>> both = a.wording.terms("Sungold germinated first, Black Krim germinated later.")
        >>> a.recasts(a.deed("Black Krim germinated later."), sungold, both)
        False
        """
        return deed.act == doer.act and not (deed.doer & doer.doer) and not held(deed.doer, terms)

    def deed(self, sentence: str) -> Deed | None:
        """Who an answer sentence says did what, where its first clause opens with who did it and then the
        verb, in the simple past, with what it was done to after it; None for any other sentence.

        >>> deed = Doers(Wording()).deed("The White House invited Kim Jong-un to Russia.")
        >>> sorted(deed.act), sorted(deed.doer), sorted(deed.done)
        (['invit'], ['hous', 'white'], ['kim'])
        >>> a, no_deeds = Doers(Wording()), ("Kim was invited by Putin.", "There were rows.", "The deal he made.")
        >>> [a.deed(s) for s in no_deeds], a.deed("The mayor said the money would go.")
        ([None, None, None], None)
        >>> a.deed("The force increases in response to the applied force."), a.deed("The applied force won.")
        (None, None)
        """
        words = WORD.findall(clause_at(sentence, 0).group())
        for i, word in enumerate(words):
            if word.lower() in _NOT_A_DEED or verb_form(word, "VBZ"):  # another verb first: "The force increases"
                return None
            adjective = i > 0 and words[i - 1].lower() in DETERMINERS  # "the applied force"
            if (verb := verb_form(word, "VBD")) and not adjective:
                act, doer = self.wording.terms(verb), self.wording.terms(" ".join(words[:i]))
                done = self.wording.first_terms(words[i + 1 : i + 4])
                if not (act and doer and done) or words[i + 1 : i + 2] == ["by"]:  # "The contest sponsored by"
                    return None  # (no act: "said", a word too common to be one)
                return Deed(frozenset(act), frozenset(doer), done)
        return None

    def unspoken(self, who: str, quote: str, before: str = "") -> bool:
        """Whether a source sentence says nothing of ``who`` saying it: neither it nor the text ``before`` it (the
        sentence before, and its paragraph's sentences before it) names anyone of that name ("We are concerned
        ..." after "..., said Kirby."; "Second, ... they deserved ..." after "Luther justified his opposition
        on three grounds."), and it reports no speech ("said", "told", "according to", ...).

        >>> a = Doers(Wording())
        >>> line = "The White House is calling on North Korea not to sell weapons."
        >>> a.unspoken("Adrienne Watson", line), a.unspoken("The White House", line)
        (True, False)
        >>> a.unspoken("Adrienne Watson", "'We are worried,' she said."), a.unspoken("Kirby", "We are.", "Kirby spoke.")
        (False, False)
        """
        named = held(self.wording.terms(who), self.wording.terms(f"{quote} {before}"))
        return not named and not _REPORTING.search(quote)

    def miscasts(self, deed: Deed, doer: Doer, terms: set[str], asked: set[str] = frozenset()) -> bool:
        """Whether a source sentence of these terms, naming ``doer`` as an act's doer, says another did what an
        answer sentence says (``deed``): the same act, done to something the sentence names, by someone it names
        elsewhere, outside the doer's words (a passive's doer gainsays one it does not name, or names in part:
        "announced by Marta Quintero, Brightwell's head of product safety" against "Brightwell Appliances
        announced the recall"). "... credited with the management of the Minuteman program" says
        nothing against "Phillips managed the Apollo missions"; "the murder of Caesar by Brutus", nothing against
        "Brutus murdered Caesar". A passive's doer ("by" after a participle: no object in the way) says it of
        what the question asks about (``asked``, its terms) too: asked "Who showed the flat?", the 1.5B model
        answered "Helga Brandt showed the flat." of "The landlord is Helga Brandt; the viewing was shown by her
        agent, Tobias Keller."

        >>> a = Doers(Wording())
        >>> line = "The White House calls on Pyongyang, amid Kim's visit at the invitation of Vladimir Putin."
        >>> (doer,), terms = a.doers(line), a.wording.terms(line)
        >>> [a.miscasts(a.deed(s), doer, terms) for s in ("The White House invited Kim.", "Putin invited Kim.")]
        [True, False]
        >>> line = "The murder of Caesar by Brutus."
        >>> (doer,), terms = a.doers(line), a.wording.terms(line)
        >>> a.miscasts(a.deed("Brutus murdered Caesar."), doer, terms)
        False
        >>> line = "The landlord is Helga Brandt; the viewing was shown by her agent, Tobias Keller."
        >>> (doer,), terms, deed = a.doers(line), a.wording.terms(line), a.deed("Helga Brandt showed the flat.")
        >>> a.miscasts(deed, doer, terms), a.miscasts(deed, doer, terms, a.wording.terms("Who showed the flat?"))
        (False, True)
        """
        others = terms - doer.doer
        return (
            deed.act == doer.act
            and not held(deed.doer, doer.doer)
            and (doer.by or held(deed.doer, others) >= deed.doer)
            and bool(held(deed.done, others) or (doer.by and held(deed.done, asked)))
        )
