"""Does asking the cited lines the question itself tell a true "yes" from a false one?

    python -m bench.yes_check [--data-dir D] [--out bench/results/yes-no]

The 1.5B model opens an answer with "Yes" where its cited line denies it ("Did Russia violate the
sanctions?" against "... UN experts ... refute the accusations that Moscow violates these
restrictions"), and the verifier cannot see it: the line does answer the question, with a no. Each
case of ``bench/yes-no/cases.jsonl`` is a yes/no question and the source line an answer to it would
cite, with whether that line says yes; the local model is asked it three ways, each read as its
probability of "yes" (``LlamaCppJudge``): the shipped check (``yes_messages``: the question, to answer
from the line alone), the verifier's own question (``verify_messages``), and "is the answer yes?"
about the text. The cases come in two sets written before any was run: ``choose`` (16, the sample
news), where the prompt and ``min_yes`` are chosen, and ``check`` (22, squad-dev articles), which
only measures them. A case takes ~0.3 s a prompt on 2 cores.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from llama_index.core.llms import ChatMessage
from sklearn.metrics import roc_auc_score

from rag.settings import Settings
from rag.verification import VERIFY_SYSTEM, Judge, Messages, put, verify_messages, yes_messages

HERE = Path(__file__).parent
CASES = HERE / "yes-no" / "cases.jsonl"


def about_the_text(question: str, quotes: Sequence[str]) -> list[ChatMessage]:
    """The first prompt tried: whether, by the text, the answer is yes (not shipped)."""
    return put(VERIFY_SYSTEM, question, quotes, "According to the source text, is the answer to this question yes?")


PROMPTS: dict[str, Messages] = {
    "the question, from the line alone (shipped)": yes_messages,
    "the verifier's: does it answer the question?": verify_messages,
    "by the text, is the answer yes?": about_the_text,
}


def read_cases(path: Path = CASES) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ask(cases: Sequence[dict], judge: Judge) -> dict[str, list[float]]:
    """Each prompt's probability of yes, case by case."""
    return {name: [judge(build(c["question"], [c["source"]])) for c in cases] for name, build in PROMPTS.items()}


def separating(yes: Sequence[float], no: Sequence[float]) -> float:
    """The threshold halfway between the least sure true yes and the surest false one, where every true
    yes is above every false one; else the one that gets the most cases right (the lowest of ties).

    >>> separating([0.84, 0.95], [0.3, 0.81]), separating([0.5, 0.9], [0.7])
    (0.825, 0.71)
    """
    if min(yes) > max(no):
        return round((min(yes) + max(no)) / 2, 4)
    cuts = sorted({round(p + 0.01, 4) for p in [*yes, *no]})
    return max(cuts, key=lambda t: (sum(p >= t for p in yes) + sum(p < t for p in no), -t))


def report(cases: Sequence[dict], verdicts: dict[str, list[float]], shipped: float) -> str:
    head = "| prompt | AUC, choose | AUC, check | threshold (choose) | check: false yes caught | check: true yes"
    rows = [f"{head} withheld |", "|---|---|---|---|---|---|"]
    for name, probs in verdicts.items():
        split = {
            s: [(p, c["yes"]) for p, c in zip(probs, cases, strict=True) if c["set"] == s] for s in ("choose", "check")
        }
        auc = {s: roc_auc_score([y for _, y in v], [p for p, _ in v]) for s, v in split.items()}
        chosen = separating([p for p, y in split["choose"] if y], [p for p, y in split["choose"] if not y])
        at = shipped if "shipped" in name else chosen
        check = split["check"]
        caught = sum(p < at for p, y in check if not y)
        withheld = sum(p < at for p, y in check if y)
        falses, trues = sum(not y for _, y in check), sum(y for _, y in check)
        rows.append(
            f"| {name} | {auc['choose']:.3f} | {auc['check']:.3f} | {chosen} (at {at}) | "
            f"{caught} of {falses} | {withheld} of {trues} |"
        )
    cases_rows = [
        "| set | says yes | question | " + " | ".join(verdicts) + " |",
        "|---|---|---|" + "---|" * len(verdicts),
    ]
    for i, c in enumerate(cases):
        probs = " | ".join(f"{verdicts[name][i]:.3f}" for name in verdicts)
        cases_rows.append(f"| {c['set']} | {'yes' if c['yes'] else 'no'} | {c['question']} | {probs} |")
    return "\n".join(
        [
            "# A yes the cited line does not say (`python -m bench.yes_check`)",
            "",
            f"Shipped `min_yes` {shipped}; thresholds are chosen on the `choose` set and measured on `check`.",
            "",
            *rows,
            "",
            *cases_rows,
            "",
        ]
    )


def main(argv: list[str] | None = None, judge: Judge | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None, help="where the model files are (default: settings)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "yes-no")
    p.add_argument("--cases", type=Path, default=CASES)
    args = p.parse_args(argv)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    if judge is None:
        from rag.app import build
        from rag.llm import build_judge

        app = build(settings.model_copy(update={"models_dir": settings.model_files_dir}))
        judge = build_judge(app.llm, app.local_llm)
    cases = read_cases(args.cases)
    verdicts = ask(cases, judge)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "verdicts.json").write_text(json.dumps(verdicts, indent=1) + "\n")
    text = report(cases, verdicts, settings.min_yes)
    (args.out / "report.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
