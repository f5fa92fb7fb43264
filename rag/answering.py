"""The answering service: retrieve, prompt, stream the LLM, attribute, cite.

Callers (CLI, Gradio chat, HTTP API) use ``stream`` for token-by-token output
ending with an ``Answer``, or ``ask`` for just the ``Answer``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from llama_index.core.llms import LLM, ChatMessage

from rag.attribution import Attributor
from rag.decision import Decider, declined
from rag.errors import GroundlineError, LLMUnavailable, QuestionError
from rag.prompts import answer_messages, condense_messages
from rag.types import Answer, Evidence, Passage, Token
from rag.verification import Verifier


def scoped(answer: Answer, files: Sequence[str]) -> Answer:
    """An abstention of a question asked within chosen documents says that those do not say: the
    rest of the library may (its closest passages are theirs too).

    >>> scoped(Answer("The documents do not say.", abstained=True), ["a.txt", "b.txt"]).text
    'The 2 chosen documents do not say.'
    >>> scoped(Answer("The documents do not say.", abstained=True), ["a.txt"]).text
    'The chosen document does not say.'
    """
    if not files or not answer.abstained:
        return answer
    said = (
        "The chosen document does not say." if len(files) == 1 else f"The {len(files):,} chosen documents do not say."
    )
    return replace(answer, text=said)


def check_question(question: str, max_chars: int) -> str:
    """The question, trimmed; a clear error if it is empty or too long. Needs no model, so a
    caller can refuse a bad question before loading any.

    >>> check_question("  who? ", 100)
    'who?'
    """
    question = (question or "").strip()
    if not question:
        raise QuestionError("Please type a question about your documents.")
    if len(question) > max_chars:
        raise QuestionError(
            f"That question is {len(question)} characters long; the limit is {max_chars}. Please shorten it."
        )
    return question


class Retriever(Protocol):
    def retrieve(self, question: str, *, files: Sequence[str] = ()) -> list[Passage]: ...


class AnswerService:
    """Grounded answers with line-level citations."""

    def __init__(
        self,
        retriever: Retriever,
        llm: LLM,
        attributor: Attributor,
        decider: Decider,
        max_question_chars: int = 2000,
        llm_guard: AbstractContextManager | None = None,
        verifier: Verifier | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.attributor = attributor
        self.decider = decider
        self.max_question_chars = max_question_chars
        # A local llama.cpp model can run one generation at a time.
        self.llm_guard = llm_guard or contextlib.nullcontext()
        self.verifier = verifier

    def check_question(self, question: str) -> str:
        """The question, trimmed; a clear error if it is empty or too long."""
        return check_question(question, self.max_question_chars)

    @contextlib.contextmanager
    def calling_llm(self) -> Iterator[None]:
        """One LLM call at a time where the backend needs it; any backend failure
        (connection, timeout, server error) becomes one clear ``LLMUnavailable``."""
        with self.llm_guard:
            try:
                yield
            except GroundlineError:
                raise
            except Exception as exc:  # the backends raise many unrelated types
                raise LLMUnavailable(f"The language model failed: {exc}") from exc

    def standalone(self, question: str, history: Sequence[ChatMessage]) -> str:
        """The question rewritten to stand alone, using the chat history (if any)."""
        if not history:
            return question
        with self.calling_llm():
            reply = self.llm.chat(condense_messages(question, history)).message.content or ""
        rewritten = reply.strip().strip('"').splitlines()[0].strip() if reply.strip() else ""
        return rewritten or question

    def stream(
        self, question: str, history: Sequence[ChatMessage] = (), files: Sequence[str] = ()
    ) -> Iterator[Token | Answer]:
        """Yield the model's tokens as they come, then the final cited ``Answer``; from the passages
        of ``files`` alone, where given (an abstention's closest passages too)."""
        question = self.standalone(self.check_question(question), history)
        passages = self.retriever.retrieve(question, files=files)
        if not passages or self.decider.too_far(passages):
            # nothing is even close: don't let the model guess
            yield scoped(self.decider.decide(Evidence(question, passages)), files)
            return
        raw = ""
        with self.calling_llm():
            for chunk in self.llm.stream_chat(answer_messages(question, passages)):
                delta = chunk.delta or ""
                raw += delta
                if delta:
                    yield Token(delta)
        yield scoped(self.finish(raw, passages, question), files)

    def ask(self, question: str, history: Sequence[ChatMessage] = (), files: Sequence[str] = ()) -> Answer:
        """The final answer, without streaming."""
        for event in self.stream(question, history, files):
            if isinstance(event, Answer):
                return event
        raise LLMUnavailable("The language model returned no answer.")

    def finish(self, raw: str, passages: Sequence[Passage], question: str = "") -> Answer:
        """Attribute the raw model output, verify it, then decide the cited answer."""
        evidence = self.attributor.evidence(question, passages, raw)
        if self.verifier is not None and not declined(raw):
            with self.calling_llm():
                evidence = replace(evidence, verified=self.verifier.verify(question, evidence.supports))
        return self.decider.decide(evidence)
