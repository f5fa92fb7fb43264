"""Vector retrieval over the Chroma collection, returning ``Passage`` objects."""

from __future__ import annotations

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore
from llama_index.core.vector_stores.types import BasePydanticVectorStore

from rag.types import Passage


def to_passage(hit: NodeWithScore) -> Passage:
    """Read a retrieved node's file, lines and offsets back from its metadata."""
    node = hit.node
    meta = node.metadata
    return Passage(
        file=str(meta["file"]),
        start_line=int(meta["start_line"]),
        end_line=int(meta["end_line"]),
        start_char=int(node.start_char_idx or 0),
        text=node.get_content(),
        score=float(hit.score or 0.0),
    )


class VectorRetriever:
    """Top-k nearest chunks by embedding similarity."""

    def __init__(
        self, vector_store: BasePydanticVectorStore, embed_model: BaseEmbedding, top_k: int
    ) -> None:
        index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed_model)
        self.retriever = index.as_retriever(similarity_top_k=top_k)

    def retrieve(self, question: str) -> list[Passage]:
        """The best-matching passages, best first."""
        return [to_passage(hit) for hit in self.retriever.retrieve(question)]
