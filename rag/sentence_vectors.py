"""The embeddings of source sentences, kept: attribution compares every sentence of the passages
an answer or a search read with what it is matched against, and the same passages come back
question after question (a search refined word by word, a follow-up, a popular document). Each
sentence's vector is computed once and kept, the least recently used let go past ``most``
(20,000 sentences of MiniLM's 384 floats: 31 MB).

This module neither scores nor attributes (``rag.attribution`` does).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

MOST_KEPT = 20_000


def unit(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero), so dot products are cosines.

    >>> unit(np.array([[3.0, 4.0], [0.0, 0.0]])).round(6).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)


class SentenceVectors:
    """Unit embeddings of texts, each computed once while it is among the ``most`` last used."""

    def __init__(self, embed_model: BaseEmbedding, most: int = MOST_KEPT) -> None:
        self.embed_model = embed_model
        self.most = most
        self.kept: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()  # a server's questions and searches attribute at once

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """The unit vectors of ``texts``, a row each; those not kept embedded in one batch."""
        with self.lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self.kept))
        if missing:
            computed = unit(np.array(self.embed_model.get_text_embedding_batch(missing), dtype=np.float32))
            with self.lock:
                self.kept.update(zip(missing, computed, strict=True))
        with self.lock:
            rows = []
            for text in texts:
                row = self.kept.get(text)
                if row is None:  # let go by another thread's batch meanwhile: computed again, alone
                    row = unit(np.array([self.embed_model.get_text_embedding(text)], dtype=np.float32))[0]
                    self.kept[text] = row
                self.kept.move_to_end(text)
                rows.append(row)
            while len(self.kept) > self.most:
                self.kept.popitem(last=False)
        return np.array(rows, dtype=float).reshape(len(texts), -1)
