"""bench.read_alike's comparison of the passes (the passes themselves need the packaged model)."""

from __future__ import annotations

from bench.read_alike import same


def test_words_and_verdicts_are_compared_question_by_question() -> None:
    first = {"Who?": ("Mei Tanaka. [1]", 0.8093), "When?": ("In June. [2]", 0.7132), "Why?": (None, None)}
    other = {"When?": ("In June. [2]", 0.7125), "Who?": ("Mei Tanaka. [1]", 0.8093), "Why?": (None, None)}
    assert same(first, other) == {"words": 3, "words_and_verdict": 2}
    assert same(first, first) == {"words": 3, "words_and_verdict": 3}
