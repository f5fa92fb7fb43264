"""bench.neighbours: a chunk's neighbours by lines, and their shares of its fused score."""

from llama_index.core.schema import NodeWithScore, TextNode

from bench.fusion import print_table
from bench.neighbours import measure, neighbours, smoothed
from rag.eval import EvalQuestion


def test_neighbours_are_the_chunks_before_and_after_in_the_same_file_by_lines():
    chunks = [("b", ("f", 3, 4)), ("a", ("f", 1, 2)), ("c", ("g", 1, 1)), ("d", ("f", 4, 6))]  # d overlaps b
    assert neighbours(chunks) == {"a": (None, "b"), "b": ("a", "d"), "c": (None, None), "d": ("b", None)}


def test_a_chunk_after_a_strong_hit_can_enter_the_ranking_and_overtake_a_weaker_hit():
    near = {"a": (None, "b"), "b": ("a", None), "x": (None, None)}
    assert smoothed({"a": 1.0, "x": 0.25}, near, before=0.3, after=0.0) == [("a", 1.0), ("b", 0.3), ("x", 0.25)]
    assert smoothed({"a": 1.0, "x": 0.25}, near, before=0.0, after=0.0) == [("a", 1.0), ("x", 0.25)]
    assert smoothed({"b": 1.0}, near, before=0.0, after=0.5) == [("b", 1.0), ("a", 0.5)]


def test_measure_counts_the_gold_line_found_through_a_neighbour():
    nodes = {cid: TextNode(id_=cid) for cid in ("p39", "p40", "other")}
    spans = {"p39": ("Luther.txt", 39, 39), "p40": ("Luther.txt", 40, 40), "other": ("Tesla.txt", 1, 1)}
    near = neighbours(list(spans.items()))
    question = EvalQuestion(id="q", question="Who did Luther call on?", answers=("nobles",), file="Luther.txt", line=40)
    ranked = [
        ([NodeWithScore(node=nodes["p39"])], [NodeWithScore(node=nodes["p39"]), NodeWithScore(node=nodes["other"])])
    ]
    assert measure([question], ranked, spans, near, before=0.0, after=0.0)["hit@5"] == 0.0
    found = measure([question], ranked, spans, near, before=0.6, after=0.0)
    assert found["hit@5"] == 1.0 and found["mrr"] == 0.5  # second: 0.6 of p39 outscores the other hit


def test_the_table_is_sorted_by_dev_hit_at_5_then_dev_mrr_never_by_test(capsys):
    def figures(hit5: float, mrr: float, test: float) -> dict:
        return {"dev": {"hit@4": 0.5, "hit@5": hit5, "mrr": mrr}, "test": {"hit@4": test, "hit@5": test, "mrr": test}}

    print_table(("before", "after"), [((0, 0), figures(0.9, 0.8, 1.0)), ((0.1, 0), figures(0.95, 0.7, 0.0)),
                                      ((0.2, 0), figures(0.95, 0.75, 0.5))])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| before | after | dev hit@4 | dev hit@5 | dev MRR | test hit@4 | test hit@5 | test MRR |"
    assert lines[1] == "|---|---|---|---|---|---|---|---|"
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| 0.2", "| 0.1", "| 0"]
    assert lines[2].endswith("| 0.5000 | 0.9500 | 0.7500 | 0.5000 | 0.5000 | 0.5000 |")
