"""How a change to what the model is shown changes what it reads right, from recorded passages.

    python -m bench.reading --variant fewshot --out F [--decide] [--records R] [--right 70] [--limit N] [--data-dir D]

A full ``bench.eval collect`` takes ~2.5 hours for 500 questions on 2 cores. This asks far
fewer: of the test questions in ``--records`` that are answerable and whose gold paragraph was
among the passages the model read, every one it read wrong (or declined) and a fixed random
``--right`` of those it read right, each again over the same passages, asked as ``--variant``
says: rearranged (``reversed``, ``top3``), after two worked examples (``fewshot``), or told to
quote the answering sentence before it answers (``quote``, scored on the answer after the
quote), or with other sampling (``norepeat``: no repetition penalty). It scores the model's
word (no thresholds, no verifier) and prints how many wrong readings the variant fixes, how
many right ones it breaks, and the net change over all of them, the breaks scaled up from the
sample. ``same`` is the control: the shipped arrangement again, which shows llama.cpp's
run-to-run noise. One JSON line a question is appended to ``--out``; questions already there
are skipped, so a stopped run resumes.

With ``--decide`` every answer, recorded and new, is also decided as the chat decides it
(attribution, the verifier's call, the shipped thresholds), and the 100 unanswerable test
questions are asked as well: it then prints the estimated change in right answers kept and in
answerable questions withheld, and how many unanswerable ones were withheld before and after.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from llama_index.core.llms import ChatMessage, MessageRole
from tqdm import tqdm

from bench.eval import read_records, save_records
from rag.answering import AnswerService
from rag.app import Groundline, build
from rag.decision import declined
from rag.eval import EvalQuestion, Outcome, answered_right, contains_answer, load_questions
from rag.eval_run import from_record, replay, reply_of
from rag.prompts import SYSTEM, answer_messages
from rag.settings import Settings
from rag.types import Passage

HERE = Path(__file__).parent
Messages = Callable[[str, Sequence[Passage]], list[ChatMessage]]


def arranged(arrange: Callable[[Sequence[Passage]], list[Passage]]) -> Messages:
    """The shipped prompt over the passages, rearranged."""
    return lambda question, passages: answer_messages(question, arrange(passages))


# Two worked examples on made-up text (nothing from the eval corpus): the answer is in a later
# source than a distractor, and it is copied in the sources' own words, units and all.
EXAMPLES = [
    (
        [
            Passage("harbour.txt", 3, 4, 0, "The old harbour at Kelmouth was rebuilt in 1887 by the engineer "
                    "Thomas Reid. Its lighthouse, painted red and white, stands 31 m (102 ft) tall.", 1.0),
            Passage("harbour.txt", 5, 6, 140, "In 1902 a storm destroyed the northern pier. The town council "
                    "asked Margaret Hale, Reid's former assistant, to design its replacement, which opened "
                    "in 1905.", 1.0),
        ],
        "Who designed the new northern pier?",
        "Margaret Hale, Reid's former assistant, designed the replacement pier. [2]",
    ),
    (
        [
            Passage("moths.txt", 10, 10, 0, "Most hawk moths feed at dusk, hovering in front of flowers.", 1.0),
            Passage("moths.txt", 11, 12, 60, "The largest species has a wingspan of 15 to 18 cm, while "
                    "the smallest reach barely 2 cm. Their caterpillars are called hornworms.", 1.0),
        ],
        "How large can the wingspan of a hawk moth be?",
        "The largest species has a wingspan of 15 to 18 cm. [2]",
    ),
]  # fmt: skip


def few_shot(question: str, passages: Sequence[Passage]) -> list[ChatMessage]:
    """The shipped prompt with the worked examples as earlier turns of the chat."""
    system, *rest = answer_messages(question, passages)
    shots = []
    for shown, asked, said in EXAMPLES:
        shots += [answer_messages(asked, shown)[1], ChatMessage(role=MessageRole.ASSISTANT, content=said)]
    return [system, *shots, *rest]


QUOTE_SYSTEM = SYSTEM.replace(
    "and answer in one or two short sentences",
    'copy the sentence of it that answers the question exactly, after "Quote:", then on a new line '
    'after "Answer:" answer in one or two short sentences',
)


def quote_first(question: str, passages: Sequence[Passage]) -> list[ChatMessage]:
    """The shipped prompt, but the model first copies the sentence that answers, then answers."""
    system, *rest = answer_messages(question, passages)
    return [ChatMessage(role=MessageRole.SYSTEM, content=QUOTE_SYSTEM), *rest]


def after_quote(text: str) -> str:
    """What the quote-first model says after its quote: the answer a user would be shown."""
    _, sep, answer = text.partition("Answer:")
    return answer.strip() if sep else "\n".join(x for x in text.splitlines() if not x.startswith("Quote:"))


@dataclass(frozen=True)
class Variant:
    messages: Messages
    answer: Callable[[str], str] = str.strip  # the part of the model's text a user would read
    sampling: Mapping[str, Any] = field(default_factory=dict)  # llama.cpp generate kwargs to override


VARIANTS: dict[str, Variant] = {
    "same": Variant(arranged(list)),
    "reversed": Variant(arranged(lambda passages: list(reversed(passages)))),  # best passage next to the question
    "top3": Variant(arranged(lambda passages: list(passages[:3]))),  # one passage fewer to read
    "fewshot": Variant(few_shot),
    "quote": Variant(quote_first, after_quote),
    # the shipped prompt with no repetition penalty (rag.llm ships 1.05 over the last 64 tokens,
    # which at the answer's start are the question's: copying its words is penalised)
    "norepeat": Variant(arranged(list), sampling={"repeat_penalty": 1.0}),
}


@dataclass(frozen=True)
class Case:
    outcome: Outcome  # as recorded: the question, the passages shown, what the model said

    @property
    def question(self) -> EvalQuestion:
        return self.outcome.question

    @property
    def passages(self) -> list[Passage]:
        return list(self.outcome.reply.evidence.passages)

    @property
    def raw(self) -> str:
        return self.outcome.reply.evidence.raw or ""

    @property
    def right(self) -> bool:
        return read_right(self.question, self.raw)


def read_right(q: EvalQuestion, text: str) -> bool:
    """The model's word holds a gold answer and is no decline (the chat's own test for one)."""
    return not declined(text) and contains_answer(q, text)


def cases(records: Sequence[dict], questions: dict[str, EvalQuestion], unanswerable: bool = False) -> list[Case]:
    """Answerable test questions whose gold paragraph the model was shown (with ``unanswerable``,
    the test questions the corpus cannot answer instead), in record order."""
    out = []
    for record in records:
        o = from_record(record, questions)
        evidence = o.reply.evidence if o.reply is not None else None
        q = o.question
        if record["split"] != "test" or q.answerable == unanswerable or evidence is None or evidence.raw is None:
            continue
        if unanswerable or any(p.covers(q.file, q.line) for p in evidence.passages):
            out.append(Case(o))
    return out


def chosen(all_cases: Sequence[Case], right: int, limit: int | None) -> list[Case]:
    """Every wrong reading, a fixed random ``right`` of the right ones; ``limit`` of those at random."""
    ok = [c for c in all_cases if c.right]
    random.Random(0).shuffle(ok)
    todo = [c for c in all_cases if not c.right] + ok[:right]
    if limit is not None:
        random.Random(1).shuffle(todo)
        todo = todo[:limit]
    return todo


def decided(case: Case, service: AnswerService, text: str) -> dict:
    """The chat's decision (attribution, verifier, its thresholds) over the recorded and the new text:
    whether each was withheld, and whether each was a right answer kept."""
    was = replay([case.outcome], service.decider)[0]
    now = replace(case.outcome, reply=reply_of(service.finish(text, case.passages, case.question.question)))
    out = {"abstained_was": was.reply.abstained, "abstained_now": now.reply.abstained}
    return out | {"kept_was": answered_right(was), "kept_now": answered_right(now)}


def tally(rows: Sequence[dict], wrong_total: int, right_total: int) -> dict:
    """Fixed and broken readings, and the net change over every case; where the rows were decided as
    the chat decides, the change in right answers kept and answerable ones withheld, scaled the same
    way, and the unanswerable ones withheld before and after."""
    answerable = [r for r in rows if r.get("answerable", True)]
    wrong = [r for r in answerable if not r["was"]]
    right = [r for r in answerable if r["was"]]
    fixed, broken = sum(r["now"] for r in wrong), sum(not r["now"] for r in right)

    def scaled(change: Callable[[dict], int]) -> float:
        w = sum(map(change, wrong)) / len(wrong) * wrong_total if wrong else 0.0
        return w + (sum(map(change, right)) / len(right) * right_total if right else 0.0)

    out = {
        "asked_wrong": len(wrong),
        "fixed": fixed,
        "asked_right": len(right),
        "broken": broken,
        "wrong_total": wrong_total,
        "right_total": right_total,
        "net_estimate": round(scaled(lambda r: r["now"] - r["was"]), 1),
        "mean_s": round(sum(r["s"] for r in rows) / len(rows), 2) if rows else None,
    }
    if rows and all("kept_now" in r for r in rows):
        out["kept_net_estimate"] = round(scaled(lambda r: r["kept_now"] - r["kept_was"]), 1)
        out["withheld_net_estimate"] = round(scaled(lambda r: r["abstained_now"] - r["abstained_was"]), 1)
        unanswerable = [r for r in rows if not r.get("answerable", True)]
        out["unanswerable_withheld"] = {
            "asked": len(unanswerable),
            "was": sum(r["abstained_was"] for r in unanswerable),
            "now": sum(r["abstained_now"] for r in unanswerable),
        }
    return out


def main(argv: list[str] | None = None, app: Groundline | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", choices=sorted(VARIANTS), required=True)
    p.add_argument("--out", type=Path, required=True, help="JSON lines, one a question asked (resumed)")
    p.add_argument("--records", type=Path, default=HERE / "results" / "records-ours.jsonl")
    p.add_argument("--questions", type=Path, default=HERE / "squad-dev" / "questions.jsonl")
    p.add_argument("--right", type=int, default=70, help="right readings to ask again (a fixed random sample)")
    p.add_argument("--limit", type=int, help="ask only this many of the chosen questions, at random")
    p.add_argument(
        "--decide",
        action="store_true",
        help="also ask the unanswerable test questions, and decide every answer as the chat does",
    )
    p.add_argument("--data-dir", type=Path, default=Path(".groundline"), help="where the joined models are")
    args = p.parse_args(argv)
    if not args.records.exists():
        p.error(f"no records at {args.records}: run python -m bench.eval collect first")

    questions = {q.id: q for q in load_questions(args.questions)}
    records = read_records(args.records)
    everything = cases(records, questions)
    unanswerable = cases(records, questions, unanswerable=True)
    todo = chosen(everything, args.right, args.limit) + (unanswerable if args.decide else [])
    by_id = {c.question.id: c for c in everything + unanswerable}  # rows asked under any earlier selection
    done = read_records(args.out)
    seen = {row["id"] for row in done}
    todo = [c for c in todo if c.question.id not in seen]
    undecided = [row for row in done if args.decide and "kept_now" not in row]
    if (todo or undecided) and app is None:
        app = build(Settings(data_dir=args.data_dir, llm_cache_mb=0))  # every prompt read in full
    variant = VARIANTS[args.variant]
    if todo and variant.sampling:
        app.llm.generate_kwargs.update(variant.sampling)
    for row in tqdm(undecided, desc="deciding"):  # asked before --decide: decide what was said then
        row |= decided(by_id[row["id"]], app.service, variant.answer(row["new"]))
    if undecided:
        save_records(args.out, done)
    with args.out.open("a") as out:
        for case in tqdm(todo, desc=args.variant):
            start = time.perf_counter()
            text = app.llm.chat(variant.messages(case.question.question, case.passages)).message.content or ""
            answer = variant.answer(text)
            row = {"id": case.question.id, "answerable": case.question.answerable, "was": case.right}
            row |= {"now": read_right(case.question, answer), "raw": case.raw, "new": text}
            row["s"] = round(time.perf_counter() - start, 2)
            if args.decide:
                row |= decided(case, app.service, answer)
            out.write(json.dumps(row) + "\n")
            out.flush()
            done.append(row)
    wrong_total = sum(not c.right for c in everything)
    print(json.dumps(tally(done, wrong_total, len(everything) - wrong_total)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
