"""Ingestion: load files, skip unchanged ones, chunk, embed, store.

Runs llama-index's ``IngestionPipeline`` with a docstore in ``UPSERTS`` mode:
a document whose content hash is already stored is skipped, and a changed one
has its old chunks deleted from Chroma before the new ones are added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.vector_stores.types import BasePydanticVectorStore

from index.chunking import LineChunker
from index.errors import SkippedFile
from index.loaders import DEFAULT_MAX_BYTES, load_paths
from index.store import DocStore


@dataclass(frozen=True)
class IngestReport:
    """What one ingestion did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[SkippedFile] = field(default_factory=list)
    chunks: int = 0

    def summary(self) -> str:
        """One line for the CLI and the UI."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
            f"{self.chunks} chunks embedded"
        )


class Ingestor:
    """Ingests files into one Chroma collection and its docstore."""

    def __init__(
        self,
        vector_store: BasePydanticVectorStore,
        embed_model: BaseEmbedding,
        chunker: LineChunker,
        docstore: DocStore,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.max_bytes = max_bytes
        self.vector_store = vector_store
        self.embed_model = embed_model
        self.chunker = chunker
        self.docstore = docstore

    def ingest(self, paths: list[Path], show_progress: bool = False) -> IngestReport:
        """Ingest files and folders; unreadable files are skipped and reported."""
        loaded = load_paths(paths, self.max_bytes)
        report = IngestReport(skipped=list(loaded.skipped), notes=list(loaded.notes))
        for doc in loaded.documents:
            # Part of the document's hash: new chunk settings re-chunk unchanged files.
            doc.metadata["chunking"] = self.chunker.signature
            doc.excluded_embed_metadata_keys.append("chunking")
            doc.excluded_llm_metadata_keys.append("chunking")
            stored = self.docstore.docstore.get_document_hash(doc.id_)
            if stored is None:
                report.added.append(doc.id_)
            elif stored != doc.hash:
                report.updated.append(doc.id_)
            else:
                report.unchanged.append(doc.id_)
        pipeline = IngestionPipeline(
            transformations=[self.chunker, self.embed_model],
            vector_store=self.vector_store,
            docstore=self.docstore.docstore,
            docstore_strategy=DocstoreStrategy.UPSERTS,
            disable_cache=True,
        )
        nodes = pipeline.run(documents=loaded.documents, show_progress=show_progress)
        self.docstore.save()
        return IngestReport(
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=report.skipped,
            notes=report.notes,
            chunks=len(nodes),
        )

    def delete(self, files: list[str]) -> list[str]:
        """Remove documents (their chunks and stored text); returns those that were there.

        Idempotent: a name that is not ingested is skipped.
        """
        removed = []
        for file in files:
            if self.docstore.docstore.get_document(file, raise_error=False) is None:
                continue
            self.vector_store.delete(ref_doc_id=file)
            self.docstore.docstore.delete_ref_doc(file, raise_error=False)
            self.docstore.docstore.delete_document(file, raise_error=False)
            removed.append(file)
        if removed:
            self.docstore.save()
        return removed
