"""Does the answering model's own confidence tell an unanswerable question from an answerable one?

    python -m bench.confidence --out F [--records R] [--answerable 100] [--limit N] [--data-dir D]
    python -m bench.confidence --out F --report

The shipped abstention decides from retrieval, attribution and a separate yes/no call (the
verifier, ROC AUC ~0.855 for "unanswerable" on the recorded test answers); other signals tried
(passage similarity, support, names missing) added nothing to it (``eval-notes.md``). Two signals
not tried come from the answering call itself: how likely the model found the answer it wrote
(its tokens' log-probabilities, teacher-forced over the recorded prompt), and how likely it found
declining instead (the log-probability of ``ABSTAIN`` after the same prompt). They cost nothing
extra in the chat if they help: the prompt is already read.

For every unanswerable test question and a fixed random ``--answerable`` of the answerable ones
that the model answered (no decline), the recorded passages are put to the model again in the
shipped prompt; one JSON line a question is appended to ``--out`` (resumed when stopped). The
report prints each signal's ROC AUC for "unanswerable", the lowest share of these answerable rows
it withholds while withholding 60 % of these unanswerable ones, and the AUC of the verifier's
log-odds plus each signal, weighted; thresholds and weights are picked on these rows themselves,
so the figures are upper bounds.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench.eval import read_records
from rag.decision import declined
from rag.eval import load_questions
from rag.eval_run import from_record
from rag.llm import llama_options
from rag.models import QWEN_15B, ensure_model
from rag.prompts import ABSTAIN, answer_messages, chatml
from rag.settings import Settings

HERE = Path(__file__).parent


def log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    return z - np.logaddexp.reduce(z)


class Scorer:
    """Teacher-forced log-probabilities of continuations after one prompt, on a llama_cpp.Llama."""

    def __init__(self, llama) -> None:
        self.llama = llama

    def tokens(self, text: str) -> list[int]:
        return self.llama.tokenize(text.encode(), add_bos=False, special=True)

    def read(self, prompt: str) -> np.ndarray:
        """Read the prompt; the log-probabilities of the first token after it."""
        self.llama.reset()
        self.llama.eval(self.tokens(prompt))
        self.n_prompt = self.llama.n_tokens
        self.first = self.last()
        return self.first

    def last(self) -> np.ndarray:
        """The log-probabilities after the last token read (only its logits are kept)."""
        n_vocab = self.llama.n_vocab()
        return log_softmax(np.ctypeslib.as_array(self.llama._ctx.get_logits(), shape=(n_vocab,)).copy())

    def continuation(self, text: str) -> list[float]:
        """Each token's log-probability of ``text`` following the prompt last read."""
        self.llama.n_tokens = self.n_prompt  # back to the prompt's end (the cache is overwritten)
        out, dist = [], self.first
        for token in self.tokens(text):
            out.append(float(dist[token]))
            self.llama.eval([token])
            dist = self.last()
        return out


def signals(scorer: Scorer, question: str, passages, raw: str) -> dict:
    first = scorer.read(chatml(answer_messages(question, passages)))
    answer = scorer.continuation(raw.strip())
    abstain = scorer.continuation(ABSTAIN)
    p = np.exp(first)
    return {
        "answer_sum": sum(answer),
        "answer_mean": sum(answer) / len(answer),
        "answer_min": min(answer),
        "abstain_sum": sum(abstain),
        "first_top": float(p.max()),
        "first_entropy": float(-(p * first).sum()),
        "n_tokens": len(answer),
    }


def chosen(records: Sequence[dict], questions: dict, answerable: int) -> list:
    """Test outcomes the model answered (no decline): every unanswerable, a random ``answerable``."""
    outs = [from_record(r, questions) for r in records if r["split"] == "test"]
    raws = {o.question.id: o.reply.evidence.raw if o.reply and o.reply.evidence else None for o in outs}
    outs = [o for o in outs if raws[o.question.id] and not declined(raws[o.question.id])]
    yes = [o for o in outs if o.question.answerable]
    no = [o for o in outs if not o.question.answerable]
    random.Random(0).shuffle(yes)
    # alternate the two, so that a run stopped early is balanced
    todo = [x for pair in zip(no, yes[:answerable], strict=False) for x in pair]
    return todo + no[len(todo) // 2 :] + yes[len(todo) // 2 : answerable]


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    """P(a positive scores above a negative), ties half."""
    pos, neg = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((pos > neg) + 0.5 * (pos == neg)).mean())


def report(rows: Sequence[dict]) -> dict:
    """Each signal's AUC for "unanswerable" (higher = less sure), and the decisions' trade-offs."""
    no = [r for r in rows if not r["answerable"]]
    yes = [r for r in rows if r["answerable"]]
    # every signal oriented so that higher means "more likely unanswerable"
    oriented = {
        "verifier (shipped)": lambda r: -r["verified"] if r["verified"] is not None else 0.0,
        "answer mean log-prob": lambda r: -r["answer_mean"],
        "answer min log-prob": lambda r: -r["answer_min"],
        "answer total log-prob": lambda r: -r["answer_sum"],
        "decline log-prob": lambda r: r["abstain_sum"],
        "decline minus answer": lambda r: r["abstain_sum"] - r["answer_sum"],
        "first-token entropy": lambda r: r["first_entropy"],
        "first-token top probability": lambda r: -r["first_top"],
    }
    out = {"rows": {"unanswerable": len(no), "answerable": len(yes)}, "auc": {}, "at_recall": {}}
    for name, f in oriented.items():
        out["auc"][name] = round(auc([f(r) for r in no], [f(r) for r in yes]), 4)
    for name, f in oriented.items():
        out["at_recall"][name] = best_false_abstention(no, yes, f)
    # the verifier's log-odds plus w times another signal, both standardized over these rows; w (and
    # so the AUC) picked on these rows: an upper bound on what adding the signal could buy
    verifier = standardized([logit(r["verified"]) for r in rows])
    out["with_verifier"] = {}
    for name, f in list(oriented.items())[1:]:
        other = standardized([f(r) for r in rows])
        best = {"auc": 0.0, "w": None}
        for w in (0.0, 0.25, 0.5, 1.0, 2.0):  # the smallest weight of the best AUC
            mixed = {r["id"]: -v + w * o for r, v, o in zip(rows, verifier, other, strict=True)}
            score = round(auc([mixed[r["id"]] for r in no], [mixed[r["id"]] for r in yes]), 4)
            if score > best["auc"]:
                best = {"auc": score, "w": w}
        out["with_verifier"][name] = best
    return out


def logit(p: float | None) -> float:
    p = min(max(p if p is not None else 0.5, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def standardized(values: Sequence[float]) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return (v - v.mean()) / (v.std() or 1.0)


def best_false_abstention(no: Sequence[dict], yes: Sequence[dict], f, recall: float = 0.6) -> float | None:
    """The lowest share of the answerable rows withheld with at least ``recall`` of the unanswerable
    ones withheld, withholding where the signal is at least a threshold (on these rows)."""
    best = None
    for t in sorted({f(r) for r in no + yes}):
        caught = sum(f(r) >= t for r in no) / len(no)
        if caught >= recall:
            fa = sum(f(r) >= t for r in yes) / len(yes)
            best = fa if best is None else min(best, fa)
    return None if best is None else round(best, 4)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="JSON lines, one a question scored (resumed)")
    p.add_argument("--records", type=Path, default=HERE / "results" / "records-ours.jsonl")
    p.add_argument("--questions", type=Path, default=HERE / "squad-dev" / "questions.jsonl")
    p.add_argument("--answerable", type=int, default=100, help="answerable questions to score (a fixed random sample)")
    p.add_argument("--limit", type=int, help="score at most this many more")
    p.add_argument("--report", action="store_true", help="only report on what --out holds")
    p.add_argument("--data-dir", type=Path, default=Path(".groundline"), help="where the joined models are")
    args = p.parse_args(argv)

    questions = {q.id: q for q in load_questions(args.questions)}
    todo = chosen(read_records(args.records), questions, args.answerable)
    done = read_records(args.out) if args.out.exists() else []
    seen = {row["id"] for row in done}
    todo = [o for o in todo if o.question.id not in seen][: args.limit]
    if todo and not args.report:
        import llama_cpp

        settings = Settings(data_dir=args.data_dir)
        path = ensure_model(QWEN_15B, settings.model_files_dir)
        llama = llama_cpp.Llama(str(path), n_ctx=settings.context_window, verbose=False, **llama_options(settings))
        scorer = Scorer(llama)
        with args.out.open("a") as out:
            for o in tqdm(todo, desc="scoring"):
                start = time.perf_counter()
                ev = o.reply.evidence
                row = {"id": o.question.id, "answerable": o.question.answerable, "verified": ev.verified}
                row |= {"abstained": o.reply.abstained} | signals(scorer, o.question.question, ev.passages, ev.raw)
                row["s"] = round(time.perf_counter() - start, 2)
                out.write(json.dumps(row) + "\n")
                out.flush()
                done.append(row)
    print(json.dumps(report(done), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
