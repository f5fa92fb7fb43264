"""Embedding on a GPU (any PyTorch device) against the CPU, in one process.

    python -m bench.embed_device [--docs bench/squad-dev/docs] [--device cuda] [--repeat 3]

The docs are chunked as ingestion chunks them, then every chunk is embedded
by ``torch_embedder`` (the packaged MiniLM, as GROUNDLINE_EMBED_BACKEND=torch
runs it) on the CPU, the baseline, and on ``--device``. Each side loads and
warms up before its clock starts; the figure is the median of ``--repeat``
passes. The vectors are compared too: the device is meant to give the CPU's
vectors, so that switching re-embeds nothing. Ends with one JSON line:
cpu_s, device_s, speedup (cpu_s / device_s), tokens, tokens per second on
each side, min_cosine and max_abs_diff between the two sides' vectors.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from index.chunking import LineChunker
from index.embedding import MAX_SEQ_TOKENS, packaged_token_counter, torch_embedder
from rag.settings import Settings

DOCS = Path(__file__).parent / "squad-dev" / "docs"


def chunk_texts(docs: Path, counter) -> list[str]:
    """Every chunk ingestion would embed from the .txt files under ``docs``."""
    defaults = Settings(_env_file=None)
    chunker = LineChunker(counter, max_tokens=defaults.chunk_tokens, overlap=defaults.chunk_overlap)
    texts = []
    for path in sorted(docs.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.extend(text[group[0].start : group[-1].end] for group in chunker.groups(text))
    return texts


def timed(device: str, texts: list[str], repeat: int) -> tuple[float, np.ndarray]:
    """Median seconds to embed ``texts`` on ``device``, and the vectors."""
    embedder = torch_embedder(device=device)
    embedder.get_text_embedding_batch(texts[:64])  # load weights and kernels before the clock
    seconds, vectors = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        vectors = embedder.get_text_embedding_batch(texts)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), np.asarray(vectors, dtype=np.float64)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=Path, default=DOCS)
    p.add_argument("--device", default="cuda", help="PyTorch's name for it: cuda, cuda:N or mps")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    counter = packaged_token_counter()
    texts = chunk_texts(args.docs, counter)
    tokens = sum(min(counter(t), MAX_SEQ_TOKENS) for t in texts)
    cpu_s, cpu_v = timed("cpu", texts, args.repeat)
    device_s, device_v = timed(args.device, texts, args.repeat)
    cosine = np.sum(cpu_v * device_v, axis=1) / (np.linalg.norm(cpu_v, axis=1) * np.linalg.norm(device_v, axis=1))
    for name, s in (("cpu", cpu_s), (args.device, device_s)):
        print(f"{name:>8}: {s:7.2f} s  {len(texts)} chunks  {tokens / s:9.0f} tokens/s", file=sys.stderr)
    print(
        json.dumps(
            {
                "device": args.device,
                "chunks": len(texts),
                "tokens": tokens,
                "cpu_s": round(cpu_s, 3),
                "device_s": round(device_s, 3),
                "speedup": round(cpu_s / device_s, 2),
                "cpu_tokens_per_s": round(tokens / cpu_s),
                "device_tokens_per_s": round(tokens / device_s),
                "min_cosine": float(cosine.min()),
                "max_abs_diff": float(np.abs(cpu_v - device_v).max()),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
