"""bench.confidence on a deterministic fake llama.cpp model and hand-made rows."""

import ctypes

import numpy as np
import pytest

from bench.confidence import Scorer, auc, best_false_abstention, log_softmax, report

VOCAB = 7


class FakeContext:
    def __init__(self, llama: "FakeLlama") -> None:
        self.llama = llama

    def get_logits(self):
        row = self.llama.logits_after(self.llama.read[self.llama.n_tokens - 1]).astype(np.float32)
        self.keep = row  # the pointer must outlive the call, as llama.cpp's buffer does
        return self.keep.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


class FakeLlama:
    """One token a character (its code mod VOCAB); the next token's logits depend on the last one read."""

    def __init__(self) -> None:
        self.n_tokens = 0
        self.read: list[int] = []
        self._ctx = FakeContext(self)

    def n_vocab(self) -> int:
        return VOCAB

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return [b % VOCAB for b in text]

    def reset(self) -> None:
        self.n_tokens = 0

    def eval(self, tokens) -> None:
        self.read = self.read[: self.n_tokens] + list(tokens)  # what is past n_tokens is overwritten
        self.n_tokens = len(self.read)

    @staticmethod
    def logits_after(token: int) -> np.ndarray:
        return np.arange(VOCAB, dtype=float) * (token + 1) / VOCAB


def expected(prompt_last: int, text: str) -> list[float]:
    out, last = [], prompt_last
    for token in [b % VOCAB for b in text.encode()]:
        out.append(float(log_softmax(FakeLlama.logits_after(last))[token]))
        last = token
    return out


def test_continuations_are_scored_from_the_prompts_end_each_time():
    scorer = Scorer(FakeLlama())
    first = scorer.read("Q?")
    assert np.allclose(first, log_softmax(FakeLlama.logits_after(ord("?") % VOCAB)))
    answer = scorer.continuation("Rex.")
    decline = scorer.continuation("No.")  # after the prompt, not after the answer
    assert answer == pytest.approx(expected(ord("?") % VOCAB, "Rex."))
    assert decline == pytest.approx(expected(ord("?") % VOCAB, "No."))


def test_auc_counts_ties_half():
    assert auc([3, 2], [1, 0]) == 1.0 and auc([1], [1]) == 0.5 and auc([0, 2], [1]) == 0.5


def test_best_false_abstention_is_the_fewest_answerable_withheld_at_the_recall():
    no = [{"s": 5}, {"s": 4}, {"s": 1}]
    yes = [{"s": 3}, {"s": 2}, {"s": 0}, {"s": 4.5}]
    # two of three unanswerable caught (recall 0.67 >= 0.6) at threshold 4: one answerable (4.5) withheld
    assert best_false_abstention(no, yes, lambda r: r["s"]) == 0.25
    assert best_false_abstention(no, yes, lambda r: r["s"], recall=1.0) == 0.75


def test_report_orients_each_signal_so_higher_is_less_sure():
    def row(i, answerable, verified, answer_mean):
        return {
            "id": str(i), "answerable": answerable, "verified": verified, "answer_mean": answer_mean,
            "answer_min": answer_mean, "answer_sum": answer_mean, "abstain_sum": -answer_mean, "first_entropy": 0.0,
            "first_top": 0.5,
        }  # fmt: skip

    rows = [row(0, False, 0.2, -2.0), row(1, False, 0.6, -1.5), row(2, True, 0.4, -0.1), row(3, True, 0.9, -0.2)]
    out = report(rows)
    assert out["rows"] == {"unanswerable": 2, "answerable": 2}
    assert out["auc"]["verifier (shipped)"] == 0.75  # 0.6 ranks above 0.4
    assert out["auc"]["answer mean log-prob"] == 1.0  # the model was surer of both answerable answers
    assert out["with_verifier"]["answer mean log-prob"]["auc"] == 1.0
