"""bench.llm_options asks the model the prompts the chat gave it, rebuilt from recorded answers."""

from __future__ import annotations

from bench.llm_options import HERE, prompts
from rag.prompts import SYSTEM


def test_the_prompts_are_the_shipped_ones_over_the_recorded_passages() -> None:
    cases = prompts(HERE / "results" / "records-ours.jsonl", HERE / "squad-dev" / "questions.jsonl", 3)
    assert len(cases) == 3
    for prompt, question, quotes in cases:
        assert prompt.startswith(f"<|im_start|>system\n{SYSTEM}") and prompt.endswith("<|im_start|>assistant\n")
        assert question in prompt and quotes and all(quote in prompt for quote in quotes)
