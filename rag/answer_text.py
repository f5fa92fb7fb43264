"""What an answer's text says, read apart from any source: its sentences without the model's own
markers and without remarks that only point at a source, and whether it opens with yes.

This module does not compare an answer with its sources (``rag.attribution`` does).
"""

from __future__ import annotations

import re

from index.chunking import sentence_spans
from rag.wording import WORD

_YES = re.compile(r"\W*yes\b[\W_]*", re.IGNORECASE)
_MODEL_MARKER = re.compile(r"\s*\[(?:\d+(?:\s*[,;-]\s*\d+)*|source[^\]]*)\]")
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
    |\s+(?:by|in|from|on)(?:\s+the)?\s+[\w-]+\.[a-z]{{2,4}}(?:\s+(?:file|document|sheet))?
    |\s+(?:by|in|from|on)
    )\s*[.!]?$
    |^the\s+(?:supporting|relevant|cited)\s+{_SOURCE}\s+(?:is|are)\s*[.!]?$""",
    re.IGNORECASE | re.VERBOSE,
)

_LETTER = re.compile(r"[^\W\d_]")


def remarks_on_sources(sentence: str) -> bool:
    """Whether a sentence (markers stripped) only says where the answer comes from, claiming nothing.

    >>> remarks_on_sources("This is stated in the second source."), remarks_on_sources("The supporting source is.")
    (True, True)
    >>> remarks_on_sources("This is mentioned in the expenses_q3.csv file."), remarks_on_sources("It is in a.txt.")
    (True, False)
    >>> remarks_on_sources("This is stated in the first source, which says Skylab was built on the ground.")
    False
    """
    return bool(_SOURCE_REMARK.match(sentence))


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


def restates(question: str, sentence: str) -> bool:
    """Whether a sentence that opens with yes says nothing past its yes that the question does not ask,
    word for word ("Yes, the tenant can keep a cat." of "Can the tenant keep a cat?"): its yes is all it
    claims, and a source need only say yes.

    >>> q = "Can the tenant keep a cat?"
    >>> restates(q, "Yes, the tenant can keep a cat."), restates(q, "Yes, the tenant can keep two cats.")
    (True, False)
    >>> restates(q, "The tenant can keep a cat."), restates(q, "Yes.")
    (False, False)
    """
    said = claim(sentence)
    if not affirms(sentence) or not said:
        return False
    return set(WORD.findall(said.lower())) <= set(WORD.findall(question.lower()))


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
