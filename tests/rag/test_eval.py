"""The eval's metrics on hand-made outcomes, so each number means what it says."""

from rag.eval import EvalQuestion, LineSpan, Outcome, Reply, judged, normalize, sample, score

Q_OK = EvalQuestion("1", "When?", ("October 1973",), "a.txt", 3)
Q_NONE = EvalQuestion("2", "Who?", (), None, None)


def outcome(q, retrieved, text="", abstained=False, cites=(), latency=1.0) -> Outcome:
    return Outcome(q, list(retrieved), Reply(text, abstained, list(cites)), latency)


def test_metrics_on_a_known_mix() -> None:
    outcomes = [
        outcome(Q_OK, [LineSpan("a.txt", 1, 2), LineSpan("a.txt", 3, 4)], "It began in October, 1973.",
                cites=[LineSpan("a.txt", 3, 3)], latency=1.0),
        outcome(Q_OK, [LineSpan("b.txt", 1, 9)], "The documents do not say.", abstained=True, latency=3.0),
        outcome(Q_NONE, [LineSpan("a.txt", 1, 1)], "The documents do not say.", abstained=True, latency=2.0),
    ]  # fmt: skip
    got = score(outcomes)
    assert got["retrieval_hit_at_5"] == 0.5
    assert got["mrr"] == 0.25  # 1/2 for the first, 0 for the second
    assert got["citation_line_accuracy"] == 0.5
    assert got["answer_accuracy"] == 0.5
    assert got["abstention_recall"] == 1.0
    assert got["false_abstention_rate"] == 0.5
    assert (got["latency_p50_s"], got["latency_p95_s"], got["n"]) == (2.0, 3.0, 3)
    # and each outcome's share of them
    assert [judged(o) for o in outcomes] == [
        {"retrieval_rank": 2, "cites_gold_line": True, "answered_right": True, "abstained": False},
        {"retrieval_rank": None, "cites_gold_line": False, "answered_right": False, "abstained": True},
        {"retrieval_rank": None, "cites_gold_line": None, "answered_right": None, "abstained": True},
    ]


def test_retrieval_only_leaves_answer_metrics_empty() -> None:
    got = score([Outcome(Q_OK, [LineSpan("a.txt", 3, 3)], None, None)])
    assert got["retrieval_hit_at_5"] == 1.0 and got["answer_accuracy"] is None and got["latency_p50_s"] is None
    assert judged(Outcome(Q_OK, [LineSpan("a.txt", 3, 3)], None, None)) == {
        "retrieval_rank": 1, "cites_gold_line": None, "answered_right": None, "abstained": None
    }  # fmt: skip


def test_sample_is_fixed_by_the_seed_and_keeps_a_fifth_unanswerable() -> None:
    pool = [EvalQuestion(str(i), "q", ("a",) if i % 3 else (), "f" if i % 3 else None, 1) for i in range(300)]
    first, again = sample(pool, 50, seed=7), sample(pool, 50, seed=7)
    assert [q.id for q in first] == [q.id for q in again]
    assert sum(not q.answerable for q in first) == 10
    assert [q.id for q in sample(pool, 50, seed=8)] != [q.id for q in first]


def test_normalize_matches_squad() -> None:
    assert normalize("The Oil  Crisis.") == normalize("oil crisis") == "oil crisis"


def test_dev_sample_is_disjoint_from_the_test_sample_and_half_unanswerable() -> None:
    from rag.eval import dev_sample

    pool = [EvalQuestion(str(i), "q", ("a",) if i % 3 else (), "f" if i % 3 else None, 1) for i in range(300)]
    test = sample(pool, 100, seed=0)
    dev = dev_sample(pool, test, 40, seed=1)
    assert not {q.id for q in dev} & {q.id for q in test}
    assert sum(not q.answerable for q in dev) == 20
