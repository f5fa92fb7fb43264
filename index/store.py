"""Chroma storage: an embedded ``PersistentClient`` under the data directory, or a Chroma server.

Also the document store (llama-index's ``KVDocumentStore``) that records each document's content
hash, for skipping unchanged files, and its full text, for the citation viewer: on SQLite in the
data directory, or, with a Chroma server, in a collection of that server (``index.chroma_kvstore``)
that every machine using the server shares. This module does not chunk or embed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock
from llama_index.core.storage.docstore.keyval_docstore import (
    DEFAULT_COLLECTION_DATA_SUFFIX,
    DEFAULT_METADATA_COLLECTION_SUFFIX,
    DEFAULT_NAMESPACE,
    KVDocumentStore,
)
from llama_index.vector_stores.chroma import ChromaVectorStore

from index.chroma_kvstore import COLLECTION as SHARED_DOCSTORE
from index.chroma_kvstore import ChromaKVStore
from index.errors import StoreUnavailable
from index.kvstore import SQLiteKVStore

if TYPE_CHECKING:
    from chromadb import Collection
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

COLLECTION = "groundline"
DOCSTORE_FILE = "docstore.sqlite3"  # the document store, in the data directory (without a Chroma server)
# Chunks read from Chroma at a time: its SQLite metadata reader binds one variable per row, and
# SQLite refuses more than 32766, so one read of every chunk fails beyond that many
# (chroma-core/chroma#7687).
READ_PAGE = 5000
# The docstore file's own collection: each document's file fingerprint (``DocStore.fingerprint``).
FINGERPRINTS = "groundline/fingerprints"
# Files an ingestion found and could not read, by name: why, when, and the folder they were found in
# (``DocStore.set_skipped``), until they are read, deleted or gone from their folder.
SKIPPED = "groundline/skipped"
DOCUMENTS = DEFAULT_NAMESPACE + DEFAULT_COLLECTION_DATA_SUFFIX  # KVDocumentStore's, by default
HASHES = DEFAULT_NAMESPACE + DEFAULT_METADATA_COLLECTION_SUFFIX  # its record of each document's hash
# Where a ``docstore.json`` imported into the database is recorded (``_import_legacy``).
IMPORTED = "groundline/imported"
# Rows written by one statement when llama-index stores many (documents, their hashes).
WRITE_BATCH = 100


def chroma_client(data_dir: Path, server: str | None = None) -> ClientAPI:
    """Chroma embedded in ``data_dir/chroma``, or a client of a Chroma server (``server`` =
    ``host:port``, as started by ``chroma run``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if server:
        host, _, port = server.rpartition(":")
        try:
            return chromadb.HttpClient(host=host or "127.0.0.1", port=int(port), settings=settings)
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server", from its first request
            raise StoreUnavailable(
                f"Cannot reach the Chroma server at {server} (GROUNDLINE_CHROMA_SERVER): is `chroma run` running "
                "there, and is its port open to this machine?"
            ) from exc
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


@contextmanager
def reaching_the_server() -> Iterator[None]:
    """A Chroma server gone while Groundline runs (chromadb's client raises httpx's errors) as one
    plain ``StoreUnavailable``, for the chat and the API to say so instead of failing unexplained."""
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        raise StoreUnavailable(
            f"The Chroma server cannot be reached ({exc.__class__.__name__}); try again when it is back."
        ) from exc


def chunk_collection(client: ClientAPI, collection: str = COLLECTION) -> Collection:
    """The chunks' collection (created if missing)."""
    return client.get_or_create_collection(collection, metadata={"hnsw:space": "cosine"})


def chroma_vector_store(data_dir: Path, server: str | None = None, collection: str = COLLECTION) -> ChromaVectorStore:
    """Open (or create) the chunks' collection: embedded in ``data_dir/chroma``, or on a Chroma server."""
    return ChromaVectorStore(chroma_collection=chunk_collection(chroma_client(data_dir, server), collection))


def every_chunk(
    collection: Collection, include: list[str], page: int = READ_PAGE, where: dict | None = None
) -> dict[str, list]:
    """``collection.get(include=...)`` of every chunk (``ids`` and each field in ``include``; of the
    rows ``where`` matches, where given), read ``page`` rows at a time (``chunk_pages``)."""
    got: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    for rows in chunk_pages(collection, include, page, where):
        for field in got:
            got[field].extend(rows[field])
    return got


def chunk_counts(collection: Collection) -> Counter:
    """How many chunks each document has in ``collection``, by name (every chunk's metadata read, a
    page at a time: 0.4 s for 20,000)."""
    counts: Counter = Counter()
    for rows in chunk_pages(collection, ["metadatas"]):
        counts.update(str(meta.get("file")) for meta in rows["metadatas"])
    return counts


def found_by_own_vector(collection: Collection, offset: int = 0) -> bool:
    """Whether the vector index finds the chunk at ``offset`` (in the order written) by that chunk's
    own vector, as a whole index does: a damaged one, or one missing the chunk, finds another first."""
    row = collection.get(limit=1, offset=offset, include=["embeddings"])
    if not row["ids"]:
        return True  # no chunk there to look for
    found = collection.query(query_embeddings=[row["embeddings"][0]], n_results=1, include=["distances"])
    return found["distances"][0][0] <= 1e-3


def chunk_pages(
    collection: Collection, include: list[str], page: int = READ_PAGE, where: dict | None = None
) -> Iterator[dict[str, list]]:
    """Every chunk (of the rows ``where`` matches, where given), ``page`` rows at a time, each page
    as ``collection.get`` gives it (``ids`` and each field in ``include``). A chunk met twice (a write
    moved it between reads) is given once.

    Chroma orders rows by when they were written, so pages follow each other.
    """
    seen: set[str] = set()
    offset = 0
    while True:
        rows = collection.get(where=where, include=include, limit=page, offset=offset)
        fresh = [i for i, chunk_id in enumerate(rows["ids"]) if chunk_id not in seen]
        seen.update(rows["ids"])
        if fresh:
            yield {field: [rows[field][i] for i in fresh] for field in ("ids", *include)}
        if len(rows["ids"]) < page:
            return
        offset += page


class DocStore:
    """The document store: llama-index's ``KVDocumentStore`` on SQLite in the data directory
    (``index.kvstore``), or, with a Chroma server (``server``), in a collection of that server
    (``index.chroma_kvstore``), so that every machine using the server knows every document; with a
    collection of its own for each document's file fingerprint.

    Writes wait for ``save``, which makes them visible to every process at once; another process
    (``groundline ingest`` while ``groundline serve`` runs, both on one Chroma server) reads what
    was last saved, from any process, whenever it asks. A store written as ``docstore.json`` by an
    earlier version is moved into the database the first time it is opened, and a machine's own
    SQLite store into an empty one on the server (``_import_local``).
    """

    def __init__(self, data_dir: Path, server: str | None = None) -> None:
        self.path = data_dir / DOCSTORE_FILE
        self.legacy = data_dir / "docstore.json"
        self.server = server
        self._kv: SQLiteKVStore | ChromaKVStore | None = None
        self._store: KVDocumentStore | None = None
        self._opening = threading.Lock()
        self._shared: Collection | None = None
        self._connecting = threading.Lock()

    @property
    def kv(self) -> SQLiteKVStore | ChromaKVStore:
        """The key-value store, opened (and created, or imported) on first use."""
        with self._opening:
            if self._kv is None:
                if self.server:
                    kv: SQLiteKVStore | ChromaKVStore = ChromaKVStore(self.shared_collection())
                    if self.path.exists() and kv.empty():
                        _import_local(self.path, kv, chunk_collection(chroma_client(self.path.parent, self.server)))
                else:
                    kv = SQLiteKVStore(self.path)
                    if self.legacy.exists():
                        _import_legacy(self.legacy, kv)
                self._store = KVDocumentStore(kv, batch_size=WRITE_BATCH)
                self._kv = kv
        return self._kv

    def shared_collection(self) -> Collection:
        """The Chroma server's collection that holds the shared store (and the machines' write lease),
        opened once."""
        assert self.server, "a document store in the data directory shares nothing"
        with self._connecting:
            if self._shared is None:
                client = chroma_client(self.path.parent, self.server)
                self._shared = client.get_or_create_collection(SHARED_DOCSTORE, embedding_function=None)
        return self._shared

    @property
    def docstore(self) -> KVDocumentStore:
        """llama-index's view of the store."""
        self.kv  # noqa: B018 -- opened
        assert self._store is not None
        return self._store

    def names(self) -> list[str]:
        """Every stored document's name, sorted, read off the store's keys: ``docstore.docs`` builds
        every document, text and all (160 ms for 5,000 of 10 KB), and the Documents list asks
        again every few seconds for each open page."""
        return self.kv.keys(collection=DOCUMENTS)

    def hashes(self) -> dict[str, str]:
        """Every stored document's hash (llama-index's, of its text and metadata), by name: one
        read of the store, where ``docstore.get_all_document_hashes`` keys them by hash (two
        documents with the same text would be one)."""
        return {name: str(meta.get("doc_hash")) for name, meta in self.kv.get_all(collection=HASHES).items()}

    def fingerprints(self) -> dict[str, dict]:
        """Every document's fingerprint (``set_fingerprint``), by name."""
        return self.kv.get_all(collection=FINGERPRINTS)

    def fingerprint(self, name: str) -> dict | None:
        """What was recorded of the file a stored document was made from (``set_fingerprint``)."""
        return self.kv.get(name, collection=FINGERPRINTS)

    def set_fingerprint(self, name: str, fingerprint: dict) -> None:
        """Record, with the next ``save``, the SHA-256 of a document's file and how it was stored,
        so that the same bytes can be known without reading them into text again."""
        self.kv.put(name, fingerprint, collection=FINGERPRINTS)

    def drop_fingerprint(self, name: str) -> None:
        self.kv.delete(name, collection=FINGERPRINTS)

    def skipped(self) -> dict[str, dict]:
        """Every file found and not read (``set_skipped``), by name."""
        return self.kv.get_all(collection=SKIPPED)

    def set_skipped(self, name: str, record: dict) -> None:
        """Record, with the next ``save``, that the file ``name`` was found and could not be read:
        ``{"reason", "time", "root"}``. A document stored of it before stays as it was."""
        self.kv.put(name, record, collection=SKIPPED)

    def drop_skipped(self, name: str) -> None:
        self.kv.delete(name, collection=SKIPPED)

    def version(self) -> tuple[int, int]:
        """Changes on every save, in this process or another; and with the store itself (made again,
        its saves count from 0 again)."""
        return self.kv.identity, self.kv.version()

    def save(self) -> None:
        """Make the writes since the last save visible to every process, all at once."""
        self.kv.commit()

    def discard(self) -> None:
        """Forget the writes since the last save: a write that failed part-way (its journal
        removes what it wrote to Chroma)."""
        if self._kv is not None:
            self._kv.rollback()


def _import_local(path: Path, kv: ChromaKVStore, chunks: Collection) -> None:
    """Copy this machine's SQLite document store into the server's, which is empty: the store of a
    machine that used the Chroma server before the document store moved there. Only where each of
    its documents has its chunks on that server (their first chunk, ``name#0``, is there): a store
    kept beside another Chroma would claim documents the server lacks, and they would be skipped as
    unchanged. Otherwise nothing is copied, and the next ingestion of their folders reads them again.
    The file stays, unread."""
    local = SQLiteKVStore(path)
    try:
        names = local.keys(collection=DOCUMENTS)
        present: set[str] = set()
        for start in range(0, len(names), READ_PAGE):
            ids = [f"{name}#0" for name in names[start : start + READ_PAGE]]
            present.update(chunks.get(ids=ids, include=[])["ids"])
        if len(present) < len(names):
            log.warning(
                "%s has %d document(s) whose chunks are not on the Chroma server; not copied there, "
                "so they are read again at their folders' next ingestion",
                path,
                len(names) - len(present),
            )
            return
        for collection in local.collections():
            kv.put_all(list(local.get_all(collection=collection).items()), collection=collection)
        kv.commit()
        log.info("copied the %d document(s) of %s to the Chroma server's document store", len(names), path)
    finally:
        local.close()


def _import_legacy(legacy: Path, kv: SQLiteKVStore) -> None:
    """Copy a ``docstore.json`` (llama-index's ``SimpleKVStore`` file, as earlier versions kept the
    store) into ``kv`` in one transaction, then rename it ``docstore.json.imported``: kept, unread.
    A process that finds the file already imported by another (a crash before the rename) renames it."""
    with FileLock(str(legacy.with_name("docstore.import.lock"))):
        if not legacy.exists():  # another process imported it while this one waited
            return
        if kv.get(legacy.name, collection=IMPORTED) is None:
            collections = json.loads(legacy.read_bytes())
            for collection, rows in collections.items():
                kv.put_all(list(rows.items()), collection=collection)
            kv.put(legacy.name, {"documents": len(collections.get(DOCUMENTS, {}))}, collection=IMPORTED)
            kv.commit()
        legacy.replace(legacy.with_suffix(".json.imported"))
