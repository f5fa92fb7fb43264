"""Read access to the ingested documents, for citation viewers.

Only documents recorded in the docstore can be read: a name is looked up, never
joined onto a filesystem path, so no request can reach a file outside the
ingested corpus.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from llama_index.vector_stores.chroma import ChromaVectorStore

from index.errors import DocumentNotFound
from index.formats import decode_names, decode_starts
from index.store import DocStore, every_chunk


@dataclass(frozen=True)
class DocumentEntry:
    """One ingested document, as ``groundline list`` shows it."""

    path: str
    content_hash: str
    chunks: int


class Library:
    """The ingested documents, by the name citations use."""

    def __init__(self, docstore: DocStore, vector_store: ChromaVectorStore) -> None:
        self.docstore = docstore
        self.vector_store = vector_store

    def entries(self) -> list[DocumentEntry]:
        """Every document with its content hash and how many chunks Chroma holds for it."""
        metadatas = every_chunk(self.vector_store.client, ["metadatas"])["metadatas"]
        counts = Counter(str(m.get("file")) for m in metadatas)
        store = self.docstore.docstore
        return [DocumentEntry(f, store.get_document_hash(f) or "", counts.get(f, 0)) for f in self.files()]

    def files(self) -> list[str]:
        """Names of all ingested documents, sorted."""
        return self.docstore.names()

    def text(self, file: str) -> str:
        """The full text of one ingested document."""
        return self._document(file).get_content()

    def page_starts(self, file: str) -> tuple[int, ...]:
        """The line each page of a paged document (PDF, deck, workbook, e-book) starts on; empty without pages."""
        return decode_starts(self._document(file).metadata.get("page_starts"))

    def page_names(self, file: str) -> tuple[str, ...]:
        """What each page of a paged document is called, where its pages have names (a workbook's
        sheets); empty without."""
        return decode_names(self._document(file).metadata.get("page_names"))

    def _document(self, file: str):
        doc = self.docstore.docstore.get_document(file, raise_error=False)
        if doc is None:
            raise DocumentNotFound(f"{file!r} is not an ingested document")
        return doc

    def lines(self, file: str) -> list[str]:
        """The document's lines; line ``n`` (1-based) is ``lines(file)[n - 1]``."""
        return self.text(file).splitlines()
