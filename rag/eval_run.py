"""Build the systems the eval compares, ingest the corpus, and score them.

The corpus is ingested into a data dir of its own (``DATA_DIR/eval/<id>``),
reused when unchanged; model files are shared with the main data dir.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from rag.app import Groundline, build
from rag.baseline import PlainLlamaIndex
from rag.eval import LineSpan, Reply, load_questions, run, sample, score
from rag.retrieval import Retriever
from rag.settings import Settings


class Ours:
    """Groundline through the same service the chat uses."""

    def __init__(self, app: Groundline) -> None:
        self.app = app
        hybrid = app.settings.retrieval == "hybrid"
        self.top5 = Retriever(app.vector_store, app.embed_model, 5, hybrid=hybrid, version=app.retriever.version)

    def retrieve(self, question: str, k: int) -> list[LineSpan]:
        return [LineSpan(p.file, p.start_line, p.end_line) for p in self.top5.retrieve(question)[:k]]

    def answer(self, question: str) -> Reply:
        a = self.app.service.ask(question)
        return Reply(a.text, a.abstained, [LineSpan(c.file, c.start_line, c.end_line) for c in a.citations])


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
    **overrides,
) -> dict:
    """Scores for Groundline (and the plain llama-index recipe with ``baseline``)."""
    docs_dir = docs_dir or questions_file.parent / "docs"
    questions = sample(load_questions(questions_file), limit, seed)
    data_dir = eval_data_dir(settings, docs_dir)
    app = build(settings.model_copy(update={"data_dir": data_dir, "models_dir": settings.model_files_dir}), **overrides)
    app.ingestor.ingest([docs_dir])
    report = {"ours": score(run(Ours(app), questions, with_answers, progress))}
    if baseline:
        plain = PlainLlamaIndex(docs_dir, data_dir / "baseline", app.embed_model, app.llm)
        report["baseline"] = score(run(plain, questions, with_answers, progress))
    return report
