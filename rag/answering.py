"""The answering service: retrieve, prompt, stream the LLM, attribute, cite.

Callers (CLI, Gradio chat, HTTP API) use ``stream`` for token-by-token output
ending with an ``Answer``, or ``ask`` for just the ``Answer``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from llama_index.core.llms import LLM, ChatMessage

from index.store import reaching_the_server
from rag.answer_text import affirms, answer_sentences
from rag.attribution import Attributor
from rag.decision import ASKED_AGAIN_NOTE, Decider, declined
from rag.errors import Abandoned, GroundlineError, LLMUnavailable, QuestionError
from rag.halting import halted_by
from rag.naming import Named, named_in
from rag.overview import Overviewer, is_overview
from rag.prompts import ABSTAIN, answer_messages, condense_messages, summary_messages
from rag.small_talk import reply as small_talk
from rag.types import Answer, Evidence, Passage, Support, Token
from rag.verification import Verifier

log = logging.getLogger(__name__)

SUMMARY_SENTENCES = 2  # of each document's summary: the prompt asks for one or two
_ENDS = re.compile(r"[.!?]")  # a piece of the reply that may end a sentence


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


EMPTY = {"question": "Please type a question about your documents.", "search": "Please type what to search for."}


def check_question(question: str, max_chars: int, kind: str = "question") -> str:
    """The question (or a search's words: ``kind``), trimmed; a clear error if it is empty or too
    long. Needs no model, so a caller can refuse a bad question before loading any.

    >>> check_question("  who? ", 100)
    'who?'
    """
    question = (question or "").strip()
    if not question:
        raise QuestionError(EMPTY[kind])
    if len(question) > max_chars:
        raise QuestionError(
            f"That {kind} is {len(question)} characters long; the limit is {max_chars}. Please shorten it."
        )
    return question


class Retriever(Protocol):
    def retrieve(self, question: str, *, files: Sequence[str] = ()) -> list[Passage]: ...


class Stopwatch:
    """How long a question's stages took: ``rewrite`` (a follow-up made standalone, where there is
    a conversation), ``retrieval``,
    ``model`` (the answer written), ``check`` (attribution and the verifier) and ``second_try`` (where the
    model declined, asked again and checked: ``Evidence.retry``), each timed from the end of the one
    before; and the reader's wait for the first word (``first_token``)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.started = self.last = clock()
        self.stages: dict[str, float] = {}
        self.first_token: float | None = None  # None: the model was not asked

    def lap(self, stage: str | None) -> None:
        """The stage ``stage`` ends now (None: a stage that did not run, not recorded)."""
        now = self.clock()
        if stage is not None:
            self.stages[stage] = now - self.last
        self.last = now

    def token(self) -> None:
        if self.first_token is None:
            self.first_token = self.clock() - self.started

    @property
    def total(self) -> float:
        return self.clock() - self.started


class AnswerObserver(Protocol):
    """Told how each question asked of ``AnswerService.stream`` ended, and how long it took."""

    def answered(self, answer: Answer, timed: Stopwatch) -> None:
        """An answer or an abstention was given (``answer.abstained``, ``answer.withheld_by``)."""

    def unanswered(self, outcome: str, seconds: float) -> None:
        """None was: ``failed`` (the model, or a bug) or ``cancelled`` (the reader left before the
        end). A question refused before it is asked (empty, too long) is neither."""


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
        reading: Callable[[], None] | None = None,
        keeping: Callable[[], None] | None = None,
        overviews: Overviewer | None = None,
        documents: Callable[[], list[str]] | None = None,
        second_try: bool = False,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.attributor = attributor
        self.decider = decider
        self.max_question_chars = max_question_chars
        # A local llama.cpp model can run one generation at a time.
        self.llm_guard = llm_guard or contextlib.nullcontext()
        self.verifier = verifier
        # a decline asked again of the passage nearest the question (``Evidence.retry``)
        self.second_try = second_try
        # told as each answer's passages are chosen (the local model's prompt cache: rag.llm.prompt_reading)
        self.reading = reading or (lambda: None)
        # told where a reply is stopped before its end, to keep what the model read (rag.llm.prompt_keeping)
        self.keeping = keeping or (lambda: None)
        # a request for a summary ("what are these about?"): its passages chosen by where they lie (rag.overview)
        self.overviews = overviews
        # every ingested document's name: a question that names some is asked of those (rag.naming)
        self.documents = documents
        self.observers: list[AnswerObserver] = []

    def observe(self, observer: AnswerObserver) -> None:
        """Tell ``observer`` how each question ends (a server counts them: ``ui.metrics``)."""
        self.observers.append(observer)

    def _tell(self, told: Callable[[AnswerObserver], None]) -> None:
        for observer in self.observers:
            try:
                told(observer)
            except Exception:  # counting failed: the answer itself stands
                log.exception("%s failed", observer)

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
        self,
        question: str,
        history: Sequence[ChatMessage] = (),
        files: Sequence[str] = (),
        gone: Callable[[], bool] = lambda: False,
    ) -> Iterator[Token | Answer]:
        """Yield the model's tokens as they come, then the final cited ``Answer``; from the passages
        of ``files`` alone, where given (an abstention's closest passages too). The observers are
        told how it ended. ``gone`` is asked before each batch of prompt the local model reads
        (``rag.halting``): once the asker has gone, it stops reading there and ``Abandoned`` is raised."""
        timed = Stopwatch()
        outcome = "cancelled"  # unless it ends otherwise: closed early, by a reader who left
        try:
            with contextlib.closing(self._stream(question, history, files, timed)) as events:  # before it is told
                while True:
                    with halted_by(gone):  # each step, on the thread that runs it
                        event = next(events, None)
                    if event is None:
                        break
                    if isinstance(event, Answer):  # told before it is handed on: a caller may stop there
                        outcome = ""
                        self._tell(lambda o, answer=event: o.answered(answer, timed))
                    yield event
        except QuestionError:
            outcome = ""  # refused before it was asked (empty, too long): no question to count
            raise
        except Abandoned:
            raise  # a reader who left: "cancelled"
        except Exception:
            outcome = "failed"
            raise
        finally:
            if outcome:
                self._tell(lambda o: o.unanswered(outcome, timed.total))

    def _stream(
        self, question: str, history: Sequence[ChatMessage], files: Sequence[str], timed: Stopwatch
    ) -> Iterator[Token | Answer]:
        question = self.check_question(question)
        if self.documents is not None:  # "hello", "thanks", "help": said to the assistant, not asked of documents
            said = small_talk(question, (lambda: files) if files else self.documents, chosen=bool(files))
            if said is not None:
                yield Answer(said, abstained=False, question=question)
                return
        question = self.standalone(question, history)
        timed.lap("rewrite" if history else None)  # a first question is not rewritten
        named = named_in(question, self.documents) if self.documents is not None else Named([], question)
        unnamed = named.note(chosen=bool(files))  # a name no document has: said, not silently asked of all
        summary = self.overviews is not None and is_overview(named.rest)  # what it asks of what it names
        if summary and named.unknown and not named.files:
            names = ", ".join(named.unknown)
            raise QuestionError(f"No document is named {names}: there is nothing of that name to summarize.")
        if named.files:  # of those chosen, where some are: a name is not a way out of a pinned scope
            files = ([name for name in named.files if name in files] or files) if files else named.files
        for event in self._answered(question, summary, files, timed):
            yield (
                replace(event, note=" ".join(filter(None, (unnamed, event.note))))
                if isinstance(event, Answer)
                else event
            )

    def _answered(
        self, question: str, summary: bool, files: Sequence[str], timed: Stopwatch
    ) -> Iterator[Token | Answer]:
        """A summary, where the question asks for one; else an answer from the passages retrieved."""
        if summary:
            yield from self._summary(question, files, timed)
            return
        self.reading()
        with reaching_the_server():  # a Chroma server, where one is set, answers the retrieval
            passages = self.retriever.retrieve(question, files=files)
        timed.lap("retrieval")
        # nothing is even close (the passages' words and sentences read only where their cosines say so): don't
        # let the model guess
        if not passages or (
            self.decider.too_far(passages)
            and self.decider.too_far(
                passages, self.attributor.words_held(question, passages), self.attributor.nearest(question, passages)
            )
        ):
            yield scoped(self.marked(self.decider.decide(Evidence(question, passages))), files)
            return
        raw = yield from self._written(answer_messages(question, passages), timed, hold=True)
        timed.lap("model")
        evidence = self.checked(raw, passages, question)
        timed.lap("check")
        evidence = yield from self.tried_again(evidence, timed)
        yield scoped(self.marked(self.decider.decide(evidence)), files)

    def tried_again(self, evidence: Evidence, timed: Stopwatch) -> Generator[Token, None, Evidence]:
        """The evidence with a second try (``Evidence.retry``), where the model, shown more than one passage,
        declined or wrote an answer no line supports (``Decider.tries_again``): asked again of the passage
        holding the sentence nearest the question, and checked; its words yielded as they come (a decline's
        were held back: ``_written``), after a note that the first answer was not kept where it was streamed."""
        if not (self.second_try and len(evidence.passages) > 1 and self.decider.tries_again(evidence)):
            return evidence
        nearest = self.attributor.closest(evidence.question, evidence.passages)
        if nearest is None:
            return evidence
        lead = ""  # before the second try's words, where the first's were streamed: set apart, and why
        if not ABSTAIN.startswith(evidence.raw.lstrip()):
            lead = "\n\n" if self.decider.declines(evidence) else ASKED_AGAIN_NOTE
        again = yield from self._written(answer_messages(evidence.question, [nearest]), timed, hold=True, lead=lead)
        evidence = replace(evidence, retry=self.checked(again, [nearest], evidence.question))
        timed.lap("second_try")
        return evidence

    def _summary(self, request: str, files: Sequence[str], timed: Stopwatch) -> Iterator[Token | Answer]:
        """A summary of ``files`` (or of every document): each document's written from its passages
        alone, in turn (asked for one summary of several, the 1.5B model copied the first file's
        sentences and left the others out), each sentence attributed within its document; not put to
        the verifier, whose question (do these lines answer "summarize this"?) has no answer. What it
        did not read is its note."""
        assert self.overviews is not None
        self.reading()
        with reaching_the_server():
            overview = self.overviews.read(files)
        timed.lap("retrieval")
        raws: list[str] = []
        supports: list[Support] = []
        for part in overview.by_document():
            if raws:
                yield Token("\n\n")
            raw = yield from self._written(summary_messages(request, part), timed, SUMMARY_SENTENCES)
            if not declined(raw):  # one document's silence is not the others'
                raws.append(raw)
                supports += self.attributor.attribute(answer_sentences(raw), part)
        timed.lap("model")
        evidence = Evidence(request, overview.passages, "\n\n".join(raws) if overview.passages else None, supports)
        answer = self.marked(self.decider.decide(evidence))
        timed.lap("check")
        yield scoped(replace(answer, note=answer.note if answer.abstained else overview.note), files)

    def _written(
        self,
        messages: Sequence[ChatMessage],
        timed: Stopwatch,
        most_sentences: int = 0,
        hold: bool = False,
        lead: str = "",
    ) -> Generator[Token, None, str]:
        """The model's reply to ``messages``, each piece yielded as it comes; returns the whole, or
        with ``most_sentences``, stops the model once it starts a sentence past them and returns
        those (the local model wrote four or five where asked for two, each taking seconds). With
        ``hold``, a reply that may yet be the abstention (its start so far) is held back until it is not:
        a decline is not shown, where a second try may answer (the answer's text says it otherwise). ``lead``
        comes before its first piece, where it has one."""
        raw, sent = "", 0
        with self.calling_llm():
            stream = self.llm.stream_chat(messages)
            stopped = True  # unless the reply runs to its end, or fails
            try:
                for chunk in stream:
                    delta = chunk.delta or ""
                    raw += delta
                    if delta and not (hold and ABSTAIN.startswith(raw.lstrip())):
                        timed.token()
                        yield Token(lead + raw[sent:])
                        sent, lead = len(raw), ""
                    if (
                        most_sentences
                        and _ENDS.search(delta)
                        and len(sentences := answer_sentences(raw)) > most_sentences
                    ):
                        return " ".join(sentences[:most_sentences])
                stopped = False
            except Abandoned:
                raise  # stopped part-way through the prompt: what it read is kept, a prefix to resume
            except Exception:
                stopped = False
                raise
            finally:
                getattr(stream, "close", lambda: None)()  # the model stops where the reader has enough
                if stopped:  # here, or by a reader who left: what it read is kept all the same
                    self.keeping()
        return raw

    def ask(
        self,
        question: str,
        history: Sequence[ChatMessage] = (),
        files: Sequence[str] = (),
        gone: Callable[[], bool] = lambda: False,
    ) -> Answer:
        """The final answer, without streaming. ``gone`` is asked after each of the model's tokens, and
        before each batch of prompt it reads (an HTTP client's connection:
        ``ui.answer_stream.client_gone``); once the asker has gone, the model stops there, as for a
        stream its reader left, and ``Abandoned`` is raised."""
        with contextlib.closing(self.stream(question, history, files, gone)) as events:
            for event in events:
                if isinstance(event, Answer):
                    return event
                if gone():
                    raise Abandoned("The question was left before its answer was finished.")
        raise LLMUnavailable("The language model returned no answer.")

    def finish(self, raw: str, passages: Sequence[Passage], question: str = "") -> Answer:
        """The cited answer decided from the raw model output's evidence (``checked``)."""
        return self.marked(self.decider.decide(self.checked(raw, passages, question)))

    def checked(self, raw: str, passages: Sequence[Passage], question: str = "") -> Evidence:
        """The raw model output attributed, and verified (and an answer that opens with "yes", that the
        cited sentences say yes): each cited sentence shown under its heading (``Attributor.lead_ins``)."""
        evidence = self.attributor.evidence(question, passages, raw)
        if self.verifier is not None and not declined(raw):
            under = self.attributor.lead_ins(passages)  # the heading each cited sentence is under
            with self.calling_llm():
                verified = self.verifier.verify(question, evidence.supports, under)
                again = None
                if verified is not None and self.decider.looks_again(verified):
                    before = self.attributor.with_sentence_before(under, passages)
                    again = self.verifier.verify(question, evidence.supports, before)
                said_yes = self.verifier.says_yes(question, evidence.supports, under) if affirms(raw) else None
                evidence = replace(evidence, verified=verified, verified_again=again, said_yes=said_yes)
        return evidence

    def marked(self, answer: Answer) -> Answer:
        """An abstention with each closest passage's sentence nearest the question marked (what a
        reader looking for themselves reads first, the viewer marks it); an answer as it is."""
        if not answer.abstained or not answer.passages:
            return answer
        ranked = self.attributor.ranked_in_each(answer.question, answer.passages)
        return replace(answer, marks=[found[0].citation if found else None for found in ranked])
