"""Recorded outcomes survive a JSON round trip and replay under other thresholds."""

import json

from rag.decision import Decider
from rag.eval import EvalQuestion, LineSpan, Outcome, score
from rag.eval_run import from_record, replay, reply_of, to_record
from rag.types import Citation, Evidence, Passage, Support

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
