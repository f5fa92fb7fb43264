"""Choose hybrid retrieval's fusion parameters on a dev sample; read them off the test sample.

    python -m bench.fusion --data-dir D [--dev 600] [--limit 500]

Each retriever (MiniLM vectors, BM25) is asked once per question for its best
``max(CANDIDATES)`` hits; every (candidates, keyword_weight, k) of the grid is
then fused offline with ``rag.retrieval.reciprocal_rank_fusion``, the function
the chat uses. The dev sample is ``--dev`` answerable squad-dev questions outside
the test sample (``--limit``, seed 0, as ``groundline eval`` draws it); rows are
sorted by dev hit@5, then dev MRR, so the choice is made without looking at the
test sample. Prints a markdown table (hit@4 is what the chat shows the LLM by
default, ``top_k`` = 4).
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from rag.eval import EvalQuestion, load_questions, sample
from rag.eval_run import eval_data_dir
from rag.retrieval import Fusion, Retriever, reciprocal_rank_fusion
from rag.settings import Settings

SQUAD = Path(__file__).parent / "squad-dev" / "questions.jsonl"
CANDIDATES = (10, 20, 40)
KEYWORD_WEIGHTS = (1.0, 1.3, 1.6, 2.0)
KS = (5, 10, 20, 60)
Rankings = tuple[list, list]  # (vector hits, BM25 hits), best first


def dev_questions(questions: Sequence[EvalQuestion], test: Sequence[EvalQuestion], n: int) -> list[EvalQuestion]:
    """``n`` answerable questions outside the test sample, in a fixed random order."""
    taken = {q.id for q in test}
    pool = [q for q in questions if q.answerable and q.id not in taken]
    random.Random(1).shuffle(pool)
    return pool[:n]


def rankings(retriever: Retriever, questions: Sequence[EvalQuestion], desc: str) -> list[Rankings]:
    bm25 = retriever.keyword_retriever()
    return [(retriever.vector.retrieve(q.question), bm25.retrieve(q.question)) for q in tqdm(questions, desc=desc)]


def measure(questions: Sequence[EvalQuestion], ranked: Sequence[Rankings], fusion: Fusion) -> dict[str, float]:
    """hit@4, hit@5 and MRR@5 of the fused rankings."""
    ranks = []
    for q, (vector, keyword) in zip(questions, ranked, strict=True):
        c = fusion.candidates
        fused = reciprocal_rank_fusion([vector[:c], keyword[:c]], fusion.k, [1.0, fusion.keyword_weight])[:5]
        meta = [node.metadata for node, _ in fused]
        hits = [i for i, m in enumerate(meta, 1) if m["file"] == q.file and m["start_line"] <= q.line <= m["end_line"]]
        ranks.append(hits[0] if hits else 0)
    return scored(ranks)


def scored(ranks: Sequence[int]) -> dict[str, float]:
    """hit@4, hit@5 and MRR@5 of the gold passage's rank in each question's top 5 (0: not there)."""
    n = len(ranks)
    return {
        "hit@4": sum(0 < r <= 4 for r in ranks) / n,
        "hit@5": sum(r > 0 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def arguments(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """The options of a retrieval bench run on dev and test questions."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=Path(".groundline"))
    p.add_argument("--questions", type=Path, default=SQUAD)
    p.add_argument("--limit", type=int, default=500, help="test sample size (as groundline eval --limit)")
    p.add_argument("--dev", type=int, default=600, help="answerable dev questions to choose on")
    return p.parse_args(argv)


def ranked_splits(args: argparse.Namespace):
    """The app over the questions' corpus (ingested into its eval data dir), and for "dev" and "test"
    the questions with each one's ``rankings`` (every retriever asked for ``max(CANDIDATES)`` hits)."""
    from rag.app import build

    docs = args.questions.parent / "docs"
    settings = Settings(data_dir=args.data_dir)
    data = {"data_dir": eval_data_dir(settings, docs), "models_dir": settings.model_files_dir}
    app = build(settings.model_copy(update=data))
    app.ingestor.ingest([docs])
    everything = load_questions(args.questions)
    test = [q for q in sample(everything, args.limit, 0) if q.answerable]
    dev = dev_questions(everything, sample(everything, args.limit, 0), args.dev)
    depth = Fusion(candidates=max(CANDIDATES))
    retriever = Retriever(app.vector_store, app.embed_model, 5, fusion=depth, version=app.retriever.version)
    return app, {"dev": (dev, rankings(retriever, dev, "dev")), "test": (test, rankings(retriever, test, "test"))}


def print_table(names: Sequence[str], rows: list[tuple[Sequence, dict[str, dict[str, float]]]]) -> None:
    """A markdown table of each setting (its values under ``names``) with its dev and test figures, sorted
    by dev hit@5, then dev MRR: the choice is made without looking at the test sample."""
    rows = sorted(rows, key=lambda row: (-row[1]["dev"]["hit@5"], -row[1]["dev"]["mrr"]))
    figures = [f"{split} {name}" for split in ("dev", "test") for name in ("hit@4", "hit@5", "MRR")]
    print("| " + " | ".join([*names, *figures]) + " |")
    print("|---" * (len(names) + len(figures)) + "|")
    for values, m in rows:
        cells = [f"{m[split][key]:.4f}" for split in ("dev", "test") for key in ("hit@4", "hit@5", "mrr")]
        print("| " + " | ".join([*map(str, values), *cells]) + " |")


def main(argv: list[str] | None = None) -> int:
    _, split = ranked_splits(arguments(__doc__, argv))
    dev, test = split["dev"][0], split["test"][0]
    rows = []
    for c, w, k in itertools.product(CANDIDATES, KEYWORD_WEIGHTS, KS):
        f = Fusion(c, w, k)
        rows.append(((c, w, k), {name: measure(qs, ranked, f) for name, (qs, ranked) in split.items()}))
    print(f"dev: {len(dev)} answerable questions outside the test sample; test: the {len(test)} answerable of --limit")
    print_table(("candidates", "keyword weight", "k"), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
