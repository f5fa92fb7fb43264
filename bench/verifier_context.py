"""Does the verifier judge better when shown the sentence before each cited one?

    python -m bench.verifier_context --data-dir D [--out bench/results/verifier-context]

The shipped verifier is shown the question and the cited sentences alone ("Does the source text
answer this exact question?"). A cited sentence can lean on the one before it: asked "What could
Pyongyang offer Putin?" of the sample news, the 1.5B model answered from "Pyongyang could offer
ammunition, missile systems, and short-range ballistic missiles.", and the verifier, not shown
"Earlier, the FT reported that Kim Jong-un is ready to conclude an arms deal with Putin.", said
no. Here every recorded answer (not a decline) is attributed by today's attributor and put to the
local verifier again, each cited sentence preceded by the sentence before it in its passage, where
it has one; the verdicts are kept in ``--out`` (``verdicts.json``, reused when there), and the
report sets the recorded verdicts beside them: ROC AUC for "unanswerable", and the decided figures
at several ``min_verified`` thresholds. Takes ~1.4 s an answer on 2 cores (~14 min for 575).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from sklearn.metrics import roc_auc_score
from tqdm import tqdm

from bench.eval import load, read_records, todays_attributor
from rag.attribution import Attributor
from rag.decision import Decider, declined
from rag.eval import load_questions, score
from rag.eval_run import evidence_of, replay
from rag.settings import Settings
from rag.types import Evidence
from rag.verification import cited_quotes, verify_messages

HERE = Path(__file__).parent
THRESHOLDS = (0.3, 0.4, 0.5, 0.6)
SHOWN = ("answer_accuracy", "citation_line_accuracy", "abstention_recall", "false_abstention_rate")


def with_context(attributor: Attributor, evidence: Evidence) -> list[str]:
    """The cited sentences, each after the sentence before it in its passage (none for a passage's
    first), as the chat's second look shows them (``Attributor.preceding``)."""
    supports = attributor.evidence(evidence.question, evidence.passages, evidence.raw).supports
    return cited_quotes(supports, attributor.preceding(evidence.passages))


def collect(records: list[dict], attributor: Attributor, judge) -> dict[str, float | None]:
    verdicts = {}
    for record in tqdm(records, desc="verify", file=sys.stderr, disable=None):
        evidence = evidence_of(record)
        if evidence is None or evidence.raw is None or declined(evidence.raw):
            continue
        if shown := with_context(attributor, evidence):
            verdicts[record["id"]] = judge(verify_messages(evidence.question, shown))
    return verdicts


def report(records: list[dict], verdicts: dict, attributor: Attributor, questions_file: Path) -> str:
    questions = {q.id: q for q in load_questions(questions_file)}
    lines = ["| sample | verifier shown | min_verified | ROC AUC | " + " | ".join(SHOWN) + " |", "|---" * 8 + "|"]
    for split, outcomes in load(records, questions).items():
        recorded = replay(outcomes, Decider(-1.0, 0.0, 0.0), attributor)
        again = [
            replace(o, reply=replace(o.reply, evidence=replace(o.reply.evidence, verified=verdicts[o.question.id])))
            if o.question.id in verdicts
            else o
            for o in recorded
        ]
        for name, rows in (("the cited sentences (shipped)", recorded), ("each after the one before it", again)):
            judged = [o for o in rows if o.question.id in verdicts and o.reply.evidence.verified is not None]
            auc = roc_auc_score(
                [not o.question.answerable for o in judged], [-o.reply.evidence.verified for o in judged]
            )
            for t in THRESHOLDS:
                s = score(replay(rows, Decider(0.2, 0.5, t)))
                lines.append(f"| {split} | {name} | {t} | {auc:.3f} | " + " | ".join(f"{s[k]}" for k in SHOWN) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a data dir whose models folder holds the models")
    parser.add_argument("--records", type=Path, default=HERE / "results" / "records-ours.jsonl")
    parser.add_argument("--questions", type=Path, default=HERE / "squad-dev" / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "verifier-context")
    args = parser.parse_args(argv)
    records = read_records(args.records)
    attributor = todays_attributor(args)
    kept = args.out / "verdicts.json"
    if kept.exists():
        verdicts = json.loads(kept.read_text())
    else:
        from rag.app import build
        from rag.llm import build_judge

        settings = Settings(data_dir=args.data_dir)
        app = build(settings.model_copy(update={"models_dir": settings.model_files_dir}))
        verdicts = collect(records, attributor, build_judge(app.llm, app.local_llm))
        args.out.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(verdicts, indent=0) + "\n")
    table = report(records, verdicts, attributor, args.questions)
    (args.out / "report.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
