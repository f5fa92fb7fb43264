"""`groundline eval` on a few questions with the real models (the full eval is a benchmark)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.eval import METRICS
from tests.conftest import ROOT
from tests.e2e.conftest import groundline

pytestmark = pytest.mark.e2e

SQUAD = ROOT / "bench" / "squad-dev"
ARTICLE = "1973_oil_crisis"


def test_eval_command_reports_every_metric_for_ours_and_the_baseline(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    # The article's first 2 paragraphs (the answerable question's gold line is the first): a prompt
    # of a few short passages for each system (the whole article: 38 s run alone; 6 paragraphs,
    # which the baseline's default 1,024-token chunk holds whole: 28 s; these: 17 s)
    paragraphs = (SQUAD / "docs" / f"{ARTICLE}.txt").read_text().splitlines(keepends=True)
    (docs / f"{ARTICLE}.txt").write_text("".join(paragraphs[:2]))
    rows = [json.loads(line) for line in (SQUAD / "questions.jsonl").read_text().splitlines()]
    mine = [r for r in rows if ARTICLE in r["id"]]
    # One question of each kind gives every metric a value. Each question costs an answer from both
    # systems: with 3 + 1 questions on the 1.5B model this was the suite's largest test (238 s); with
    # these 2 it still took 135 s. The packaged 0.5B (GROUNDLINE_LLM=local-small) runs the same code
    # path in about half that; the 1.5B's own answers are checked end to end in test_answers.py, and
    # its eval figures come from the benchmark (bench/results/eval.md), not from CI.
    picked = [r for r in mine if r["answers"]][:1] + [r for r in mine if not r["answers"]][:1]
    assert picked[0]["line"] <= 2
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in picked))

    done = groundline(
        "eval", "--questions", str(questions), "--docs", str(docs), "--baseline", "--json",
        "--records", str(tmp_path / "records.jsonl"), data_dir=tmp_path / "data", GROUNDLINE_LLM="local-small",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(report) == {*METRICS, "baseline"}
    for scores in (report, report["baseline"]):
        assert scores["n"] == 2
        for metric in METRICS[:6]:
            assert 0.0 <= scores[metric] <= 1.0, (metric, scores)
        assert 0 < scores["latency_p50_s"] <= scores["latency_p95_s"]
    assert report["retrieval_hit_at_5"] >= report["baseline"]["retrieval_hit_at_5"]
    # each question's outcome, as each system fared: what the figures above count
    records = [json.loads(line) for line in (tmp_path / "records.jsonl").read_text().splitlines()]
    assert [(r["system"], r["id"]) for r in records] == [(s, r["id"]) for s in ("ours", "baseline") for r in picked]
    for r in records:
        assert r["question"] == next(p["question"] for p in picked if p["id"] == r["id"])
        assert isinstance(r["abstained"], bool) and r["reply"]["text"] and r["latency_s"] > 0
        assert (r["answered_right"] is None) == (r["gold"]["answers"] == [])
    assert records[0]["evidence"]["passages"]  # ours: what the answer was decided from
