"""Attribute each answer sentence to the source sentence that supports it.

Small models cite badly, so the model's own ``[n]`` markers are ignored: every
answer sentence is compared with every sentence of the retrieved passages, by
word overlap (stemmed content words) and by embedding similarity, and cited to
the best one. The citation names the line(s) and the exact character span of that
source sentence. A source sentence that says otherwise scores lower: one that denies
what the answer sentence says (``rag.denial``), names another as the doer of what it
says was done (``rag.doers``) or as the holder of the post it gives (``rag.posts``), or states another
number (``rag.stated_numbers``).
Whether a score is high enough to count is decided elsewhere (``rag.decision``), so
recorded scores can be replayed under other thresholds.

This module does not retrieve, call the LLM or decide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from index.chunking import line_spans, sentence_spans
from rag.answer_text import answer_sentences, claim
from rag.denial import DISAVOWAL, Denials, asks_yes_or_no, denials, denies
from rag.doers import SPEAKER, Doers, led
from rag.editions import Editions
from rag.fields import Fields
from rag.posts import Posts
from rag.sentence_vectors import SentenceVectors, unit
from rag.stated_numbers import in_words, magnitude, number_terms, numbers, unread_numbers
from rag.swaps import Swaps
from rag.types import Citation, Evidence, Passage, Support
from rag.wording import WORD, Wording, clauses, held

# Words a question asks with, which no passage that answers it need hold (``Attributor.words_held``): "What
# do I need to apply?" is answered by "Decision: apply by 9 November 2026 with payslips, ..."
_ASKING = "happen mean tell describe explain need know"
# What the match of a source sentence that says otherwise is multiplied by (one that denies what the answer
# sentence says, ``rag.denial``; names another as its doer, ``rag.doers``, or as the post's holder,
# ``rag.posts``; states another number,
# ``rag.stated_numbers``): under any threshold it passed before.
CONTRADICTED = 0.5
# A source sentence that denies what an answer sentence says, and matches it nearly as well as the one it
# is cited to (this share of that score), puts every match of it at CONTRADICTED: asked "Did the US say it
# was worried about Putin's trip?", the 1.5B model answered "Yes, the US said it was worried about Putin's
# trip." and cited "The United States is not concerned about ... Putin's trip" (0.56), beside "We are not
# worried about this trip." (0.53). Of the recorded squad-dev answers, one sentence more is doubted, a wrong
# answer's (0.56 beside 0.57: "Genghis Khan did not conquer all the areas ...").
RIVAL = 0.9
# A second source sentence is cited beside the best match where it holds at least this many of the words
# the answer sentence says and the best match does not (the question's aside), and half of them or more:
# the 1.5B model writes one sentence from two ("Kirby intends to carefully monitor the development of
# Russian-North Korean relations": his name and the relations are on line 1, the intent on line 7).
ALSO_WORDS = 2
# A heading names what the lines under it are about and says nothing of it: "# Northgate Harbour Authority:
# annual report 2025" (0.64) was cited, over "..., the city of Northgate, the authority's sole owner." (0.55),
# for "The harbour authority is owned by the city of Northgate.". A statement that matches an answer sentence
# at this share of a Markdown heading's match or more is cited instead; a heading none comes near stays cited,
# at its own score ("It is the authority's annual report for 2025").
HEADING = 0.85
_HEADING = re.compile(r"#{1,6}\s")
# a line that asks what the lines under it answer, as an FAQ's do: "**Are mobile phones allowed?**", "Q: Can I
# park?", "### Can children climb alone?"
_ASKED_LINE = re.compile(r"[#>*_\s]*(?:Q\d*\s*[:.)]\s*)?(?P<asked>[^\n]*?\?)[*_\s]*")
# a pronoun for a person: "Call him on 0161 555 0199." gives Tom Becker's number where the sentence before names him
_PERSON = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")  # "Newport's": a name the question asks of is "Newport"
# a list's item: "- 900 g bread flour", "2. Pour the water away." A run of them is cited as one where an answer
# sentence gathers them ("The ingredients are 900 g bread flour, 100 g whole wheat flour, ... and 20 g salt.")
_ITEM = re.compile(r"(?:[-*•+]|\(?\d{1,3}[.)])\s+\S")
# A run is cited only where the sentence says at least this many of its words more than its best item does, and
# the run matches it at this many times the best sentence's match or more: "The kettle holds 1.7 litres of water."
# found "kettle" and "water" in other safety rules than the one with "1.7 litres" (0.74), and stays cited to
# "Capacity 1.7 litres." (0.56)
GATHERED, LISTED = 2, 1.5
# What the number checks say of a sentence they doubt: "231 is in no source", "1884 is not in the line cited"
_NOWHERE, _UNCITED = "in no source", "not in the line{} cited"


def misread(support: Support, question: str = "") -> bool:
    """Whether only the number checks doubt a sentence (it states a number its source sentence does not,
    where that states another: ``Attributor.attribute``), and no number it changed is one the question
    states: the model read the line and changed a number. A question that states a number its line does
    not ("There re 231 seats in which chamber?" of "There are 131 seats ...") is what differs from the line.

    >>> line = Citation("a.txt", 1, 1, "In 1882, Tesla began working for Edison.", 0, 40)
    >>> said = "In 1884, Tesla began working for Edison."
    >>> changed = Support(said, line, 0.45, ("1884 is not in the line cited",), 0.9, misnumbered=True)
    >>> misread(changed), misread(changed, "Did Tesla begin working for Edison in 1884?")
    (True, False)
    >>> misread(Support("No, Tesla ...", line, 0.45, ('the source says "not"', "1884 is in no source"), 0.9))
    False
    """
    if not support.misnumbered or support.citation is None:
        return False
    changed = numbers(claim(support.sentence) or support.sentence) - numbers(support.citation.quote)
    return not changed & numbers(question)


def _names(sentence: str) -> list[str]:
    """The words of a sentence spelled with a capital, but its first.

    >>> _names("The coordinator is Tom Becker."), _names("Call him on 0161 555 0199.")
    (['Tom', 'Becker'], [])
    """
    return [word for word in WORD.findall(sentence)[1:] if word[0].isupper()]


def _stating(
    row: np.ndarray, best: int, said: set[str], cands: Sequence[Citation], words: set[str], terms: Sequence[set[str]]
) -> int:
    """The candidate a sentence stating numbers (``said``) and words (``words``, their terms) is cited to: its best
    match (``best``), or, where that states other numbers and none of them, and lacks a word of it, the best of
    those stating them all and that word too, which match it at ``RIVAL`` of the best or more (``terms``: each
    candidate's). "Trains run every 30 minutes on weekends." matched "From 12 December, trains on line S4 run
    every 20 minutes instead of every 15 minutes on weekdays." at 0.66, "Weekend service is unchanged: every 30
    minutes." at 0.61. A line that states the number and no word the best lacks is not taken so: "The Broncos
    stopped the Panthers on the 45-yard line." stays cited to the drive's line, which says 41, and is doubted.

    >>> lines = [Citation("s.md", 3, 3, "Trains run every 20 minutes on weekdays.", 0, 40),
    ...          Citation("s.md", 4, 4, "Weekend service: every 30 minutes.", 41, 75)]
    >>> terms = [{"train", "run", "20", "minut", "weekday"}, {"weekend", "servic", "30", "minut"}]
    >>> words = {"train", "run", "minut", "weekend"}
    >>> _stating(np.array([0.66, 0.61]), 0, {"30"}, lines, words, terms)
    1
    >>> _stating(np.array([0.66, 0.5]), 0, {"30"}, lines, words, terms)  # too far below the best
    0
    >>> _stating(np.array([0.66, 0.61]), 0, {"30"}, lines, {"train", "run", "minut"}, terms)  # lacks none
    0
    """
    stated = numbers(cands[best].quote) if best < len(cands) else set()
    lacking = words - terms[best]
    if not stated or not unread_numbers(said, stated) or not lacking:
        return best
    stating = [
        j
        for j, c in enumerate(cands)
        if row[j] >= RIVAL * row[best] and terms[j] & lacking and not unread_numbers(said, numbers(c.quote))
    ]
    return max(stating, key=row.__getitem__, default=best)


def asking(line: Citation) -> str:
    """What a line that asks a question (``Attributor.answering``) asks, without its marks: "**Can I park?**"
    asks "Can I park?"."""
    found = _ASKED_LINE.fullmatch(line.quote)
    return found.group("asked").strip() if found else line.quote


def _are(said: set[str], where: str) -> str:
    """Numbers said to be where they are, in plain words, by size: "8 and 12 are in no source"."""
    return _is(sorted(said, key=magnitude), where)


def _is(items: Sequence[str], where: str) -> str:
    """Things said to be where they are, in plain words, in the order given: '“Fridays” is in no source'."""
    return f"{in_words(items)} {'is' if len(items) == 1 else 'are'} {where}"


def _within(run: Citation, cited: Citation) -> bool:
    """Whether a sentence (``cited``) is one of a run of list items' (``Attributor.lists``)."""
    return cited.file == run.file and run.start_char <= cited.start_char < run.end_char


def statements_first(scores: np.ndarray, headings: np.ndarray) -> None:
    """Lowers, in place, each row's scores of the ``headings`` (a mask of the candidates) that a statement
    matches at ``HEADING`` their score or more to just under that statement's: it is cited instead.

    >>> rows = np.array([[0.64, 0.55], [0.96, 0.35]])
    >>> statements_first(rows, np.array([True, False]))
    >>> [int(np.argmax(row)) for row in rows], float(rows[1, 0])
    ([1, 0], 0.96)
    """
    if not headings.any() or headings.all():
        return
    for row in scores:
        top = row[~headings].max()
        near = headings & (row * HEADING <= top)
        row[near] = np.minimum(row[near], np.nextafter(top, 0))


def gathered(
    scores: np.ndarray, said: Sequence[set[str]], cands: Sequence[Citation], terms: Sequence[set[str]], items: int
) -> None:
    """Zeroes, in place, each row's scores of the runs of list items (the candidates from ``items`` on,
    ``Attributor.lists``) that hold fewer than ``GATHERED`` words more of that row's sentence (``said``) than
    the item of theirs holding most (a sentence one item says is cited to that item, not to its list), or
    match it at less than ``LISTED`` times the best sentence's match.

    >>> one = Citation("r.md", 2, 2, "- 20 g salt", 14, 25)
    >>> run = Citation("r.md", 1, 2, "- 900 g flour\\n- 20 g salt", 0, 25)
    >>> rows, said = np.array([[0.9, 0.8], [0.3, 0.7], [0.5, 0.7]]), [{"20", "salt"}, {"900", "flour", "20"}] * 2
    >>> gathered(rows, said[:3], [one, run], [{"20", "g", "salt"}, {"900", "g", "flour", "20", "salt"}], 1)
    >>> rows.tolist()
    [[0.9, 0.0], [0.3, 0.7], [0.5, 0.0]]
    """
    for j in range(items, len(cands)):
        run = cands[j]
        inside = [k for k in range(items) if _within(run, cands[k])]
        for row, mine in zip(scores, said, strict=True):
            most = max((len(mine & terms[k]) for k in inside), default=0)
            if len(mine & terms[j]) < most + GATHERED or row[j] < LISTED * row[:items].max():
                row[j] = 0.0


def trimmed(run: Citation, said: set[str], sentences: Sequence[Citation], terms: Sequence[set[str]]) -> Citation:
    """A run of list items (``Attributor.lists``) cut to its lines from the first to the last that holds a word
    of a sentence (``said``) which no other line of the run holds; the whole run where none does. ``terms``:
    the ``sentences``' own. "The safety rules are: never immerse the base, do not fill above the MAX mark ...,
    keep it away from children." gathers the first three of four rules.

    >>> flour, salt, yeast = ("r.md", 1, 1, "- Flour: 900 g", 0, 14), ("r.md", 2, 2, "- Salt: 20 g", 15, 27), (
    ...     "r.md", 3, 3, "- Yeast: none", 28, 41)
    >>> run = Citation("r.md", 1, 3, "- Flour: 900 g\\n- Salt: 20 g\\n- Yeast: none", 0, 41)
    >>> words = [{"flour", "900", "g"}, {"salt", "20", "g"}, {"yeast"}]
    >>> cut = trimmed(run, {"flour", "salt", "900", "20", "g"}, [Citation(*i) for i in (flour, salt, yeast)], words)
    >>> (cut.start_line, cut.end_line, cut.quote, cut.end_char)
    (1, 2, '- Flour: 900 g\\n- Salt: 20 g', 27)
    """
    by_line: dict[int, set[str]] = {}
    opening: dict[int, Citation] = {}  # each line's first sentence: where it is in a paged document
    for cited, words in zip(sentences, terms, strict=False):
        if _within(run, cited):
            by_line.setdefault(cited.start_line, set()).update(words)
            opening.setdefault(cited.start_line, cited)
    own = [
        line
        for line, words in by_line.items()
        if said & words - set().union(*(w for n, w in by_line.items() if n != line))
    ]
    if not own:
        return run
    first, last = min(own), max(own)
    lines = run.quote.split("\n")
    start = sum(len(line) + 1 for line in lines[: first - run.start_line])
    end = sum(len(line) + 1 for line in lines[: last - run.start_line + 1]) - 1
    return replace(
        run, start_line=first, end_line=last, quote=run.quote[start:end],
        start_char=run.start_char + start, end_char=run.start_char + end, page=opening[first].page,
        page_line=opening[first].page_line, page_name=opening[first].page_name,
    )  # fmt: skip


class Attributor:
    """Scores answer sentences against source sentences; lexical + semantic."""

    def __init__(
        self, embed_model: BaseEmbedding, lexical_weight: float = 0.5, sources: SentenceVectors | None = None
    ) -> None:
        self.embed_model = embed_model
        self.lexical_weight = lexical_weight
        # the source sentences' vectors, kept from question to question (none: each embedded every time)
        self.sources = sources
        self.wording = Wording()
        self.denying = Denials(self.wording)
        self.doing = Doers(self.wording)
        self.posting = Posts(self.wording)
        self.fielding = Fields(self.wording)
        self.editions = Editions(self.wording)
        self.swapping = Swaps(self.wording)

    def terms(self, text: str) -> set[str]:
        """Stemmed content words (``Wording.terms``)."""
        return self.wording.terms(text)

    def words_held(self, question: str, passages: Sequence[Passage]) -> bool:
        """Whether the passages shown of some document hold every content word of the question between them
        (``Evidence.words_held``), but for the words that only ask (``_ASKING``: "What happened to the rail
        link?" is answered by a line that says the rail link "was postponed"). One document's passages
        together: "What do I need to apply for the flat?" is answered by the last line of notes whose first
        line says they are "Notes on the flat", and the two lines fall in two passages.

        >>> shown = [Passage("a.txt", 1, 1, 0, "Pentagon spokesman Brig. Gen. Pat Ryder told reporters.", 1.0)]
        >>> a = Attributor(None)
        >>> a.words_held("Who is Pat Ryder?", shown), a.words_held("Who is Pat Smith?", shown)
        (True, False)
        >>> a.words_held("What happened to Pat Ryder?", shown), a.words_held("What happened?", shown)
        (True, False)
        >>> a.words_held("What do I need to know about Pat Ryder?", shown)
        True
        >>> top, end = Passage("n.txt", 1, 1, 0, "Notes on the flat.", 1.0), Passage("n.txt", 9, 9, 90, "Apply.", 1.0)
        >>> a.words_held("What do I need to apply for the flat?", [top, end])
        True
        >>> a.words_held("What do I need to apply for the flat?", [top, Passage("m.txt", 9, 9, 90, "Apply.", 1.0)])
        False
        """
        asked = self.terms(question) - self.terms(_ASKING)
        held_by: dict[str, set[str]] = {}
        for p in passages:
            held_by.setdefault(p.file, set()).update(self.terms(p.text))
        return bool(asked) and any(asked <= terms for terms in held_by.values())

    def completing(self, said: set[str], cited: set[str], asked: set[str], others: Sequence[set[str]]) -> int | None:
        """Which of ``others`` (source sentences' terms, the likeliest first) holds most of what a sentence
        of terms ``said`` says that the sentence it is cited to (``cited``) does not, where it holds
        ``ALSO_WORDS`` of those or more and half of them or more; the question's words (``asked``) aside:
        an answer restates them, and any sentence on the topic holds them. None: no sentence completes it.

        >>> a = Attributor(None)
        >>> said, asked = a.terms("Kirby intends to carefully monitor the relations."), a.terms("Kirby intends?")
        >>> line_1 = a.terms("The US is concerned about the relations, said Kirby.")
        >>> others = [a.terms("Putin will arrive."), a.terms("It intends to carefully monitor them.")]
        >>> a.completing(said, line_1, asked, others)
        1
        >>> a.completing(said, line_1, asked, [a.terms("He intends to monitor nothing else.")]) is None
        True
        """
        missing = said - held(said, cited) - held(said, asked)
        counts = [len(held(missing, terms)) for terms in others]
        best = max(range(len(counts)), key=counts.__getitem__, default=None)  # the first of the most: the likeliest
        return best if best is not None and counts[best] >= max(ALSO_WORDS, len(missing) / 2) else None

    def numbering(
        self, text: str, uncited: set[str], asked: set[str], cited: set[str], others: Sequence[tuple[str, set[str]]]
    ) -> int | None:
        """Which of ``others`` (source sentences with their terms, the likeliest first) states the numbers
        ``uncited`` that a sentence says and the lines cited for it (of terms ``cited``) do not, and holds
        another word of the sentence's clauses that state them, one the question (``asked``) and the lines
        cited do not hold (what the number is said of): "... due to the new evening hours and the dental unit
        opening in March 2025." cites "... said the growth came from the new evening hours and the dental
        unit." beside its best line, and "The dental unit opened in March 2025." for "March". None: none does
        ("In 1884, Tesla began ..." against "In 1882, Tesla began ...": the clause "In 1884" says nothing
        else; "The price of oil in 1979 ... was nearly $40 per barrel." against "... the price of oil had
        risen from US$3 per barrel to nearly $12": the line that states 1979's "nearly $40 per barrel" says
        nothing more of it).

        >>> a, march = Attributor(None), "The dental unit opened in March 2025."
        >>> said = "Visits grew, due to the evening hours and the dental unit opening in March 2025."
        >>> a.numbering(said, {"March"}, set(), a.terms("Visits grew."), [(march, a.terms(march))])
        0
        >>> met = "In 1884 he met Edison."
        >>> a.numbering("In 1884, Tesla began for Edison.", {"1884"}, set(), set(), [(met, a.terms(met))]) is None
        True
        """
        words = set().union(*(self.terms(c) for c in clauses(text) if numbers(c) & uncited))
        words -= held(words, asked) | held(words, cited) | held(words, {w.lower() for w in uncited})
        for i, (quote, terms) in enumerate(others):
            if not unread_numbers(uncited, numbers(quote)) and held(words, terms):
                return i
        return None

    def candidates(self, passages: Sequence[Passage]) -> list[Citation]:
        """Every sentence of every passage, as a citation it could become."""
        seen: dict[tuple[str, int], Citation] = {}
        for p in passages:
            for span in sentence_spans(p.text):
                start = p.start_char + span.start
                line = p.start_line + p.text.count("\n", 0, span.start)
                quote = p.text[span.start : span.end]
                key = (p.file, start)
                if key not in seen:
                    last = line + quote.count("\n")  # a sentence of a wrapped paragraph runs over lines
                    seen[key] = Citation(p.file, line, last, quote, start, start + len(quote), *p.page_at(line))
        return list(seen.values())

    def lists(self, passages: Sequence[Passage]) -> list[Citation]:
        """Each run of two or more list items on lines one after another in a passage, as one citation of
        them all: what an answer sentence that gathers a list is cited to. Its items, each a sentence of its
        own (``candidates``), matched it each by a few of its words: asked "What are the ingredients of the
        sourdough?", the 1.5B model's "The ingredients of the sourdough are 900 g bread flour, 100 g whole
        wheat flour, 750 g water at 30 degrees, 200 g active starter, and 20 g salt." matched its best item
        at 0.18, and was withheld.

        >>> shown = [Passage("r.md", 4, 8, 30, "Makes two.\\n- 900 g flour\\n- 20 g salt\\n\\nMix it.", 1.0)]
        >>> [(c.start_line, c.end_line, c.quote) for c in Attributor(None).lists(shown)]
        [(5, 6, '- 900 g flour\\n- 20 g salt')]
        """
        seen: dict[tuple[str, int, int], Citation] = {}
        for p in passages:
            runs: list[list] = []
            for line in line_spans(p.text):
                if not _ITEM.match(p.text, line.start, line.end):
                    continue
                if runs and runs[-1][-1].line == line.line - 1:
                    runs[-1].append(line)
                else:
                    runs.append([line])
            for run in runs:
                if len(run) < 2:
                    continue
                first, last = run[0], run[-1]
                start, end = p.start_char + first.start, p.start_char + last.end
                seen.setdefault(
                    (p.file, start, end),
                    Citation(
                        p.file, p.start_line + first.line - 1, p.start_line + last.line - 1,
                        p.text[first.start : last.end], start, end, *p.page_at(p.start_line + first.line - 1),
                    ),
                )  # fmt: skip
        return list(seen.values())

    def unsaid_names(self, question: str, passages: Sequence[Passage]) -> dict[str, set[str]]:
        """The names a question asks of (a word it spells with a capital, but its first, of two letters or more)
        that no passage holds (in its text, its file's name or its title), each with its terms. An answer
        sentence that says one is about what the documents never mention: asked "How much does the Enterprise
        plan cost?" of a price table with a Business plan, the 1.5B model answered "The Enterprise plan costs 99
        euros per month."; asked "What typically sits Tuesdays, Wednesdays, and Fridays?" of a parliament that
        sits on Tuesdays, Wednesdays and Thursdays, it answered that the parliament did.

        >>> shown = [Passage("pricing.md", 1, 1, 0, "Plan: Business; Price: 99 euros", 1.0, title="Cloudnest plans")]
        >>> Attributor(None).unsaid_names("How much does the Enterprise plan of Cloudnest cost?", shown)
        {'Enterprise': {'enterpris'}}
        >>> Attributor(None).unsaid_names("How Much Does The Enterprise Plan Cost?", shown)  # a title's capitals
        {}
        """
        words = [word for word in WORD.findall(question)[1:] if len(_POSSESSIVE.sub("", word)) > 1]  # "V&A's"
        words = [_POSSESSIVE.sub("", word) for word in words]
        if sum(word[0].isupper() for word in words) * 2 > len(words):  # "What Time Does The Gym Open?": no names
            return {}
        asked = {word: terms for word in words if word[0].isupper() and (terms := self.terms(word))}
        if not asked:
            return {}
        shown = " ".join(f"{p.text} {p.file} {p.title or ''} {' '.join(p.page_names)}" for p in passages)
        seen = self.terms(shown) | self.terms(" ".join(numbers(shown)))  # a date's month: "2026-09-11" of September
        return {word: terms for word, terms in asked.items() if not terms & seen}

    def mentioned(
        self, question: str, cited: Citation, elsewhere: Mapping[str, str], passages: Sequence[Passage]
    ) -> bool:
        """Whether a line of another edition of a series than the one the question names (``elsewhere``:
        ``Editions.named``) answers it all the same: it mentions the edition, with what the question asks of it
        (``Editions.mentions``)."""
        named = [p for p in passages if p.file == elsewhere[cited.file]]
        return self.editions.mentions(question, cited.quote, named)

    def preceding(self, passages: Sequence[Passage]) -> dict[Citation, str]:
        """Each sentence of the passages, as a citation of it, with the sentence before it in its
        passage (a passage's first has none): what a cited sentence may lean on ("It could offer ...").

        >>> shown = [Passage("a.txt", 1, 2, 0, "Kim met Putin.\\nIt could offer ammunition.", 1.0)]
        >>> list(Attributor(None).preceding(shown).values())
        ['Kim met Putin.']
        """
        out = {}
        for p in passages:
            cands = self.candidates([p])
            out |= {later: earlier.quote for earlier, later in zip(cands, cands[1:], strict=False)}
        return out

    def answering(self, passages: Sequence[Passage]) -> dict[Citation, Citation]:
        """Each sentence of the passages that opens the line after a line asking a question (an FAQ's: the
        line alone, or after a blank line), with that line: what it answers, though its own words need not
        say so (``asking``). "Tell the school office by 1 September; ..." under "**What if my child has
        allergies?**" supports "Allergies must be reported by 1 September." (0.37 to the question's line,
        less to its own).

        >>> faq = "**Are phones allowed?**\\nPhones are collected at 21:00. They come back at breakfast."
        >>> answers = Attributor(None).answering([Passage("f.md", 4, 5, 0, faq, 1.0)])
        >>> [(c.start_line, c.quote, asking(line)) for c, line in answers.items()]
        [(5, 'Phones are collected at 21:00.', 'Are phones allowed?')]
        """
        out = {}
        for p in passages:
            cands = self.candidates([p])
            for earlier, later in zip(cands, cands[1:], strict=False):
                asked = _ASKED_LINE.fullmatch(earlier.quote)
                before = p.text[: earlier.start_char - p.start_char]
                between = p.text[earlier.end_char - p.start_char : later.start_char - p.start_char]
                if (
                    asked
                    and (not before or before.endswith("\n"))
                    and between.startswith("\n")
                    and not between.strip()
                    and between.count("\n") <= 2
                ):
                    out[later] = earlier
        return out

    def lead_ins(self, passages: Sequence[Passage]) -> dict[Citation, str]:
        """What the verifier is shown before each sentence of the passages (``cited_quotes``): the Markdown
        heading it is under, where the passages show it and every line down to the sentence ("[Root
        cause]"). Shown "The gateway's certificate was issued by hand ... and was not covered by the
        automatic renewal job" alone, the 1.5B judge gave "What caused the outage?" 0.49; under "[Root
        cause]", 0.65 ("What caused the fire?": 0.34, 0.47). A section's sentences answer what its heading
        asks ("What went well?": 0.48 alone, 0.84 under its heading; asked "What went wrong?" of it, 0.34
        and 0.25).

        A sentence is shown under its document's title too, where it has one (``Passage.title``), before its
        heading, or alone where no heading is shown: "Whitefly was found on Black Krim ..." answered "What pest
        was found on the tomatoes?" at 0.33 alone, at 0.80 under "[Greenhouse log, spring trial of tomato
        varieties]"; "The committee offered the role to Tomasz Wolny." answered "Who got the data engineer
        job?" at 0.40 under "[Decision]", at 0.82 under "[Hiring committee notes: data engineer role]
        [Decision]" ("Who got the marketing manager job?": 0.14).

        >>> shown = [Passage("a.md", 1, 3, 0, "## Root cause\\nIt expired.\\nNobody saw.", 1.0)]
        >>> sorted(Attributor(None).lead_ins(shown).values())
        ['[Root cause]', '[Root cause]']
        >>> sorted(Attributor(None).lead_ins([Passage("g.txt", 9, 9, 90, "Whitefly.", 1.0, title="Log")]).values())
        ['[Log]']
        >>> shown = [Passage("h.md", 1, 3, 0, "# Hiring\\n## Decision\\nWe chose Tomasz.", 1.0, title="Hiring")]
        >>> sorted(Attributor(None).lead_ins(shown).values())
        ['[Hiring] [Decision]']

        An FAQ's answer is shown under its question (``answering``): "Tell the school office by 1 September;
        ..." answered "When must allergies be reported?" at 0.56 alone, at 0.78 under "[What if my child has
        allergies?]".

        >>> shown = [Passage("f.md", 1, 2, 0, "## Trip\\n**Are phones allowed?**\\nThey are collected.", 1.0)]
        >>> Attributor(None).lead_ins(shown)[Attributor(None).candidates(shown)[2]]
        '[Trip] [Are phones allowed?]'
        """
        out: dict[Citation, str] = {}
        for file in dict.fromkeys(p.file for p in passages):
            mine = [p for p in passages if p.file == file]
            shown = set().union(*(range(p.start_line, p.end_line + 1) for p in mine))
            title = next((p.title for p in mine if p.title), None)
            heading = None
            for cited in sorted(self.candidates(mine), key=lambda c: c.start_char):
                if _HEADING.match(cited.quote):
                    heading = cited
                elif heading is not None and shown >= set(range(heading.start_line, cited.start_line)):
                    section = _HEADING.sub("", heading.quote, count=1).strip().rstrip("#").strip()
                    out[cited] = " ".join(f"[{name}]" for name in dict.fromkeys(filter(None, (title, section))))
                elif title is not None and cited.start_line > 1:  # the title's own line needs none
                    out[cited] = f"[{title}]"
        for answer, line in self.answering(passages).items():  # an FAQ's answer under its question (where
            if not _HEADING.match(line.quote):  # it is no heading: that is shown already)
                out[answer] = " ".join(filter(None, (out.get(answer), f"[{asking(line)}]")))
        return out

    def with_sentence_before(
        self, lead_ins: Mapping[Citation, str], passages: Sequence[Passage]
    ) -> dict[Citation, str]:
        """``lead_ins`` (``Attributor.lead_ins`` of ``passages``) with the sentence before each sentence in its
        passage after them, but for a heading (it is there already): what a second look shows
        (``preceding``, ``Decider.looks_again``).

        >>> shown = [Passage("a.md", 1, 3, 0, "## Root cause\\nIt expired.\\nNobody saw.", 1.0)]
        >>> a = Attributor(None)
        >>> sorted(a.with_sentence_before(a.lead_ins(shown), shown).values())
        ['[Root cause]', '[Root cause] It expired.']
        """
        out = dict(lead_ins)
        for later, earlier in self.preceding(passages).items():
            if not _HEADING.match(earlier):
                out[later] = " ".join(filter(None, (out.get(later), earlier)))
        return out

    def attribute(self, sentences: Sequence[str], passages: Sequence[Passage], question: str = "") -> list[Support]:
        """The best-supported source sentence for each answer sentence. A sentence that denies what a
        source sentence does not (``denies``) is matched by it at ``CONTRADICTED`` its score: it is
        cited to a source sentence that denies it too where one matches nearly as well, and else
        falls under the threshold that would have cited it; one that does not deny is matched at
        ``CONTRADICTED`` by a source sentence that denies a word it says (``denied``), and by every
        source sentence where the one it matches best denies it (which it stays cited to), or one that
        denies it matches it nearly as well as the best (``RIVAL``). One that
        states a number no passage holds (``unread_numbers``) is matched at ``CONTRADICTED`` by every
        source sentence, where the one it matches best states a number of its own (one that states
        none: a number restated from the question, "the early 1200s", beside a sentence that says no
        year, is not gainsaid by it). A score these checks lowered keeps what lowered it, in plain
        words, and the score before (``Support.doubts``, ``Support.undoubted``): the reader is told
        why, where it decided. A sentence part of which its best match does not hold is cited to a second
        source sentence of the same document too, where one holds that part (``completing``): none that says
        otherwise (denies what it says, or says without denial what it denies), and none where the checks doubt
        it as a whole."""
        cands = self.candidates(passages)
        if not sentences or not cands:
            return [Support(s, None, 0.0) for s in sentences]
        items = len(cands)  # the sentences; after them, the runs of list items (``lists``)
        cands += self.lists(passages)
        cand_terms = [self.terms(c.quote) for c in cands]
        claims = [claim(s) or s for s in sentences]  # an opening yes is checked apart (``Verifier.says_yes``)
        scores = self._scores(claims, cands, cand_terms)
        if answers := self.answering(passages):  # an FAQ's answer matches as read with its question, where
            read = [i for i, c in enumerate(cands[:items]) if c in answers]  # that matches better
            heard = [replace(cands[i], quote=f"{asking(answers[cands[i]])} {cands[i].quote}") for i in read]
            scores[:, read] = np.maximum(scores[:, read], self._scores(claims, heard))
        before = None  # each candidate's sentence before it, once a sentence needs it
        if after := [i for i, c in enumerate(cands[:items]) if _PERSON.search(c.quote) and not _names(c.quote)]:
            before = self.preceding(passages)  # one that names no one but by a pronoun matches as read with
            after = [i for i in after if _names(before.get(cands[i], ""))]  # the names of the sentence before
        if after:  # it, where that matches better ("Call him on 0161 555 0199." after "... is Tom Becker.")
            heard = [replace(cands[i], quote=f"{' '.join(_names(before[cands[i]]))} {cands[i].quote}") for i in after]
            scores[:, after] = np.maximum(scores[:, after], self._scores(claims, heard))
        gathered(scores, [self.terms(text) for text in claims], cands, cand_terms, items)
        # a heading, or a line that asks what the lines under it answer (an FAQ's), says nothing of it
        asking_lines = set(answers.values())
        statements_first(scores, np.array([bool(_HEADING.match(c.quote)) or c in asking_lines for c in cands]))
        asked = self.terms(question)
        rejections = [self.denying.rejected(c.quote) for c in cands]
        denying = np.array([denies(c.quote) or bool(r) for c, r in zip(cands, rejections, strict=True)])
        gainsayers = [
            self.denying.denied(c.quote) + self.denying.hedged(c.quote) + r
            for c, r in zip(cands, rejections, strict=True)
        ]
        deeds = [self.doing.deed(text) for text in claims]  # who did what, where a sentence says so (few do)
        doers = [self.doing.doers(c.quote) if any(deeds) else [] for c in cands]
        acting = [self.doing.acting(c.quote) if any(deeds) else [] for c in cands]  # a name, then its act
        given = [self.posting.given(text) for text in claims]  # who holds what post, where a sentence says so
        titled = [self.posting.titled(c.quote) if any(given) else [] for c in cands]
        rows = [self.fielding.row(c.quote) for c in cands]  # a CSV's or a sheet's rows: "colour: red; ..."
        asked_fields = self.fielding.words(question) if any(rows) else (frozenset(), frozenset())
        # the numbers the prompt showed: the passages' text, and their files' and pages' names ("2024" sheet)
        shown = set().union(*(numbers(" ".join([p.text, p.file, *p.page_names])) for p in passages))
        restated = numbers(question)
        unsaid = self.unsaid_names(question, passages)  # names the question asks of that no passage holds
        # the words an answer sentence may take from elsewhere than its line (``Swaps.swapped`` passes over
        # its line's own)
        told = asked.union(*cand_terms[:items])
        elsewhere = self.editions.named(question, passages)  # documents of a series the question asks not of
        off = np.array([c.file in elsewhere for c in cands])
        out = []
        for row, sentence, text, deed, posts in zip(scores, sentences, claims, deeds, given, strict=True):
            undoubted, doubts, in_doubt = float(row.max()), [], False  # in doubt: no second source either
            by_numbers = 0  # how many of the doubts are the number checks'
            mine = self.terms(text)
            # an answer's verb of denial reports a denial ("North Korea denied arms deals"): what it says is
            # what a source says in its own words, often another's ("a groundless version of arms deals")
            denial = next((m for m in denials(text) if not DISAVOWAL.fullmatch(m.group(0))), None)
            if denial:
                denied = self.denying.denied(text)
                # a source sentence without a denial says otherwise; where this one also says the word it
                # denies without denial ("is not concerned about this trip but is concerned about the
                # relations"), only one that says what it denies does (``says_undenied``)
                said = [self.terms(word) for word in WORD.findall(text)]
                both_ways = any(sum(bool(d.governed & t) for t in said) > 1 for d in denied)
                contrary = ~denying
                if both_ways:
                    contrary &= np.array([any(self.denying.says_undenied(d, t) for d in denied) for t in cand_terms])
                if contrary[int(np.argmax(row))]:
                    doubts.append(f'the source says it without "{denial.group(0).lower()}"')
                row[contrary] *= CONTRADICTED
                # a second source may say what the sentence says beside its denial, not what it denies: where
                # it says the word both ways, it may say the word without the rest of what is denied
                governed = set().union(*(d.governed for d in denied))
                against = contrary & np.array([bool(governed & terms) for terms in cand_terms])
            else:  # a source sentence that denies what this one says, in the words this one says it with
                stated = self.fielding.words(text) if any(rows) else (frozenset(), frozenset())
                gainsaid = [  # or names another as the doer of what this one says was done, or as the post's holder,
                    # or a row gives a field of it the value the sentence gives another row's, or the question
                    # asks of another row
                    next((d.said for d in ds if self.denying.gainsays(d, mine) and not d.reported_in(text)), "")
                    or next((d.said for d in named if deed and self.doing.miscasts(deed, d, terms, asked)), "")
                    or next((d.said for d in acts if deed and self.doing.recasts(deed, d, terms)), "")
                    or self.posting.miscast(posts, held_posts, terms)
                    or self.fielding.miscast(stated, fielded, rows)
                    or self.fielding.misnamed(text, fielded)
                    or self.fielding.unasked(asked_fields, fielded, rows)
                    for ds, named, acts, held_posts, terms, fielded in zip(
                        gainsayers, doers, acting, titled, cand_terms, rows, strict=True
                    )
                ]
                top = int(np.argmax(row))
                rival = max((j for j, said in enumerate(gainsaid) if said), key=row.__getitem__, default=None)
                against = np.array([bool(g) for g in gainsaid])  # and no second source gives its post to another
                against |= np.array([bool(posts) and self.posting.others(posts, holders) for holders in titled])
                if said := gainsaid[top]:  # the sentence it matches best says otherwise: it stays cited, so the
                    doubts.append(f'the source says "{said}"')  # reader sees what it says, and none supports it
                    in_doubt = True
                elif rival is not None and row[rival] >= RIVAL * row[top]:
                    doubts.append(f'a source says "{gainsaid[rival]}"')  # the sources disagree on it
                    in_doubt = True
                elif posts and (taken := self.posting.taken(posts, titled)):  # its post is another's, and no
                    doubts.append(f'a source says "{taken}"')  # source gives it to the one it names
                    in_doubt = True
                if in_doubt:
                    row *= CONTRADICTED
                else:
                    row[against] *= CONTRADICTED
            speaker = SPEAKER.match(text)  # "Adrienne Watson said that ...": the line must say who said it
            if speaker and not in_doubt:
                before = before if before is not None else self.preceding(passages)
                cited = cands[int(np.argmax(row))]
                if self.doing.unspoken(
                    speaker.group("who"), cited.quote, before.get(cited, "") + " " + led(cited, passages)
                ):
                    row *= CONTRADICTED
                    doubts.append(f"the source does not say {speaker.group('who').strip()} said it")
                    in_doubt = True
            unread = unread_numbers(numbers(text), shown)
            if unread and numbers(cands[int(np.argmax(row))].quote):
                row *= CONTRADICTED  # a number no passage holds, where the best match states another
                doubts.append(_are(unread, _NOWHERE))
                in_doubt, by_numbers = True, by_numbers + 1
            if unsaid and (unnamed := [word for word, terms in unsaid.items() if terms <= mine]):
                row *= CONTRADICTED  # a name the question asks of, which no passage holds
                doubts.append(_is([f"“{word}”" for word in unnamed], _NOWHERE))
                in_doubt = True
            top = int(np.argmax(row))  # a word of the question or of another line, in the place of one its
            if not in_doubt and (swap := self.swapping.swapped(text, [cands[top].quote], told)):  # line says:
                row *= CONTRADICTED  # "The client holds ..." of "The contractor holds ..."
                doubts.append(f'the source says "{swap}"')
                in_doubt = True
            cited = cands[int(np.argmax(row))]
            if cited.file in elsewhere and not in_doubt and not self.mentioned(question, cited, elsewhere, passages):
                row[off] *= CONTRADICTED  # another edition's line than the one the question names
                if off[best := int(np.argmax(row))]:
                    named = self.editions.name(elsewhere[cands[best].file], passages)
                    doubts.append(f"the question asks of “{named}”")
                    in_doubt = True
            cited = cands[int(np.argmax(row))]
            if not in_doubt and (misnamed := self.editions.misnamed(text, cited.file, cited.quote, passages)):
                row[[c.file == cited.file for c in cands]] *= CONTRADICTED  # it names another edition than
                if cands[best := int(np.argmax(row))].file == cited.file:  # the one its line is of
                    doubts.append(
                        f"the source is “{self.editions.name(cited.file, passages)}”, "
                        f"not “{self.editions.name(misnamed, passages)}”"
                    )
                    in_doubt = True
            best = int(np.argmax(row))
            said = numbers(text) - restated  # a number restated from the question is the reader's own
            if said and not in_doubt:  # a line nearly as near that states its numbers, where the best states others
                best = _stating(row, best, said, cands[:items], mine - number_terms(mine), cand_terms)
            others = (
                []
                if in_doubt
                else [  # a second source is of the same document: one of another that holds
                    j  # the words its best line lacks holds them by chance ("costs ... euros" of a hotel's rate)
                    for j in np.argsort(-row, kind="stable")
                    if j != best and j < items and not against[j] and cands[j].file == cands[best].file
                ]
            )
            also = self.completing(mine, cand_terms[best], asked, [cand_terms[j] for j in others])
            numbered = None  # a further source, for numbers neither holds (``numbering``)
            if said and not in_doubt and numbers(cands[best].quote):
                before = before if before is not None else self.preceding(passages)
                cited = [cands[best]] + ([] if also is None else [cands[others[also]]])
                uncited = unread_numbers(said, numbers(" ".join([before.get(cited[0], ""), *(c.quote for c in cited)])))
                rest = [j for k, j in enumerate(others) if k != also]
                if uncited:  # a line that states them, and says what the sentence says with them
                    known = cand_terms[best] | (set() if also is None else cand_terms[others[also]])
                    k = self.numbering(text, uncited, asked, known, [(cands[j].quote, cand_terms[j]) for j in rest])
                    numbered = None if k is None else cands[rest[k]]
                    uncited = uncited if numbered is None else unread_numbers(uncited, numbers(numbered.quote))
                if uncited:
                    row *= CONTRADICTED  # a passage holds it, and the line cited states another: "In 1884,
                    in_doubt, also, numbered = True, None, None  # Tesla began ..." against "In 1882, ..."
                    doubts.append(_are(uncited, _UNCITED.format("s" * (len(cited) > 1))))
                    by_numbers += 1
            score = round(float(row[best]), 4)
            lowered = doubts and score < undoubted
            out.append(
                Support(
                    sentence,
                    cands[best] if best < items else trimmed(cands[best], mine, cands[:items], cand_terms),
                    score,
                    tuple(doubts) if lowered else (),
                    round(undoubted, 4) if lowered else None,
                    also=None if also is None else cands[others[also]],
                    numbered=numbered,
                    misnumbered=bool(lowered) and by_numbers == len(doubts),
                )
            )
        return out

    def ranked_in_each(self, query: str, passages: Sequence[Passage]) -> list[list[Support]]:
        """For each passage, its sentences by how well they match ``query``, best first (a search's
        hit opens at the best), by the same word overlap and embedding similarity; one embedding
        batch for them all."""
        own = [self.candidates([p]) for p in passages]
        every = [c for cands in own for c in cands]
        if not every:
            return [[] for _ in passages]
        (scores,) = self._scores([query], every)
        out, start = [], 0
        for cands in own:
            mine = scores[start : start + len(cands)]
            order = np.argsort(-mine, kind="stable")
            out.append([Support(query, cands[i], round(float(mine[i]), 4)) for i in order])
            start += len(cands)
        return out

    def closest(self, question: str, passages: Sequence[Passage]) -> Passage | None:
        """The passage holding the sentence that matches the question best (``nearest_line``), the first
        of equals; None where no passage has a sentence."""
        found = self._nearest_in(question, passages)
        return None if found is None else passages[found[0]]

    def _scores(
        self, sentences: Sequence[str], cands: Sequence[Citation], cand_terms: Sequence[set[str]] | None = None
    ) -> np.ndarray:
        """How well each candidate supports each sentence, 0-1: a row a sentence (``cand_terms``: the
        candidates' terms, where the caller has them)."""
        semantic = self._cosine(list(sentences), [c.quote for c in cands])
        cand_terms = cand_terms if cand_terms is not None else [self.terms(c.quote) for c in cands]
        rows = []
        for i, sentence in enumerate(sentences):
            mine = self.terms(sentence)
            lexical = np.array([len(mine & t) / len(mine) if mine else 0.0 for t in cand_terms])
            rows.append(self.lexical_weight * lexical + (1 - self.lexical_weight) * semantic[i])
        return np.array(rows)

    def nearest_line(self, question: str, passages: Sequence[Passage]) -> Support | None:
        """The sentence of the passages nearest the question (``ranked_in_each``'s score), the first of
        equals; None where the passages have no sentence."""
        found = self._nearest_in(question, passages)
        return None if found is None else found[1]

    def _nearest_in(self, question: str, passages: Sequence[Passage]) -> tuple[int, Support] | None:
        """Which passage holds the sentence nearest the question, and that sentence (``ranked_in_each``'s
        score): the first of equals; None where the passages have no sentence."""
        ranked = self.ranked_in_each(question, passages)
        elsewhere = self.editions.named(question, passages)  # of a series, the edition the question names
        firsts = [(i, found[0]) for i, found in enumerate(ranked) if found and passages[i].file not in elsewhere]
        return max(firsts, key=lambda first: first[1].score, default=None)

    def saying_no(self, question: str, passages: Sequence[Passage], line: Support | None = None) -> Support | None:
        """The sentence of the passages nearest a question asked yes or no (``nearest_line``, or ``line``
        where the caller has it), where it says no to it (``Denials.says_no``): what answers it where the
        model's answer is withheld (``Evidence.says_no``): a denial or rejection in it gainsays the question, or
        it states another number than the question's (``numbers_say_no``), or it gives the post the question asks
        whether someone holds to another (``Posts.refused``). None: the question is not asked yes
        or no, or its nearest sentence does not say no (a lower one that does is not taken: the nearest may say
        yes). Where the question states a number the nearest sentence lacks and another sentence holds them
        all, that one is the question's line (``stating``)."""
        if not asks_yes_or_no(question):
            return None
        line = line or self.nearest_line(question, passages)
        if line is None or line.citation is None:
            return None
        line = self.stating(question, passages, line)
        quote = line.citation.quote
        says_no = self.denying.says_no(quote, question) or self.numbers_say_no(quote, question)
        return line if says_no or self.posting.refused(question, quote) else None

    def stating(self, question: str, passages: Sequence[Passage], line: Support) -> Support:
        """The sentence of the passages nearest the question among those stating every number it states, where
        ``line`` (its nearest) lacks one and such a sentence holds more than half its terms, numbers among them;
        else ``line``.
        "Are heaters with serial B20-25 affected?" is nearest "Heaters with serial numbers starting with B20-24
        are affected.", which says no to it by its numbers only; the next sentence, "Those starting with B20-25
        are not affected.", is what answers it.

        >>> a = Attributor(None)
        >>> line = Support("q", Citation("r.txt", 1, 1, "Those starting with B20-24 are affected.", 0, 40), 0.8)
        >>> a.stating("Is B20-24 affected?", [], line) is line  # the nearest holds the question's numbers
        True
        """
        said = numbers(question)
        if not said or not unread_numbers(said, numbers(line.citation.quote)):
            return line
        asked = self.terms(question)
        holding = (
            found
            for ranked in self.ranked_in_each(question, passages)
            for found in ranked
            if not unread_numbers(said, numbers(found.citation.quote))
            and 2 * len(held(asked, self.terms(found.citation.quote))) > len(asked)
        )
        return max(holding, key=lambda found: found.score, default=line)

    def numbers_say_no(self, quote: str, question: str) -> bool:
        """Whether a source sentence says no to a question asked yes or no by its numbers: the question states
        a number it does not hold (``unread_numbers``), where it states another, and it holds more than half
        the question's other words (half is too little: "Does the clinic have 5 ambulances?" of "The clinic
        employs 62 staff, ..."). The 1.5B model answers such questions yes with the question's number
        ("Yes, the rent is 1,200 euros a month cold, ...") or declines them.

        >>> a, line = Attributor(None), "Rent is 1,150 euros a month cold, plus 210 euros for heating."
        >>> [a.numbers_say_no(line, f"Is the rent {n} euros a month?") for n in ("1,200", "1,150")]
        [True, False]
        >>> a.numbers_say_no(line, "Was the rent last raised in March 2025?")  # a line about something else
        False
        """
        said, stated = numbers(question), numbers(quote)
        if not stated or not unread_numbers(said, stated):
            return False
        asked = self.terms(question)
        words = asked - number_terms(asked)
        return 2 * len(held(words, self.terms(quote))) > len(words)

    def evidence(self, question: str, passages: Sequence[Passage], raw: str) -> Evidence:
        """What the model said, with every sentence's best support: all an answer is decided from. The
        sentence nearest the question is read once, where a question asked yes or no or a number the model
        changed needs it (``saying_no``, ``misread``)."""
        supports = self.attribute(answer_sentences(raw), passages, question)
        held, nearest = self.words_held(question, passages), self.nearest(question, passages)
        changed = [s.citation for s in supports if misread(s, question)]
        line = self.nearest_line(question, passages) if changed or asks_yes_or_no(question) else None
        return Evidence(
            question, list(passages), raw, supports, words_held=held, nearest=nearest,
            says_no=self.saying_no(question, passages, line),
            misread=line if line is not None and line.citation in changed else None,
        )  # fmt: skip

    def nearest(self, question: str, passages: Sequence[Passage]) -> float | None:
        """The best cosine of the question with a sentence of the passages (None: no question, or no
        sentence): where the passages are far from the question as a whole, whether one says what it asks."""
        cands = self.candidates(passages)
        if not question or not cands:
            return None
        return round(float(self._cosine([question], [c.quote for c in cands]).max()), 4)

    def _cosine(self, left: list[str], right: list[str]) -> np.ndarray:
        """The cosine of each of ``left`` (what is said: new each time) with each of ``right`` (source
        sentences: kept, where ``sources`` keeps them)."""
        if self.sources is None:
            vectors = unit(np.array(self.embed_model.get_text_embedding_batch(left + right), dtype=float))
            return vectors[: len(left)] @ vectors[len(left) :].T
        said = unit(np.array(self.embed_model.get_text_embedding_batch(left), dtype=float))
        return said @ self.sources(right).T
