"""The squad-dev articles copied N times over: the store sizes the scaling benches measure at."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "bench" / "squad-dev" / "docs"
QUESTIONS = ROOT / "bench" / "squad-dev" / "questions.jsonl"


def copy_articles(folder: Path, copies: int, articles: int | None = None) -> list[Path]:
    """The first ``articles`` squad-dev articles (all 23 by default), copied ``copies`` times into
    ``folder`` (``copy000/``, ``copy001/``, ...); returns the articles copied."""
    chosen = sorted(ARTICLES.glob("*.txt"))[:articles]
    for n in range(copies):
        (folder / f"copy{n:03d}").mkdir(parents=True)
        for article in chosen:
            shutil.copy(article, folder / f"copy{n:03d}")
    return chosen


def per_size(sizes: Sequence[int], run: Callable[[int, Path], dict]) -> list[dict]:
    """``run(copies, work)`` for each size, each in a fresh temporary folder; prints each row as
    one JSON line as it comes, and returns them."""
    rows = []
    for copies in sizes:
        with tempfile.TemporaryDirectory() as work:
            rows.append(run(copies, Path(work)))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main_over_sizes(
    argv: list[str] | None, description: str, run: Callable[..., dict], repeat_help: str, questions_help: str
) -> list[dict]:
    """A scaling bench's command line: ``--copies`` (the sizes), ``--repeat``, ``--articles`` and
    ``--questions``, each size run as ``run(copies, repeat, work, articles, questions)`` (``per_size``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--repeat", type=int, default=3, help=repeat_help)
    parser.add_argument("--articles", type=int, default=None, help="of the 23 articles, the first N (all)")
    parser.add_argument("--questions", type=int, default=100, help=questions_help)
    args = parser.parse_args(argv)
    return per_size(args.copies, lambda copies, work: run(copies, args.repeat, work, args.articles, args.questions))
