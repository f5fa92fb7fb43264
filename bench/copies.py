"""The squad-dev articles copied N times over: the store sizes the scaling benches measure at."""

from __future__ import annotations

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
