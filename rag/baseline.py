"""The plain llama-index recipe, run beside ours so the eval compares like with like.

SimpleDirectoryReader -> VectorStoreIndex on Chroma with the same embedder and
LLM and llama-index's defaults otherwise (1024-token chunks, top-2 query
engine). Its citations are the source chunks its query engine returns.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import LLM

from rag.eval import LineSpan, Reply

# What the plain recipe says when it has nothing, or when the model declines.
_DECLINED = re.compile(
    r"^empty response$|not (mentioned|provided|stated|specified)|does not (say|contain|mention)|"
    r"no (information|mention)|\bI (do not|don't) know\b|cannot (be )?(answer|determine)",
    re.IGNORECASE,
)


def load_nltk_data_offline() -> None:
    """Load the nltk data llama-index's default splitter needs (punkt_tab, stopwords) from the
    copy llama-index-core bundles. Its helper looks only in NLTK_DATA when that is set, and
    downloads into it what it lacks; nothing may be downloaded at run time (offline, the
    download fails and the splitter stops with a LookupError). Loaded once, kept by the helper."""
    from llama_index.core.utils import globals_helper

    saved = os.environ.pop("NLTK_DATA", None)
    try:
        _ = globals_helper.punkt_tokenizer  # loads stopwords too
    finally:
        if saved is not None:
            os.environ["NLTK_DATA"] = saved


class PlainLlamaIndex:
    """llama-index's getting-started recipe over one folder."""

    def __init__(self, docs_dir: Path, data_dir: Path, embed_model: BaseEmbedding, llm: LLM) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        load_nltk_data_offline()
        documents = SimpleDirectoryReader(str(docs_dir)).load_data()
        self.texts = {d.metadata["file_name"]: d.text for d in documents}
        client = chromadb.PersistentClient(path=str(data_dir), settings=ChromaSettings(anonymized_telemetry=False))
        if "baseline" in [c.name for c in client.list_collections()]:
            client.delete_collection("baseline")
        store = ChromaVectorStore(chroma_collection=client.create_collection("baseline"))
        self.index = VectorStoreIndex.from_documents(
            documents, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed_model
        )
        self.engine = self.index.as_query_engine(llm=llm)

    def _span(self, node) -> LineSpan:
        file = node.metadata["file_name"]
        text = self.texts[file]
        start, end = node.start_char_idx or 0, node.end_char_idx or len(text)
        return LineSpan(file, text.count("\n", 0, start) + 1, text.count("\n", 0, max(start, end - 1)) + 1)

    def retrieve(self, question: str, k: int) -> list[LineSpan]:
        return [self._span(hit.node) for hit in self.index.as_retriever(similarity_top_k=k).retrieve(question)]

    def answer(self, question: str) -> Reply:
        response = self.engine.query(question)
        text = str(response).strip()
        return Reply(text, bool(_DECLINED.search(text)), [self._span(s.node) for s in response.source_nodes])
