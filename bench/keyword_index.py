"""Keyword index: what a process opening the store pays for it, built from every chunk or loaded.

    python -m bench.keyword_index [--copies 1 5 20] [--repeat 3]

Ingests ``--copies`` copies of the squad-dev articles (the packaged tokenizer's chunks; a constant
embedder, since vectors play no part here), then, in fresh ``Groundline`` objects as new processes
would be: with no index kept, the first keyword search builds it from every chunk (and keeps it);
with it kept, the next loads it (``rag.keyword_cache``). Baseline, in the same process on the same
store: the build. Prints one JSON line per size with the load/build ratio and what is kept on disk.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.app import build
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "bench" / "squad-dev" / "docs"


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


def run(copies: int, repeat: int, work: Path, articles: int | None = None) -> dict:
    docs = work / "docs"
    for n in range(copies):
        (docs / f"copy{n:03d}").mkdir(parents=True)
        for article in sorted(ARTICLES.glob("*.txt"))[:articles]:
            shutil.copy(article, docs / f"copy{n:03d}")
    settings = Settings(data_dir=work / "data", _env_file=None)
    chunks = build(settings, embed_model=ConstantEmbedding()).ingestor.ingest([docs]).chunks
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
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--repeat", type=int, default=3, help="builds and loads per size; medians are printed")
    parser.add_argument("--articles", type=int, default=None, help="of the 23 articles, the first N (all)")
    args = parser.parse_args(argv)
    rows = []
    for copies in args.copies:
        with tempfile.TemporaryDirectory() as work:
            rows.append(run(copies, args.repeat, Path(work), args.articles))
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    main()
