"""Ingestion speed: Groundline vs the plain llama-index recipe, in one process.

    python -m bench.ingest [--docs bench/squad-dev/docs] [--backends onnx,onnx-int8,torch]

Both embed with the same packaged MiniLM on the CPU, into fresh Chroma dirs:
the baseline through llama-index's HuggingFace wrapper (PyTorch), ours through
each runtime in ``--backends`` (the first is reported as ``ours_s``). The ONNX
export is made before the clock starts, as model loading is for both.
The baseline's default 1024-token chunks are cut to 256 tokens by the
embedder, so it embeds only part of the text; "embedded tokens" counts what
each actually fed the model. A second run of ours over unchanged files shows
what skipping them buys. Ends with one JSON line: ours_s, baseline_s, speedup
(baseline_s / ours_s), and the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from index.embedding import MAX_SEQ_TOKENS, packaged_token_counter, torch_embedder
from rag.app import build
from rag.settings import Settings

DOCS = Path(__file__).parent / "squad-dev" / "docs"


def run_ours(docs: Path, work: Path, backend: str, counter) -> dict:
    settings = Settings(data_dir=work / backend, models_dir=work / "models", embed_backend=backend, _env_file=None)
    app = build(settings, token_counter=counter)
    app.embed_model.get_text_embedding("warm up")  # export, load weights and kernels before timing
    app.ingestor  # noqa: B018 -- open the stores outside the timed part, as the baseline's are
    start = time.perf_counter()
    report = app.ingestor.ingest([docs])
    seconds = time.perf_counter() - start
    texts = app.vector_store.client.get(include=["documents"])["documents"]
    start = time.perf_counter()
    again = app.ingestor.ingest([docs])
    return {
        "seconds": seconds,
        "chunks": report.chunks,
        "tokens": sum(min(counter(t), MAX_SEQ_TOKENS) for t in texts),
        "unchanged_rerun_s": time.perf_counter() - start,
        "unchanged_files": len(again.unchanged),
    }


def run_baseline(docs: Path, work: Path, embedder, counter) -> dict:
    import chromadb
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from rag.baseline import load_nltk_data_offline

    load_nltk_data_offline()  # before the clock: the plain recipe's nltk data, from llama-index's bundle
    client = chromadb.PersistentClient(path=str(work / "baseline"))
    store = ChromaVectorStore(chroma_collection=client.create_collection("baseline"))
    start = time.perf_counter()
    documents = SimpleDirectoryReader(str(docs)).load_data()
    index = VectorStoreIndex.from_documents(
        documents, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embedder
    )
    seconds = time.perf_counter() - start
    texts = store.client.get(include=["documents"])["documents"]
    del index
    return {
        "seconds": seconds,
        "chunks": len(texts),
        "tokens": sum(min(counter(t), MAX_SEQ_TOKENS) for t in texts),
        "tokens_in_chunks": sum(counter(t) for t in texts),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=Path, default=DOCS)
    p.add_argument("--backends", default="onnx,onnx-int8,torch", help="our embedder runtimes, comma-separated")
    args = p.parse_args(argv)
    backends = args.backends.split(",")
    embedder, counter = torch_embedder(), packaged_token_counter()
    embedder.get_text_embedding("warm up")  # load weights and kernels before timing either side
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        baseline = run_baseline(args.docs, work, embedder, counter)
        runs = {backend: run_ours(args.docs, work, backend, counter) for backend in backends}
    ours = runs[backends[0]]
    for name, r in [(f"ours {b}", runs[b]) for b in backends] + [("baseline", baseline)]:
        print(
            f"{name:>14}: {r['seconds']:7.1f} s  {r['chunks']:5d} chunks  {r['chunks'] / r['seconds']:6.1f} chunks/s"
            f"  {r['tokens']:7d} tokens embedded  {r['tokens'] / r['seconds']:7.0f} tokens/s",
            file=sys.stderr,
        )
    print(
        f"baseline chunks hold {baseline['tokens_in_chunks']} tokens; the embedder read {baseline['tokens']} of them",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "ours_s": round(ours["seconds"], 2),
                "baseline_s": round(baseline["seconds"], 2),
                "speedup": round(baseline["seconds"] / ours["seconds"], 3),
                "ours_chunks": ours["chunks"],
                "baseline_chunks": baseline["chunks"],
                "ours_tokens_per_s": round(ours["tokens"] / ours["seconds"]),
                "baseline_tokens_per_s": round(baseline["tokens"] / baseline["seconds"]),
                "ours_tokens_embedded": ours["tokens"],
                "baseline_tokens_embedded": baseline["tokens"],
                "baseline_tokens_in_chunks": baseline["tokens_in_chunks"],
                "ours_unchanged_rerun_s": round(ours["unchanged_rerun_s"], 2),
                "ours_backend": backends[0],
                "by_backend": {
                    b: {"s": round(r["seconds"], 2), "speedup": round(baseline["seconds"] / r["seconds"], 3)}
                    for b, r in runs.items()
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
