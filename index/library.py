"""Read access to the ingested documents, for citation viewers.

Only documents recorded in the docstore can be read: a name is looked up, never
joined onto a filesystem path, so no request can reach a file outside the
ingested corpus.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from llama_index.vector_stores.chroma import ChromaVectorStore

from index.errors import DocumentNotFound
from index.formats import counted, decode_names, decode_starts
from index.store import DocStore, chunk_counts, reaching_the_server

SHOWN_MISSING = 5  # of the unknown names a question was asked of, those the error names


@dataclass(frozen=True)
class DocumentEntry:
    """One ingested document, as ``groundline list`` shows it."""

    path: str
    content_hash: str
    chunks: int
    written: str | None = None  # when what is stored of it was written (UTC); None: before this was recorded


@dataclass(frozen=True)
class UnreadFile:
    """A file an ingestion found and could not read, and why (a document stored of it before stays)."""

    path: str
    reason: str
    time: str  # when it was last tried, UTC, ISO 8601


@dataclass(frozen=True)
class StoredText:
    """One ingested document as a viewer shows it: its text, and for a paged one where each page
    starts (its lines from 1) and what the pages are called (sheets, slide titles; empty without)."""

    text: str
    page_starts: tuple[int, ...] = ()
    page_names: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The document's lines; line ``n`` (1-based) is ``lines()[n - 1]``."""
        return self.text.splitlines()


class Library:
    """The ingested documents, by the name citations use."""

    def __init__(self, docstore: DocStore, vector_store: ChromaVectorStore) -> None:
        self.docstore = docstore
        self.vector_store = vector_store

    @reaching_the_server()  # a Chroma server gone: StoreUnavailable, saying so
    def entries(self) -> list[DocumentEntry]:
        """Every document with its content hash, how many chunks Chroma holds for it, and when it was
        written. The counts are those recorded as each was written; where a document written before
        they were has none, Chroma's chunks are counted (every chunk's metadata read: 0.4 s for 20,000)."""
        names = self.files()
        hashes = self.docstore.hashes()  # one read, not one a document (a request each on a Chroma server)
        recorded = self.docstore.fingerprints()
        counts = {name: recorded.get(name, {}).get("chunks") for name in names}
        if None in counts.values():
            counts = dict(chunk_counts(self.vector_store.client))
        written = {name: fingerprint.get("written") for name, fingerprint in recorded.items()}
        return [DocumentEntry(f, hashes.get(f, ""), counts.get(f, 0), written.get(f)) for f in names]

    @reaching_the_server()  # a Chroma server gone: StoreUnavailable, saying so
    def unread(self) -> list[UnreadFile]:
        """The files ingestions found and could not read (with any path: the command line, uploads,
        watched folders), by name, until they are read, deleted, or gone from their folder."""
        recorded = self.docstore.skipped()
        return [UnreadFile(name, was["reason"], was["time"]) for name, was in sorted(recorded.items())]

    @reaching_the_server()  # a Chroma server gone: StoreUnavailable, saying so
    def counts(self) -> tuple[int, int]:
        """How many documents are ingested, and how many chunks Chroma holds."""
        return len(self.files()), self.vector_store.client.count()

    @reaching_the_server()  # a Chroma server gone: StoreUnavailable, saying so
    def files(self) -> list[str]:
        """Names of all ingested documents, sorted."""
        return self.docstore.names()

    @reaching_the_server()  # a Chroma server gone: StoreUnavailable, saying so
    def within(self, entries: Sequence[str]) -> list[str]:
        """The documents a question is asked within: each entry that names an ingested document,
        and for each that names a folder (ending in "/", as ``folders_of`` names them) every
        document under it; each document once, in order. Any entry that names nothing is
        ``DocumentNotFound``, named (a question asked of a document deleted meanwhile, or misspelt,
        would otherwise search nothing, or everything, and say what they do not)."""
        wanted = list(dict.fromkeys(entries))
        names = self.files() if any(entry.endswith("/") for entry in wanted) else []
        chosen: list[str] = []
        missing: list[str] = []
        for entry in wanted:
            if entry.endswith("/"):
                found = under(names, entry)
            else:
                found = [entry] if self.docstore.docstore.document_exists(entry) else []
            chosen.extend(found)
            if not found:
                missing.append(f"{entry!r} (no document in it)" if entry.endswith("/") else repr(entry))
        if missing:
            raise DocumentNotFound(f"not ingested documents: {', '.join(counted(missing, SHOWN_MISSING))}")
        return list(dict.fromkeys(chosen))

    @reaching_the_server()  # a Chroma server gone: StoreUnavailable, saying so
    def stored(self, file: str) -> StoredText:
        """One ingested document's text and pages, read from the store once (a document is read
        whole: a viewer asking for its text and its pages apart read it twice)."""
        doc = self.docstore.docstore.get_document(file, raise_error=False)
        if doc is None:
            raise DocumentNotFound(f"{file!r} is not an ingested document")
        meta = doc.metadata
        return StoredText(
            doc.get_content(), decode_starts(meta.get("page_starts")), decode_names(meta.get("page_names"))
        )

    def text(self, file: str) -> str:
        """The full text of one ingested document."""
        return self.stored(file).text

    def lines(self, file: str) -> list[str]:
        """The document's lines; line ``n`` (1-based) is ``lines(file)[n - 1]``."""
        return self.stored(file).lines()


def folders_of(names: Sequence[str]) -> list[str]:
    """The folders documents by these names are in, each with its own folders, sorted.

    >>> folders_of(["a.txt", "north/2024/q3.txt", "north/q2.txt"])
    ['north/', 'north/2024/']
    """
    found = set()
    for name in names:
        parts = name.split("/")[:-1]
        found.update("/".join(parts[: n + 1]) + "/" for n in range(len(parts)))
    return sorted(found)


def under(names: Sequence[str], folder: str) -> list[str]:
    """The names (sorted) of documents in ``folder`` ("north/") or its folders.

    >>> under(["a.txt", "north/2024/q3.txt", "north/q2.txt", "northern.txt"], "north/")
    ['north/2024/q3.txt', 'north/q2.txt']
    """
    found = []
    for name in names[bisect_left(names, folder) :]:
        if not name.startswith(folder):
            break
        found.append(name)
    return found
