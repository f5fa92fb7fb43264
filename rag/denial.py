"""Denials: the words of denial in a sentence, what a source sentence's denial or hedge denies,
whether it says otherwise than an answer sentence, and whether it says no to a question asked yes or no.

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from rag.stated_numbers import number_terms
from rag.wording import WORD, Wording, clause_at

# Words that deny what the rest of a sentence says. An answer sentence that has one where the source
# sentence it matches has none says the opposite of it in the source's own words ("Prokaryotes do not
# have acquired immunity." against "Prokaryotes also possess acquired immunity, ..."): the small model's
# way of answering a question that assumes something false, which matched 0.6-0.9 and was cited. The
# other way round is narrower: a long source sentence's "not" is mostly in a clause the answer leaves out,
# so a source sentence denies an answer sentence that does not deny only where the word its denial
# governs (the first content word after it) is one the answer says: "... contain no oxygen." against
# "... contain oxygen.", "when no sports telecasts are scheduled, ... between 4:00 and 6:00 p.m."
# against "Sports programming is provided ... from 4:00 to 6:00 p.m." ("not only", "not until" deny nothing).
# A verb of denial denies the claim it is followed by: "... refute the accusations that Moscow violates
# these restrictions", "North Korea has repeatedly denied statements ... that it allegedly supplies weapons"
# (asked "What sanctions does Russia violate?" of the sample news, the 1.5B model answered "Russia violates
# UN sanctions against the DPRK." and it was cited to the line that refutes it).
DISAVOWAL = re.compile(r"\b(?:den(?:y|ies|ied|ying)|refut(?:e|es|ed|ing)|rebut(?:s|ted|ting)?)\b", re.IGNORECASE)
# A word that puts what follows as another's claim, not the source's own: "The foreign ministers of ... US
# allies had previously stated that Russia allegedly used weapons supplied from the DPRK ..." was cited for
# "Russia used weapons supplied from the DPRK to attack Ukraine's critical infrastructure." (``hedged``)
_HEDGE = re.compile(r"\b(?:allegedly|purportedly|supposedly|reportedly)\b", re.IGNORECASE)
# what marks a sentence as a report of a claim or of its denial, not the claim: "is accused of", "stated
# that" ("the United States" is no report: a form of "state" reports only with "that" after it)
_REPORTED = re.compile(
    r"\b(?:accus|alleg|claim|report|rumou?r|suspect|suppos|purport)\w*|\bstat(?:e|ed|es|ing)\s+that\b"
    r"|\bstatements?\b|\b(?:said|says?)\b|" + DISAVOWAL.pattern,
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\bno\s+longer\b|\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot|absent)\b|\w+n['’]t\b|"
    + DISAVOWAL.pattern,
    re.IGNORECASE,
)  # "no longer" as one: what it denies is the word after "longer"
# A verb of rejection says that what it rejects was not done: "Rolling back the morning's release was
# considered and rightly rejected" (asked "Was the release rolled back?" of an incident report, the 1.5B model
# answered "Yes, the release was rolled back.", cited at 0.78, its yes judged 0.83). In the passive it rejects
# its clause's subject; in the active, what follows it ("The board rejected the second van"). Read in source
# sentences only (``Denials.rejected``): an answer that reports a rejection is not said otherwise by it.
REJECTION = re.compile(
    r"\b(?:reject(?:s|ed|ing)?|ruled\s+out|turned\s+down|vetoed|voted\s+down|decided\s+against"
    r"|(?:refus|declin)(?:e|es|ed|ing)\s+to)\b",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"\b(?:is|are|was|were|been|be|being)\b", re.IGNORECASE)
# Adverbs that say how a denial denies, not what: "does not yet see all the parameters" denies "see", "the lease
# is not yet signed" denies "signed" (read as the word denied, "yet" was: nothing the answer says)
_HOW = frozenset("yet even ever once always really fully entirely necessarily actually exactly quite again".split())
# Verbs a question asks with that say only that something came to someone: "Did customers get vouchers?" is
# asked in the line's own verb by "We decided not to compensate customers with vouchers" (``Denials.says_no``)
_CAME_BY = "get receive give"
# Words that say each other's opposite: a line that says one of a question's words in its opposite, and every
# other word the question asks, says no to it ("Do prices include VAT?" of "Prices exclude VAT.", which the 1.5B
# model answered "Yes, prices exclude VAT.")
_OPPOSITES = (
    "include exclude, open closed, allowed forbidden, allowed prohibited, permitted forbidden, permitted prohibited, "
    "approved rejected, accepted rejected, accepted declined, increased decreased, rose fell, won lost, passed failed, "
    "succeeded failed, legal illegal, available unavailable, possible impossible, safe unsafe, safe dangerous, "
    "required optional, mandatory optional, compulsory optional, public private, enabled disabled, present absent, "
    "agreed disagreed, visible hidden, online offline, full empty"
)
_NOT_A_DENIAL = re.compile(r"\s+(?:only|until|just|merely|least|later|sooner|more|less|doubt|matter)\b", re.I)
# nor one that sets a limit a few words on: "Nobody may work more than two shifts a week" allows two
_LIMIT = re.compile(r"(?:\s+[\w'’-]+){1,3}?\s+(?:more|fewer|less|longer|later|earlier)\s+than\b", re.I)
# A question asked yes or no opens with an auxiliary ("Is there a lift?", "Did customers get vouchers?"); one
# that offers a choice ("Was it a failure or a success?") is not, nor one that denies ("Isn't it ...?").
_AUXILIARY = re.compile(
    r"\s*(?:is|are|was|were|am|do|does|did|can|could|will|would|shall|should|may|might|must|has|have|had)\b",
    re.IGNORECASE,
)
_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)
_OR_NOT = re.compile(r",?\s*\bor\s+not\b", re.IGNORECASE)  # "... or not?" still asks yes or no
# A call not to do something says what someone wants, not what was done: "The White House is calling on North
# Korea "not to provide or sell weapons to Russia"" does not say no to "Did North Korea sell weapons to Russia?"
_EXHORTED = re.compile(
    r"\b(?:call(?:s|ed|ing)?\s+(?:on|upon)|urg(?:e|es|ed|ing)|ask(?:s|ed|ing)?|tell(?:s|ing)?|told|warn(?:s|ed|ing)?"
    r"|press(?:es|ed|ing)?|demand(?:s|ed|ing)?|appeal(?:s|ed|ing)?|advis(?:e|es|ed|ing)|beg(?:s|ged|ging)?)\b"
    r"[^.;:]{0,80}?\bnot\s+to\b",
    re.IGNORECASE,
)


class Denial(NamedTuple):
    """A denial in a source sentence (``Denials.denied``)."""

    said: str  # its words: "no oxygen"
    governed: set[str]  # the stemmed terms of the word it denies (words: "not provide or sell")
    clause: set[str]  # and of the clause it is in
    then: frozenset[str] = frozenset()  # and of the content word after the one it denies ("not concerned ... trip")
    claim: bool = False  # of a claim: a verb of denial's, of the claim after "that"; or a hedge's (``hedged``)
    rejection: bool = False  # a verb of rejection's (``rejected``)
    # the numbers its clause states after it: when or how much it denies ("cannot be raised again before March
    # 2027"), none where it says none
    when: frozenset[str] = frozenset()

    def reported_in(self, sentence: str) -> bool:
        """Whether a sentence that says what this denial denies reports it, and is not denied by it: against
        a claim's denial or hedge, it reports a claim ("The DPRK is accused of supplying weapons", "US allies
        stated that ..."); against a verb of denial, it says one too ("North Korea denied arms deals")."""
        if self.claim:
            return _REPORTED.search(sentence) is not None
        if self.rejection:
            return REJECTION.search(sentence) is not None
        return DISAVOWAL.match(self.said) is not None and DISAVOWAL.search(sentence) is not None


def denials(sentence: str) -> Iterator[re.Match]:
    """The words of denial in a sentence, but for those that deny nothing ("not only", "not until") and those
    that set a limit ("Nobody may work more than two shifts").

    >>> [m.group(0) for m in denials("Nobody may work more than two shifts; dogs are not allowed.")]
    ['not']
    """
    return (
        m
        for m in _NEGATION.finditer(sentence)
        if not _NOT_A_DENIAL.match(sentence, m.end()) and not _LIMIT.match(sentence, m.end())
    )


def asks_yes_or_no(question: str) -> bool:
    """Whether a question is asked yes or no: it opens with an auxiliary, offers no choice and denies nothing.

    >>> asks_yes_or_no("Is there a lift?"), asks_yes_or_no("Did they get vouchers or not?")
    (True, True)
    >>> asks_yes_or_no("Was it a failure or a success?"), asks_yes_or_no("Isn't it late?"), asks_yes_or_no("Who is he?")
    (False, False, False)
    """
    asked = _OR_NOT.sub("", question)
    return bool(_AUXILIARY.match(asked)) and not _CHOICE.search(asked) and not denies(asked)


def denies(sentence: str) -> bool:
    """Whether a sentence holds a word of denial.

    >>> denies("NK cells never react with self peptides."), denies("It isn't so."), denies("Nothing moved.")
    (True, True, True)
    >>> denies("The notion of a knot is known."), denies("Nobel won."), denies("It is not only cold, but wet.")
    (False, False, False)
    """
    return next(denials(sentence), None) is not None


class Denials:
    """Reads what a source sentence denies, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording
        self.came_by = wording.terms(_CAME_BY)  # stemmed once, not at every question
        pairs = [tuple(frozenset(wording.terms(word)) for word in pair.split()) for pair in _OPPOSITES.split(", ")]
        self.opposites = pairs + [(b, a) for a, b in pairs]

    def denied(self, quote: str) -> list[Denial]:
        """Each denial in a source sentence: its words ("no oxygen"), the stemmed terms of the word it
        governs (the first content word after it, within four words, and one joined to it by "or", "and"
        or "nor") and of the clause it is in. A verb of denial followed by "that" in its clause denies
        the claim after it: it governs the claim's first verb, and its clause is that verb and the content
        word after it (the claim's subject is often named otherwise: "Moscow" for "Russia").

        >>> [d.said for d in Denials(Wording()).denied("They contain no oxygen, not only water; not until 1966.")]
        ['no oxygen']
        >>> [d.said for d in Denials(Wording()).denied("The lease is not yet signed; it never even began.")]
        ['not yet signed', 'never even began']
        >>> sorted(Denials(Wording()).denied("It was so, provided that p is not a prime factor of q.")[0].clause)
        ['factor', 'p', 'prime', 'provid', 'q']
        >>> sorted(Denials(Wording()).denied('They urge it "not to provide or sell weapons."')[0].governed)
        ['provid', 'sell']
        >>> (claim,) = Denials(Wording()).denied("Experts refute the accusations that Moscow violates these rules.")
        >>> claim.said, sorted(claim.clause)
        ('refute ... violates', ['rule', 'violat'])
        """
        out = []
        for match in denials(quote):
            clause = clause_at(quote, match.start())
            after = WORD.findall(quote, match.end())
            that = None
            if DISAVOWAL.fullmatch(match.group(0)):  # "that" within ten words, in its clause
                within = after[: min(10, len(WORD.findall(quote, match.end(), clause.end())))]
                that = next((i for i, word in enumerate(within) if word.lower() == "that"), None)
            if that is None:
                first = next(
                    (i for i, word in enumerate(after[:4]) if word.lower() not in _HOW and self.wording.terms(word)),
                    None,
                )
            else:  # the claim's verb: the first word after "that", within six, lemminflect knows as one
                verbs = (i for i in range(that + 1, min(that + 7, len(after))) if self.wording.verb(after[i]))
                first = next(verbs, None)
            if first is None:
                continue
            terms, last = self.wording.terms(after[first]), first
            if after[first + 1 : first + 2] in (["or"], ["and"], ["nor"]) and first + 2 < len(after):
                terms |= self.wording.terms(after[first + 2])  # "not to provide or sell": both are denied
                last = first + 2
            then = self.wording.first_terms(after[last + 1 : last + 4])
            said = match.group(0).lower()
            if that is None:
                words = [said, *(w for w in after[:first] if w.lower() in _HOW), after[first]]  # "not yet signed"
                end = clause.end()
                label = end == match.end() and not quote[clause.start() : match.start()].strip()
                if label and quote.startswith(":", end) and end + 1 < len(quote):  # a label's clause runs on through
                    end = clause_at(quote, end + 1).end()  # its value's: "Absent: trustee Omar Haddad (travelling)"
                when = frozenset(number_terms(self.wording.terms(quote[match.end() : end])))
                clause_terms = self.wording.terms(quote[clause.start() : end])
                out.append(Denial(" ".join(words), terms, clause_terms, then, when=when))
            else:
                out.append(Denial(f"{said} ... {after[first]}", terms, terms | then, then, claim=True))
        return out

    def hedged(self, quote: str) -> list[Denial]:
        """Each claim a source sentence puts as another's, not its own (``_HEDGE``: "Russia allegedly used
        weapons supplied from the DPRK"), as a denial of it: its words ("allegedly used"), the stemmed terms
        of the word the hedge governs (the first content word after it, within four, in its clause) and of
        the claim (the word before the hedge and the rest of its clause). An answer sentence that says the
        claim as fact says more than the source (``gainsays``); one that reports it does not.

        >>> line = "Allies stated that Russia allegedly used arms from the DPRK, he said."
        >>> (claim,) = Denials(Wording()).hedged(line)
        >>> claim.said, sorted(claim.governed), sorted(claim.clause)
        ('allegedly used', ['use'], ['arm', 'dprk', 'russia', 'use'])
        """
        out = []
        for match in _HEDGE.finditer(quote):
            clause = clause_at(quote, match.start())
            after = WORD.findall(quote, match.end(), clause.end())
            first = next((i for i, word in enumerate(after[:4]) if self.wording.terms(word)), None)
            if first is None:
                continue
            subject = WORD.findall(quote, clause.start(), match.start())[-1:]
            then = self.wording.first_terms(after[first + 1 : first + 4])
            claim = self.wording.terms(" ".join(subject + after))
            said = f"{match.group(0).lower()} {after[first]}"
            out.append(Denial(said, self.wording.terms(after[first]), claim, then, claim=True))
        return out

    def rejected(self, quote: str) -> list[Denial]:
        """Each rejection in a source sentence (``REJECTION``), as a denial of what it rejects: in the
        passive, its clause's subject (the words before the clause's "was", "were", ...: governed and
        clause alike); in the active, the first content word after it, in its clause (its clause: the
        clause's words). Its words are the clause up to the rejection: what the reader is shown.

        >>> a = Denials(Wording())
        >>> (rejected,) = a.rejected("Rolling back the release was considered and rejected, as it was fine.")
        >>> rejected.said, sorted(rejected.governed), rejected.clause == rejected.governed
        ('Rolling back the release was considered and rejected', ['back', 'releas', 'roll'], True)
        >>> [sorted(d.governed) for d in a.rejected("The board rejected the second van.")]
        [['second']]
        """
        out = []
        for match in REJECTION.finditer(quote):
            clause = clause_at(quote, match.start())
            said = " ".join(quote[clause.start() : match.end()].split())
            auxiliaries = list(_PASSIVE.finditer(quote, clause.start(), match.start()))
            if auxiliaries:
                subject = self.wording.terms(quote[clause.start() : auxiliaries[-1].start()])
                if subject:
                    out.append(Denial(said, subject, subject, rejection=True))
                continue
            after = WORD.findall(quote, match.end(), clause.end())
            first = next((word for word in after[:4] if self.wording.terms(word)), None)
            if first is not None:
                governed = self.wording.terms(first)
                out.append(Denial(said, governed, self.wording.terms(clause.group()), rejection=True))
        return out

    def says_undenied(self, denial: Denial, terms: set[str]) -> bool:
        """Whether a source sentence of these terms (one without a denial) says what an answer sentence's
        denial denies: the word it denies, and the word after that where there is one. "... is not
        concerned about this trip but is concerned about the relations" is not said otherwise by "We are
        concerned about the relations", which the rest of it says.

        >>> a = Denials(Wording())
        >>> (denial,) = a.denied("It is not concerned about this trip but is concerned about ties.")
        >>> said = ("It is concerned about this trip.", "We are concerned about ties.")
        >>> trip, ties = (a.wording.terms(s) for s in said)
        >>> a.says_undenied(denial, trip), a.says_undenied(denial, ties)
        (True, False)
        """
        return bool(denial.governed & terms) and denial.then <= terms

    def says_no(self, quote: str, question: str) -> bool:
        """Whether a source sentence says no to a question asked yes or no (``asks_yes_or_no``): a denial or
        rejection in it gainsays what the question asks (``gainsays``, the question's words read as a claim),
        and it calls on no one not to do something.
        The 1.5B model declines most such questions whose answer is no ("Is there a lift?" of "There is no
        lift; ..."), or answers them yes.

        >>> a = Denials(Wording())
        >>> a.says_no("There is no lift; the building has a bike cellar.", "Is there a lift?")
        True
        >>> a.says_no("Rolling back the release was considered and rejected.", "Was the release rolled back?")
        True
        >>> a.says_no("The lease is not yet signed.", "Is the lease signed?")
        True
        >>> a.says_no("Never immerse the kettle base in water.", "Is the kettle dishwasher safe?")
        False
        >>> a.says_no("There is no lift.", "Where is the lift?")
        False

        A question asked with a verb that says only that something came to someone ("get", "receive", "give") is
        asked in the line's own verb, where the denial's clause holds every other word it asks:

        >>> line = "We decided not to compensate customers with vouchers; the retry rate was high enough."
        >>> [a.says_no(line, q) for q in ("Did customers get vouchers?", "Did customers get refunds?")]
        [True, False]

        A call on someone not to do it says what the caller wants (``_EXHORTED``):

        >>> a.says_no('The US is calling on North Korea "not to sell weapons."', "Did North Korea sell weapons?")
        False
        """
        if not asks_yes_or_no(question) or _EXHORTED.search(quote):
            return False
        asked = self.wording.terms(question)
        came_by = asked & self.came_by
        rest = asked - came_by

        def no(denial: Denial) -> bool:  # asked in the line's verb, where the question's only says it came
            in_its_verb = bool(came_by) and len(rest) >= 2 and rest <= denial.clause
            return self.gainsays(denial, asked) or (in_its_verb and self.gainsays(denial, rest | denial.governed))

        return any(no(d) for d in self.denied(quote) + self.rejected(quote)) or self.opposes(quote, asked)

    def opposes(self, quote: str, asked: set[str]) -> bool:
        """Whether a source sentence says one of a question's words (``asked``: its terms) in its opposite
        (``_OPPOSITES``), and every other word the question asks, with no denial of its own.

        >>> a = Denials(Wording())
        >>> a.opposes("Prices exclude VAT.", a.wording.terms("Do prices include VAT?"))
        True
        >>> a.opposes("The gym is closed on 25 December.", a.wording.terms("Is the gym open on Christmas Day?"))
        False
        >>> a.opposes("The shop is not closed on Sundays.", a.wording.terms("Is the shop open on Sundays?"))
        False
        """
        said = self.wording.terms(quote)
        return not self.denied(quote) and any(
            word <= asked and not word & said and opposite <= said and not opposite & asked and asked - word <= said
            for word, opposite in self.opposites
        )

    def gainsays(self, denial: Denial, sentence_terms: set[str]) -> bool:
        """Whether a source sentence's denial denies what a sentence of these terms says: it governs
        a word the sentence says, in a clause the sentence says the most of. A sentence that says "p
        is prime" is not denied by "..., provided that p is not a prime factor of q", nor one that
        says when sports air by "..., when no sports telecasts are scheduled,".

        >>> a = Denials(Wording())
        >>> (denial,) = a.denied("Squalene and the carotenes contain no oxygen.")
        >>> [a.gainsays(denial, a.wording.terms(s)) for s in ("Carotenes contain oxygen.", "It has oxygen.")]
        [True, False]

        Nor is one that states its own numbers, where the clause states others: the denial is of another time
        or amount ("... was last raised in March 2025 and cannot be raised again before March 2027").

        >>> (denial,) = a.denied("The rent was raised in March 2025 and cannot be raised again before March 2027.")
        >>> said = ("The rent was raised in March 2025.", "The rent was raised again in March 2027.")
        >>> [a.gainsays(denial, a.wording.terms(s)) for s in said]
        [False, True]
        """
        said = number_terms(sentence_terms)
        if said and denial.when and not said & denial.when:
            return False
        return bool(denial.governed & sentence_terms) and 2 * len(denial.clause & sentence_terms) >= len(denial.clause)
