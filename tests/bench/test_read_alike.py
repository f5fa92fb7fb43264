"""bench.read_alike's comparison of the passes (the passes themselves need the packaged model)."""

from __future__ import annotations

from types import SimpleNamespace

from bench.read_alike import read_alike, same


def test_words_and_verdicts_are_compared_question_by_question() -> None:
    first = {"Who?": ("Mei Tanaka. [1]", 0.8093), "When?": ("In June. [2]", 0.7132), "Why?": (None, None)}
    other = {"When?": ("In June. [2]", 0.7125), "Who?": ("Mei Tanaka. [1]", 0.8093), "Why?": (None, None)}
    assert same(first, other) == {"words": 3, "words_and_verdict": 2}
    assert same(first, first) == {"words": 3, "words_and_verdict": 3}


def test_the_local_model_reads_a_prompts_last_token_alone_as_a_resume_does() -> None:
    """A resumed prompt's last token is read again alone (llama-cpp-python, for its logits); read among
    the others the first time, it came out a little different: the verifier's verdict on the same
    question moved between its first asking and the next (bench/results/read-alike/)."""
    reads: list[list[int]] = []
    model = SimpleNamespace(eval=lambda tokens: reads.append(list(tokens)))
    read_alike(model)
    model.eval([5, 6, 7, 8])  # a prompt read in full
    model.eval([8])  # the same prompt resumed: its last token again
    model.eval([9])  # a reply's tokens, one by one
    model.eval([])  # a prompt already read to its end
    assert reads == [[5, 6, 7], [8], [8], [9], []]
