"""Data that crosses module boundaries: passages, citations, answers, events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

from index.formats import page_name, page_of, page_words

SOURCES = "Sources"
CLOSEST = "Closest passages (they do not answer it)"


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: where it lies in its document, and how well it matched."""

    file: str
    start_line: int
    end_line: int
    start_char: int
    text: str
    score: float
    similarity: float | None = None  # cosine with the question, if vector search found it
    page_starts: tuple[int, ...] = ()  # paged documents (PDF): the line each page starts on
    page_names: tuple[str, ...] = ()  # and what each page is called, where pages have names (sheets)
    title: str | None = None  # its document's title, where its text opens with one (``index.titles``)

    def covers(self, file: str, line: int) -> bool:
        """Whether this passage spans ``line`` of ``file``."""
        return self.file == file and self.start_line <= line <= self.end_line

    def page_at(self, line: int) -> tuple[int | None, int | None, str | None]:
        """Where ``line`` (of the whole document) is in a paged one: its page, its line within the
        page and the page's name, as a ``Citation`` records them; all None for an unpaged one."""
        if not self.page_starts:
            return None, None, None
        page, page_line = page_of(self.page_starts, line)
        return page, page_line, page_name(self.page_names, page)

    def page_label(self, line: int) -> str | None:
        """The page ``line`` (of the whole document) is on, in its format's words and with its name:
        ``sheet 2 (Crews)``, ``page 3``; None for an unpaged document.

        >>> Passage("b.xlsx", 4, 5, 0, "x", 1.0, page_starts=(1, 4), page_names=("Lights", "Crews")).page_label(4)
        'sheet 2 (Crews)'
        """
        page, _, name = self.page_at(line)
        return None if page is None else page_label(self.file, page, name)

    def as_citation(self) -> Citation:
        """The passage as a citation of all its lines (how an abstention shows its closest passages)."""
        end_char = self.start_char + len(self.text)
        return Citation(
            self.file,
            self.start_line,
            self.end_line,
            self.text,
            self.start_char,
            end_char,
            *self.page_at(self.start_line),
        )


def page_label(file: str, page: int, name: str | None) -> str:
    """A page of ``file`` in its format's words, with its own name where it has one.

    >>> page_label("b.xlsx", 2, "Crews"), page_label("r.pdf", 3, None)
    ('sheet 2 (Crews)', 'page 3')
    """
    return f"{page_words(file)[0]} {page}" + (f" ({name})" if name else "")


@dataclass(frozen=True)
class Citation:
    """Source lines that support one answer sentence.

    ``start_char``/``end_char`` index the quoted span in the whole document, so a
    viewer can highlight the exact words, not only the lines.
    """

    file: str
    start_line: int
    end_line: int
    quote: str
    start_char: int
    end_char: int
    page: int | None = None  # paged documents: the page, and the line within it
    page_line: int | None = None
    page_name: str | None = None  # the page's own name, where it has one (a sheet's)

    def where(self) -> str:
        """Where in its file, as a reader is told: ``line 9``, ``lines 7-8``, or in a paged format's
        own words ``page 2, line 3``, ``slide 2, line 3``, ``sheet 2, row 3``, with a page's own name
        where it has one: ``sheet 2 (Keepers), row 3``.

        >>> Citation("deck.pptx", 5, 5, "q", 0, 1, page=2, page_line=3).where()
        'slide 2, line 3'
        >>> Citation("lights.xlsx", 9, 9, "q", 0, 1, page=2, page_line=3, page_name="Keepers").where()
        'sheet 2 (Keepers), row 3'
        """
        if self.page is not None:
            return f"{self.page_label()}, {page_words(self.file)[1]} {self.page_line}"
        return (
            f"line {self.start_line}"
            if self.start_line == self.end_line
            else f"lines {self.start_line}-{self.end_line}"
        )

    def page_label(self) -> str | None:
        """The page cited, as a passage's ``page_label`` says it: ``sheet 2 (Keepers)``; None unpaged."""
        return None if self.page is None else page_label(self.file, self.page, self.page_name)

    def covers(self, file: str, line: int) -> bool:
        """Whether this citation spans ``line`` of ``file``."""
        return self.file == file and self.start_line <= line <= self.end_line

    def public(self) -> dict:
        """The fields promised by ``ask --json`` (plus ``page``/``page_line`` for paged formats, and
        ``page_name`` for a page with a name)."""
        out = {"file": self.file, "start_line": self.start_line, "end_line": self.end_line, "quote": self.quote}
        if self.page is not None:
            out |= {"page": self.page, "page_line": self.page_line}
        if self.page_name is not None:
            out["page_name"] = self.page_name
        return out


def text_before(citation: Citation, passages: Sequence[Passage]) -> str:
    """The text of the passage a cited sentence came from, before the sentence; "" where no passage holds it.

    >>> shown = [Passage("a.txt", 3, 4, 10, "Intro.\\nLuther gave reasons. Second, q.", 1.0)]
    >>> text_before(Citation("a.txt", 4, 4, "Second, q.", 38, 48), shown)
    'Intro.\\nLuther gave reasons. '
    """
    for p in passages:
        at = citation.start_char - p.start_char
        if p.file == citation.file and 0 <= at < len(p.text):
            return p.text[:at]
    return ""


def best_similarity(passages: Sequence[Passage]) -> float | None:
    """The best cosine similarity of a passage to the question (None: no vector scores)."""
    return max((p.similarity for p in passages if p.similarity is not None), default=None)


@dataclass(frozen=True)
class Support:
    """The best source sentence found for one answer sentence, and how well it matches (0-1)."""

    sentence: str
    citation: Citation | None  # None only when there was nothing to cite
    score: float
    # why the score was lowered, in plain words ("231 is in no source": rag.attribution's checks), and
    # the best score the sentence had before (None: nothing lowered it)
    doubts: tuple[str, ...] = ()
    undoubted: float | None = None
    # a second source sentence, cited beside the first: it holds what the sentence says that the first
    # does not ("Kirby intends to carefully monitor ... relations": his name and the relations on line 1,
    # the intent on line 7; ``rag.attribution.Attributor.completing``)
    also: Citation | None = None
    # a further source sentence for the numbers neither of those states, which it states with what the sentence
    # says beside them ("... the dental unit opening in March 2025." cites "The dental unit opened in March
    # 2025." for "March": ``rag.attribution.Attributor.numbering``)
    numbered: Citation | None = None
    # every doubt is the number checks': the sentence states a number its line does not, where the line
    # states another (``rag.attribution.misread``)
    misnumbered: bool = False

    @property
    def cited(self) -> tuple[Citation, ...]:
        """The source sentences this sentence cites, the best match first."""
        return tuple(c for c in (self.citation, self.also, self.numbered) if c is not None)


@dataclass(frozen=True)
class Evidence:
    """Everything an answer is decided from, before any threshold is applied.

    Kept with the answer so an eval can replay other thresholds without asking
    the LLM again.
    """

    question: str
    passages: list[Passage]
    raw: str | None = None  # the model's output; None when the model was not asked
    supports: list[Support] = field(default_factory=list)  # one per sentence of ``raw``
    verified: float | None = None  # the LLM's probability that the cited sentences answer the question
    # the same, each cited sentence shown after the one before it: asked only of a verdict just under the
    # threshold (``Decider.looks_again``), a second look at what the sentence alone leaves out
    verified_again: float | None = None
    # an answer that opens with "yes": the LLM's probability that the cited sentences answer the question
    # yes (the small model says "Yes, Russia violated the sanctions." citing "... refute the accusations
    # that Moscow violates these restrictions."); None where the answer does not open with yes
    said_yes: float | None = None
    # some passage holds every content word of the question: asked of a name the embedder does not know
    # ("Who is Pat Ryder?"), the passage that names it can be far from the question by cosine
    words_held: bool = False
    # the best cosine of the question with a sentence of the passages (``Attributor.nearest``): "What reason
    # did Maria Lindqvist give for the growth?" is 0.15 from the 19-line passage that answers it, 0.55 from
    # the sentence; None where it was not read (recorded before it was)
    nearest: float | None = None
    # where the model declined, or no line supported its answer
    # (``Decider.tries_again``): its second try, asked again of the one passage holding the sentence nearest
    # the question (``Attributor.closest``), decided in its place (``Decider.decide``). Shown four passages,
    # the 1.5B model declined "What follows secondary education?" with "Tertiary education follows
    # secondary education" in the second; shown that passage alone, it answered. None: no second try
    retry: Evidence | None = None
    # a question asked yes or no: the sentence of the passages nearest it, where that says no to it
    # (``Attributor.saying_no``), its score its match with the question; quoted where the model's answer
    # is withheld (``Decider.decide``). None: not asked yes or no, no such sentence, or recorded before
    says_no: Support | None = None
    # the sentence of the passages nearest the question, where an answer sentence cited to it states a number
    # it does not (``rag.attribution.misread``: "In 1884, Tesla began working for ..." against "In 1882, Tesla
    # began working for ..."), its score its match with the question; quoted where the answer is withheld
    # by attribution (``Decider.decide``). None: no such sentence, or recorded before
    misread: Support | None = None


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of the answer and the numbers of the citations backing it."""

    text: str
    citations: tuple[int, ...]
    score: float
    why: str = ""  # an unsupported sentence's: the doubts that put it under the threshold ("" when none did)

    @property
    def supported(self) -> bool:
        return bool(self.citations)

    def public(self) -> dict:
        """As ``ask --json`` gives it: the sentence, the numbers of its citations in the answer's list
        (none: marked unsupported) and why it is unsupported where a check decided it (else None), so
        that a client shows each sentence with its sources without reading the markers in the text.

        >>> AnswerSentence("It has 231 seats.", (), 0.42, "231 is in no source").public()
        {'text': 'It has 231 seats.', 'citations': [], 'why': '231 is in no source'}
        """
        return {"text": self.text, "citations": list(self.citations), "why": self.why or None}


@dataclass(frozen=True)
class Answer:
    """The final answer: text with [n] markers, citations, and what was retrieved."""

    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    question: str = ""  # the question actually answered (a follow-up, made standalone)
    evidence: Evidence | None = field(default=None, repr=False, compare=False)
    withheld_by: str = ""  # an abstention's: the first check the evidence failed (rag.decision.WITHHELD_BY)
    # an abstention's: each passage's sentence nearest the question, by position (None: none found)
    marks: list[Citation | None] = field(default_factory=list)
    # what the reader should know of how it was written: a summary's passages left unread (rag.overview),
    # a file the question named that no document is (rag.naming), a line quoted in the model's place
    note: str = ""
    # an answer that quotes a line in the model's place (the line saying no to a question asked yes or no, or
    # the line whose number the model changed): what withheld the model's answer it stands in for
    # (rag.decision.QUOTED_FOR); "" for any other
    quoted: str = ""

    @property
    def replied(self) -> bool:
        """Whether the assistant said it of itself, to a greeting, thanks or a request for help
        (``rag.small_talk``): nothing was retrieved, the model was not asked, no evidence weighed."""
        return self.evidence is None and not self.abstained

    def closest(self) -> list[Citation]:
        """An abstention's closest passages, which the reader is shown instead (none for an answer):
        each the whole passage, its sentence nearest the question marked (``marks``; else all of it).

        >>> passage = Passage("a.txt", 3, 4, 10, "Fog. Horns sound.", 0.5)
        >>> marked = Answer("", True, passages=[passage], marks=[Citation("a.txt", 3, 3, "Horns sound.", 15, 27)])
        >>> [(c.start_line, c.end_line, c.quote, c.start_char, c.end_char) for c in marked.closest()]
        [(3, 4, 'Fog. Horns sound.', 15, 27)]
        """
        if not self.abstained:
            return []
        marks = [*self.marks, *[None] * (len(self.passages) - len(self.marks))]
        return [
            replace(p.as_citation(), start_char=m.start_char, end_char=m.end_char) if m else p.as_citation()
            for p, m in zip(self.passages, marks, strict=False)
        ]

    def references(self) -> tuple[str, list[Citation]]:
        """The heading and the numbered list a reader is shown under the answer: its sources, or an
        abstention's closest passages (numbered alike, so their heading says they do not answer it)."""
        return (CLOSEST, self.closest()) if self.abstained else (SOURCES, self.citations)

    def to_json(self, cited: Callable[[Citation], dict] = Citation.public) -> dict:
        """The object printed by ``groundline ask --json``; each citation and closest passage as
        ``cited`` makes it (the HTTP API adds its link)."""
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [cited(c) for c in self.citations],
            "closest": [cited(c) for c in self.closest()],
            "withheld_by": self.withheld_by or None,
            "note": self.note or None,
            "quoted": self.quoted or None,
            "sentences": [s.public() for s in self.sentences],
        }

    def to_dict(self) -> dict:
        """Everything but the evidence, for the UI and debugging."""
        out = asdict(self)
        out.pop("evidence")
        return out


@dataclass(frozen=True)
class Token:
    """A streamed piece of the model's raw answer."""

    text: str
