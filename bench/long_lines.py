"""Chunking a document whose text is one long line: the lines of its pieces counted once, or each from
the line's start.

    python -m bench.long_lines [--kb 250 500 1000 1500] [--repeat 3]

Chunks (``index.chunking.LineChunker``, the word counter as tokenizer: the packaged one plays no part
in where lines are) a document of ``--kb`` kilobytes of short sentences on one line, as a pasted text
or an export without line breaks comes. Baseline, in the same process on the same text: each piece's
line counted from the start of the line it was cut from (``Span.line_at`` per piece, as before
``Span.lines_at``), which grew with the square of the line's length: a 1.5 MB line took 26 s of its
32 s of ingestion. Prints one JSON line per size with the median seconds of each, their ratio, and
whether both made the same chunks (text, lines and offsets).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from llama_index.core.schema import Document

from index.chunking import LineChunker, Span

SENTENCE = "Lighthouses are tall. "


def counted_from_the_start(span: Span, text: str, offsets) -> list[int]:
    """The baseline: ``Span.lines_at`` as each piece's ``line_at``, counted from the span's start."""
    return [span.line_at(text, at) for at in offsets]


def chunks(text: str) -> list[tuple]:
    chunker = LineChunker(max_tokens=200, overlap=1, count_tokens=lambda t: len(t.split()))
    doc = Document(text=text, id_="long.txt", metadata={"file": "long.txt"})
    return [
        (n.get_content(), n.metadata["start_line"], n.metadata["end_line"], n.start_char_idx, n.end_char_idx)
        for n in chunker.chunk(doc)
    ]


def timed(make: Callable[[], list], repeat: int) -> tuple[float, list]:
    seconds, made = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        made = make()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), made


def run(kb: int, repeat: int) -> dict:
    text = "Notes pasted as one line.\n" + SENTENCE * (kb * 1000 // len(SENTENCE)) + "\nThe end.\n"
    shipped_s, shipped = timed(lambda: chunks(text), repeat)
    kept = Span.lines_at
    Span.lines_at = counted_from_the_start
    try:
        baseline_s, baseline = timed(lambda: chunks(text), repeat)
    finally:
        Span.lines_at = kept
    return {
        "kb": kb,
        "chunks": len(shipped),
        "shipped_s": round(shipped_s, 3),
        "baseline_s": round(baseline_s, 3),
        "ratio": round(shipped_s / baseline_s, 3),
        "same_chunks": shipped == baseline,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, nargs="+", default=[250, 500, 1000, 1500], help="sizes of the line")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size and variant; medians are printed")
    args = parser.parse_args(argv)
    results = []
    for kb in args.kb:
        results.append(run(kb, args.repeat))
        print(json.dumps(results[-1]), flush=True)
    return results


if __name__ == "__main__":
    main()
