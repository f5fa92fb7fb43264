"""The full eval as a benchmark: ours vs the plain llama-index recipe, with a chart.

    python -m bench.eval --limit 500 --answers-limit 150 --out bench/results

Retrieval metrics run on ``--limit`` questions (no LLM: cheap); answer,
citation and abstention metrics on a ``--answers-limit`` sub-sample, because
every answer is an LLM call (about 5 s each on 2 CPU cores, for each system).
Writes ``eval.json``, ``eval.md`` (with the exact command) and ``eval.png``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from tqdm import tqdm

from rag.eval import METRICS
from rag.eval_run import evaluate
from rag.settings import Settings

SQUAD = Path(__file__).parent / "squad-dev" / "questions.jsonl"


def chart(report: dict, path: Path) -> None:
    """Bars of every 0-1 metric, ours beside the baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [m for m in METRICS[:6] if report["ours"].get(m) is not None]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.38
    for i, (system, color) in enumerate((("ours", "#2563eb"), ("baseline", "#9ca3af"))):
        values = [report[system][m] or 0 for m in names]
        bars = ax.bar([x + (i - 0.5) * width for x in range(len(names))], values, width, label=system, color=color)
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks(range(len(names)), [n.replace("_", "\n") for n in names], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title("Groundline vs plain llama-index (squad-dev); lower is better for false_abstention_rate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", type=Path, default=SQUAD)
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--answers-limit", type=int, default=150)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", type=Path, default=Path(".groundline"))
    p.add_argument("--out", type=Path, default=Path("bench/results"))
    args = p.parse_args(argv)
    settings = Settings(data_dir=args.data_dir)
    progress = lambda items: tqdm(items, file=sys.stderr, disable=None)  # noqa: E731
    started = time.time()
    retrieval = evaluate(settings, args.questions, limit=args.limit, seed=args.seed, baseline=True,
                         with_answers=False, progress=progress)  # fmt: skip
    answers = evaluate(settings, args.questions, limit=args.answers_limit, seed=args.seed, baseline=True,
                       progress=progress)  # fmt: skip
    report = {}
    for system in ("ours", "baseline"):
        merged = dict(answers[system])
        merged["retrieval_hit_at_5"] = retrieval[system]["retrieval_hit_at_5"]
        merged["mrr"] = retrieval[system]["mrr"]
        merged["n_retrieval"] = retrieval[system]["n"]
        report[system] = merged
    command = "python -m bench.eval " + shlex.join(argv if argv is not None else sys.argv[1:])
    report["command"] = command
    report["settings"] = settings.model_dump(mode="json", include={"llm", "retrieval", "top_k", "chunk_tokens",
                                                                   "chunk_overlap", "min_support", "min_relevance"})
    report["wall_s"] = round(time.time() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.json").write_text(json.dumps(report, indent=2) + "\n")
    chart(report, args.out / "eval.png")
    rows = "\n".join(
        f"| {m} | {report['ours'].get(m)} | {report['baseline'].get(m)} |" for m in (*METRICS, "n_retrieval")
    )
    (args.out / "eval.md").write_text(
        f"# Eval: Groundline vs plain llama-index\n\n`{command}`\n\nSettings: `{report['settings']}`\n\n"
        f"Retrieval metrics over {args.limit} questions; the rest over {args.answers_limit} "
        f"(same seed, 20% unanswerable).\n\n| metric | ours | baseline |\n|---|---|---|\n{rows}\n\n![chart](eval.png)\n"
    )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
