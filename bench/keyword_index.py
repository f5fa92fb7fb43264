"""Keyword index: what a process opening the store pays for it, built from every chunk or loaded.

    python -m bench.keyword_index [--copies 1 5 20] [--repeat 3]

Ingests ``--copies`` copies of the squad-dev articles (the packaged tokenizer's chunks; a constant
embedder, since vectors play no part here), then, in fresh ``Groundline`` objects as new processes
would be: with no index kept, the first keyword search builds it from every chunk (and keeps it);
with it kept, the next loads it (``rag.keyword_cache``). Baseline, in the same process on the same
store: the build. Prints one JSON line per size with the load/build ratio and what is kept on disk.

Also, in the same process, the index built from the chunks as ``rag.keyword_index.keyword_node``
makes them against the baseline of llama-index's whole node records (``metadata_dict_to_node``,
as before): build time, the size of what it holds (and keeps), and whether the two rank the
first ``--questions`` squad-dev questions alike (ids, scores, offsets and text).
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import Stemmer
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.retrievers.bm25 import BM25Retriever

from bench.copies import QUESTIONS, copy_articles, main_over_sizes
from index.store import every_chunk
from rag.app import build
from rag.keyword_index import keyword_node
from rag.settings import Settings


class ConstantEmbedding(BaseEmbedding):
    """The same vector for every text: ingestion without the embedder's cost."""

    def _get_query_embedding(self, query: str) -> list[float]:
        return [1.0, 0.0, 0.0, 0.0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_query_embedding(text)


def first_search(settings: Settings) -> float:
    """Seconds a fresh Groundline takes to have its keyword index (as a process's first question does)."""
    app = build(settings, embed_model=ConstantEmbedding())
    retriever = app.retriever
    start = time.perf_counter()
    assert retriever.keyword_retriever() is not None
    return time.perf_counter() - start


def node_records(app, questions: int) -> dict:
    """Slim chunks (``keyword_node``) against llama-index's node records, on this store."""
    stored = every_chunk(app.vector_store.client, ["metadatas", "documents"])
    chunks = list(zip(stored["ids"], stored["metadatas"], stored["documents"], strict=True))

    def index(make: Callable[[str, dict, str], object]) -> tuple[float, BM25Retriever]:
        start = time.perf_counter()
        nodes = [make(*chunk) for chunk in chunks]
        made = BM25Retriever.from_defaults(
            nodes=nodes, similarity_top_k=40, stemmer=Stemmer.Stemmer("english"), language="english"
        )
        return time.perf_counter() - start, made

    records_s, records = index(lambda _, meta, text: metadata_dict_to_node(meta, text=text))
    slim_s, slim = index(keyword_node)
    asked = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()[:questions]]

    def ranked(bm25: BM25Retriever, question: str) -> list:
        return [
            (h.node.node_id, round(h.score, 6), h.node.start_char_idx, h.node.get_content())
            for h in bm25.retrieve(question)
        ]

    size = lambda bm25: sum(len(json.dumps(entry)) for entry in bm25.corpus)  # noqa: E731
    return {
        "records_build_s": round(records_s, 3),
        "slim_build_s": round(slim_s, 3),
        "slim_build_ratio": round(slim_s / records_s, 4),
        "held_ratio": round(size(slim) / size(records), 4),
        "same_rankings": f"{sum(ranked(records, q) == ranked(slim, q) for q in asked)}/{len(asked)}",
    }


def run(copies: int, repeat: int, work: Path, articles: int | None = None, questions: int = 100) -> dict:
    docs = work / "docs"
    copy_articles(docs, copies, articles)
    settings = Settings(data_dir=work / "data", _env_file=None)
    app = build(settings, embed_model=ConstantEmbedding())
    chunks = app.ingestor.ingest([docs]).chunks
    kept = settings.data_dir / "keyword-index"
    built, loaded = [], []
    for _ in range(repeat):
        shutil.rmtree(kept, ignore_errors=True)
        built.append(first_search(settings))
        loaded.append(first_search(settings))
    disk = sum(f.stat().st_size for f in kept.rglob("*") if f.is_file())
    build_s, load_s = statistics.median(built), statistics.median(loaded)
    return {
        "chunks": chunks,
        "build_s": round(build_s, 3),
        "load_s": round(load_s, 3),
        "load_ratio": round(load_s / build_s, 4),
        "kept_mb": round(disk / 1e6, 1),
        **node_records(app, questions),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    return main_over_sizes(
        argv,
        __doc__.splitlines()[0],
        run,
        "builds and loads per size; medians are printed",
        "ranked alike by both kinds of chunk record",
    )


if __name__ == "__main__":
    main()
