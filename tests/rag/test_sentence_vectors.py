"""Source sentences' vectors kept from question to question (rag.sentence_vectors)."""

from __future__ import annotations

import numpy as np

from rag.attribution import Attributor
from rag.sentence_vectors import SentenceVectors, unit
from rag.types import Passage
from tests.fakes import HashEmbedding


class Counting(HashEmbedding):
    """The fake embedder, counting the texts it embeds."""

    embedded: list[str] = []

    def _get_text_embedding(self, text: str) -> list[float]:
        self.embedded.append(text)
        return super()._get_text_embedding(text)


def test_each_sentence_is_embedded_once_while_kept_and_the_least_used_goes_first() -> None:
    model = Counting(embedded=[])
    kept = SentenceVectors(model, most=2)
    first = kept(["fog", "horn", "fog"])
    assert model.embedded == ["fog", "horn"] and first.shape[0] == 3
    assert np.allclose(first[0], unit(np.array([HashEmbedding().get_text_embedding("fog")]))[0])
    kept(["horn"])  # fog is now the least recently used
    kept(["bell"])
    assert list(kept.kept) == ["horn", "bell"] and model.embedded == ["fog", "horn", "bell"]


def test_attribution_with_kept_vectors_scores_as_without_and_embeds_the_sources_once() -> None:
    passages = [Passage("a.txt", 1, 2, 0, "Dogs bark at night.\nCats purr all day.", 0.9)]
    plain = Attributor(HashEmbedding()).attribute(["Dogs bark."], passages)
    model = Counting(embedded=[])
    kept = Attributor(model, sources=SentenceVectors(model))
    assert kept.attribute(["Dogs bark."], passages) == plain
    kept.attribute(["Cats purr."], passages)  # the same passage, asked again
    assert model.embedded.count("Dogs bark at night.") == 1 and model.embedded.count("Cats purr.") == 1
