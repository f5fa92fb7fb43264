"""A llama-index key-value store in one SQLite file, written in transactions.

The document store sits on it (``index.store.DocStore``). llama-index's ``SimpleKVStore`` keeps
every collection in memory and persists them as one JSON file, so each batch of an ingestion
wrote the whole store again (1.05 s at 160 MB of stored text) and every other process read it
all again after each write. Here a write touches its own rows, and a reader asks for the rows it
needs.

Why not a packaged store: of llama-index's key-value stores, DuckDB's is the only embedded one,
and DuckDB lets a single process open a database for writing, while ``groundline serve`` and
``groundline ingest`` share one data directory. SQLite in WAL mode lets every process read while
one writes, and Python ships it.

Writes open a transaction that ``commit`` ends: other processes (and ``version``) see a batch
all at once or not at all, as they saw a saved JSON file; this process's own reads see its
writes at once, from every thread. A write needs the data directory's write lock, so one
process writes at a time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from llama_index.core.storage.kvstore.types import DEFAULT_BATCH_SIZE, DEFAULT_COLLECTION, BaseKVStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('version', 0);
INSERT OR IGNORE INTO meta VALUES ('id', abs(random()));
"""
UPSERT = "INSERT INTO kv VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value"


class BlockingKVStore(BaseKVStore):
    """A key-value store whose async methods are its blocking ones, which llama-index asks for too."""

    async def aput(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        self.put(key, val, collection)

    async def aput_all(
        self,
        kv_pairs: list[tuple[str, dict]],
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.put_all(kv_pairs, collection, batch_size)

    async def aget(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        return self.get(key, collection)

    async def aget_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        return self.get_all(collection)

    async def adelete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        return self.delete(key, collection)


class SQLiteKVStore(BlockingKVStore):
    """llama-index's ``BaseKVStore`` over the SQLite database at ``path`` (created if missing)."""

    def __init__(self, path: Path, busy_timeout_s: float = 30.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # autocommit: transactions are begun by the first write and ended by commit() or rollback()
        self._db = sqlite3.connect(path, timeout=busy_timeout_s, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()  # one statement (or transaction step) at a time on the connection
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")  # readers in other processes never wait for the writer
            self._db.execute("PRAGMA synchronous=FULL")  # a committed batch survives a power cut
            self._db.executescript(SCHEMA)
        # drawn when the database was created: a store made again counts its versions anew
        self.identity: int = self._meta("id")

    def _write(self, sql: str, rows: Iterable[tuple]) -> int:
        with self._lock:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
            return self._db.executemany(sql, rows).rowcount

    def put(self, key: str, val: dict, collection: str = DEFAULT_COLLECTION) -> None:
        self._write(UPSERT, [(collection, key, json.dumps(val))])

    def put_all(
        self,
        kv_pairs: list[tuple[str, dict]],
        collection: str = DEFAULT_COLLECTION,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self._write(UPSERT, [(collection, key, json.dumps(val)) for key, val in kv_pairs])

    def get(self, key: str, collection: str = DEFAULT_COLLECTION) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM kv WHERE collection = ? AND key = ?", (collection, key)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def get_all(self, collection: str = DEFAULT_COLLECTION) -> dict[str, dict]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM kv WHERE collection = ?", (collection,)).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def keys(self, collection: str = DEFAULT_COLLECTION) -> list[str]:
        """Every key of ``collection``, sorted, without reading a value."""
        with self._lock:
            rows = self._db.execute("SELECT key FROM kv WHERE collection = ? ORDER BY key", (collection,)).fetchall()
        return [key for (key,) in rows]

    def collections(self) -> list[str]:
        """Every collection that holds a key."""
        with self._lock:
            return [name for (name,) in self._db.execute("SELECT DISTINCT collection FROM kv ORDER BY collection")]

    def delete(self, key: str, collection: str = DEFAULT_COLLECTION) -> bool:
        return self._write("DELETE FROM kv WHERE collection = ? AND key = ?", [(collection, key)]) > 0

    @property
    def pending(self) -> bool:
        """Whether writes wait for ``commit``."""
        return self._db.in_transaction

    def commit(self) -> None:
        """Make the writes since the last commit visible to every process, as one change of ``version``."""
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("UPDATE meta SET value = value + 1 WHERE name = 'version'")
                self._db.execute("COMMIT")

    def rollback(self) -> None:
        """Forget the writes since the last commit (a write that failed part-way)."""
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")

    def version(self) -> int:
        """How many commits the store has seen, from any process."""
        return self._meta("version")

    def _meta(self, name: str) -> int:
        with self._lock:
            return self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
