"""Keyword index after a write: the chunks written read and tokenized, or every chunk.

    python -m bench.keyword_refresh [--copies 1 5 20] [--repeat 3]

Ingests ``--copies`` copies of the squad-dev articles (the packaged tokenizer's chunks; a constant
embedder, since vectors play no part here) and builds the keyword index; then, ``--repeat`` times,
writes one document (an article again, under a new name) and has the retriever bring its index up
to date, as a server does after each write (``Retriever.refresh``; the index kept on disk is left
out of both sides). Baseline, in the same process on the same store: the index built from every
chunk, as every refresh was before ``rag.keyword_index`` kept chunks between builds. Prints one
JSON line per size with the median seconds of each, their ratio, and whether the two rank the
first ``--questions`` squad-dev questions alike (ids, scores and text).

Then, as a process started since (a server restarted): a fresh ``Groundline`` loads the index kept
in DATA_DIR/keyword-index with the chunks' tokens (``KeywordIndex.save``), one document is written
and the index brought up to date. Baseline: the same with the tokens' file removed before the
load, as the kept index was before it kept them (the first build after a restart read every chunk).
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path

import Stemmer

from bench.copies import QUESTIONS, copy_articles, main_over_sizes
from bench.keyword_index import ConstantEmbedding
from rag.app import build
from rag.keyword_index import TOKENS, KeywordIndex
from rag.settings import Settings


def ranked(bm25, questions: list[str]) -> list:
    return [[(h.node.node_id, h.node.get_content(), round(h.score, 5)) for h in bm25.retrieve(q)] for q in questions]


def run(copies: int, repeat: int, work: Path, articles: int | None = None, questions: int = 100) -> dict:
    docs = work / "docs"
    chosen = copy_articles(docs, copies, articles)
    settings = Settings(data_dir=work / "data", keep_keyword_index=False, _env_file=None)
    app = build(settings, embed_model=ConstantEmbedding())
    app.ingestor.ingest([docs])
    retriever, collection = app.retriever, app.vector_store.client
    retriever.keyword_retriever()
    asked = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()[:questions]]
    written = work / "written"
    refreshed, rebuilt, read, alike = [], [], [], True
    for n in range(repeat):
        written.mkdir(exist_ok=True)
        shutil.copy(chosen[n % len(chosen)], written / f"new{n}.txt")
        app.ingestor.ingest([written])
        start = time.perf_counter()
        retriever.refresh()
        refreshed.append(time.perf_counter() - start)
        read.append(retriever.keywords.read)
        start = time.perf_counter()
        scratch = KeywordIndex(Stemmer.Stemmer("english")).build(collection, {}, retriever.candidates)
        rebuilt.append(time.perf_counter() - start)
        alike = alike and ranked(retriever.keyword_retriever(), asked) == ranked(scratch, asked)
    refresh_s, rebuild_s = statistics.median(refreshed), statistics.median(rebuilt)
    chunks = collection.count()
    restarted = after_restart(settings, written, chosen, repeat)  # (more writes)
    return {
        "chunks": chunks,
        "chunks_read_after_a_write": read,
        "refresh_s": round(refresh_s, 3),
        "every_chunk_s": round(rebuild_s, 3),
        "ratio": round(refresh_s / rebuild_s, 3),
        "same_rankings": alike,
        "questions": len(asked),
        **restarted,
    }


def after_restart(settings: Settings, written: Path, chosen: list[Path], repeat: int) -> dict:
    """A fresh process's first refresh after a write, with the chunks' tokens kept on disk and without."""
    kept = settings.model_copy(update={"keep_keyword_index": True})
    build(kept, embed_model=ConstantEmbedding()).retriever.keyword_retriever()  # built and kept
    times: dict[bool, list[float]] = {True: [], False: []}
    read: dict[bool, list[int]] = {True: [], False: []}
    loaded = []
    for n in range(repeat):
        for with_tokens in (True, False):
            app = build(kept, embed_model=ConstantEmbedding())  # as a process started since
            (folder,) = (kept.data_dir / "keyword-index").iterdir()
            if not with_tokens:
                (folder / TOKENS).unlink()
            start = time.perf_counter()
            app.retriever.keyword_retriever()
            if with_tokens:
                loaded.append(time.perf_counter() - start)
            shutil.copy(chosen[n % len(chosen)], written / f"restart{n}-{with_tokens}.txt")
            app.ingestor.ingest([written])
            start = time.perf_counter()
            app.retriever.refresh()
            times[with_tokens].append(time.perf_counter() - start)
            read[with_tokens].append(app.retriever.keywords.read)
    tokens_s, every_s = statistics.median(times[True]), statistics.median(times[False])
    tokens_file = next((kept.data_dir / "keyword-index").iterdir()) / TOKENS
    return {
        "restarted_load_s": round(statistics.median(loaded), 3),
        "restarted_refresh_s": round(tokens_s, 3),
        "restarted_without_tokens_s": round(every_s, 3),
        "restarted_ratio": round(tokens_s / every_s, 3),
        "restarted_chunks_read": {"kept tokens": read[True], "without": read[False]},
        "tokens_kept_mb": round(tokens_file.stat().st_size / 1e6, 1),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    return main_over_sizes(
        argv, __doc__.splitlines()[0], run, "writes per size; medians are printed", "ranked alike by both indexes"
    )


if __name__ == "__main__":
    main()
