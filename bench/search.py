"""What a search costs beside the retrieval it shares with an answer, and beside an answer.

``python -m bench.search [--docs DIR] [--questions N]``: ingests DIR (the squad-dev corpus by
default) into a temporary data dir with the packaged embedder, then, in one process, times for
the same questions: the chat's retrieval alone (its ``top_k`` passages), a search (10 passages,
each's sentences scored against the query: one more embedding batch; first with no sentence's
vector kept from an earlier search, then as a server runs, keeping them: the same passages come
back across questions), the same searches again (every one kept), and, for the first few,
a whole answer with the local model. Prints medians and ratios against retrieval (this machine
is noisy: compare within a run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from rag.app import build
from rag.settings import Settings

SQUAD = Path(__file__).parent / "squad-dev"


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=SQUAD / "docs")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--answers", type=int, default=3, help="of the questions, answered whole too")
    args = parser.parse_args()
    lines = (SQUAD / "questions.jsonl").read_text().splitlines()[: args.questions]
    questions = [json.loads(line)["question"] for line in lines]
    with tempfile.TemporaryDirectory() as data:
        app = build(Settings(data_dir=Path(data), _env_file=None))
        app.ingestor.ingest([args.docs])
        app.searcher.search(questions[0])  # models and indexes loaded before timing
        retrieval = [timed(lambda q=q: app.retriever.retrieve(q)) for q in questions]
        wide = [timed(lambda q=q: app.retriever.retrieve(q, top_k=10)) for q in questions]
        kept = app.attributor.sources
        cold = [timed(lambda q=q: (kept.kept.clear(), app.searcher.search(q, limit=10))) for q in questions]
        search = [timed(lambda q=q: app.searcher.search(q, limit=10)) for q in questions]
        # the same again: each passage's sentences' vectors now kept (rag.sentence_vectors), as a search
        # refined word by word, or a follow-up's, finds most of its passages again
        again = [timed(lambda q=q: app.searcher.search(q, limit=10)) for q in questions]
        answers = [timed(lambda q=q: app.service.ask(q)) for q in questions[: args.answers]]
    base = statistics.median(retrieval)
    print(f"{len(questions)} questions over {args.docs}")
    for name, times in [
        ("retrieval (top_k)", retrieval),
        ("retrieval (10)", wide),
        ("search, none kept", cold),
        ("search (10 hits)", search),
        ("search again", again),
        (f"answer ({len(answers)} q)", answers),
    ]:
        median = statistics.median(times)
        print(f"{name:20} median {median * 1000:8.1f} ms   {median / base:6.2f}x retrieval")


if __name__ == "__main__":
    main()
