"""Decide the answer from the evidence: cite, flag, or abstain.

All thresholds live here, applied to ``Evidence`` that holds only raw scores, so
the same decision runs live in the chat and offline over an eval's recorded
evidence (``bench.eval`` calibrates the thresholds that way).

The documents are taken not to answer the question when the best passage is
too far from it (``min_relevance``), when the model declines, when no
sentence of the model's answer reaches ``min_support`` against the sources, or
when the verifier finds the cited sentences unlikely to answer the question
(``min_verified``): retrieval scores, attribution and an entailment check
decide, not the model's word alone. An answer's opening "yes" is cited only
where the cited sentences, asked the question, say yes (``min_yes``). Where a
question asked yes or no is withheld by the model, attribution or the verifier,
the line nearest it that says no (``Evidence.says_no``) is quoted, where it
matches the question well enough (``min_says_no``); where an answer is withheld
for a number its line does not state, and that line is the one nearest the
question, it is quoted likewise (``Evidence.misread``, ``min_misread``); and where an answer is withheld for its
yes alone, the lines it cites answering the question without saying yes, the line its yes cites is quoted
(``Decider.answered_otherwise``, ``min_not_yes``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from rag.answer_text import claim, restates
from rag.prompts import ABSTAIN
from rag.types import Answer, AnswerSentence, Citation, Evidence, Passage, Support, best_similarity, text_before
from rag.wording import WORD

if TYPE_CHECKING:
    from rag.settings import Settings

NO_DOCUMENTS = "No documents have been ingested yet."
# What withheld an answer (``Answer.withheld_by``), in the order ``Decider.decide`` checks: an empty
# store, no passage close enough (the model is not asked), the model's own word, no sentence of
# the answer supported by a source, the verifier's verdict.
WITHHELD_BY = ("no_documents", "relevance", "model", "attribution", "verifier")
# What an abstention tells the reader of why (its note), by what withheld it: the chat shows "The documents
# do not say." alike for a question nothing is near and for an answer the model wrote from memory. Not
# said where the model said it, or where nothing is ingested (the answer says so).
WHY_WITHHELD = {
    "relevance": "No passage came close enough to the question to answer from.",
    "attribution": "An answer was written, and withheld: no line of the documents says it.",
    "verifier": "An answer was written, and withheld: the lines it would cite were judged not to answer the question.",
}

_DECLINE = re.compile(
    r"documents? (do|does) not (say|contain|mention)|sources? (do|does) not (say|contain|mention)"
    r"|\bI (do not|don't) know\b|not (mentioned|provided|stated) in the (sources|documents)",
    re.IGNORECASE,
)


# why an answer's opening yes is not cited, where the cited sentences, asked the question, did not say yes
NOT_YES = "the lines it cites do not say yes"
# What withheld an answer that the line saying no is quoted in place of (``Evidence.says_no``): not an empty
# store, nor passages too far from the question to ask the model of.
QUOTED_FOR = ("model", "attribution", "verifier")
# What withheld a first answer that a second try may answer in its place (``Evidence.retry``: the model asked
# again of the passage nearest the question alone), besides its decline: no sentence of it supported by a line.
# Asked "What do I need to apply for the flat?" shown four passages, the 1.5B model wrote "To apply for the
# flat, you need to follow the instructions in the lease notes." (no line says it); shown the passage holding
# "Decision: apply by 9 November 2026 with payslips, ..." alone, it answered from that line. Not an answer the
# verifier withheld: the lines it cites were judged not to answer, and on squad-dev its second tries kept 3
# right answers, 4 wrong ones and 6 to questions the documents cannot answer (``bench/results/eval-notes.md``).
ASKED_AGAIN = ("attribution",)
# What a stream says between an answer no line supports, already streamed, and its second try's words
ASKED_AGAIN_NOTE = (
    "\n\n(Not kept: no line of the documents says it. Asked again, of the passage nearest the question:)\n\n"
)
# the note of an answer that quotes the line saying no
SAYS_NO = "Quoted from the documents: the line nearest the question says no to it. The model's own answer was not kept."
# the note of an answer that quotes the line whose number the model changed
MISREAD = (
    "Quoted from the documents: the model's answer stated a number the line it read does not. The model's own "
    "answer was not kept."
)


def declined(raw: str) -> bool:
    """Whether the model's own words say the sources lack the answer.

    >>> declined("The documents do not say."), declined("Paris [1].")
    (True, False)
    """
    return bool(_DECLINE.search(raw))


# a quoted line that opens so leans on what is before it: it is quoted under its heading
_LEANS = re.compile(r"(?:It|Its|They|Their|This|These|That|Those|He|His|She|Her)\b")
_HEADING_LINE = re.compile(r"#{1,6}\s+(.+?)\s*#*\s*")


def heading_over(citation: Citation, passages: Sequence[Passage]) -> str | None:
    """The Markdown heading nearest above a cited line within the passage it came from; None: none is shown.

    >>> shown = [Passage("v.md", 8, 11, 0, "## Salarix\\nSalarix costs 9 euros.\\nIt supports Spain.", 1.0)]
    >>> heading_over(Citation("v.md", 10, 10, "It supports Spain.", 32, 50), shown)
    'Salarix'
    >>> heading_over(Citation("v.md", 9, 9, "Salarix costs 9 euros.", 11, 31), shown[:0]) is None
    True
    """
    for line in reversed(text_before(citation, passages).splitlines()):
        if found := _HEADING_LINE.fullmatch(line.strip()):
            return found.group(1)
    return None


def of_another_section(question: str, citation: Citation, section: str, passages: Sequence[Passage]) -> bool:
    """Whether a line, under the Markdown heading ``section`` (``heading_over``), lies under another heading
    than the one a question names by a capitalised word (not its first), and names it nowhere itself: quoted,
    it would answer of the wrong thing. "Does Paywise
    support Spain?" of a shortlist with a section for each tool is not answered by the Salarix section's "It
    supports payroll in 14 EU countries, including Spain and Italy."

    >>> text = "## Paywise\\nIt runs in Germany.\\n## Salarix\\nIt supports Spain."
    >>> shown, line = [Passage("v.md", 1, 4, 0, text, 1.0)], Citation("v.md", 4, 4, "It supports Spain.", 42, 60)
    >>> of_another_section("Does Paywise support Spain?", line, "Salarix", shown)
    True
    >>> [of_another_section(asked, line, "Salarix", shown) for asked in ("Does Salarix support Spain?", "Is Spain in?")]
    [False, False]
    """
    named = {word.lower() for word in WORD.findall(question)[1:] if word[0].isupper()}
    headings = [
        found.group(1)
        for p in passages
        for line in p.text.splitlines()
        if (found := _HEADING_LINE.fullmatch(line.strip()))
    ]
    asked = {heading: said for heading in headings if (said := named & _lowered(heading))}
    said = set().union(*asked.values()) & _lowered(citation.quote)
    return bool(asked) and section not in asked and not said


def _lowered(text: str) -> set[str]:
    """The words of ``text``, in small letters."""
    return {word.lower() for word in WORD.findall(text)}


# the note of an answer that quotes the line a withheld yes cited (``Decider.answered_otherwise``)
NOT_YES_QUOTED = (
    "Quoted from the documents: the model answered yes, and the line it cites, asked the question, does not say "
    "yes. The model's own answer was not kept."
)


@dataclass(frozen=True)
class Decider:
    """The thresholds, and the one function that applies them."""

    min_relevance: float = -1.0
    min_support: float = 0.5
    min_verified: float = 0.0
    second_look_from: float = 0.3  # a verdict from here up to min_verified is asked again, in context
    min_second_look: float = 0.7  # and then passes where the second verdict reaches this
    min_yes: float = 0.0  # an answer's opening yes is cited where the cited sentences say yes this surely
    min_sentence_relevance: float = 1.0  # a passage's sentence this close to the question lets it through
    min_says_no: float = 1.01  # the line saying no to a question withheld is quoted where it matches it this well
    min_misread: float = 1.01  # the line whose number the model changed is quoted where it matches the question so
    min_not_yes: float = 1.01  # the line an unaffirmed yes cites is quoted where that sentence matches it so well

    @classmethod
    def from_settings(cls, settings: Settings) -> Decider:
        """The thresholds a settings object sets (the chat's, and the eval's shipped ones): each field
        read by its name, so a threshold added here is read wherever a decider is built."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})

    def looks_again(self, verified: float) -> bool:
        """Whether a verdict just under ``min_verified`` is worth a second look, each cited sentence
        shown after the one before it ("Pyongyang could offer ammunition, ..." answers "What could
        Pyongyang offer Putin?" only after "Kim is ready to conclude an arms deal with Putin.").

        >>> Decider(min_verified=0.5).looks_again(0.41), Decider(min_verified=0.5).looks_again(0.2)
        (True, False)
        """
        return self.second_look_from <= verified < self.min_verified

    def verified(self, evidence: Evidence) -> bool:
        """Whether the verifier let the answer through: its verdict reaches ``min_verified``, or one
        just under it was asked again in context and that verdict reaches ``min_second_look``."""
        if evidence.verified is None or evidence.verified >= self.min_verified:
            return True
        again = evidence.verified_again
        return self.looks_again(evidence.verified) and again is not None and again >= self.min_second_look

    def affirmed(self, evidence: Evidence) -> bool:
        """Whether an answer's opening yes stands: the cited sentences, asked the question, say yes at
        ``min_yes`` or more (or were not asked: the answer does not open with yes, or no verifier)."""
        return evidence.said_yes is None or evidence.said_yes >= self.min_yes

    def yes_alone(self, evidence: Evidence, i: int) -> bool:
        """Whether the ``i``-th sentence is an opening yes that claims no more than the question asks
        (``restates``: "Yes, the tenant can keep a cat." of "Can the tenant keep a cat?"), cited, where the
        cited sentences, asked the question, said yes (``affirmed``): cited though its words match its line
        poorly ("Cats are allowed.", 0.49), for its yes is what the line was checked for; not one attribution
        doubts (its line says no: "Yes, there is a lift." of "There is no lift").

        >>> line = Citation("lease.md", 16, 16, "Cats are allowed.", 0, 17)
        >>> yes = Support("Yes, the tenant can keep a cat.", line, 0.49)
        >>> ev = Evidence("Can the tenant keep a cat?", [], "", [yes], said_yes=0.93)
        >>> Decider(min_yes=0.82).yes_alone(ev, 0), Decider(min_yes=0.95).yes_alone(ev, 0)
        (True, False)
        >>> Decider().yes_alone(replace(ev, said_yes=None), 0)  # its yes was not checked
        False
        """
        said = evidence.supports[i]
        return (
            evidence.said_yes is not None
            and self.affirmed(evidence)
            and i < affirming(evidence.supports)
            and said.citation is not None
            and not said.doubts
            and restates(evidence.question, said.sentence)
        )

    def too_far(self, passages: Sequence[Passage], words_held: bool = False, nearest: float | None = None) -> bool:
        """No passage is close enough to the question to be worth asking the model: none reaches
        ``min_relevance`` by cosine, none holds every content word of the question
        (``Evidence.words_held``: MiniLM puts "Who is Pat Ryder?" at 0.19 from the passage that
        names him, and the keyword retrieval ranks that passage first), and no sentence of one
        reaches ``min_sentence_relevance`` (``Evidence.nearest``: a question about one sentence of
        a long passage is far from the passage as a whole).

        >>> far = [Passage("a.txt", 1, 1, 0, "Pentagon spokesman Pat Ryder said so.", 1.0, similarity=0.19)]
        >>> gate = Decider(min_relevance=0.2, min_sentence_relevance=0.4)
        >>> gate.too_far(far), gate.too_far(far, words_held=True), gate.too_far(far, nearest=0.55)
        (True, False, False)
        """
        relevance = best_similarity(passages)
        near = nearest is not None and nearest >= self.min_sentence_relevance
        return relevance is not None and relevance < self.min_relevance and not words_held and not near

    def supported(self, support: Support) -> bool:
        """Whether a sentence's best source sentence supports it well enough to be cited."""
        return support.citation is not None and support.score >= self.min_support

    def why(self, support: Support) -> str:
        """Why an unsupported sentence is not cited, where the attributor's doubts decided it: the
        source it matched would have supported it but for them ("231 is in no source"); else ""."""
        undoubted = support.undoubted
        return "; ".join(support.doubts) if undoubted is not None and undoubted >= self.min_support else ""

    def withheld(self, supports: Sequence[Support]) -> str:
        """What an abstention tells the reader of the answer attribution withheld: the attributor's
        doubts where they decided it (the model's own words not shown: they are what nothing supports).

        >>> doubted = Support("It has 231 seats.", None, 0.4, ("231 is in no source",), undoubted=0.8)
        >>> Decider().withheld([doubted, doubted])
        'An answer was written, and withheld: 231 is in no source.'
        >>> Decider().withheld([Support("Moon.", None, 0.1)]) == WHY_WITHHELD["attribution"]
        True
        """
        whys = list(dict.fromkeys(filter(None, map(self.why, supports))))
        return f"An answer was written, and withheld: {'; '.join(whys)}." if whys else WHY_WITHHELD["attribution"]

    @staticmethod
    def declines(evidence: Evidence) -> bool:
        """Whether the model's reply says the passages lack the answer, or says nothing attributable
        (one support per answer sentence: none means no answer).

        >>> Decider.declines(Evidence("q", [], "The documents do not say.")), Decider.declines(Evidence("q", [], ""))
        (True, True)
        """
        return evidence.raw is not None and (not evidence.supports or declined(evidence.raw))

    def tries_again(self, evidence: Evidence) -> bool:
        """Whether the model is asked again (``Evidence.retry``): it declined, or its answer is withheld by
        attribution (``ASKED_AGAIN``) and no line is quoted in its place.

        >>> shown = [Passage("a.txt", 1, 1, 0, "Pat Ryder spoke.", 1.0, similarity=0.6)]
        >>> line = Citation("a.txt", 1, 1, "Pat Ryder spoke.", 0, 16)
        >>> weak = Evidence("Who spoke?", shown, "Kirby spoke.", [Support("Kirby spoke.", line, 0.3)])
        >>> Decider().tries_again(weak), Decider(min_support=0.2).tries_again(weak)
        (True, False)
        >>> Decider().tries_again(Evidence("Who spoke?", shown, "The documents do not say."))
        True
        """
        if self.declines(evidence):
            return True
        answer = self.decide(replace(evidence, retry=None))
        return answer.abstained and answer.withheld_by in ASKED_AGAIN

    def retried(self, evidence: Evidence) -> Answer:
        """A withheld answer's second try (``Evidence.retry``: its decline, or an answer withheld by
        ``ASKED_AGAIN``) decided in its place, with all the evidence kept; where it is withheld too, its
        abstention (the reader saw its words, where it wrote any) with the first try's closest passages, all
        of them."""
        assert evidence.retry is not None
        second = self.decide(evidence.retry, gated=False)
        passages = list(evidence.passages) if second.abstained else second.passages
        return replace(second, passages=passages, evidence=evidence)

    def decide(self, evidence: Evidence, gated: bool = True) -> Answer:
        """The answer the evidence supports (``gated``: the passages go through the relevance gate; a
        second try's one passage was among those that went through); where the model's answer is withheld
        (a declined one's second try too), the line that says no to a question asked yes or no, or the line
        whose number the model changed, quoted (``quoting``), and the line that says no in place of an answer
        whose yes is not cited too; where none is, and the answer was withheld by
        ``ASKED_AGAIN``, its second try decided in its place (``retried``), unless that declined."""
        answer = self._decided(evidence, gated)
        if answer.abstained and answer.withheld_by in QUOTED_FOR:
            answer = self.quoting(evidence, answer.withheld_by) or answer
        elif not answer.abstained and not self.affirmed(evidence) and self.says_no(evidence):
            answer = self.quoting(evidence, "verifier") or answer  # its yes not cited, the line nearest says no
        if answer.abstained and answer.withheld_by in ASKED_AGAIN and evidence.retry and not self.declines(evidence):
            second = self.retried(evidence)  # (a decline's second try is decided in ``_decided``, before any quote)
            # where it declined, unseen (a decline is not streamed), the first answer's words were the last shown
            return answer if second.withheld_by == "model" else second
        return answer

    def quoting(self, evidence: Evidence, withheld_by: str) -> Answer | None:
        """The answer that quotes a line of the documents in place of the model's answer that ``withheld_by``
        withheld (``Answer.quoted``): the line nearest a question asked yes or no, which says no to it
        (``Evidence.says_no``), where it matches the question at ``min_says_no`` or more; else, where
        attribution withheld the answer, the line nearest the question whose number it changed
        (``Evidence.misread``, ``quotes_misread``). None: neither.

        >>> line = Citation("flat.txt", 12, 12, "There is no lift;\\nthe building has a cellar.", 0, 44)
        >>> ev = Evidence("Is there a lift?", [], "The documents do not say.", says_no=Support("q", line, 0.83))
        >>> quoted = Decider(min_says_no=0.5).quoting(ev, "model")
        >>> quoted.text, quoted.quoted
        ('The documents say: “There is no lift; the building has a cellar.” [1]', 'model')
        >>> Decider(min_says_no=0.9).quoting(ev, "model") is None
        True
        >>> rent = Citation("flat.txt", 3, 3, "The rent is 1,150 euros a month.", 0, 32)
        >>> ev = Evidence("What is the rent?", [], "The rent is 1,200 euros.", misread=Support("q", rent, 0.7))
        >>> Decider(min_misread=0.5).quoting(ev, "attribution").note == MISREAD
        True
        >>> Decider(min_misread=0.5).quoting(ev, "verifier") is None
        True
        """
        if self.says_no(evidence):
            said, note = evidence.says_no, SAYS_NO
        elif withheld_by == "attribution" and self.quotes_misread(evidence):
            said, note = evidence.misread, MISREAD
        elif withheld_by == "verifier" and (said := self.answered_otherwise(evidence)) is not None:
            note = NOT_YES_QUOTED
        else:
            return None
        assert said is not None and said.citation is not None
        # the heading the line is under: a line under another than the question names is not quoted
        section = heading_over(said.citation, evidence.passages)
        if section and of_another_section(evidence.question, said.citation, section, evidence.passages):
            return None
        quote, under = " ".join(said.citation.quote.split()), ""
        if _LEANS.match(quote) and section:
            under = f", under “{section}”"  # "It supports payroll in 14 EU countries": which "it", the heading says
        quoted = AnswerSentence(f"The documents say{under}: “{quote}”", (1,), said.score)
        return Answer(
            text=render([quoted]), abstained=False, citations=[said.citation], sentences=[quoted],
            passages=list(evidence.passages), question=evidence.question, evidence=evidence, note=note,
            quoted=withheld_by,
        )  # fmt: skip

    def says_no(self, evidence: Evidence) -> bool:
        """Whether the line nearest a question asked yes or no says no to it (``Evidence.says_no``) surely enough
        to quote (``min_says_no``): in place of a withheld answer, or of one whose yes is not cited ("Yes,
        personal laptops may not be used for customer data.", its yes judged 0.57, went on citing two more
        sentences of the policy)."""
        said = evidence.says_no
        return said is not None and said.score >= self.min_says_no

    def answered_otherwise(self, evidence: Evidence) -> Support | None:
        """The cited line of an answer withheld for its yes alone, where it is worth quoting: the verifier let the
        lines the answer cites through (they answer the question), and, asked the question alone, they do not
        say yes (``affirmed``): they answer it otherwise. Its yes sentence (the claim after a bare "Yes.") is
        supported at ``min_not_yes`` or more. Asked "Was the budget approved as requested?", the 1.5B model
        answered "Yes, the budget was approved at 42,000 euros, 3,000 less than requested." (its lines judged
        0.69, their yes 0.55): the line, quoted, answers it. None: not so withheld, or not so supported.

        >>> said = "The budget was approved at 42,000 euros, 3,000 less than requested."
        >>> line, shown = Citation("t.txt", 4, 4, said, 0, len(said)), [Passage("t.txt", 4, 4, 0, said, 0.9)]
        >>> yes = Support("Yes, the budget was approved at 42,000 euros.", line, 0.8)
        >>> asked = "Was the budget approved as requested?"
        >>> ev = Evidence(asked, shown, yes.sentence, [yes], verified=0.69, said_yes=0.55)
        >>> shipped = Decider(min_verified=0.5, min_yes=0.82, min_not_yes=0.5)
        >>> shipped.answered_otherwise(ev) == yes, shipped.decide(ev).note == NOT_YES_QUOTED
        (True, True)
        >>> shipped.answered_otherwise(replace(ev, verified=0.2)) is None  # the lines do not answer it at all
        True
        """
        if self.affirmed(evidence) or not self.verified(evidence):
            return None
        yeses = [s for s in evidence.supports[: affirming(evidence.supports)] if s.citation is not None]
        return yeses[-1] if yeses and yeses[-1].score >= self.min_not_yes else None

    def quotes_misread(self, evidence: Evidence) -> bool:
        """Whether the line whose number the model changed answers the question well enough to quote: it
        matches the question at ``min_misread`` or more, and the verifier let through the lines the answer
        cited (``verified``), which hold it (asked "What yard line did the Broncos stop the Panthers on in
        their first drive?", the model wrote 45 of "the Broncos drove to the Panthers 41-yard line" in the
        fourth quarter: the nearest line, judged 0.49)."""
        said = evidence.misread
        return said is not None and said.score >= self.min_misread and self.verified(evidence)

    def _decided(self, evidence: Evidence, gated: bool) -> Answer:
        ev = evidence
        if not ev.passages:
            return Answer(
                text=NO_DOCUMENTS, abstained=True, question=ev.question, evidence=ev, withheld_by="no_documents"
            )
        if (gated and self.too_far(ev.passages, ev.words_held, ev.nearest)) or ev.raw is None:
            return abstention(ev, "relevance")
        if self.declines(ev):
            return self.retried(ev) if ev.retry is not None else abstention(ev, "model")
        kept = [self.supported(s) or self.yes_alone(ev, i) for i, s in enumerate(ev.supports)]
        if not any(kept):
            return replace(abstention(ev, "attribution"), note=self.withheld(ev.supports))
        if not self.verified(ev):
            return abstention(ev, "verifier")
        whys = [self.why(s) for s in ev.supports]
        if not self.affirmed(ev):  # the sentences that say yes are not cited
            for i in range(affirming(ev.supports)):
                kept[i], whys[i] = False, "; ".join(filter(None, [whys[i], NOT_YES]))
            if not any(kept):
                return replace(abstention(ev, "verifier"), note=f"An answer was written, and withheld: {NOT_YES}.")
        citations: list[Citation] = []
        out: list[AnswerSentence] = []
        for s, cite, why in zip(ev.supports, kept, whys, strict=True):
            if cite:
                citations += [c for c in s.cited if c not in citations]
                out.append(AnswerSentence(s.sentence, tuple(citations.index(c) + 1 for c in s.cited), s.score))
            else:
                out.append(AnswerSentence(s.sentence, (), s.score, why))
        return Answer(
            text=render(out),
            abstained=False,
            citations=citations,
            sentences=out,
            passages=list(ev.passages),
            question=ev.question,
            evidence=ev,
        )


def affirming(supports: Sequence[Support]) -> int:
    """How many of an answer's first sentences say its yes: the first, and the next where the first is a
    bare "Yes." ("Yes. Russia violated them.").

    >>> affirming([Support("Yes, it did.", None, 1.0), Support("It was late.", None, 1.0)])
    1
    >>> affirming([Support("Yes.", None, 1.0), Support("It did.", None, 1.0)])
    2
    """
    bare = bool(supports) and not claim(supports[0].sentence)
    return min(len(supports), 2 if bare else 1)


def render(sentences: Sequence[AnswerSentence]) -> str:
    """Answer text with our own markers; unsupported sentences are flagged, with why where a check
    of the attributor's decided it.

    >>> render([AnswerSentence("A.", (1,), 0.9), AnswerSentence("B.", (), 0.1)])
    'A. [1] B. [unsupported]'
    >>> render([AnswerSentence("It has 231 seats.", (), 0.42, "231 is in no source")])
    'It has 231 seats. [unsupported: 231 is in no source]'
    """
    parts = []
    for s in sentences:
        unsupported = f"[unsupported: {s.why}]" if s.why else "[unsupported]"
        marker = "".join(f"[{n}]" for n in s.citations) if s.citations else unsupported
        parts.append(f"{s.text} {marker}")
    return " ".join(parts)


def abstention(evidence: Evidence, withheld_by: str) -> Answer:
    """The answer given when the documents do not support one: the closest passages are kept."""
    return Answer(
        text=ABSTAIN, abstained=True, passages=list(evidence.passages), question=evidence.question,
        evidence=evidence, withheld_by=withheld_by, note=WHY_WITHHELD.get(withheld_by, ""),
    )  # fmt: skip
