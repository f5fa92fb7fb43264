"""Build the systems the eval compares, ingest the corpus, and score them.

The corpus is ingested into a data dir of its own (``DATA_DIR/eval/<id>``),
reused when unchanged; model files are shared with the main data dir.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from pydantic import TypeAdapter

from rag.app import Groundline, build
from rag.attribution import Attributor
from rag.baseline import PlainLlamaIndex
from rag.decision import Decider
from rag.errors import GroundlineError
from rag.eval import EvalQuestion, LineSpan, Outcome, Reply, System, judged, load_questions, run, sample, score
from rag.settings import Settings
from rag.types import Answer, Citation, Evidence

EVIDENCE = TypeAdapter(Evidence)


class Ours:
    """Groundline through the same service the chat uses."""

    def __init__(self, app: Groundline) -> None:
        self.app = app

    def retrieve(self, question: str, k: int) -> list[LineSpan]:
        """The chat's own retriever (and its one keyword index), asked for ``k`` passages."""
        return [LineSpan(p.file, p.start_line, p.end_line) for p in self.app.retriever.retrieve(question, k)]

    def answer(self, question: str) -> Reply:
        return reply_of(self.app.service.ask(question))


def span_of(citation: Citation) -> LineSpan:
    """The lines a citation covers, as the eval scores them."""
    return LineSpan(citation.file, citation.start_line, citation.end_line)


def reply_of(answer: Answer) -> Reply:
    """What the eval scores of one of our answers (its evidence kept for replays)."""
    return Reply(answer.text, answer.abstained, [span_of(c) for c in answer.citations], answer.evidence)


def replay(outcomes: Sequence[Outcome], decider: Decider, attributor: Attributor | None = None) -> list[Outcome]:
    """The outcomes our answers would have had under ``decider``'s thresholds (and, given an
    ``attributor``, with the model's recorded output attributed again by it); no LLM call."""
    out = []
    for o in outcomes:
        evidence = o.reply.evidence if o.reply is not None else None
        if evidence is None:
            out.append(o)
            continue
        if attributor is not None:
            evidence = attributed_again(evidence, attributor)
        out.append(replace(o, reply=reply_of(decider.decide(evidence))))
    return out


def attributed_again(evidence: Evidence, attributor: Attributor) -> Evidence:
    """The recorded evidence with the model's output (and its second try's) attributed again by
    ``attributor``; the recorded verdicts are kept (bench.eval verify asks again where the cited
    sentences changed)."""
    if evidence.raw is None:
        return evidence
    again = attributor.evidence(evidence.question, evidence.passages, evidence.raw)
    retry = evidence.retry and attributed_again(evidence.retry, attributor)
    return replace(
        again, verified=evidence.verified, verified_again=evidence.verified_again, said_yes=evidence.said_yes,
        retry=retry,
    )  # fmt: skip


def to_record(outcome: Outcome, **extra) -> dict:
    """One outcome as a JSON-able dict (one line of a records file)."""
    reply = outcome.reply
    evidence = None if reply is None or reply.evidence is None else EVIDENCE.dump_python(reply.evidence, mode="json")
    return {
        "id": outcome.question.id,
        **extra,
        "retrieved": [asdict(s) for s in outcome.retrieved],
        "latency_s": outcome.latency_s,
        "reply": None if reply is None else reply_record(reply),
        "evidence": evidence,
    }


def reply_record(reply: Reply) -> dict:
    """What a records file keeps of a reply beside its evidence."""
    return {"text": reply.text, "abstained": reply.abstained, "citations": [asdict(c) for c in reply.citations]}


def evidence_of(record: Mapping) -> Evidence | None:
    """The evidence a ``to_record`` dict holds (None: none was recorded)."""
    return EVIDENCE.validate_python(record["evidence"]) if record.get("evidence") else None


def from_record(record: Mapping, questions: Mapping[str, EvalQuestion]) -> Outcome:
    """The outcome a ``to_record`` dict holds."""
    reply = None
    if record["reply"] is not None:
        r = record["reply"]
        reply = Reply(r["text"], r["abstained"], [LineSpan(**c) for c in r["citations"]], evidence_of(record))
    retrieved = [LineSpan(**s) for s in record["retrieved"]]
    return Outcome(questions[record["id"]], retrieved, reply, record["latency_s"])


def eval_data_dir(settings: Settings, docs_dir: Path) -> Path:
    """A data dir per corpus folder, so repeated evals reuse their index."""
    digest = hashlib.sha256(str(docs_dir.resolve()).encode()).hexdigest()[:12]
    return settings.data_dir / "eval" / digest


def evaluate(
    settings: Settings,
    questions_file: Path,
    docs_dir: Path | None = None,
    limit: int | None = None,
    seed: int = 0,
    baseline: bool = False,
    with_answers: bool = True,
    progress: Callable | None = None,
    records: Path | None = None,
    **overrides,
) -> dict:
    """Scores for Groundline (and the plain llama-index recipe with ``baseline``); with ``records``, each
    question's outcome written there too, as it comes (``Records``)."""
    docs_dir = docs_dir or questions_file.parent / "docs"
    questions = sample(load_questions(questions_file), limit, seed)
    data_dir = eval_data_dir(settings, docs_dir)
    # (no prompt states from an earlier run's answers: each question's latency is its own reading)
    own = {"data_dir": data_dir, "models_dir": settings.model_files_dir, "llm_cache_dir": None}
    app = build(settings.model_copy(update=own), **overrides)
    app.ingestor.ingest([docs_dir])
    systems: dict[str, Callable[[], System]] = {"ours": lambda: Ours(app)}
    if baseline:
        systems["baseline"] = lambda: PlainLlamaIndex(docs_dir, data_dir / "baseline", app.embed_model, app.llm)
    asked: dict[str, list[Outcome]] = {}  # each system's outcomes so far
    with Records(records) if records is not None else contextlib.nullcontext() as kept:
        try:
            for name, system in systems.items():
                done, keep = asked.setdefault(name, []), kept.of(name) if kept else None
                for outcome in run(system(), questions, with_answers, progress):
                    done.append(outcome)
                    if keep is not None:
                        keep(outcome)
        except KeyboardInterrupt:
            if not asked["ours"]:
                raise
            so_far = "; ".join(f"{len(done):,} of {len(questions):,} for {name}" for name, done in asked.items())
            figures = {name: score(done) for name, done in asked.items() if done}
            raise EvalStopped(f"stopped after {so_far}: the figures are those questions'", figures) from None
    return {name: score(done) for name, done in asked.items()}


class EvalStopped(GroundlineError):
    """An eval interrupted (Ctrl-C) after some questions were asked: ``report`` scores those, as
    ``evaluate`` scores all (a run of the squad-dev sample takes hours on 2 cores)."""

    def __init__(self, message: str, report: dict) -> None:
        super().__init__(message)
        self.report = report


class Records:
    """A records file, written as the eval goes: each system's outcome of each question, one JSON line
    (``to_record``) with the question, its gold answers and line, and how it was judged
    (``rag.eval.judged``): which questions a figure lost, and why (an answer's evidence holds what it was
    decided from). Each line is written as its question is answered: an eval stopped part-way (Ctrl-C, a
    crash; the squad-dev sample takes hours on 2 cores) keeps what it asked. Until the thirteenth
    sitting it was written once every question had been asked."""

    def __init__(self, path: Path) -> None:
        self.out = path.open("w", encoding="utf-8")

    def of(self, system: str) -> Callable[[Outcome], None]:
        """What keeps each outcome of ``system`` (``ours`` or ``baseline``) as it comes."""

        def keep(o: Outcome) -> None:
            q = o.question
            gold = {"answers": list(q.answers), "file": q.file, "line": q.line}
            line = to_record(o, system=system, question=q.question, gold=gold, **judged(o))
            self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.out.flush()

        return keep

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc) -> None:
        self.out.close()
