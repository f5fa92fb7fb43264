"""Asking within documents: what filtering to a reader's choice costs a question's retrieval.

    python -m bench.scoped_retrieval [--copies 1 5 20] [--questions 50] [--repeat 3]

Ingests ``--copies`` copies of the squad-dev articles (the packaged tokenizer's chunks; words
hashed into vectors, so no model runs and Chroma's index is not degenerate), then, in the same
process, retrieves the first ``--questions`` squad-dev questions (hybrid: Chroma and BM25): over
every document, the baseline; within the question's own article (one file); and within half the
files. Prints one JSON line per size: median seconds a question and the ratios to the baseline,
and whether every scoped passage lies in the files asked of.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import time
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from bench.copies import QUESTIONS, copy_articles, per_size
from rag.app import build
from rag.settings import Settings

DIMENSIONS = 384  # MiniLM's


class HashedWords(BaseEmbedding):
    """Each word hashed to a dimension, normalized: texts that share words are near, as with a
    model, at no model's cost."""

    def _get_text_embedding(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        for word in text.lower().split():
            vector[int(hashlib.blake2b(word.encode(), digest_size=4).hexdigest(), 16) % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)


def timed(retrieve, asked: list[tuple[str, list[str]]], repeat: int) -> tuple[float, bool]:
    """Median seconds a question over ``repeat`` rounds, and whether every passage lay in its files."""
    rounds, within = [], True
    for _ in range(repeat):
        start = time.perf_counter()
        for question, files in asked:
            passages = retrieve(question, files)
            within &= not files or all(p.file in files for p in passages)
        rounds.append((time.perf_counter() - start) / len(asked))
    return statistics.median(rounds), within


def run(copies: int, questions: int, repeat: int, work: Path, articles: int | None = None) -> dict:
    docs = work / "docs"
    chosen = copy_articles(docs, copies, articles)
    app = build(Settings(data_dir=work / "data", _env_file=None), embed_model=HashedWords())
    chunks = app.ingestor.ingest([docs]).chunks
    names = app.library.files()
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines()]
    rows = [row for row in rows if row["file"] in {a.name for a in chosen}][:questions]
    retriever = app.retriever
    retriever.retrieve("warm up")  # the keyword index built, not timed
    everything = [(row["question"], []) for row in rows]
    own = [(row["question"], [f"copy000/{row['file']}"]) for row in rows]
    half = [(row["question"], names[: len(names) // 2]) for row in rows]
    base_s, _ = timed(lambda q, f: retriever.retrieve(q), everything, repeat)
    own_s, own_within = timed(lambda q, f: retriever.retrieve(q, files=f), own, repeat)
    half_s, half_within = timed(lambda q, f: retriever.retrieve(q, files=f), half, repeat)
    return {
        "chunks": chunks,
        "questions": len(rows),
        "all_s": round(base_s, 4),
        "own_file_s": round(own_s, 4),
        "half_files_s": round(half_s, 4),
        "own_file_ratio": round(own_s / base_s, 3),
        "half_files_ratio": round(half_s / base_s, 3),
        "passages_within": own_within and half_within,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the questions; medians are printed")
    parser.add_argument("--articles", type=int, default=None, help="of the 23 articles, the first N (all)")
    args = parser.parse_args(argv)
    return per_size(args.copies, lambda copies, work: run(copies, args.questions, args.repeat, work, args.articles))


if __name__ == "__main__":
    main()
