"""The local model's prompt cache, with hand-made states (the real model's is in tests/e2e)."""

from __future__ import annotations

import numpy as np
import pytest
from llama_cpp import LlamaState

from rag.prompt_cache import PromptCache

VOCAB = 1000  # floats of logits per token


def state(tokens: list[int], logit_rows: int, model_bytes: int = 4000) -> LlamaState:
    return LlamaState(
        input_ids=np.array(tokens, dtype=np.intc),
        scores=np.arange(logit_rows * VOCAB, dtype=np.single).reshape(logit_rows, VOCAB),
        n_tokens=len(tokens),
        llama_state=bytes(model_bytes),
        llama_state_size=model_bytes,
        seed=0,
    )


def test_a_kept_state_holds_one_row_of_logits_the_last() -> None:
    cache = PromptCache(capacity_bytes=1 << 20)
    cache[[1, 2, 3]] = state([1, 2, 3], logit_rows=512)
    kept = cache[[1, 2, 3]]
    assert kept.scores.shape == (1, VOCAB)
    assert kept.scores[0, 0] == 511 * VOCAB  # a copy of the last row, not a view of all 512
    assert cache.cache_size == 4000 + VOCAB * 4


def test_the_capacity_counts_logits_too_and_drops_the_least_recently_used() -> None:
    one = 4000 + VOCAB * 4  # bytes a kept state takes
    cache = PromptCache(capacity_bytes=2 * one)
    cache[[1, 2]] = state([1, 2], logit_rows=64)
    cache[[1, 3]] = state([1, 3], logit_rows=64)
    cache[[1, 2, 5]]  # noqa: B018 -- resuming from [1, 2] makes it the most recently used
    cache[[4]] = state([4], logit_rows=64)
    assert list(cache.cache_state) == [(1, 2), (4,)]
    assert cache.cache_size <= cache.capacity_bytes


def test_a_prompt_sharing_nothing_with_any_kept_one_is_a_miss() -> None:
    cache = PromptCache(capacity_bytes=1 << 20)
    cache[[1, 2]] = state([1, 2], logit_rows=2)
    with pytest.raises(KeyError):
        cache[[9, 9]]  # noqa: B018
    assert cache[[1, 2, 7]].input_ids.tolist() == [1, 2]  # the longest shared beginning
