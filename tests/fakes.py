"""Deterministic test doubles that are real subclasses of llama-index's bases."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback

from rag.errors import Abandoned
from rag.halting import halt_point
from rag.verification import VERIFY_SYSTEM, YES_SYSTEM

DIM = 256


def word_count(text: str) -> int:
    """Token counter for tests: one token per whitespace-separated word."""
    return len(text.split())


class HashEmbedding(BaseEmbedding):
    """Bag-of-words vectors: texts sharing words are close, so ranking means something."""

    @classmethod
    def class_name(cls) -> str:
        return "HashEmbedding"

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(DIM)
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            stem = word[:5]  # crude stemming: "denied"/"denies" meet
            vec[int(hashlib.md5(stem.encode()).hexdigest(), 16) % DIM] += 1.0
        norm = np.linalg.norm(vec)
        return (vec / norm if norm else vec).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


class ScriptedLLM(CustomLLM):
    """Replies with canned answers in order, streamed word by word; records prompts.

    The verifier's yes/no checks (and its check of an opening yes) get ``verdict`` and are recorded in ``checks``,
    so scripts list only the answers.
    """

    replies: list[str] = []
    prompts: list[str] = []
    checks: list[str] = []
    verdict: str = "yes"
    fail_with: Any = None

    def __init__(self, replies: Sequence[str] = (), fail_with: Exception | None = None, verdict: str = "yes") -> None:
        super().__init__(replies=list(replies), prompts=[], checks=[], verdict=verdict, fail_with=fail_with)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=4096, num_output=256, model_name="scripted")

    def _next(self, prompt: str) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        if VERIFY_SYSTEM in prompt or YES_SYSTEM in prompt:
            self.checks.append(prompt)
            return self.verdict
        self.prompts.append(prompt)
        return self.replies.pop(0)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._next(prompt))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        reply = self._next(prompt)

        def gen() -> CompletionResponseGen:
            text = ""
            for piece in re.findall(r"\S+\s*", reply):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

        return gen()


class ReadingLLM(ScriptedLLM):
    """A ``ScriptedLLM`` that reads each streamed prompt for ``reading_s`` seconds before its first word,
    passing a ``rag.halting.halt_point`` every 20 ms, as the local model does between its batches of
    prompt: ``began`` is set once a read starts, ``halted`` once one stopped there."""

    reading_s: float = 30.0
    began: Any = None
    halted: Any = None

    def __init__(self, replies: Sequence[str] = (), reading_s: float = 30.0) -> None:
        super().__init__(replies)
        self.reading_s, self.began, self.halted = reading_s, threading.Event(), threading.Event()

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        words = super().stream_complete(prompt, formatted, **kwargs)

        def gen() -> CompletionResponseGen:
            self.began.set()
            deadline = time.monotonic() + self.reading_s
            try:
                while time.monotonic() < deadline:
                    halt_point()
                    time.sleep(0.02)
            except Abandoned:
                self.halted.set()
                raise
            yield from words

        return gen()
