"""A llama-index key-value store in a collection of the Chroma server, for the document store of
every machine that shares that server.

With ``GROUNDLINE_CHROMA_SERVER`` the vectors live on the server, so any machine pointed at it
answers from every document ingested there; the document store (each document's text for the
citation viewer, its hash and file fingerprint for skipping what is unchanged) must be shared as
well, or another machine lists no documents, cannot open a cited one, and ingests again what is
already stored. llama-index's own shared key-value stores need a database server of their own
(Redis, MongoDB, Postgres); this one needs nothing but the Chroma server already there.

Each value is one record: its JSON as the record's document, its collection and key as metadata,
and a one-number embedding (Chroma wants one, and would otherwise fetch a model to make it). As
``index.kvstore.SQLiteKVStore``, writes wait for ``commit``: until then this process reads its own
writes and others read what was committed; ``commit`` writes them and moves ``version``, which every
process reads to know the store changed. Chroma has no transactions: a commit cut short has written
part of its batch, as the ingestion journal expects of Chroma (``index.pipeline``) and repairs.
"""

from __future__ import annotations

import json
import random
import threading
from typing import TYPE_CHECKING

from llama_index.core.storage.kvstore.types import DEFAULT_BATCH_SIZE, DEFAULT_COLLECTION

from index.kvstore import BlockingKVStore

if TYPE_CHECKING:
    from chromadb import Collection

COLLECTION = "groundline-docstore"  # beside the chunks' collection on the same server
META = "groundline/meta"  # the store's own records: its version and identity
PAGE = 1000  # records read at a time (Chroma's SQLite binds a variable per row)
# Records written by one request: a batch of documents' full texts can be large.
BATCH_RECORDS = 500
BATCH_BYTES = 32 * 2**20
_SEP = "\x1f"  # between a record's collection and key in its id: no name holds it
_DELETED = None


def record_id(collection: str, key: str) -> str:
    return f"{collection}{_SEP}{key}"


class ChromaKVStore(BlockingKVStore):
    """llama-index's ``BaseKVStore`` over ``collection``, a Chroma collection of its own."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._pending: dict[tuple[str, str], dict | None] = {}  # written or deleted, not yet committed
        self._lock = threading.RLock()
        # drawn when the store was first opened: a store made again counts its versions anew
        self.identity: int = self._meta("id") or self._first_identity()

    def put(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        with self._lock:
            self._pending[(collection, key)] = val

    def put_all(
        self,
        kv_pairs: list[tuple[str, dict]],
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        with self._lock:
            for key, val in kv_pairs:
                self._pending[(collection, key)] = val

    def get(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        with self._lock:
            if (collection, key) in self._pending:
                return self._pending[(collection, key)]
        rows = self.collection.get(ids=[record_id(collection, key)], include=["documents"])
        return json.loads(rows["documents"][0]) if rows["ids"] else None

    def get_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        return self._with_pending(collection, dict(self._rows(collection, documents=True)))

    def keys(self, collection: str = DEFAULT_COLLECTION) -> list[str]:
        """Every key of ``collection``, sorted, without reading a value (the Documents list asks every
        few seconds, also while its own process ingests)."""
        return sorted(self._with_pending(collection, dict(self._rows(collection))))

    def collections(self) -> list[str]:
        """Every collection that holds a committed record (not the store's own, nor the lease's and
        journal's: ``META``)."""
        from index.store import every_chunk

        metadatas = every_chunk(self.collection, ["metadatas"], page=PAGE)["metadatas"]
        return sorted({str(meta["collection"]) for meta in metadatas} - {META})

    def _with_pending(self, collection: str, stored: dict[str, dict | None]) -> dict:
        """``stored`` (what was committed to ``collection``) as this process's writes since have left it."""
        with self._lock:
            for (pending_collection, key), val in self._pending.items():
                if pending_collection == collection:
                    if val is _DELETED:
                        stored.pop(key, None)
                    else:
                        stored[key] = val
        return stored

    def delete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        with self._lock:
            if (collection, key) in self._pending:
                existed = self._pending[(collection, key)] is not _DELETED
            else:
                existed = bool(self.collection.get(ids=[record_id(collection, key)], include=[])["ids"])
            self._pending[(collection, key)] = _DELETED
        return existed

    @property
    def pending(self) -> bool:
        """Whether writes wait for ``commit``."""
        return bool(self._pending)

    def commit(self) -> None:
        """Write what waited, then move ``version``: another process sees the change when it is whole."""
        with self._lock:
            if not self._pending:
                return
            written = [(ids, val) for ids, val in self._pending.items() if val is not _DELETED]
            deleted = [record_id(*ids) for ids, val in self._pending.items() if val is _DELETED]
            for batch in _batches(written):
                self.collection.upsert(
                    ids=[record_id(*ids) for ids, _ in batch],
                    documents=[text for _, text in batch],
                    metadatas=[{"collection": c, "key": k} for (c, k), _ in batch],
                    embeddings=[[0.0]] * len(batch),
                )
            for start in range(0, len(deleted), BATCH_RECORDS):
                self.collection.delete(ids=deleted[start : start + BATCH_RECORDS])
            self._set_meta("version", self.version() + 1)  # one writer at a time: the pipeline's lock
            self._pending.clear()

    def rollback(self) -> None:
        """Forget the writes since the last commit (a write that failed part-way)."""
        with self._lock:
            self._pending.clear()

    def version(self) -> int:
        """How many commits the store has seen, from any process on any machine."""
        return self._meta("version") or 0

    def empty(self) -> bool:
        """Whether nothing was ever committed here (a store to import a machine's own into)."""
        return self.version() == 0 and not self.collection.get(where={"collection": {"$ne": META}}, limit=1)["ids"]

    def _rows(self, collection: str, documents: bool = False) -> list[tuple[str, dict | None]]:
        """``(key, value)`` of every committed record of ``collection`` (values None unless ``documents``)."""
        from index.store import every_chunk  # index.store builds this store: imported when first read

        include = ["metadatas", "documents"] if documents else ["metadatas"]
        rows = every_chunk(self.collection, include, page=PAGE, where={"collection": collection})
        return [
            (str(meta["key"]), json.loads(rows["documents"][i]) if documents else None)
            for i, meta in enumerate(rows["metadatas"])
        ]

    def _meta(self, name: str) -> int | None:
        rows = self.collection.get(ids=[record_id(META, name)], include=["documents"])
        return int(json.loads(rows["documents"][0])["value"]) if rows["ids"] else None

    def _set_meta(self, name: str, value: int) -> None:
        self.collection.upsert(
            ids=[record_id(META, name)],
            documents=[json.dumps({"value": value})],
            metadatas=[{"collection": META, "key": name}],
            embeddings=[[0.0]],
        )

    def _first_identity(self) -> int:
        self._set_meta("id", random.randrange(1, 2**62))
        return self._meta("id") or 0


def _batches(written: list[tuple[tuple[str, str], dict]]):
    """The records to write as ``[((collection, key), json), ...]`` batches of at most
    ``BATCH_RECORDS`` records and about ``BATCH_BYTES`` (a larger record goes alone)."""
    batch, size = [], 0
    for ids, val in written:
        text = json.dumps(val)
        if batch and (len(batch) >= BATCH_RECORDS or size + len(text) > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((ids, text))
        size += len(text)
    if batch:
        yield batch
