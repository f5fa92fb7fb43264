"""The local model's prompt cache: states of prompts it has read, reused by the next prompt
that begins the same way.

Without it llama.cpp resumes only from the last prompt it read, and after every answer that
is the verifier's check, so the same question over the same passages was read again in full
(~1,000 tokens, ~20 s on 2 cores; ``bench.prompt_cache``). States are keyed by the prompt's
tokens, so a changed passage or question can never get a stale answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_cpp import LlamaRAMCache


class PromptCache(LlamaRAMCache):
    """llama-cpp-python's RAM cache (least recently used dropped first), keeping only what a
    resume needs.

    Its states also copy the logits of up to a batch of prompt tokens (~300 MB a state with
    Qwen's 152k-word vocabulary), which no resume reads: a resumed prompt decodes its last
    token again before sampling. And its capacity counts only the model's part of a state.
    So one row of logits is kept (restoring a state copies its rows into the model's logits
    array, and one row is the least that copy accepts), and the capacity counts everything kept.
    """

    def __setitem__(self, key: Sequence[int], state) -> None:  # state: llama_cpp.LlamaState
        state.scores = state.scores[-1:].copy()
        super().__setitem__(key, state)

    @property
    def cache_size(self) -> int:
        return sum(s.llama_state_size + s.scores.nbytes for s in self.cache_state.values())
