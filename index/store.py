"""Chroma storage: an embedded ``PersistentClient`` under the data directory.

Also the document store (llama-index ``SimpleDocumentStore``) that records each
document's content hash, for skipping unchanged files, and its full text, for
the citation viewer. This module does not chunk or embed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.core.storage.docstore.keyval_docstore import DEFAULT_COLLECTION_DATA_SUFFIX, DEFAULT_NAMESPACE
from llama_index.core.storage.kvstore import SimpleKVStore
from llama_index.vector_stores.chroma import ChromaVectorStore

if TYPE_CHECKING:
    from chromadb import Collection

COLLECTION = "groundline"
# Chunks read from Chroma at a time: its SQLite metadata reader binds one variable per row, and
# SQLite refuses more than 32766, so one read of every chunk fails beyond that many
# (chroma-core/chroma#7687).
READ_PAGE = 5000
# The docstore file's own collection: each document's file fingerprint (``DocStore.fingerprint``).
FINGERPRINTS = "groundline/fingerprints"
DOCUMENTS = DEFAULT_NAMESPACE + DEFAULT_COLLECTION_DATA_SUFFIX  # SimpleDocumentStore's, by default


def chroma_vector_store(data_dir: Path, server: str | None = None, collection: str = COLLECTION) -> ChromaVectorStore:
    """Open (or create) the collection: embedded in ``data_dir/chroma``, or on a
    Chroma server (``server`` = ``host:port``, as started by ``chroma run``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if server:
        host, _, port = server.rpartition(":")
        client = chromadb.HttpClient(host=host or "127.0.0.1", port=int(port), settings=settings)
    else:
        client = chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    chroma_collection = client.get_or_create_collection(collection, metadata={"hnsw:space": "cosine"})
    return ChromaVectorStore(chroma_collection=chroma_collection)


def every_chunk(collection: Collection, include: list[str], page: int = READ_PAGE) -> dict[str, list]:
    """``collection.get(include=...)`` of every chunk (``ids`` and each field in ``include``), read
    ``page`` rows at a time. A chunk met twice (a write moved it between reads) is kept once.

    Chroma orders rows by when they were written, so pages follow each other.
    """
    got: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    seen: set[str] = set()
    offset = 0
    while True:
        rows = collection.get(include=include, limit=page, offset=offset)
        for i, chunk_id in enumerate(rows["ids"]):
            if chunk_id not in seen:
                seen.add(chunk_id)
                got["ids"].append(chunk_id)
                for field in include:
                    got[field].append(rows[field][i])
        if len(rows["ids"]) < page:
            return got
        offset += page


class DocStore:
    """The persisted llama-index document store of one data directory.

    Another process may save it (``groundline ingest`` while ``groundline serve`` runs, both on
    one Chroma server): the file is read again whenever it changed since this process read or
    saved it, so a reader lists what is stored now and a writer (under the write lock) starts
    from it, never saving over another process's documents with an old copy.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "docstore.json"
        self._kv = SimpleKVStore()  # the file's collections: llama-index's, and FINGERPRINTS
        self._store = SimpleDocumentStore(self._kv)
        self._read: tuple[int, int, int] | None = None  # version() when _store was read or saved

    @property
    def docstore(self) -> SimpleDocumentStore:
        """The store as last saved, by this process or another."""
        version = self.version()
        if version != self._read:
            self._kv = SimpleKVStore.from_persist_path(str(self.path)) if self.path.exists() else SimpleKVStore()
            self._store = SimpleDocumentStore(self._kv)
            self._read = version
        return self._store

    def names(self) -> list[str]:
        """Every stored document's name, sorted, read off the store's keys: ``docstore.docs`` builds
        every document, text and all (160 ms for 5,000 of 10 KB), and the Documents list asks
        again every few seconds for each open page."""
        self.docstore  # noqa: B018 -- read again if another process saved
        return sorted(self._kv.get_all(collection=DOCUMENTS))

    def fingerprints(self) -> dict[str, dict]:
        """Every document's fingerprint (``set_fingerprint``), by name."""
        self.docstore  # noqa: B018 -- read again if another process saved
        return self._kv.get_all(collection=FINGERPRINTS)

    def fingerprint(self, name: str) -> dict | None:
        """What was recorded of the file a stored document was made from (``set_fingerprint``)."""
        self.docstore  # noqa: B018 -- read again if another process saved
        return self._kv.get(name, collection=FINGERPRINTS)

    def set_fingerprint(self, name: str, fingerprint: dict) -> None:
        """Record, with the next ``save``, the SHA-256 of a document's file and how it was stored,
        so that the same bytes can be known without reading them into text again."""
        self.docstore  # noqa: B018
        self._kv.put(name, fingerprint, collection=FINGERPRINTS)

    def drop_fingerprint(self, name: str) -> None:
        self.docstore  # noqa: B018
        self._kv.delete(name, collection=FINGERPRINTS)

    def version(self) -> tuple[int, int, int]:
        """Changes on every save, in this process or another (each save is a new file: its
        inode, modification time and size)."""
        if not self.path.exists():
            return (0, 0, 0)
        stat = self.path.stat()
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def save(self) -> None:
        """Write the store atomically, so a crash never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        self._store.persist(str(tmp))
        tmp.replace(self.path)
        self._read = self.version()
