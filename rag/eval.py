"""Measure answers against questions with known gold lines (SQuAD-style).

A question file has one JSON object a line: ``{"id", "question", "answers",
"file", "line"}``; ``"answers": []`` with ``"file": null`` marks a question the
corpus cannot answer. Every system is asked through its normal code path and
scored by the same functions. This module neither ingests nor builds systems.
"""

from __future__ import annotations

import json
import random
import re
import string
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

METRICS = (
    "retrieval_hit_at_5",
    "mrr",
    "citation_line_accuracy",
    "answer_accuracy",
    "abstention_recall",
    "false_abstention_rate",
    "latency_p50_s",
    "latency_p95_s",
    "n",
)


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    file: str | None
    line: int | None

    @property
    def answerable(self) -> bool:
        return bool(self.answers) and self.file is not None


@dataclass(frozen=True)
class LineSpan:
    """Lines ``start``..``end`` (inclusive) of ``file``."""

    file: str
    start: int
    end: int

    def covers(self, file: str | None, line: int | None) -> bool:
        return file == self.file and line is not None and self.start <= line <= self.end


@dataclass(frozen=True)
class Reply:
    text: str
    abstained: bool
    citations: list[LineSpan] = field(default_factory=list)
    evidence: object = None  # what a system decided from, if it keeps it (for replaying thresholds)


@dataclass(frozen=True)
class Outcome:
    question: EvalQuestion
    retrieved: list[LineSpan]
    reply: Reply | None
    latency_s: float | None


class System(Protocol):
    """What the harness asks of a QA system."""

    def retrieve(self, question: str, k: int) -> list[LineSpan]: ...

    def answer(self, question: str) -> Reply: ...


def dev_sample(questions: Sequence[EvalQuestion], held_out: Sequence[EvalQuestion], limit: int, seed: int):
    """A calibration sample disjoint from ``held_out`` (the test sample), half unanswerable."""
    taken = {q.id for q in held_out}
    return sample([q for q in questions if q.id not in taken], limit, seed, unanswerable_share=0.5)


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a questions.jsonl file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            answers = tuple(q.get("answers") or ())
            out.append(EvalQuestion(q["id"], q["question"], answers, q.get("file"), q.get("line")))
    return out


def sample(questions: Sequence[EvalQuestion], limit: int | None, seed: int, unanswerable_share: float = 0.2):
    """A fixed random sample with ``unanswerable_share`` of unanswerable questions (when available)."""
    if limit is None or limit >= len(questions):
        return list(questions)
    rng = random.Random(seed)
    unanswerable = [q for q in questions if not q.answerable]
    answerable = [q for q in questions if q.answerable]
    n_un = min(len(unanswerable), round(limit * unanswerable_share))
    picked = rng.sample(unanswerable, n_un) + rng.sample(answerable, min(len(answerable), limit - n_un))
    rng.shuffle(picked)
    return picked


def _is_punctuation(ch: str) -> bool:
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


def normalize(text: str) -> str:
    """SQuAD's answer normalization: lower case, no punctuation, articles or extra spaces.

    Punctuation is Unicode's, not only ASCII's (as MLQA's evaluation script does), so
    a typographic dash in the gold answer matches the model's hyphen.

    >>> normalize("The  U.S. Army!")
    'us army'
    >>> normalize("31–24") == normalize("31-24")
    True
    """
    text = "".join(ch for ch in text.lower() if not _is_punctuation(ch))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def ask(system: System, q: EvalQuestion, with_answer: bool = True) -> Outcome:
    """Ask one question; time the answer."""
    retrieved = system.retrieve(q.question, 5)
    reply, latency = None, None
    if with_answer:
        start = time.perf_counter()
        reply = system.answer(q.question)
        latency = time.perf_counter() - start
    return Outcome(q, retrieved, reply, latency)


def run(
    system: System, questions: Iterable[EvalQuestion], with_answers: bool = True, progress: Callable | None = None
) -> Iterator[Outcome]:
    """Ask every question, each outcome as it comes (a records file keeps it then: ``rag.eval_run``)."""
    for q in progress(questions) if progress else questions:
        yield ask(system, q, with_answers)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 3)


def contains_answer(q: EvalQuestion, text: str) -> bool:
    """Whether ``text`` contains one of ``q``'s gold answers, both normalized."""
    got = normalize(text)
    return any(normalize(a) and normalize(a) in got for a in q.answers)


def answered_right(o: Outcome) -> bool:
    """An answer, not an abstention, that contains a normalized gold answer."""
    return not o.reply.abstained and contains_answer(o.question, o.reply.text)


def retrieval_rank(o: Outcome) -> int | None:
    """n where the n-th passage retrieved is the first to cover the gold line; None where none does."""
    return next(
        (i for i, span in enumerate(o.retrieved, start=1) if span.covers(o.question.file, o.question.line)), None
    )


def reciprocal_rank(o: Outcome) -> float:
    """1/n where the n-th passage retrieved covers the gold line (``retrieval_rank``); 0 where none does."""
    rank = retrieval_rank(o)
    return 0.0 if rank is None else 1.0 / rank


def cites_gold(o: Outcome) -> bool:
    """Whether a citation of the reply covers the gold line."""
    return any(c.covers(o.question.file, o.question.line) for c in o.reply.citations)


def judged(o: Outcome) -> dict:
    """How one outcome counts towards ``score``'s metrics: where the gold line was retrieved
    (``retrieval_rank``, 1 the first; None: not in the top passages), whether the reply cites it and
    contains a gold answer (an answerable question's), and whether it abstained; None where the
    question or the reply (``--retrieval-only``) has nothing to judge.

    >>> q = EvalQuestion("1", "When?", ("October 1973",), "a.txt", 3)
    >>> judged(Outcome(q, [LineSpan("a.txt", 3, 4)], Reply("In October 1973.", False, [LineSpan("b.txt", 3, 3)]), 1.0))
    {'retrieval_rank': 1, 'cites_gold_line': False, 'answered_right': True, 'abstained': False}
    """
    answerable, replied = o.question.answerable, o.reply is not None
    return {
        "retrieval_rank": retrieval_rank(o) if answerable else None,
        "cites_gold_line": cites_gold(o) if answerable and replied else None,
        "answered_right": answered_right(o) if answerable and replied else None,
        "abstained": o.reply.abstained if replied else None,
    }


def score(outcomes: Sequence[Outcome]) -> dict:
    """The metrics over a list of outcomes (``None`` where nothing was measured)."""
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    answered = [o for o in answerable if o.reply is not None]
    refused = [o for o in unanswerable if o.reply is not None]
    latencies = [o.latency_s for o in outcomes if o.latency_s is not None]
    ranks = [reciprocal_rank(o) for o in answerable]
    return {
        "retrieval_hit_at_5": _mean([float(r > 0) for r in ranks]),
        "mrr": _mean(ranks),
        "citation_line_accuracy": _mean([float(cites_gold(o)) for o in answered]),
        "answer_accuracy": _mean([float(answered_right(o)) for o in answered]),
        "abstention_recall": _mean([float(o.reply.abstained) for o in refused]),
        "false_abstention_rate": _mean([float(o.reply.abstained) for o in answered]),
        "latency_p50_s": _percentile(latencies, 0.5),
        "latency_p95_s": _percentile(latencies, 0.95),
        "n": len(outcomes),
    }
