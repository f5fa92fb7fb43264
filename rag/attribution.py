"""Attribute each answer sentence to the source sentence that supports it.

Small models cite badly, so the model's own ``[n]`` markers are ignored: every
answer sentence is compared with every sentence of the retrieved passages, by
word overlap (stemmed content words) and by embedding similarity, and cited to
the best one. The citation names the line(s) and the exact character span of that
source sentence. Whether a score is high enough to count is decided elsewhere
(``rag.decision``), so recorded scores can be replayed under other thresholds.

This module does not retrieve, call the LLM or decide.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np
import Stemmer
from lemminflect import getAllInflections, getAllLemmas, getInflection, getLemma
from llama_index.core.base.embeddings.base import BaseEmbedding

from index.chunking import sentence_spans
from rag.sentence_vectors import SentenceVectors, unit
from rag.types import Citation, Evidence, Passage, Support

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_YES = re.compile(r"\W*yes\b[\W_]*", re.IGNORECASE)
_MODEL_MARKER = re.compile(r"\s*\[(?:\d+(?:\s*[,;-]\s*\d+)*|source[^\]]*)\]")
# (every form of "say": "What did Maria Lindqvist say?" held "say", which "Maria Lindqvist said ..." did not,
# and was refused as far from every passage)
_STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have he
    her hers him his how i if in into is it its me my no nor not of on or our she so such than
    that the their them then there these they this those to too under up us was we were what
    when where which while who whom whose why will with would you your also any all about said
    says say saying according""".split()
)


_ORDINAL = r"(?:first|second|third|fourth|fifth|last|\d+(?:st|nd|rd|th))"
_SOURCE = r"(?:sources?|passages?|documents?|text|context|excerpts?)"
# A sentence that only points at a source, as the small models sometimes add after an answer; read after
# strip_markers, so "This is stated in source [2]." arrives as "This is stated in source.", and "This
# process is described in [1]." as "This process is described in."; a source named by its title ("in
# the Victoria and Albert Museum text") is one whose words are capitalized.
_SOURCE_REMARK = re.compile(
    rf"""^(?:this|that|it|the\s+(?:above\s+)?(?:answer|information|statement))
    (?:\s+(?:information|process|fact|detail|answer|statement))?\s+
    (?:is|was|are|can\s+be)\s+(?:also\s+)?(?:directly\s+)?
    (?:supported|stated|mentioned|found|seen|given|shown|confirmed|provided|indicated|taken|based
    |described|explained|discussed|noted|outlined|reported)
    (?:
        (?:\s+(?:by|in|from|on))?(?:\s+the)?(?:\s+text\s+(?:in|of))?
        (?:\s+the)?(?:\s+{_ORDINAL}\s+(?:sentence|line|paragraph)\s+(?:of|in))?
        (?:\s+the)?(?:\s+{_ORDINAL})?\s+{_SOURCE}(?:\s+and)?
    |\s+(?:by|in|from|on)(?:\s+the)?\s+(?-i:[A-Z])[\w'’-]*(?:\s+(?:(?-i:[A-Z])[\w'’-]*|and|of|the|on)){{0,6}}
        \s+(?:text|article|document|passage|source|page)s?
    |\s+(?:by|in|from|on)
    )\s*[.!]?$
    |^the\s+(?:supporting|relevant|cited)\s+{_SOURCE}\s+(?:is|are)\s*[.!]?$""",
    re.IGNORECASE | re.VERBOSE,
)


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
_DISAVOWAL = re.compile(r"\b(?:den(?:y|ies|ied|ying)|refut(?:e|es|ed|ing)|rebut(?:s|ted|ting)?)\b", re.IGNORECASE)
# A word that puts what follows as another's claim, not the source's own: "The foreign ministers of ... US
# allies had previously stated that Russia allegedly used weapons supplied from the DPRK ..." was cited for
# "Russia used weapons supplied from the DPRK to attack Ukraine's critical infrastructure." (``hedged``)
_HEDGE = re.compile(r"\b(?:allegedly|purportedly|supposedly|reportedly)\b", re.IGNORECASE)
# what marks a sentence as a report of a claim or of its denial, not the claim: "is accused of", "stated
# that" ("the United States" is no report: a form of "state" reports only with "that" after it)
_REPORTED = re.compile(
    r"\b(?:accus|alleg|claim|report|rumou?r|suspect|suppos|purport)\w*|\bstat(?:e|ed|es|ing)\s+that\b"
    r"|\bstatements?\b|\b(?:said|says?)\b|" + _DISAVOWAL.pattern,
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\bno\s+longer\b|\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot)\b|\w+n['’]t\b|" + _DISAVOWAL.pattern,
    re.IGNORECASE,
)  # "no longer" as one: what it denies is the word after "longer"
_NOT_A_DENIAL = re.compile(r"\s+(?:only|until|just|merely|least|later|sooner|more|less|doubt|matter)\b", re.I)
# a sentence's clauses, near enough: what its commas, brackets and full stops part (two sentences Punkt
# took for one, at an abbreviation it does not know, are two clauses)
_CLAUSE = re.compile(r"(?:[^,;:()\[\]—.]|\.(?!\s))+")
# Words a question asks with, which no passage that answers it need hold (``Attributor.words_held``)
_ASKING = "happen mean tell describe explain"
# Who did what. A source sentence names an act's doer with "by" after a participle ("produced by a young Roone
# Arledge") or "of" after a noun ("at the invitation of Russian dictator Vladimir Putin"); the name runs to
# the end of its clause, a preposition or a relative word; a participle as an adjective names the act and
# no doer ("Kim Jong-un's announced visit": ``doers``). An answer sentence that says someone else the sentence
# names did it ("The White House invited Kim Jong-un to Russia ...", asked "Who invited Kim Jong-un to
# Russia?" of the sample news) says otherwise (``miscasts``). Only an answer sentence whose first
# clause opens with its doer and a verb in the simple past is read so (``deed``): a passive, "there was", a
# verb after "has" or "will", a relative clause say their doer otherwise, or not at all.
_OF_DOER = re.compile(r"\b(by|of)\s+")
_DOER_ENDS = frozenset(
    "to in on at by for with from into after before during since who which that when while as".split()
)
_NOT_A_DEED = frozenset(
    """am is are was were be been being get gets got become became has have had do does did will would can
    could may might must should shall there who which that whom""".split()
)
CONTRADICTED = 0.5  # what such a match's score is multiplied by: under any threshold it passed before
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


class Denial(NamedTuple):
    """A denial in a source sentence (``Attributor.denied``)."""

    said: str  # its words: "no oxygen"
    governed: set[str]  # the stemmed terms of the word it denies (words: "not provide or sell")
    clause: set[str]  # and of the clause it is in
    then: frozenset[str] = frozenset()  # and of the content word after the one it denies ("not concerned ... trip")
    claim: bool = False  # of a claim: a verb of denial's, of the claim after "that"; or a hedge's (``hedged``)

    def reported_in(self, sentence: str) -> bool:
        """Whether a sentence that says what this denial denies reports it, and is not denied by it: against
        a claim's denial or hedge, it reports a claim ("The DPRK is accused of supplying weapons", "US allies
        stated that ..."); against a verb of denial, it says one too ("North Korea denied arms deals")."""
        if self.claim:
            return _REPORTED.search(sentence) is not None
        return _DISAVOWAL.match(self.said) is not None and _DISAVOWAL.search(sentence) is not None


class Doer(NamedTuple):
    """An act's doer, as a source sentence names it (``Attributor.doers``)."""

    said: str  # its words: "invitation of Russian dictator Vladimir Putin"
    act: frozenset[str]  # the stemmed terms of the act ("invitation": the same as "invited")
    doer: frozenset[str]  # and of who did it


class Deed(NamedTuple):
    """Who an answer sentence says did what (``Attributor.deed``)."""

    act: frozenset[str]  # the stemmed terms of its verb
    doer: frozenset[str]  # and of the words before it: who did it
    done: frozenset[str]  # and of the first content word after it: what it was done to


def _clause_at(sentence: str, at: int) -> re.Match:
    """The clause (``_CLAUSE``) of a sentence that the character at ``at`` is in."""
    return next(c for c in _CLAUSE.finditer(sentence) if c.start() <= at < c.end())


def denials(sentence: str) -> Iterator[re.Match]:
    """The words of denial in a sentence, but for those that deny nothing ("not only", "not until")."""
    return (m for m in _NEGATION.finditer(sentence) if not _NOT_A_DENIAL.match(sentence, m.end()))


def denies(sentence: str) -> bool:
    """Whether a sentence holds a word of denial.

    >>> denies("NK cells never react with self peptides."), denies("It isn't so."), denies("Nothing moved.")
    (True, True, True)
    >>> denies("The notion of a knot is known."), denies("Nobel won."), denies("It is not only cold, but wet.")
    (False, False, False)
    """
    return next(denials(sentence), None) is not None


# A number an answer states that no passage shown holds was not read there: the model changed it
# ("There are 231 seats in the debating chamber." against "There are 131 seats ...", matched at 0.84)
# or took it from a question that assumed it ("... until the 16th century work of" where the source says
# 17th). Numbers compared as digits: "6,500" as 6500, "17th" as 17, and two to twelve in words as
# digits ("one" is a pronoun as often as a number); a decade or century ("the 1980s", "the late 80's",
# "the early 1200s") is read in any year of it ("1218").
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:['’]?s\b)?")
_NUMBER_WORDS = {
    w: str(n) for n, w in enumerate("two three four five six seven eight nine ten eleven twelve".split(), 2)
}
_WORDS = re.compile(r"[a-z]+")
_BE = {True: "is", False: "are"}  # by whether one is meant


def numbers(text: str) -> set[str]:
    """The numbers in ``text``, as digits (a decade or century with its "s", and without).

    >>> sorted(numbers("About 6,500 paintings, seven rooms, the 17th century, 2.5 km, the late 80's"))
    ['17', '2.5', '6500', '7', '80', '80s']
    """
    digits = {n.replace(",", "").replace("'", "").replace("’", "") for n in _NUMBER.findall(text)}
    digits |= {n.removesuffix("s") for n in digits}  # and as a number: "Psalm 67's prayer"
    return digits | {_NUMBER_WORDS[w] for w in _WORDS.findall(text.lower()) if w in _NUMBER_WORDS}


def _magnitude(number: str) -> list[int]:
    """A key that orders ``numbers``'s numbers by size: 5 before 17 before 231."""
    return [int(d) for d in re.findall(r"\d+", number)]


def unread_numbers(said: set[str], shown: set[str]) -> set[str]:
    """Those of the numbers ``said`` that are not among the numbers ``shown`` (``numbers``'s), a decade
    or century read in any year of it.

    >>> said = numbers("In the 1200s, the 80's, the 1990s: 231 and 131.")
    >>> sorted(unread_numbers(said, {"1218", "1987", "131", "1990"}))
    ['231']
    """
    years = {n for n in shown if len(n) == 4 and n.isdigit()}

    def read(n: str) -> bool:
        base = n.removesuffix("s")
        if n in shown or base in shown:
            return True
        if base == n:
            return False
        if len(base) == 4:  # the 1980s: 1980-1989; the 1200s: 1200-1299
            return any(year.startswith(base.rstrip("0")) for year in years)
        return len(base) == 2 and any(year[2] == base[0] for year in years)  # the 80s: 1980-1989, 1880-1889

    return {n for n in said if not read(n) and n + "s" not in said}  # "the 80's" is a decade, not 80


def in_words(items: Sequence[str]) -> str:
    """Items as a sentence lists them.

    >>> in_words(["231"]), in_words(["17", "231"]), in_words(["5", "17", "231"])
    ('231', '17 and 231', '5, 17 and 231')
    """
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def remarks_on_sources(sentence: str) -> bool:
    """Whether a sentence (markers stripped) only says where the answer comes from, claiming nothing.

    >>> remarks_on_sources("This is stated in the second source."), remarks_on_sources("The supporting source is.")
    (True, True)
    >>> remarks_on_sources("This is stated in the first source, which says Skylab was built on the ground.")
    False
    """
    return bool(_SOURCE_REMARK.match(sentence))


_LETTER = re.compile(r"[^\W\d_]")


@functools.lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    """A verb's form as the verb (lemminflect's dictionary: "sold" -> "sell", "fought" -> "fight"), a
    doer's noun as the verb of what it does ("owners" -> "own", "manager" -> "manage"); any other word
    as it is. A stemmer strips suffixes; it cannot tell that "sold" is "sell", nor that the city that
    is "the authority's sole owner" is said to own it.

    >>> [_lemma(w) for w in ("sold", "owners", "manager", "investor", "tower", "number", "water")]
    ['sell', 'own', 'manage', 'invest', 'tower', 'number', 'water']
    """
    lemmas = getLemma(word, "VERB", lemmatize_oov=False)
    return lemmas[0] if lemmas else _doer_verb(word) or word


def _doer_verb(word: str) -> str | None:
    """The verb a doer's noun is made of ("owner": "own", "producer": "produce", "editor": "edit"), or None:
    a word that is no noun ending "er" or "or", one that is a verb too ("tower", "number": no "tow", no
    "numb"), or one no verb is the rest of ("water")."""
    forms = getAllLemmas(word)
    nouns = forms.get("NOUN", ())
    if "VERB" in forms or not nouns or not nouns[0].endswith(("er", "or")):
        return None
    noun = nouns[0]
    return next((base for base in (noun[:-2], noun[:-1]) if len(base) >= 3 and getAllInflections(base, "VERB")), None)


def _verb_form(word: str, tag: str) -> str | None:
    """The verb of which a word is the ``tag`` form (Penn's: VBD the simple past, VBN the past participle,
    VBZ the present's third person) in a spelling of its own, or None: any other word, the verb's own
    spelling ("set", "increase"), a capitalised word (a name: "Moscow violates").

    >>> _verb_form("invited", "VBD"), _verb_form("sold", "VBN"), _verb_form("increases", "VBZ")
    ('invite', 'sell', 'increase')
    >>> _verb_form("rows", "VBD"), _verb_form("invite", "VBD"), _verb_form("Invited", "VBD"), _verb_form("set", "VBN")
    (None, None, None, None)
    """
    lemmas = getLemma(word, "VERB", lemmatize_oov=False) if word.islower() else ()
    if not lemmas or lemmas[0] == word:
        return None
    return lemmas[0] if word in getInflection(lemmas[0], tag=tag) else None


def _led(citation: Citation, passages: Sequence[Passage]) -> str:
    """The text of a cited sentence's line (its paragraph, in most documents) before it, from the passage it
    came from; "" for a sentence that opens its line.

    >>> shown = [Passage("a.txt", 3, 4, 10, "Intro.\\nLuther gave reasons. First, p. Second, q.", 1.0)]
    >>> _led(Citation("a.txt", 4, 4, "Second, q.", 48, 58), shown)
    'Luther gave reasons. First, p. '
    """
    for p in passages:
        at = citation.start_char - p.start_char
        if p.file == citation.file and 0 <= at < len(p.text):
            return p.text[p.text.rfind("\n", 0, at) + 1 : at]
    return ""


# An answer sentence that opens with who said what: a name (capitalised words), then a verb of speech. Cited
# to a line that neither names them nor reports speech, it puts the line in their mouth: "Adrienne Watson said
# that the White House is calling on North Korea ...", asked "What did Adrienne Watson say?" of the sample
# news, was cited, supported (0.90), to line 4, which is no one's words (hers are on line 5).
_SPEECH = r"(?:said|says|told|tells|warned|warns|stated|states|added|adds|noted|notes|argued|argues|claimed|claims)"
_SPEAKER = re.compile(rf"^\W*(?P<who>(?:[A-Z][\w'’.-]*\s+){{1,5}}?){_SPEECH}\b")
_REPORTING = re.compile(rf"\b(?:{_SPEECH}|say|tell|warn|state|add|note|argue|claim|according|quoted?|spoke)\b", re.I)


_DETERMINERS = frozenset("the a an its his her their our your this that these those".split())


def held(words: set[str], terms: set[str]) -> set[str]:
    """Which of the stemmed ``words`` ``terms`` holds, a country's name and its people's counting as one
    word (the stemmer keeps "russia" from "russian", "korea" from "korean"): the same, or one the other
    with a letter or two more, the shorter of five letters or more. "Russia and North Korea", in an answer
    cited to "... security on the Korean Peninsula", was sent to another line for "Korea".

    >>> sorted(held({"russia", "korea", "north", "art"}, {"russian", "korean", "arts", "nort"}))
    ['korea', 'russia']
    """
    same = words & terms

    def kin(word: str) -> bool:
        return len(word) >= 5 and any(
            0 < abs(len(t) - len(word)) <= 2
            and min(len(t), len(word)) >= 5
            and (t.startswith(word) or word.startswith(t))
            for t in terms
        )

    return same | {w for w in words - same if kin(w)}


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


def affirms(text: str) -> bool:
    """Whether an answer (or one of its sentences) opens with yes: a claim checked apart, the cited
    sentences asked the question (``Verifier.says_yes``).

    >>> affirms("Yes, it did."), affirms("Yesterday it rained."), affirms("No.")
    (True, False, False)
    """
    return bool(_YES.match(text))


def claim(sentence: str) -> str:
    """What a sentence says past an opening yes: what its source must say ("Yes, Kirby spoke at a White
    House briefing." matched its line at 0.45 where "Kirby spoke at ..." matches it at 0.52; no source
    says "yes"); "" for a bare yes.

    >>> claim("Yes, Kirby spoke at a briefing."), claim("Yes."), claim("Yesterday it rained.")
    ('Kirby spoke at a briefing.', '', 'Yesterday it rained.')
    """
    found = _YES.match(sentence)
    return sentence[found.end() :] if found else sentence


def strip_markers(text: str) -> str:
    """Remove the model's own citation markers.

    >>> strip_markers("North Korea denied it [1]. Yes [2, 3].")
    'North Korea denied it. Yes.'
    """
    return _MODEL_MARKER.sub("", text).strip()


def answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, without the model's markers and without remarks that only point at a
    source (there is nothing in them to cite; kept, they were shown as [unsupported]).

    >>> answer_sentences("It rained [1]. Then it stopped. This is supported by source [2].")
    ['It rained.', 'Then it stopped.']

    A list's numbers, and the line that leads into it, go with what follows them (alone, each was
    shown as an unsupported sentence):

    >>> answer_sentences("The key points are:\\n1. It rained [1].\\n2. It stopped [2].")
    ['The key points are: 1. It rained.', '2. It stopped.']
    """
    clean = strip_markers(text)
    sentences = (clean[s.start : s.end] for s in sentence_spans(clean))
    out: list[str] = []
    carried = ""  # a list item's number, or a lead-in: part of what follows, not a claim of its own
    for sentence in sentences:
        if remarks_on_sources(sentence):
            continue
        lone = sentence.endswith(":") or not _LETTER.search(sentence)
        sentence = f"{carried} {sentence}" if carried else sentence
        carried = sentence if lone else ""
        if not carried:
            out.append(sentence)
    return [*out, carried] if carried else out


class Attributor:
    """Scores answer sentences against source sentences; lexical + semantic."""

    def __init__(
        self, embed_model: BaseEmbedding, lexical_weight: float = 0.5, sources: SentenceVectors | None = None
    ) -> None:
        self.embed_model = embed_model
        self.lexical_weight = lexical_weight
        # the source sentences' vectors, kept from question to question (none: each embedded every time)
        self.sources = sources
        self.stemmer = Stemmer.Stemmer("english")

    def terms(self, text: str) -> set[str]:
        """Stemmed content words, a verb's irregular forms as the verb: ``terms("Denied arms deals")``
        -> {'deni', 'arm', 'deal'}; "sold" is "sell", as "sells" and "selling" are.

        >>> a = Attributor(None)
        >>> a.terms("North Korea sold weapons.") == a.terms("North Korea sells weapons.")
        True
        """
        words = [w.lower() for w in _WORD.findall(text)]
        return set(self.stemmer.stemWords([_lemma(w) for w in words if w not in _STOPWORDS]))

    def words_held(self, question: str, passages: Sequence[Passage]) -> bool:
        """Whether some passage holds every content word of the question (``Evidence.words_held``), but for
        the words that only ask (``_ASKING``: "What happened to the rail link?" is answered by a line that says
        the rail link "was postponed").

        >>> shown = [Passage("a.txt", 1, 1, 0, "Pentagon spokesman Brig. Gen. Pat Ryder told reporters.", 1.0)]
        >>> a = Attributor(None)
        >>> a.words_held("Who is Pat Ryder?", shown), a.words_held("Who is Pat Smith?", shown)
        (True, False)
        >>> a.words_held("What happened to Pat Ryder?", shown), a.words_held("What happened?", shown)
        (True, False)
        """
        asked = self.terms(question) - self.terms(_ASKING)
        return bool(asked) and any(asked <= self.terms(p.text) for p in passages)

    def denied(self, quote: str) -> list[Denial]:
        """Each denial in a source sentence: its words ("no oxygen"), the stemmed terms of the word it
        governs (the first content word after it, within four words, and one joined to it by "or", "and"
        or "nor") and of the clause it is in. A verb of denial followed by "that" in its clause denies
        the claim after it: it governs the claim's first verb, and its clause is that verb and the content
        word after it (the claim's subject is often named otherwise: "Moscow" for "Russia").

        >>> [d.said for d in Attributor(None).denied("They contain no oxygen, not only water; not until 1966.")]
        ['no oxygen']
        >>> sorted(Attributor(None).denied("It was so, provided that p is not a prime factor of q.")[0].clause)
        ['factor', 'p', 'prime', 'provid', 'q']
        >>> sorted(Attributor(None).denied('They urge it "not to provide or sell weapons."')[0].governed)
        ['provid', 'sell']
        >>> (claim,) = Attributor(None).denied("Experts refute the accusations that Moscow violates these rules.")
        >>> claim.said, sorted(claim.clause)
        ('refute ... violates', ['rule', 'violat'])
        """
        out = []
        for match in denials(quote):
            clause = _clause_at(quote, match.start())
            after = _WORD.findall(quote, match.end())
            that = None
            if _DISAVOWAL.fullmatch(match.group(0)):  # "that" within ten words, in its clause
                within = after[: min(10, len(_WORD.findall(quote, match.end(), clause.end())))]
                that = next((i for i, word in enumerate(within) if word.lower() == "that"), None)
            if that is None:
                first = next((i for i, word in enumerate(after[:4]) if self.terms(word)), None)
            else:  # the claim's verb: the first word after "that", within six, lemminflect knows as one
                first = next((i for i in range(that + 1, min(that + 7, len(after))) if self._verb(after[i])), None)
            if first is None:
                continue
            terms, last = self.terms(after[first]), first
            if after[first + 1 : first + 2] in (["or"], ["and"], ["nor"]) and first + 2 < len(after):
                terms |= self.terms(after[first + 2])  # "not to provide or sell": both are denied
                last = first + 2
            then = self._first_terms(after[last + 1 : last + 4])
            said = match.group(0).lower()
            if that is None:
                out.append(Denial(f"{said} {after[first]}", terms, self.terms(clause.group()), then))
            else:
                out.append(Denial(f"{said} ... {after[first]}", terms, terms | then, then, claim=True))
        return out

    def hedged(self, quote: str) -> list[Denial]:
        """Each claim a source sentence puts as another's, not its own (``_HEDGE``: "Russia allegedly used
        weapons supplied from the DPRK"), as a denial of it: its words ("allegedly used"), the stemmed terms
        of the word the hedge governs (the first content word after it, within four, in its clause) and of
        the claim (the word before the hedge and the rest of its clause). An answer sentence that says the
        claim as fact says more than the source (``gainsays``); one that reports it does not.

        >>> (claim,) = Attributor(None).hedged("Allies stated that Russia allegedly used arms from the DPRK, he said.")
        >>> claim.said, sorted(claim.governed), sorted(claim.clause)
        ('allegedly used', ['use'], ['arm', 'dprk', 'russia', 'use'])
        """
        out = []
        for match in _HEDGE.finditer(quote):
            clause = _clause_at(quote, match.start())
            after = _WORD.findall(quote, match.end(), clause.end())
            first = next((i for i, word in enumerate(after[:4]) if self.terms(word)), None)
            if first is None:
                continue
            subject = _WORD.findall(quote, clause.start(), match.start())[-1:]
            then = self._first_terms(after[first + 1 : first + 4])
            claim = self.terms(" ".join(subject + after))
            said = f"{match.group(0).lower()} {after[first]}"
            out.append(Denial(said, self.terms(after[first]), claim, then, claim=True))
        return out

    def doers(self, quote: str) -> list[Doer]:
        """Each act a source sentence names the doer of (``_OF_DOER``): a participle with "by", or a noun with
        "of"; the doer is the words after it, to the end of its clause, a preposition, a relative word or an
        "and" before another verb once it has a content word, seven at most. And each it names without a
        doer: a participle as an adjective ("Kim's announced visit"), the act's only word in it.

        >>> line = "It was created by Edgar Scherick and produced by a young Roone Arledge."
        >>> [d.said for d in Attributor(None).doers(line)]
        ['created by Edgar Scherick', 'produced by a young Roone Arledge']
        >>> (doer,) = Attributor(None).doers("Kim's visit to Russia at the invitation of Vladimir Putin, it said.")
        >>> sorted(doer.act), sorted(doer.doer)
        (['invit'], ['putin', 'vladimir'])
        >>> Attributor(None).doers("What is it made of? It was paid for by (all of) them; any of the ministers knew.")
        []
        >>> [(d.said, d.doer) for d in Attributor(None).doers("It warned amid Kim's announced visit to Russia.")]
        [('announced visit', frozenset())]
        """
        out = []
        for match in _OF_DOER.finditer(quote):
            head = _WORD.findall(quote, 0, match.start())[-1:]
            if not head or not head[0].islower():
                continue
            if match.group(1) == "by" and not getLemma(head[0], "VERB", lemmatize_oov=False):
                continue  # "by" after a verb's form: "close by the harbour" names no doer
            words: list[str] = []
            after = _WORD.findall(quote, match.end(), _clause_at(quote, match.start()).end())[:7]
            for word, then in zip(after, [*after[1:], ""], strict=False):  # (none: a sentence ending "of")
                ends = word.lower() in _DOER_ENDS or (word in ("and", "or", "but") and then.islower())
                if ends and self.terms(" ".join(words)):  # "and produced by ...": another act's
                    break
                words.append(word)
            act, doer = self.terms(head[0]), self.terms(" ".join(words))
            if act and doer:  # (no act: "any of the ministers")
                out.append(Doer(" ".join([head[0], match.group(1), *words]), frozenset(act), frozenset(doer)))
        # a participle between an article or a possessive and its noun, the act's only word in the sentence,
        # names the act and no one who did it: "amid Kim Jong-un's announced visit"
        words = _WORD.findall(quote)
        for before, word, noun in zip(words, words[1:], words[2:], strict=False):
            determined = before.lower() in _DETERMINERS or before.endswith(("'s", "’s"))
            if determined and _verb_form(word, "VBN") and noun.islower() and self.terms(noun):
                act = self.terms(word)
                if sum(self.terms(other) == act for other in words) == 1:
                    out.append(Doer(f"{word} {noun}", frozenset(act), frozenset()))
        return out

    def deed(self, sentence: str) -> Deed | None:
        """Who an answer sentence says did what, where its first clause opens with who did it and then the
        verb, in the simple past, with what it was done to after it; None for any other sentence.

        >>> deed = Attributor(None).deed("The White House invited Kim Jong-un to Russia.")
        >>> sorted(deed.act), sorted(deed.doer), sorted(deed.done)
        (['invit'], ['hous', 'white'], ['kim'])
        >>> a, no_deeds = Attributor(None), ("Kim was invited by Putin.", "There were rows.", "The deal he made.")
        >>> [a.deed(s) for s in no_deeds], a.deed("The mayor said the money would go.")
        ([None, None, None], None)
        >>> a.deed("The force increases in response to the applied force."), a.deed("The applied force won.")
        (None, None)
        """
        words = _WORD.findall(_clause_at(sentence, 0).group())
        for i, word in enumerate(words):
            if word.lower() in _NOT_A_DEED or _verb_form(word, "VBZ"):  # another verb first: "The force increases"
                return None
            adjective = i > 0 and words[i - 1].lower() in _DETERMINERS  # "the applied force"
            if (verb := _verb_form(word, "VBD")) and not adjective:
                act, doer = self.terms(verb), self.terms(" ".join(words[:i]))
                done = self._first_terms(words[i + 1 : i + 4])
                if not (act and doer and done) or words[i + 1 : i + 2] == ["by"]:  # "The contest sponsored by"
                    return None  # (no act: "said", a word too common to be one)
                return Deed(frozenset(act), frozenset(doer), done)
        return None

    def unspoken(self, who: str, quote: str, before: str = "") -> bool:
        """Whether a source sentence says nothing of ``who`` saying it: neither it nor the text ``before`` it (the
        sentence before, and its paragraph's sentences before it) names anyone of that name ("We are concerned
        ..." after "..., said Kirby."; "Second, ... they deserved ..." after "Luther justified his opposition
        on three grounds."), and it reports no speech ("said", "told", "according to", ...).

        >>> a = Attributor(None)
        >>> line = "The White House is calling on North Korea not to sell weapons."
        >>> a.unspoken("Adrienne Watson", line), a.unspoken("The White House", line)
        (True, False)
        >>> a.unspoken("Adrienne Watson", "'We are worried,' she said."), a.unspoken("Kirby", "We are.", "Kirby spoke.")
        (False, False)
        """
        return not held(self.terms(who), self.terms(f"{quote} {before}")) and not _REPORTING.search(quote)

    def miscasts(self, deed: Deed, doer: Doer, terms: set[str]) -> bool:
        """Whether a source sentence of these terms, naming ``doer`` as an act's doer, says another did what an
        answer sentence says (``deed``): the same act, done to something the sentence names, by someone it names
        elsewhere, outside the doer's words. "... credited with the management of the Minuteman program" says
        nothing against "Phillips managed the Apollo missions"; "the murder of Caesar by Brutus", nothing against
        "Brutus murdered Caesar".

        >>> a = Attributor(None)
        >>> line = "The White House calls on Pyongyang, amid Kim's visit at the invitation of Vladimir Putin."
        >>> (doer,), terms = a.doers(line), a.terms(line)
        >>> [a.miscasts(a.deed(s), doer, terms) for s in ("The White House invited Kim.", "Putin invited Kim.")]
        [True, False]
        >>> (doer,), terms = a.doers("The murder of Caesar by Brutus."), a.terms("The murder of Caesar by Brutus.")
        >>> a.miscasts(a.deed("Brutus murdered Caesar."), doer, terms)
        False
        """
        others = terms - doer.doer
        return (
            deed.act == doer.act
            and not held(deed.doer, doer.doer)
            and held(deed.doer, others) >= deed.doer
            and bool(held(deed.done, others))
        )

    def _first_terms(self, words: Sequence[str]) -> frozenset[str]:
        """The stemmed terms of the first content word among ``words`` (none: empty): the word after the one
        a denial governs (``Denial.then``)."""
        return next((frozenset(t) for word in words if (t := self.terms(word))), frozenset())

    def _verb(self, word: str) -> bool:
        """Whether a word is a content word that may be a verb (not a name: "Moscow violates")."""
        return word[0].islower() and bool(self.terms(word)) and bool(getLemma(word, "VERB", lemmatize_oov=False))

    def says_undenied(self, denial: Denial, terms: set[str]) -> bool:
        """Whether a source sentence of these terms (one without a denial) says what an answer sentence's
        denial denies: the word it denies, and the word after that where there is one. "... is not
        concerned about this trip but is concerned about the relations" is not said otherwise by "We are
        concerned about the relations", which the rest of it says.

        >>> a = Attributor(None)
        >>> (denial,) = a.denied("It is not concerned about this trip but is concerned about ties.")
        >>> trip, ties = a.terms("It is concerned about this trip."), a.terms("We are concerned about ties.")
        >>> a.says_undenied(denial, trip), a.says_undenied(denial, ties)
        (True, False)
        """
        return bool(denial.governed & terms) and denial.then <= terms

    def gainsays(self, denial: Denial, sentence_terms: set[str]) -> bool:
        """Whether a source sentence's denial denies what a sentence of these terms says: it governs
        a word the sentence says, in a clause the sentence says the most of. A sentence that says "p
        is prime" is not denied by "..., provided that p is not a prime factor of q", nor one that
        says when sports air by "..., when no sports telecasts are scheduled,".

        >>> a = Attributor(None)
        >>> (denial,) = a.denied("Squalene and the carotenes contain no oxygen.")
        >>> a.gainsays(denial, a.terms("Carotenes contain oxygen.")), a.gainsays(denial, a.terms("It has oxygen."))
        (True, False)
        """
        return bool(denial.governed & sentence_terms) and 2 * len(denial.clause & sentence_terms) >= len(denial.clause)

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
        source sentence too, where one holds that part (``completing``): none that says otherwise (denies what
        it says, or says without denial what it denies), and none where the checks doubt it as a whole."""
        cands = self.candidates(passages)
        if not sentences or not cands:
            return [Support(s, None, 0.0) for s in sentences]
        cand_terms = [self.terms(c.quote) for c in cands]
        claims = [claim(s) or s for s in sentences]  # an opening yes is checked apart (``Verifier.says_yes``)
        scores = self._scores(claims, cands, cand_terms)
        statements_first(scores, np.array([bool(_HEADING.match(c.quote)) for c in cands]))
        asked = self.terms(question)
        denying = np.array([denies(c.quote) for c in cands])
        gainsayers = [self.denied(c.quote) + self.hedged(c.quote) for c in cands]
        deeds = [self.deed(text) for text in claims]  # who did what, where a sentence says so (few do)
        doers = [self.doers(c.quote) if any(deeds) else [] for c in cands]
        # the numbers the prompt showed: the passages' text, and their files' and pages' names ("2024" sheet)
        shown = set().union(*(numbers(" ".join([p.text, p.file, *p.page_names])) for p in passages))
        out, before = [], None  # each candidate's sentence before it, once a sentence needs it
        for row, sentence, text, deed in zip(scores, sentences, claims, deeds, strict=True):
            undoubted, doubts, in_doubt = float(row.max()), [], False  # in doubt: no second source either
            mine = self.terms(text)
            # an answer's verb of denial reports a denial ("North Korea denied arms deals"): what it says is
            # what a source says in its own words, often another's ("a groundless version of arms deals")
            denial = next((m for m in denials(text) if not _DISAVOWAL.fullmatch(m.group(0))), None)
            if denial:
                denied = self.denied(text)
                # a source sentence without a denial says otherwise; where this one also says the word it
                # denies without denial ("is not concerned about this trip but is concerned about the
                # relations"), only one that says what it denies does (``says_undenied``)
                said = [self.terms(word) for word in _WORD.findall(text)]
                both_ways = any(sum(bool(d.governed & t) for t in said) > 1 for d in denied)
                contrary = ~denying
                if both_ways:
                    contrary &= np.array([any(self.says_undenied(d, t) for d in denied) for t in cand_terms])
                if contrary[int(np.argmax(row))]:
                    doubts.append(f'the source says it without "{denial.group(0).lower()}"')
                row[contrary] *= CONTRADICTED
                # a second source may say what the sentence says beside its denial, not what it denies: where
                # it says the word both ways, it may say the word without the rest of what is denied
                governed = set().union(*(d.governed for d in denied))
                against = contrary & np.array([bool(governed & terms) for terms in cand_terms])
            else:  # a source sentence that denies what this one says, in the words this one says it with
                gainsaid = [  # or names another as the doer of what this one says was done
                    next((d.said for d in ds if self.gainsays(d, mine) and not d.reported_in(text)), "")
                    or next((d.said for d in named if deed and self.miscasts(deed, d, terms)), "")
                    for ds, named, terms in zip(gainsayers, doers, cand_terms, strict=True)
                ]
                top = int(np.argmax(row))
                rival = max((j for j, said in enumerate(gainsaid) if said), key=row.__getitem__, default=None)
                against = np.array([bool(g) for g in gainsaid])
                if said := gainsaid[top]:  # the sentence it matches best says otherwise: it stays cited, so the
                    doubts.append(f'the source says "{said}"')  # reader sees what it says, and none supports it
                    in_doubt = True
                elif rival is not None and row[rival] >= RIVAL * row[top]:
                    doubts.append(f'a source says "{gainsaid[rival]}"')  # the sources disagree on it
                    in_doubt = True
                if in_doubt:
                    row *= CONTRADICTED
                else:
                    row[against] *= CONTRADICTED
            speaker = _SPEAKER.match(text)  # "Adrienne Watson said that ...": the line must say who said it
            if speaker and not in_doubt:
                before = before if before is not None else self.preceding(passages)
                cited = cands[int(np.argmax(row))]
                if self.unspoken(
                    speaker.group("who"), cited.quote, before.get(cited, "") + " " + _led(cited, passages)
                ):
                    row *= CONTRADICTED
                    doubts.append(f"the source does not say {speaker.group('who').strip()} said it")
                    in_doubt = True
            unread = unread_numbers(numbers(text), shown)
            if unread and numbers(cands[int(np.argmax(row))].quote):
                row *= CONTRADICTED  # a number no passage holds, where the best match states another
                doubts.append(f"{in_words(sorted(unread, key=_magnitude))} {_BE[len(unread) == 1]} in no source")
                in_doubt = True
            best = int(np.argmax(row))
            score = round(float(row[best]), 4)
            lowered = doubts and score < undoubted
            others = [] if in_doubt else [j for j in np.argsort(-row, kind="stable") if j != best and not against[j]]
            also = self.completing(mine, cand_terms[best], asked, [cand_terms[j] for j in others])
            out.append(
                Support(
                    sentence,
                    cands[best],
                    score,
                    tuple(doubts) if lowered else (),
                    round(undoubted, 4) if lowered else None,
                    also=None if also is None else cands[others[also]],
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

    def evidence(self, question: str, passages: Sequence[Passage], raw: str) -> Evidence:
        """What the model said, with every sentence's best support: all an answer is decided from."""
        supports = self.attribute(answer_sentences(raw), passages, question)
        return Evidence(question, list(passages), raw, supports, words_held=self.words_held(question, passages))

    def _cosine(self, left: list[str], right: list[str]) -> np.ndarray:
        """The cosine of each of ``left`` (what is said: new each time) with each of ``right`` (source
        sentences: kept, where ``sources`` keeps them)."""
        if self.sources is None:
            vectors = unit(np.array(self.embed_model.get_text_embedding_batch(left + right), dtype=float))
            return vectors[: len(left)] @ vectors[len(left) :].T
        said = unit(np.array(self.embed_model.get_text_embedding_batch(left), dtype=float))
        return said @ self.sources(right).T
