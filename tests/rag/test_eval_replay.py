"""Recorded outcomes survive a JSON round trip and replay under other thresholds."""

import json
from pathlib import Path

import pytest

from rag.decision import Decider
from rag.errors import LLMUnavailable
from rag.eval import EvalQuestion, LineSpan, Outcome, score
from rag.eval_run import EvalStopped, Records, evaluate, from_record, replay, reply_of, to_record
from rag.settings import Settings
from rag.types import Citation, Evidence, Passage, Support
from tests.fakes import HashEmbedding, ScriptedLLM, word_count

Q = EvalQuestion("q1", "Do dogs bark?", ("bark",), "a.txt", 3)
PASSAGE = Passage("a.txt", 3, 3, 10, "Dogs bark at night.", 0.9, similarity=0.6, page_starts=(1,))
DOGS = Citation("a.txt", 3, 3, "Dogs bark at night.", 10, 29)


def recorded(support: float) -> Outcome:
    evidence = Evidence(Q.question, [PASSAGE], "Dogs bark.", [Support("Dogs bark.", DOGS, support)])
    return Outcome(Q, [LineSpan("a.txt", 3, 3)], reply_of(Decider(min_support=0.5).decide(evidence)), 2.5)


def test_a_record_round_trips_through_json() -> None:
    outcome = recorded(0.7)
    again = from_record(json.loads(json.dumps(to_record(outcome, split="test"))), {"q1": Q})
    assert again == outcome
    assert again.reply.evidence.passages[0].page_starts == (1,)


def test_replay_changes_only_what_the_thresholds_decide() -> None:
    outcomes = [recorded(0.7)]
    assert score(replay(outcomes, Decider(min_support=0.5)))["answer_accuracy"] == 1.0
    strict = replay(outcomes, Decider(min_support=0.8))
    assert strict[0].reply.abstained and strict[0].latency_s == 2.5 and strict[0].retrieved == outcomes[0].retrieved
    assert score(strict)["false_abstention_rate"] == 1.0


def test_the_records_file_says_how_each_question_was_judged_and_replays(tmp_path: Path) -> None:
    # `groundline eval --records FILE`: which questions a figure lost, and why
    none = EvalQuestion("q2", "Do cats bark?", (), None, None)
    kept, withheld = recorded(0.7), recorded(0.3)
    unasked = Outcome(none, [LineSpan("a.txt", 3, 3)], reply_of(Decider().decide(Evidence(none.question, []))), 0.1)
    with Records(tmp_path / "r.jsonl") as records:
        ours = records.of("ours")
        ours(kept)
        assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 1  # on disk as each question is asked
        ours(unasked)
        records.of("baseline")(withheld)
    lines = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [(r["system"], r["id"], r["question"]) for r in lines] == [
        ("ours", "q1", "Do dogs bark?"), ("ours", "q2", "Do cats bark?"), ("baseline", "q1", "Do dogs bark?")
    ]  # fmt: skip
    assert lines[0]["gold"] == {"answers": ["bark"], "file": "a.txt", "line": 3}
    judged = [(r["retrieval_rank"], r["cites_gold_line"], r["answered_right"], r["abstained"]) for r in lines]
    assert judged == [(1, True, True, False), (None, None, None, True), (1, False, False, True)]
    assert lines[1]["reply"]["abstained"] and lines[1]["gold"] == {"answers": [], "file": None, "line": None}
    assert from_record(lines[0], {"q1": Q, "q2": none}) == kept  # what bench.eval replays


def test_an_eval_stopped_part_way_keeps_the_records_of_the_questions_it_asked(settings: Settings, news_dir) -> None:
    questions = two_questions(settings.data_dir.parent / "questions.jsonl")
    records = settings.data_dir.parent / "records.jsonl"
    llm = ScriptedLLM(["North Korea denied arms deals. [1]"])  # one reply: the second question finds none
    fakes = {"embed_model": HashEmbedding(), "token_counter": word_count, "llm": llm}
    with pytest.raises(LLMUnavailable):
        evaluate(settings.model_copy(update={"verify": False}), questions, news_dir, records=records, **fakes)
    (line,) = [json.loads(line) for line in records.read_text().splitlines()]
    assert line["id"] == "1" and line["reply"]["text"].startswith("North Korea denied arms deals.")


def test_an_eval_interrupted_part_way_scores_the_questions_it_asked(settings: Settings, news_dir) -> None:
    class Interrupted(ScriptedLLM):  # Ctrl-C as the second question is answered
        def _next(self, prompt: str) -> str:
            if self.prompts:
                raise KeyboardInterrupt
            return super()._next(prompt)

    questions = two_questions(settings.data_dir.parent / "questions.jsonl")
    fakes = {"embed_model": HashEmbedding(), "token_counter": word_count}
    llm = Interrupted(["North Korea denied arms deals. [1]"])
    with pytest.raises(EvalStopped, match="stopped after 1 of 2 for ours: the figures are those questions'") as stop:
        evaluate(settings.model_copy(update={"verify": False}), questions, news_dir, llm=llm, **fakes)
    assert list(stop.value.report) == ["ours"] and stop.value.report["ours"]["n"] == 1
    with pytest.raises(KeyboardInterrupt):  # stopped before any answer: nothing to score
        evaluate(settings, questions, news_dir, llm=Interrupted(["unused"], fail_with=KeyboardInterrupt()), **fakes)


def two_questions(path: Path) -> Path:
    """A questions file of two alike, "1" and "2", over the sample news."""
    asked = {"question": "Who denied arms deals?", "answers": ["North Korea"], "file": None, "line": None}
    path.write_text("".join(json.dumps({"id": str(n), **asked}) + "\n" for n in (1, 2)))
    return path
