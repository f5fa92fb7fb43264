"""Line-aware chunking: every chunk knows its file, lines and character span.

Chunks are exact slices of the document text, so ``text[start_char:end_char]``
reproduces a chunk and its ``start_line``/``end_line`` (1-based, inclusive) can
be shown to a user. Lines are packed whole until the token budget is reached;
a line longer than the budget (a long paragraph) is cut at sentence ends, and a
sentence longer than the budget at word ends. The budget is counted with the
embedder's own tokenizer because all-MiniLM-L6-v2 silently drops everything
past 256 tokens.

A chunk of a document whose pages have names (a workbook's sheets, a deck's
slide titles) carries the names of the pages it lies on as ``pages``, which is
read with its text by the embedder and the keyword index ("the Crews sheet"
finds the Crews sheet's rows), and counted in its budget.

This module does not embed or store anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, NodeRelationship, TextNode

from index.formats import NAME_CHARS, decode_names, decode_starts, page_name, page_of

TokenCounter = Callable[[str], int]

# A chunk's metadata (its own, and its document's merged in) that neither the embedder nor the LLM reads.
NOT_READ = ("file", "start_line", "end_line", "page_starts", "page_names", "title", "chunking")
# The names of the pages a chunk lies on: embedded and searched with its text. (The LLM is told a
# source's pages in its prompt, ``rag.prompts``, and reads no metadata.)
PAGES = "pages"
# Where the chunker may cut a line over budget: . ! ? or … (plus closing quotes/brackets)
# and whitespace, but not after initials ("U.S.") or common titles ("Mr."). Citations
# use Punkt's sentences instead (``sentence_spans``); changing this re-chunks every
# stored document and moves retrieval, which the eval has measured with this pattern.
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?…])(?<!\.[A-Z]\.)(?<!\b[A-Z]\.)(?<!Mr\.)(?<!Ms\.)(?<!Dr\.)(?<!St\.)(?<!Mrs\.)"
    r"|(?<=[.!?…][\"')\]]))\s+"
)
_WORD_END = re.compile(r"\s+")
# Abbreviations Punkt's English model lacks, which it cuts after: "sea anemones, etc.), and",
# "Doogie Howser, M.D. and the", "Smith et al. found", and titles before a name: "Pentagon
# spokesman Brig." was a sentence of its own, so "Gen. Pat Ryder told reporters ..." was quoted
# without who he is ("gen" it has). It still ends a sentence at one when the next word starts
# a sentence ("dogs, cats, etc. The next"). Not words a sentence ends with as often ("no", "sun").
MORE_ABBREVIATIONS = frozenset(
    {"etc", "e.g", "i.e", "m.d", "al", "cf", "approx", "fig"}
    | {"brig", "gens", "sgt", "capt", "cmdr", "cpl", "pvt", "gov", "amb", "atty", "supt", "insp", "det", "hon"}
    | {"rev", "fr", "msgr", "mt", "vol", "pp", "dept", "univ", "mar", "apr", "jun", "jul"}
)
# what closes a sentence after its full stop: footnotes ("[b]", "[citation needed]", "[12]")
# or page numbers (":64", ":32-35"), after any closing quote; or closing brackets alone
_FOOTNOTE_LEAD = re.compile(r"(?:[\"'”’)\]]*(?:\[[^\[\]\n]{1,40}\]|:\d+(?:[–-]\d+)?)+|[”)\]]+)\s*")
# what does not open a sentence, so Punkt's cut before it was wrong: an operator, a comma or a
# small letter after a factorial or a name's "!" ("(p − 1)! + 1 is", "n! for every", "Yahoo!, Google")
_CONTINUATION = re.compile(r"[+\-−×÷*/=<>≤≥±,;.a-z]")
_WORDLIKE = re.compile(r"\w")  # a piece with none is marks that close the sentence before: '?".'
# a small letter alone before a full stop and a capital: a sentence's last word, a variable's ("a prime
# factor of q. Wilson's theorem"), which Punkt reads as an initial and does not cut at (initials are
# capitals); not "v.", a case name's versus ("In U.S. v. Burgos-Andujar, a defendant ...")
_SMALL_LETTER_END = re.compile(r"(?:(?<=\s)|(?<=^))[a-uw-z]\.(?=\s+[A-Z])")
# a list item's number or letter, which Punkt cuts off as a sentence of its own ("1." before "Move every
# internal certificate ..."): it opens the sentence after it. So does a numbered heading's number ("## 3." before
# "Roof repair", "Step 4." before "Bake it."): cut off, the heading's words were read as a statement, and the
# sentences under it were shown to the verifier under "[3.]"
_LIST_MARK = re.compile(
    r"(?:#{1,6}\s+)?(?:(?:Step|Part|Section|Chapter|Article|Item|Phase|Stage|Appendix|Annex|Question|Q)\s?)?"
    r"\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxIVX]{2,4})[.)]"
)
# a short labelled field after a sentence on its line ("Move every certificate to automatic renewal. Owner:
# Jonas Eklund. Due: 30 November 2026."): the item's, not a sentence of its own (``_holds_fields``).
# Alone, "Owner: Jonas Eklund." matched "Jonas Eklund is responsible for ..." by name and left out what
# he is responsible for (the verifier, shown it alone, withheld the answer), and "Owner: Daniel Osei."
# outscored the line saying he was paged for "Daniel Osei was paged." Fields in a row stay apart
# ("Status: final. Author: Priya Raman.", "Present: ... Absent: trustee Omar Haddad."): each says its own.
_LABELLED = re.compile(r"[A-Z][\w'’-]*(?: [\w'’-]+){0,2}:\s")
LABELLED_WORDS = 6


def _labelled(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a short labelled field ("Owner: Jonas Eklund.")."""
    return bool(_LABELLED.match(text, start, end)) and len(text[start:end].split()) <= LABELLED_WORDS


def _holds_fields(text: str, start: int, end: int) -> bool:
    """Whether the sentence ``text[start:end]`` takes the short fields after it: one that is no field itself,
    nor the rest of one, opening in small letters (a list of those present, run over two lines: "trustees
    Paul Nkemelu and Greta Lindholm. Absent: trustee Omar Haddad."; joined, the post "trustees" read as
    given to the one absent)."""
    return not _LABELLED.match(text, start, end) and not text[start:end][:1].islower()


# A line wrapped inside a sentence (``wrapped_runs``): one that ends with no closing mark, and the
# next opening with a small letter; or a line as long as a wrapped one that ends with a comma or a word
# no sentence ends with, whatever the next opens with ("The harbour master,\nAoife Brennan, said"); a
# table's row is never one ("light: Skerry; ...", "a | b").
_ENDS_SENTENCE = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_GOES_ON = re.compile(r"[a-z]")
_ENDS_MIDWAY = re.compile(r"(?:,|\b(?:a|an|the|of|to|and|or|in|on|at|by|for|from|with|that|as))$", re.IGNORECASE)
WRAPPED_WIDTH = 40  # a line at least this long, ending midway, was wrapped ("Dear Ann," was not)
_ROW = re.compile(r"(?m)^[^:;|\n]{1,60}:\s|\s\|\s")


@dataclass(frozen=True)
class Span:
    """A piece of a document: characters ``[start, end)`` from line ``line`` on."""

    line: int
    start: int
    end: int

    def line_at(self, text: str, at: int) -> int:
        """The line of ``text`` (the document this span is of) that the character at ``at``, within the span,
        is on: a wrapped paragraph's span runs over lines.

        >>> Span(3, 4, 11).line_at("ab\\n\\nc d\\ne f", 10)
        4
        """
        return self.line + text.count("\n", self.start, at)

    def lines_at(self, text: str, offsets: Iterable[int]) -> list[int]:
        """``line_at`` of each of ``offsets`` (ascending), each newline counted once: a long span cut into
        many pieces, each counted from the span's start, took quadratic time (a 1.5 MB file on one line:
        26 s of its 32 s of chunking, for 70,000 sentences).

        >>> Span(3, 4, 11).lines_at("ab\\n\\nc d\\ne f", [4, 6, 10])
        [3, 3, 4]
        """
        lines, line, counted = [], self.line, self.start
        for at in offsets:
            line += text.count("\n", counted, at)
            counted = at
            lines.append(line)
        return lines


def line_spans(text: str) -> list[Span]:
    """Split text into non-blank lines with their 1-based numbers and offsets.

    >>> line_spans("a\\n\\nbc")
    [Span(line=1, start=0, end=1), Span(line=3, start=3, end=5)]
    """
    spans, start = [], 0
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            spans.append(Span(number, start + lead, start + lead + len(stripped)))
        start += len(raw)
    return spans


def split_span(text: str, span: Span, pattern: re.Pattern[str]) -> list[Span]:
    """Cut a span after each match of ``pattern`` (sentence or word ends).

    >>> split_span("Hi there. Bye.", Span(1, 0, 14), _SENTENCE_END)
    [Span(line=1, start=0, end=9), Span(line=1, start=10, end=14)]
    """
    bounds, start = [], span.start
    for match in pattern.finditer(text, span.start, span.end):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, span.end))
    bounds = [(start, end) for start, end in bounds if end > start]
    lines = span.lines_at(text, [start for start, _ in bounds])
    return [Span(line, start, end) for line, (start, end) in zip(lines, bounds, strict=True)]


@functools.cache
def sentence_model():  # -> nltk's PunktTokenizer
    """Punkt's English model, loaded once. Importing nltk takes 1-2.5 s on 2 cores: the
    composition root loads it with the other models, so the first answer does not pay it."""
    import llama_index.core
    import nltk
    from nltk.tokenize import PunktTokenizer

    # llama-index-core ships nltk's punkt_tab; its own check would download it when NLTK_DATA
    # names a folder without it, and nothing may be downloaded at run time
    bundled = str(Path(llama_index.core.__file__).parent / "_static" / "nltk_cache")
    if bundled not in nltk.data.path:
        nltk.data.path.append(bundled)
    punkt = PunktTokenizer("english")
    punkt._params.abbrev_types.update(MORE_ABBREVIATIONS)  # Punkt has no public setter for them
    return punkt


def sentence_spans(text: str) -> list[Span]:
    """Sentences of every non-blank line, with the line each starts on and offsets: what a
    citation quotes and what an answer is attributed by. A paragraph wrapped at a fixed width
    is read as one (``wrapped_runs``): its sentences run over lines. Punkt's English model
    (bundled with llama-index, nothing downloaded) knows abbreviations a pattern cuts at:
    "6:00 p.m. Eastern", "Gen. Washington". Footnote marks after a full stop stay with the
    sentence they annotate.

    >>> sentence_spans("A b. C d.\\nE.")
    [Span(line=1, start=0, end=4), Span(line=1, start=5, end=9), Span(line=2, start=10, end=12)]
    >>> [s.end - s.start for s in sentence_spans("It ends at 6:00 p.m. Eastern Time. Then news.")]
    [34, 10]
    >>> [s.end - s.start for s in sentence_spans('It asks: "Why?". Then news.')]
    [16, 10]
    >>> [s.end - s.start for s in sentence_spans("Spokesman Brig. Gen. Pat Ryder said so. Sgt. Maj. Jo did.")]
    [39, 17]
    """
    spans = []
    for run in wrapped_runs(text):
        piece = text[run.start : run.end]
        cuts = _mended(run.line, run.start, piece, _cut_at_small_letters(piece, sentence_model().span_tokenize(piece)))
        lines = run.lines_at(text, [s.start for s in cuts])
        spans += [Span(line, s.start, s.end) for line, s in zip(lines, cuts, strict=True)]
    return spans


def wrapped_runs(text: str) -> list[Span]:
    """Non-blank lines (``line_spans``), each joined to the next where a paragraph was wrapped at a
    fixed width (plain-text mail, notes, books): the line ends inside a sentence (with no closing
    mark: . ! ? … : ;) and the next goes on in small letters, or it is as long as a wrapped line and
    ends with a comma or a word no sentence ends with ("the", "of", ...); never a table's row ("light:
    Skerry; ...", "a | b"). A span starts on its first line.

    >>> [(s.line, s.end - s.start) for s in wrapped_runs("The pier reopened after a\\nrepair.\\nIt rained.")]
    [(1, 33), (3, 10)]
    >>> [s.line for s in wrapped_runs("White House urges calm\\nKim may visit\\nname: Ann; age\\nthree: 3")]
    [1, 2, 3, 4]
    """
    runs: list[Span] = []
    last: Span | None = None  # the line before, the last of the run it is in
    for line in line_spans(text):
        if last is not None and last.line + 1 == line.line:
            before, after = text[runs[-1].start : last.end], text[line.start : line.end]
            midway = _GOES_ON.match(after) or (len(before) >= WRAPPED_WIDTH and _ENDS_MIDWAY.search(before))
            if not _ENDS_SENTENCE.search(before) and midway and not _ROW.search(before + "\n" + after):
                runs[-1], last = Span(runs[-1].line, runs[-1].start, line.end), line
                continue
        runs.append(line)
        last = line
    return runs


def _cut_at_small_letters(text: str, cuts: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Punkt's cuts, each cut again after a small letter that ends a sentence (``_SMALL_LETTER_END``).

    >>> list(_cut_at_small_letters("Let p be a factor of q. Wilson's theorem holds.", [(0, 47)]))
    [(0, 23), (24, 47)]
    """
    for start, end in cuts:
        for match in _SMALL_LETTER_END.finditer(text, start, end):
            yield start, match.end()
            start = match.end()
            while start < end and text[start].isspace():
                start += 1
        yield start, end


def _mended(line: int, offset: int, text: str, cuts: Iterable[tuple[int, int]]) -> list[Span]:
    """Punkt's sentences of one line, mended where it cut wrongly. It starts the next sentence
    with the marks that close this one ("oxygen.[b] The", "humor.\":64 Instead", "1975.[12][13]
    Then"): Wikipedia's footnotes and page numbers. They go back to the sentence before, so a
    quote neither opens with one nor misses its own. And it cuts after any "!", even a
    factorial's ("(p − 1)! + 1"): a piece that opens with an operator, a comma or a small letter
    continues the sentence before, as does one of marks alone (a quoted question's '"." after its
    "?"), and a short labelled field (``_LABELLED``: "Owner: Jonas Eklund."); a list item's number
    cut off alone ("1.") opens the sentence after it.

    >>> text = "1. Move it. Owner: Jo Ek. Due: 30 May."
    >>> [text[s.start : s.end] for s in _mended(1, 0, text, [(0, 2), (3, 11), (12, 25), (26, 38)])]
    ['1. Move it. Owner: Jo Ek. Due: 30 May.']
    >>> text = "Status: final. Author: Jo Ek."
    >>> [text[s.start : s.end] for s in _mended(1, 0, text, [(0, 14), (15, 29)])]
    ['Status: final.', 'Author: Jo Ek.']
    """
    spans: list[Span] = []
    for start, end in cuts:
        if spans and (
            _CONTINUATION.match(text, start, end)
            or not _WORDLIKE.search(text, start, end)
            or (_labelled(text, start, end) and _holds_fields(text, spans[-1].start - offset, spans[-1].end - offset))
            or _LIST_MARK.fullmatch(text, spans[-1].start - offset, spans[-1].end - offset)
        ):
            spans[-1] = Span(line, spans[-1].start, offset + end)
            continue
        lead = _FOOTNOTE_LEAD.match(text, start, end)
        if spans and lead:
            marks_end = start + len(lead.group().rstrip())
            spans[-1] = Span(line, spans[-1].start, offset + marks_end)
            start = lead.end()
        if start < end:
            spans.append(Span(line, offset + start, offset + end))
    return spans


class LineChunker(NodeParser):
    """Pack whole lines into chunks of at most ``max_tokens`` tokens.

    ``overlap`` pieces (lines, or sentences of a long line) from the end of one
    chunk start the next, so a fact split across a boundary is found whole.
    """

    max_tokens: int = 200
    overlap: int = 1
    count_tokens: Any = None  # TokenCounter; pydantic cannot type a Callable alias

    def __init__(self, count_tokens: TokenCounter, max_tokens: int = 200, overlap: int = 1) -> None:
        super().__init__(count_tokens=count_tokens, max_tokens=max_tokens, overlap=overlap)

    @property
    def signature(self) -> str:
        """Identifies the chunking; stored with each document so a change re-chunks it."""
        return f"runs:{self.max_tokens}:{self.overlap}"  # (lines, wrapped paragraphs as one: "lines:" before)

    def signature_of(self, doc: BaseNode) -> str:
        """The chunking of ``doc``: ``signature``, and for a document whose pages have names, that
        its chunks carry them (a document stored before they did is chunked again)."""
        return self.signature + (":pages" if doc.metadata.get("page_names") else "")

    def pieces(self, text: str, budget: int | None = None) -> list[Span]:
        """Lines (a wrapped paragraph's as one: ``wrapped_runs``), with those over budget (``max_tokens``
        unless given) cut into sentences, then words."""
        out: list[Span] = []
        for run in wrapped_runs(text):
            out.extend(self._fit(text, run, (_SENTENCE_END, _WORD_END), budget or self.max_tokens))
        return out

    def _fit(self, text: str, span: Span, patterns: Sequence[re.Pattern[str]], budget: int) -> list[Span]:
        if self.count_tokens(text[span.start : span.end]) <= budget or not patterns:
            return [span]
        out: list[Span] = []
        for piece in split_span(text, span, patterns[0]):
            out.extend(self._fit(text, piece, patterns[1:], budget))
        return out

    def groups(self, text: str, budget: int | None = None) -> list[list[Span]]:
        """Consecutive pieces packed up to the budget (``max_tokens`` unless given), with ``overlap``
        carried over."""
        budget = budget or self.max_tokens
        groups: list[list[Span]] = []
        current: list[Span] = []
        for piece in self.pieces(text, budget):
            candidate = current + [piece]
            if current and self._tokens(text, candidate) > budget:
                groups.append(current)
                carried = current[-self.overlap :] if self.overlap else []
                current = carried + [piece]
                while len(current) > 1 and self._tokens(text, current) > budget:
                    current = current[1:]
            else:
                current = candidate
        if current:
            groups.append(current)
        return groups

    def _tokens(self, text: str, group: list[Span]) -> int:
        return self.count_tokens(text[group[0].start : group[-1].end])

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for doc in nodes:
            out.extend(self.chunk(doc))
        return out

    def chunk(self, doc: BaseNode) -> Iterable[TextNode]:
        """Chunks of one document, each recording file, lines and offsets (and the names of the
        pages it lies on, where they have names)."""
        text = doc.get_content()
        file = doc.metadata.get("file", doc.id_)
        starts = decode_starts(doc.metadata.get("page_starts"))
        names = decode_names(doc.metadata.get("page_names"))
        # what the names take of the embedder's 256 tokens: as much as the longest a chunk can carry
        reserve = self.count_tokens(_pages_read(_named(starts, names, 1, len(text.splitlines()) or 1))) if names else 0
        source = doc.as_related_node_info()  # hashes the whole document: once, not once a chunk
        for number, group in enumerate(self.groups(text, max(1, self.max_tokens - reserve))):
            start, end = group[0].start, group[-1].end
            last = group[-1].line_at(text, end)  # a wrapped paragraph's last line
            metadata = {"file": file, "start_line": group[0].line, "end_line": last}
            if named := _named(starts, names, group[0].line, last):
                metadata[PAGES] = named
            yield TextNode(
                id_=f"{doc.id_}#{number}",
                text=text[start:end],
                start_char_idx=start,
                end_char_idx=end,
                metadata=metadata,
                excluded_embed_metadata_keys=list(NOT_READ),
                excluded_llm_metadata_keys=[*NOT_READ, PAGES],
                relationships={NodeRelationship.SOURCE: source},
            )


def _named(starts: tuple[int, ...], names: tuple[str, ...], first: int, last: int) -> str:
    """The names of the pages from ``first``'s to ``last``'s line, in order, joined and cut to
    ``NAME_CHARS``; "" where none has a name (a PDF's pages, sheets left as "Sheet1").

    >>> _named((1, 4, 9), ("Lights", "Sheet2", "Crews"), 2, 10), _named((1, 4), ("Sheet1", "Sheet2"), 1, 5)
    ('Lights, Crews', '')
    """
    if not names or not starts:
        return ""
    pages = range(page_of(starts, first)[0], page_of(starts, last)[0] + 1)
    named = ", ".join(dict.fromkeys(filter(None, (page_name(names, page) for page in pages))))
    return named if len(named) <= NAME_CHARS else named[: NAME_CHARS - 1] + "…"


def _pages_read(named: str) -> str:
    """How llama-index writes the ``pages`` metadata before a chunk's text for the embedder."""
    return f"{PAGES}: {named}\n\n" if named else ""
