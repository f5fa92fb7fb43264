"""Ask the LLM whether the cited source sentences answer the question: an entailment check.

Attribution finds the source sentence most like each answer sentence, but a
sentence can look like the answer and still not answer the question (SQuAD v2's
unanswerable questions are written that way: right topic, wrong year or name).
The verifier shows the model only the question and the cited source sentences,
not the model's answer (measured: the answer sways the judge; without it the
check separates unanswerable questions far better), and reads how sure it is
that they answer it: from the next token's probabilities with the local
llama.cpp model, from its yes/no reply with any other LLM. ``rag.decision``
applies the threshold.

This module neither retrieves, attributes nor decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import numpy as np
from llama_index.core.llms import LLM, ChatMessage, MessageRole

from rag.prompts import chatml
from rag.types import Citation, Support

_VERDICT = re.compile(r"\b(yes|no)\b", re.IGNORECASE)
VERIFY_SYSTEM = "You check answers against a source text. Reply with one word: yes or no."
# The question itself, answered from the cited sentences alone: what an answer that opens with "yes" is
# checked against (``Verifier.says_yes``). Asked this way, the 1.5B model put 16 questions crafted on the
# sample news (8 the lines deny or do not settle) apart at 0.81-0.84; asked "is the answer to this
# question yes?" about the text, or "does the text say yes?", it said yes to either kind alike.
YES_SYSTEM = "Answer the question from the source text alone. Reply with one word: yes or no."


# what is put to the judge, from the question and the quotes it is shown
Messages = Callable[[str, Sequence[str]], list[ChatMessage]]


def put(system: str, question: str, quotes: Sequence[str], ask: str = "") -> list[ChatMessage]:
    """The quotes and the question, as every check puts them to the judge: under ``system``, the source
    text, the question, and what is asked of it (``ask``; none: the question itself)."""
    user = f"Source text:\n{' '.join(quotes)}\n\nQuestion: {question}" + (f"\n\n{ask}" if ask else "")
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def verify_messages(question: str, quotes: Sequence[str]) -> list[ChatMessage]:
    """The yes/no question put to the model."""
    return put(VERIFY_SYSTEM, question, quotes, "Does the source text answer this exact question?")


def yes_messages(question: str, quotes: Sequence[str]) -> list[ChatMessage]:
    """The question put to the model as it was asked, to be answered yes or no from the quotes alone."""
    return put(YES_SYSTEM, question, quotes)


def yes_of(reply: str) -> float | None:
    """A written verdict as a probability: its first yes or no word; None if it has neither.

    >>> yes_of(" Yes."), yes_of("The text does not, no."), yes_of("Unclear.")
    (1.0, 0.0, None)
    """
    word = _VERDICT.search(reply)
    return None if word is None else float(word.group(1).lower() == "yes")


class Judge(Protocol):
    """The probability that the model's reply to ``messages`` is yes (None: no verdict)."""

    def __call__(self, messages: Sequence[ChatMessage]) -> float | None: ...


class ReplyJudge:
    """Any llama-index LLM: its written yes or no (an OpenAI-compatible server, a test fake).
    A reply with neither word is no verdict, so a chatty model cannot veto every answer."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def __call__(self, messages: Sequence[ChatMessage]) -> float | None:
        return yes_of(self.llm.chat(list(messages)).message.content or "")


class LlamaCppJudge:
    """The local model's next-token probability of yes against no, read from its logits."""

    def __init__(self, llama) -> None:  # llama_cpp.Llama
        self.llama = llama
        self.yes = self._first_tokens(("yes", "Yes", " yes", " Yes", "YES"))
        self.no = self._first_tokens(("no", "No", " no", " No", "NO"))

    def _first_tokens(self, words: Sequence[str]) -> list[int]:
        return sorted({self.llama.tokenize(w.encode(), add_bos=False)[0] for w in words})

    def __call__(self, messages: Sequence[ChatMessage]) -> float:
        import llama_cpp

        captured: list[np.ndarray] = []

        def capture(_input_ids, scores):
            captured.append(np.asarray(scores, dtype=float).copy())
            return scores

        # one generated token is enough: the processor sees the full distribution before sampling
        self.llama.create_completion(
            chatml(messages), max_tokens=1, temperature=0.0, logits_processor=llama_cpp.LogitsProcessorList([capture])
        )
        logits = captured[0]
        yes, no = np.logaddexp.reduce(logits[self.yes]), np.logaddexp.reduce(logits[self.no])
        return float(1.0 / (1.0 + np.exp(no - yes)))


def cited_quotes(supports: Sequence[Support], before: Mapping[Citation, str] | None = None) -> list[str]:
    """The source sentences the verifier is shown: each cited sentence once, as its document reads them
    (the files in the order first cited): a sentence's second source (``Support.also``) may be the one
    its "it" refers to. "Councillor Salo proposed spending half of it on school repairs; ..." shown before
    "The council accepted the harbour authority's dividend of 6 million euros." answered "Who proposed
    spending the dividend on school repairs?" at 0.49, after it at 0.67. One from a page with a name
    says which, as the answer's prompt did (a row of the 2024 sheet answers "in 2024" only with its sheet
    named); given ``before``, each after what it maps it to (its heading, the sentence before it).

    >>> cited = Citation("a.txt", 2, 2, "It could offer ammunition.", 40, 66)
    >>> cited_quotes([Support("s", cited, 1.0)], {cited: "Kim met Putin."})
    ['Kim met Putin. It could offer ammunition.']
    >>> earlier = Citation("a.txt", 1, 1, "Kim met Putin.", 0, 14)
    >>> cited_quotes([Support("s", cited, 1.0, also=earlier)])
    ['Kim met Putin.', 'It could offer ammunition.']
    """
    before = before or {}
    cited = list(dict.fromkeys(c for s in supports for c in s.cited))
    files = list(dict.fromkeys(c.file for c in cited))
    cited.sort(key=lambda c: (files.index(c.file), c.start_char))
    return list(dict.fromkeys(" ".join(filter(None, (before.get(c), _shown(c)))) for c in cited))


def _shown(citation: Citation) -> str:
    """A cited sentence as the verifier reads it: ``[sheet 2 (2024)] Harbour: Skerry; ...``.

    >>> _shown(Citation("b.xlsx", 5, 5, "Skerry: 1450", 0, 1, page=2, page_line=2, page_name="2024"))
    '[sheet 2 (2024)] Skerry: 1450'
    >>> _shown(Citation("a.txt", 5, 5, "Dogs bark.", 0, 1))
    'Dogs bark.'
    """
    if citation.page_name is None:
        return citation.quote
    return f"[{citation.page_label()}] {citation.quote}"


class Verifier:
    """How sure the model is that the cited source sentences answer the question (0-1)."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge

    def verify(
        self, question: str, supports: Sequence[Support], before: Mapping[Citation, str] | None = None
    ) -> float | None:
        """None when there is nothing to check (nothing cited) or the judge gave no verdict; ``before``:
        what is shown before each cited sentence (its heading; on a second look, ``Decider.looks_again``,
        the sentence before it too: ``Attributor.lead_ins``, ``Attributor.with_sentence_before``)."""
        return self._asked(verify_messages, question, cited_quotes(supports, before))

    def says_yes(
        self, question: str, supports: Sequence[Support], before: Mapping[Citation, str] | None = None
    ) -> float | None:
        """How sure the model is that the cited sentences answer the question yes, asked it from them alone:
        the check of an answer that opens with "yes" (``Evidence.said_yes``). None and ``before`` as ``verify``."""
        return self._asked(yes_messages, question, cited_quotes(supports, before))

    def _asked(self, messages: Messages, question: str, quotes: Sequence[str]) -> float | None:
        """The judge's verdict on ``messages(question, quotes)``, rounded; None where nothing is quoted."""
        if not quotes:
            return None
        verdict = self.judge(messages(question, quotes))
        return None if verdict is None else round(verdict, 4)
