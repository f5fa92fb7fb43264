"""The full eval as a benchmark: ours vs the plain llama-index recipe, calibrated, with a chart.

Steps, so the long one can be resumed and the thresholds swept without the LLM:

    python -m bench.eval collect --limit 500 --dev 100 --baseline-answers 100
    python -m bench.eval second-tries   # records collected before the chat's second try on decline get theirs
    python -m bench.eval verify      # verdicts for what today's attributor cites (--again: the verifier changed)
    python -m bench.eval report
    python -m bench.eval compare --out A --against B   # two runs, paired on the same questions

``collect`` asks every question of a fixed test sample (``--limit``, seed
``--seed``, 20% unanswerable) and of a disjoint calibration sample (``--dev``,
half unanswerable) through Groundline's chat code path, and appends one JSON
line per question to ``OUT/records-ours.jsonl``: what was retrieved, the
answer, its latency, and the evidence it was decided from (passages, the
model's raw output, every sentence's support score, the verifier's verdict).
It runs with ``min_relevance=-1`` so the model is asked every question and any
relevance threshold can be replayed. The baseline's retrieval runs on the whole test
sample, its answers (an LLM call of ~16 s each on 2 cores) on the first
``--baseline-answers`` of it, into ``OUT/records-baseline.jsonl``. Re-running
skips questions already recorded; ``report`` scores what is recorded (the test
sample is shuffled, so a run stopped early leaves a random subset).

``second-tries`` asks, of every recorded answer shown more than one passage that the model declined
or that no line supports (``Decider.tries_again``: the answer attributed
again by today's attributor, its recorded verdicts kept), the second try the chat asks now
(``Evidence.retry``: the model again, of the passage nearest the question, then attribution and the
verifier), and stores it with the reply decided from both and its time added to the latency; records
collected since have theirs. A record whose second try was not asked is looked at again on every run
(no LLM call where none is due), so records from before the second try for unsupported answers get theirs.

``verify`` asks the verifier (``rag.verification``, one short LLM call each)
about every recorded answer that has no verdict yet, or whose verdict judged
other source sentences than today's attributor cites, and writes the verdict
and the sentences it judged into the records, so records from before the
verifier, or from before an attribution change, are replayed as the chat would
decide them now; ``verify --again`` asks about every recorded answer, after the
verifier changed.

``report`` attributes the recorded answers again with the current attributor
(MiniLM calls, no LLM; the recorded verdicts are kept, and counted where they
judged other sentences than today's attribution cites), scores the test sample
under the shipped thresholds with the same ``Decider`` the chat uses, picks the
``min_relevance`` / ``min_support`` / ``min_verified`` triple with the most right
outcomes on the calibration sample (weighting answerable and unanswerable
questions as the test sample does) and shows it beside them with sweeps of
each, and writes ``eval.json``, ``eval.md`` (with the commands) and ``eval.png``.

``compare`` scores two record folders (for example two models, or before and
after a change) on the test questions both recorded, attributed and decided the
same way as ``report`` does, and prints a markdown table: a paired comparison,
so a run stopped early can still be set beside a full one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shlex
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

from pydantic import TypeAdapter
from tqdm import tqdm

from rag.decision import Decider
from rag.eval import (
    METRICS,
    answered_right,
    ask,
    contains_answer,
    dev_sample,
    load_questions,
    sample,
    score,
)
from rag.eval_run import (
    EVIDENCE,
    Ours,
    eval_data_dir,
    from_record,
    replay,
    reply_of,
    reply_record,
    span_of,
    to_record,
)
from rag.settings import Settings
from rag.types import Support
from rag.verification import cited_quotes

SUPPORT = TypeAdapter(Support)

SQUAD = Path(__file__).parent / "squad-dev" / "questions.jsonl"
RELEVANCE_GRID = (-1.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5)
SUPPORT_GRID = (0.0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
VERIFIED_GRID = (0.0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
UNANSWERABLE_SHARE = 0.2  # of the test sample (rag.eval.sample's default)
NO_THRESHOLDS = Decider(-1.0, 0.0, 0.0)  # no gate: the model's own word, as attributed


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


def samples(args) -> tuple[list, list]:
    questions = load_questions(args.questions)
    test = sample(questions, args.limit, args.seed)
    return test, dev_sample(questions, test, args.dev, args.seed + 1) if args.dev else []


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def save_records(path: Path, records: list[dict]) -> None:
    """Atomically, so a stopped run keeps the file whole."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in records))
    tmp.replace(path)


def collect(args) -> None:
    from rag.app import build
    from rag.baseline import PlainLlamaIndex

    test, dev = samples(args)
    settings = Settings(data_dir=args.data_dir)
    data_dir = eval_data_dir(settings, args.questions.parent / "docs")
    recording = {"data_dir": data_dir, "models_dir": settings.model_files_dir, "min_relevance": -1.0, "verify": True,
                 "llm_cache_dir": None}  # fmt: skip
    app = build(settings.model_copy(update=recording))
    app.ingestor.ingest([args.questions.parent / "docs"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval-settings.json").write_text(json.dumps(settings.model_dump(mode="json", include=SHOWN)) + "\n")
    with (args.out / "eval-commands.txt").open("a") as log:
        log.write(args.command + "\n")
    ours_file, base_file = args.out / "records-ours.jsonl", args.out / "records-baseline.jsonl"
    if args.baseline_answers is not None:  # bounded, so it goes first; ours may be stopped and resumed
        plain = PlainLlamaIndex(args.questions.parent / "docs", data_dir / "baseline", app.embed_model, app.llm)
        record(plain, [(q, "test") for q in test[args.baseline_answers :]], base_file, "baseline", False)
        record(plain, [(q, "test") for q in test[: args.baseline_answers]], base_file, "baseline answers", True)
    record(Ours(app), [(q, "dev") for q in dev] + [(q, "test") for q in test], ours_file, "ours", True)


def record(system, todo: list, path: Path, desc: str, with_answers: bool) -> None:
    """Ask each (question, split) not yet in ``path``; append one JSON line per question.

    Where answers are wanted, a question recorded without one (retrieval only) is
    asked again and its old line dropped, so ``--baseline-answers`` can be raised
    on an existing run."""
    records = read_records(path)
    done = {r["id"] for r in records if r["reply"] is not None or not with_answers}
    wanted = {q.id for q, _ in todo}
    stale = {r["id"] for r in records if r["id"] in wanted and r["id"] not in done}
    if stale:
        save_records(path, [r for r in records if r["id"] not in stale])
    with path.open("a") as out:
        for q, split in tqdm([t for t in todo if t[0].id not in done], desc=desc, file=sys.stderr, disable=None):
            out.write(json.dumps(to_record(ask(system, q, with_answers), split=split)) + "\n")
            out.flush()


SHOWN = {
    "llm",
    "retrieval",
    "top_k",
    "fusion_candidates",
    "keyword_weight",
    "rrf_k",
    "chunk_tokens",
    "chunk_overlap",
    "min_support",
    "min_relevance",
    "min_verified",
}


def verify(args, judge=None, attributor=None) -> None:
    """Bring the recorded verdicts up to date (resumable): ask the verifier about every recorded
    answer that has no verdict, or whose verdict judged other sentences than the ones today's
    attributor cites (the report attributes recorded answers again, so a change in attribution
    changes what the chat would have asked); with ``--again``, about every recorded answer (after
    the verifier changed). A verdict a second look is asked of under any ``min_verified`` the report
    sweeps (``Decider.looks_again``: from ``second_look_from`` up to the sweep's highest, not only up to
    the shipped threshold) gets one, each cited sentence after the one before it, as the chat asks it,
    so each row of the sweep replays the second looks it would have asked. An answer that opens with
    yes has the cited sentences asked the question too (``Verifier.says_yes``), as the chat asks it. Each
    verdict is stored with the sentences it judged."""
    from rag.answer_text import affirms
    from rag.decision import declined
    from rag.verification import Verifier

    attributor = attributor or todays_attributor(args)
    if judge is None:
        from rag.llm import build_judge

        app = built(args)
        judge = build_judge(app.llm, app.local_llm)
    verifier, decider = Verifier(judge), replace(shipped_decider(), min_verified=max(VERIFIED_GRID))
    path = args.out / "records-ours.jsonl"
    records = read_records(path)
    todo = []
    for r in tqdm(records, desc="attribute", file=sys.stderr, disable=None):
        for held, ev in tries(r):
            if ev["raw"] is None or declined(ev["raw"]):
                continue
            evidence = EVIDENCE.validate_python(ev)
            supports = attributor.evidence(evidence.question, evidence.passages, evidence.raw).supports
            under = attributor.lead_ins(evidence.passages)  # as the chat shows them (``AnswerService.checked``)
            before = attributor.with_sentence_before(under, evidence.passages)
            shown = cited_quotes(supports, under)
            first = args.again or ev.get("verified") is None or judged_quotes(held, ev) != shown
            yes = affirms(ev["raw"]) and (first or ev.get("said_yes") is None)
            if first or yes or stale_second_look(held, ev, cited_quotes(supports, before), decider, args.again):
                todo.append((held, ev, supports, under, before, first, yes))
    for n, (held, ev, supports, under, before, first, yes) in enumerate(
        tqdm(todo, desc="verify", file=sys.stderr, disable=None), 1
    ):
        if first:
            ev["verified"] = verifier.verify(ev["question"], supports, under)
            held["judged"] = cited_quotes(supports, under)
        if yes:
            ev["said_yes"] = verifier.says_yes(ev["question"], supports, under)
        if ev["verified"] is not None and decider.looks_again(ev["verified"]):
            ev["verified_again"] = verifier.verify(ev["question"], supports, before)
            held["judged_again"] = cited_quotes(supports, before)
        else:
            ev["verified_again"] = None
            held.pop("judged_again", None)
        if n % 25 == 0 or n == len(todo):  # a stopped run keeps what it did
            save_records(path, records)


def built(args, **update):
    """The app over ``--data-dir``, with the packaged models that data dir keeps (``update``: other settings)."""
    from rag.app import build

    settings = Settings(data_dir=args.data_dir)
    return build(settings.model_copy(update={"models_dir": settings.model_files_dir, **update}))


def second_tries(args, service=None) -> None:
    """Give every recorded answer the chat would ask again its second try, as the chat asks it now
    (``AnswerService.tried_again``: records collected before it have none), resumable: the second
    try's evidence, its verdicts, the reply decided from both, and its time added to the latency.
    Each answer is attributed again by today's attributor first (its verdicts kept), as the report
    replays it."""
    from rag.answering import Stopwatch
    from rag.eval_run import attributed_again

    service = service or built(args, llm_cache_dir=None).service
    path = args.out / "records-ours.jsonl"
    records = read_records(path)
    todo = [r for r in records if r["evidence"] and r["evidence"]["raw"] is not None and not r["evidence"].get("retry")]
    for n, r in enumerate(tqdm(todo, desc="second tries", file=sys.stderr, disable=None), 1):
        timed = Stopwatch()
        evidence = attributed_again(EVIDENCE.validate_python(r["evidence"]), service.attributor)
        trying = service.tried_again(evidence, timed)
        try:
            while True:
                next(trying)  # its words, which no one reads here
        except StopIteration as done:
            evidence = done.value
        r["evidence"]["retry"] = None if evidence.retry is None else EVIDENCE.dump_python(evidence.retry, mode="json")
        if evidence.retry is not None:
            r["reply"] = reply_record(reply_of(service.decider.decide(evidence)))
            r["latency_s"] += timed.total
        if n % 10 == 0 or n == len(todo):  # a stopped run keeps what it did
            save_records(path, records)


def tries(record: dict) -> list[tuple[dict, dict]]:
    """A record's recorded tries, each as (where the sentences its verdicts judged are kept, its
    evidence): the first try's in the record, a second try's (``Evidence.retry``) in its own evidence."""
    ev = record.get("evidence")
    if not ev:
        return []
    return [(record, ev)] + ([(ev["retry"], ev["retry"])] if ev.get("retry") else [])


def stale_second_look(held: dict, ev: dict, shown: list[str], decider: Decider, again: bool) -> bool:
    """Whether a try's second look is missing, or judged other sentences than ``shown`` (or is
    held where its verdict no longer gets one)."""
    verdict = ev.get("verified")
    if verdict is None or not decider.looks_again(verdict):
        return ev.get("verified_again") is not None
    return again or ev.get("verified_again") is None or held.get("judged_again") != shown


def judged_quotes(held: dict, ev: dict) -> list[str]:
    """The sentences a try's verdict judged: stored by ``verify``; for a verdict given while
    collecting, those its recorded citations quote."""
    if "judged" in held:
        return held["judged"]
    return cited_quotes([SUPPORT.validate_python(s) for s in ev["supports"]])


def stale_verdicts(records: list[dict], replayed: list, attributor) -> int:
    """How many replayed tries the verifier would be shown other sentences than it judged (under the
    headings ``attributor`` reads, as the chat shows them)."""
    by_id = {r["id"]: r for r in records}
    stale = 0
    for o in replayed:
        if o.reply is None or o.reply.evidence is None:
            continue
        now = [o.reply.evidence, o.reply.evidence.retry]
        for (held, ev), evidence in zip(tries(by_id[o.question.id]), now, strict=False):
            stale += (
                evidence is not None
                and evidence.raw is not None
                and evidence.verified is not None
                and judged_quotes(held, ev) != cited_quotes(evidence.supports, attributor.lead_ins(evidence.passages))
            )
    return stale


def load(records: list[dict], questions: dict) -> dict[str, list]:
    by_split: dict[str, list] = {}
    for record in records:
        by_split.setdefault(record["split"], []).append(from_record(record, questions))
    return by_split


def utility(scores: dict) -> float:
    """Share of right outcomes at the test sample's mix: a correct answer, or an abstention where one is due."""
    return (1 - UNANSWERABLE_SHARE) * (scores["answer_accuracy"] or 0) + UNANSWERABLE_SHARE * (
        scores["abstention_recall"] or 0
    )


def withheld(before: list, after: list) -> dict:
    """Answerable questions answered in ``before`` and abstained on in ``after``, by whether the
    withheld answer was right: what a stricter decision costs, and what it spares the user."""
    changed = [b for b, a in zip(before, after, strict=True) if not b.reply.abstained and a.reply.abstained]
    changed = [b for b in changed if b.question.answerable]
    return {"wrong": sum(not answered_right(b) for b in changed), "right": sum(answered_right(b) for b in changed)}


GOLD_SHOWN, GOLD_NOT_SHOWN = "gold paragraph shown", "not shown"


def misses(raw: list, final: list) -> dict:
    """Where the answerable questions end up: whether the gold paragraph was among the passages
    the model read, what the model made of them (``raw``: no thresholds), and what the decision kept
    (``final``). Tells a reading problem from a retrieval or a threshold problem."""
    counts: dict[str, dict[str, int]] = {}
    for before, after in zip(raw, final, strict=True):
        q, ev = before.question, before.reply.evidence if before.reply else None
        if not q.answerable or ev is None:
            continue
        shown = GOLD_SHOWN if any(p.covers(q.file, q.line) for p in ev.passages) else GOLD_NOT_SHOWN
        if before.reply.abstained:  # with no thresholds: the model declined, or cited nothing
            outcome = "declined by the model (or nothing it said was attributable)"
        else:
            right = "right" if answered_right(before) else "wrong"
            if after.reply.abstained:
                outcome = f"{right}, withheld"
            else:
                outcome = f"{right}, kept, {cites(after)}"
        row = counts.setdefault(outcome, {})
        row[shown] = row.get(shown, 0) + 1
    return dict(sorted(counts.items()))


def cites(o) -> str:
    """What a kept answer's citations point at. SQuAD labels one paragraph per question, and a
    citation of another sentence that states the same answer (an article often says a fact twice)
    misses the gold line without being a wrong citation: the report tells the two apart."""
    q = o.question
    if any(c.covers(q.file, q.line) for c in o.reply.citations):
        return "citing the gold line"
    cited = set(o.reply.citations)
    quotes = [c.quote for s in o.reply.evidence.supports for c in s.cited if span_of(c) in cited]
    if any(contains_answer(q, quote) for quote in quotes):
        return "citing another line that states a gold answer"
    return "citing neither"


def merged(outcomes: list) -> dict:
    """Retrieval metrics over every outcome; the rest over those with an answer."""
    answered = [o for o in outcomes if o.reply is not None]
    out = score(answered) if answered else dict.fromkeys(METRICS)
    retrieval = score(outcomes)
    out |= {key: retrieval[key] for key in ("retrieval_hit_at_5", "mrr")}
    out["n_retrieval"] = len(outcomes)
    return out


def todays_attributor(args):
    """The attributor the chat ships, to attribute recorded answers again (embedder calls, no LLM), its
    source sentences' vectors kept as the chat keeps them (the same passages come back question after
    question, and each answer's sentences and its question are matched against them)."""
    from index.embedding import packaged_embedder
    from rag.attribution import Attributor
    from rag.sentence_vectors import SentenceVectors

    settings = Settings(data_dir=args.data_dir)
    embedder = packaged_embedder(settings.embed_backend, settings.model_files_dir, settings.embed_device)
    return Attributor(embedder, sources=SentenceVectors(embedder))


def shipped_decider():
    return Decider.from_settings(Settings(_env_file=None))


def compare(args, attributor=None) -> int:
    """``--out``'s records beside each ``--against`` folder's, on the test questions all of them recorded."""
    questions = {q.id: q for q in load_questions(args.questions)}
    folders = [args.out, *args.against]
    recorded = [read_records(d / "records-ours.jsonl") for d in folders]
    tests = [load(records, questions).get("test", []) for records in recorded]
    runs = [[o for o in test if o.reply] for test in tests]
    common = set.intersection(*({o.question.id for o in run} for run in runs))
    attributor = attributor or todays_attributor(args)
    decisions = {"shipped thresholds": shipped_decider(), "model's word only": NO_THRESHOLDS}
    cols = ("answer_accuracy", "citation_line_accuracy", "abstention_recall", "false_abstention_rate", "latency_p50_s")
    answerable = sum(questions[i].answerable for i in common)
    lines = [
        f"{len(common)} test questions recorded in every folder ({answerable} answerable)",
        "",
        "| records | llm | decision | " + " | ".join(cols) + " |",
        "|---|---|---|" + "---|" * len(cols),
    ]
    for folder, run in zip(folders, runs, strict=True):
        llm = json.loads((folder / "eval-settings.json").read_text()).get("llm")
        test = replay([o for o in run if o.question.id in common], NO_THRESHOLDS, attributor)
        for name, decider in decisions.items():
            m = score(replay(test, decider))
            lines.append(f"| {folder} | {llm} | {name} | " + " | ".join(str(m[c]) for c in cols) + " |")
    print("\n".join(lines + ["", *agreement(folders, recorded, common)]))
    return 0


def agreement(folders: list[Path], recorded: list[list[dict]], common: set[str]) -> list[str]:
    """How far each later folder's records are the first's again, on the questions all recorded: the
    same top 5 passages, the same reply word for word. llama.cpp is not bit-reproducible across CPUs
    or threads, so the same code asked again differs in some replies: the noise under any comparison."""
    first, *others = ({r["id"]: r for r in records} for records in recorded)
    lines = []
    for folder, run in zip(folders[1:], others, strict=True):
        retrieved = sum(run[i]["retrieved"] == first[i]["retrieved"] for i in common)
        replies = sum(run[i]["reply"]["text"] == first[i]["reply"]["text"] for i in common)
        lines.append(
            f"{folder} beside {folders[0]}: the same top 5 passages for {retrieved} of {len(common)} questions, "
            f"the same reply word for word for {replies}"
        )
    return lines


def report(args, attributor=None) -> int:
    questions = {q.id: q for q in load_questions(args.questions)}
    records = read_records(args.out / "records-ours.jsonl")
    ours = load(records, questions)
    base_file = args.out / "records-baseline.jsonl"
    baseline = load(read_records(base_file), questions)
    recorded_dev, recorded_test = ours.get("dev", []), ours["test"]
    # The model's recorded output, attributed again by today's attributor (embedder calls, no LLM).
    attributor = attributor or todays_attributor(args)
    dev, test = (replay(o, NO_THRESHOLDS, attributor) for o in (recorded_dev, recorded_test))
    shipped = shipped_decider()

    def at(relevance: float, support: float, verified: float) -> Decider:
        """The shipped decider at these three thresholds (its second look and yes check kept)."""
        return replace(shipped, min_relevance=relevance, min_support=support, min_verified=verified)

    grid = [at(*t) for t in itertools.product(RELEVANCE_GRID, SUPPORT_GRID, VERIFIED_GRID)]
    dev_scores = {d: score(replay(dev, d)) for d in grid} if dev else {}
    calibrated = max(grid, key=lambda d: utility(dev_scores[d])) if dev else shipped
    r, s, v = shipped.min_relevance, shipped.min_support, shipped.min_verified
    answered_by_baseline = {o.question.id for o in baseline.get("test", []) if o.reply is not None}
    ours_test = replay(test, shipped)
    result = {
        "ours": merged(ours_test),
        # the fair comparison: ours on exactly the questions the baseline answered
        "ours_paired": merged([o for o in ours_test if o.question.id in answered_by_baseline]),
        "baseline": merged(baseline.get("test", [])),
        "thresholds": asdict(shipped),
        "calibrated": asdict(calibrated),
        "n_dev": len(dev),
        "stale_verdicts": stale_verdicts(records, dev + test, attributor),
        "settings": json.loads((args.out / "eval-settings.json").read_text()),
        "commands": (args.out / "eval-commands.txt").read_text().strip() + "\n" + args.command,
    }
    ablation = {
        "model's word only (no thresholds)": NO_THRESHOLDS,
        "retrieval gate only (min_relevance)": Decider(r, 0.0, 0.0),
        "attribution only (min_support)": Decider(-1.0, s, 0.0),
        "verifier only (min_verified)": at(-1.0, 0.0, v),
        "retrieval gate + attribution, no verifier": Decider(r, s, 0.0),
        "all three (shipped defaults)": shipped,
        "all three, as calibrated on the dev sample": calibrated,
    }
    result["ablation"] = {name: score(replay(test, d)) for name, d in ablation.items()}
    result["ablation"]["shipped, answer sentence attributed as recorded"] = score(replay(recorded_test, shipped))
    result["support_sweep"] = {str(x): score(replay(test, at(r, x, v))) for x in SUPPORT_GRID}
    result["relevance_sweep"] = {str(x): score(replay(test, at(x, s, v))) for x in RELEVANCE_GRID}
    result["verifier_withheld"] = withheld(replay(test, Decider(r, s, 0.0)), replay(test, shipped))
    result["misses"] = misses(replay(test, NO_THRESHOLDS), replay(test, shipped))
    result["verified_sweep"] = {str(x): score(replay(test, at(r, s, x))) for x in VERIFIED_GRID}
    result["dev_ablation"] = {name: score(replay(dev, d)) for name, d in ablation.items()} if dev else {}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.json").write_text(json.dumps(result, indent=2) + "\n")
    chart(result, args.out / "eval.png")
    (args.out / "eval.md").write_text(markdown(result))
    print(json.dumps({k: result[k] for k in ("ours", "baseline", "thresholds", "calibrated")}))
    return 0


def markdown(result: dict) -> str:
    ours, paired, base = result["ours"], result["ours_paired"], result["baseline"]
    rows = "\n".join(f"| {m} | {ours.get(m)} | {paired.get(m)} | {base.get(m)} |" for m in (*METRICS, "n_retrieval"))
    cols = ("answer_accuracy", "citation_line_accuracy", "abstention_recall", "false_abstention_rate")

    def table(scores: dict, label: str) -> str:
        head = f"| {label} | " + " | ".join(cols) + " | utility |\n|---|" + "---|" * (len(cols) + 1) + "\n"
        cells = {k: [str(v[c]) for c in cols] + [str(round(utility(v), 4))] for k, v in scores.items()}
        rows = [f"| {k} | " + " | ".join(c) + " |" for k, c in cells.items()]
        return head + "\n".join(rows)

    def rows_of(counts: dict) -> str:
        cols = (GOLD_SHOWN, GOLD_NOT_SHOWN)
        return "\n".join(f"| {k} | " + " | ".join(str(v.get(c, 0)) for c in cols) + " |" for k, v in counts.items())

    return f"""# Eval: Groundline vs plain llama-index

```
{result["commands"]}
```

Settings: `{result["settings"]}`. "ours" uses the shipped thresholds
`{result["thresholds"]}`; the calibration sample chose
`{result["calibrated"]}` (see below). utility = 0.8 ×
answer_accuracy + 0.2 × abstention_recall: the share of right outcomes at the test sample's mix.
Test sample: {ours["n_retrieval"]} questions (seed 0, 20% unanswerable); calibration sample:
{result["n_dev"]} other questions (half unanswerable). Baseline answer metrics over its first {base.get("n")}
test questions; retrieval metrics over all. The middle column is ours on exactly the questions the
baseline answered (every metric over those). Recorded verdicts that judged other source sentences
than today's attribution cites (`bench.eval verify` asks again): {result["stale_verdicts"]}.

| metric | ours | ours, baseline's questions | baseline |
|---|---|---|---|
{rows}

![chart](eval.png)

## What the abstention thresholds buy (test sample, replayed from the recorded evidence)

{table(result["ablation"], "decision")}

Of the answerable test questions the verifier turns into abstentions, {result["verifier_withheld"]["wrong"]}
had been answered wrongly and {result["verifier_withheld"]["right"]} rightly (the answer lacked / held a gold answer).

## Where the answerable questions end up (shipped thresholds)

| outcome | gold paragraph shown | not shown |
|---|---|---|
{rows_of(result["misses"])}

### min_verified (the other two as shipped)

{table(result["verified_sweep"], "min_verified")}

### min_support (the other two as shipped)

{table(result["support_sweep"], "min_support")}

### min_relevance (the other two as shipped)

{table(result["relevance_sweep"], "min_relevance")}

## The same decisions on the calibration sample

{table(result["dev_ablation"], "decision")}
"""


def main(argv: list[str] | None = None, attributor=None, judge=None, service=None) -> int:
    """``attributor``, ``judge``, ``service``: tests pass them built on fakes."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step", choices=("collect", "second-tries", "verify", "report", "compare"))
    p.add_argument("--questions", type=Path, default=SQUAD)
    p.add_argument("--limit", type=int, default=500, help="test sample size")
    p.add_argument("--dev", type=int, default=100, help="calibration sample size (0: keep the settings' thresholds)")
    p.add_argument("--baseline-answers", type=int, default=None, help="baseline LLM answers (omit: no baseline)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", type=Path, default=Path(".groundline"))
    p.add_argument("--out", type=Path, default=Path("bench/results"))
    p.add_argument("--against", type=Path, nargs="+", default=[], help="compare: other record folders")
    p.add_argument("--again", action="store_true", help="verify: every recorded answer, not only stale ones")
    args = p.parse_args(argv)
    args.command = "python -m bench.eval " + shlex.join(sys.argv[1:] if argv is None else argv)
    started = time.time()
    if args.step in ("collect", "second-tries", "verify"):
        steps = {"collect": lambda: collect(args), "second-tries": lambda: second_tries(args, service),
                 "verify": lambda: verify(args, judge, attributor)}  # fmt: skip
        steps[args.step]()
        print(json.dumps({"step": args.step, "command": args.command, "wall_s": round(time.time() - started)}))
        return 0
    return compare(args, attributor) if args.step == "compare" else report(args, attributor)


if __name__ == "__main__":
    sys.exit(main())
