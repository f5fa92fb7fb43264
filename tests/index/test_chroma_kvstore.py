"""The document store in a Chroma collection, as machines sharing a Chroma server keep it: on a real
Chroma (embedded here; ``tests/e2e/test_chroma_server.py`` runs it on a ``chroma run`` server)."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

import index.chroma_kvstore
from index.chroma_kvstore import ChromaKVStore, _batches
from index.kvstore import SQLiteKVStore
from index.store import DOCUMENTS, FINGERPRINTS, _import_local, chunk_collection


@pytest.fixture()
def client(tmp_path: Path):
    return chromadb.PersistentClient(path=str(tmp_path / "server"), settings=ChromaSettings(anonymized_telemetry=False))


def kv_store(client) -> ChromaKVStore:
    """A store on the shared collection, as one more process (on any machine) opens it."""
    return ChromaKVStore(client.get_or_create_collection("groundline-docstore", embedding_function=None))


def test_writes_are_seen_by_others_when_committed_and_move_the_version(client) -> None:
    writer, reader = kv_store(client), kv_store(client)
    assert writer.identity == reader.identity and writer.version() == 0 and writer.empty()
    writer.put("a.txt", {"text": "Alpha"}, collection=DOCUMENTS)
    writer.put_all([("b.txt", {"text": "Beta"}), ("c/d.txt", {"text": "Delta"})], collection=DOCUMENTS)
    assert writer.get("a.txt", collection=DOCUMENTS) == {"text": "Alpha"} and writer.pending  # its own, at once
    assert reader.get("a.txt", collection=DOCUMENTS) is None and reader.keys(collection=DOCUMENTS) == []
    writer.commit()
    assert reader.keys(collection=DOCUMENTS) == ["a.txt", "b.txt", "c/d.txt"] and reader.version() == 1
    assert reader.get_all(collection=DOCUMENTS)["c/d.txt"] == {"text": "Delta"}
    assert reader.get("a.txt", collection=FINGERPRINTS) is None  # collections apart
    assert not reader.empty()

    assert writer.delete("b.txt", collection=DOCUMENTS) and not writer.delete("zz.txt", collection=DOCUMENTS)
    writer.put("e.txt", {"text": "Echo"}, collection=DOCUMENTS)
    assert writer.keys(collection=DOCUMENTS) == ["a.txt", "c/d.txt", "e.txt"]  # with what waits
    writer.rollback()  # a write that failed part-way
    assert writer.keys(collection=DOCUMENTS) == ["a.txt", "b.txt", "c/d.txt"] and not writer.pending
    writer.delete("b.txt", collection=DOCUMENTS)
    writer.commit()
    assert reader.keys(collection=DOCUMENTS) == ["a.txt", "c/d.txt"] and reader.version() == 2


def test_many_records_are_read_and_written_a_page_at_a_time(client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.chroma_kvstore, "PAGE", 3)
    monkeypatch.setattr(index.chroma_kvstore, "BATCH_RECORDS", 4)
    store = kv_store(client)
    store.put_all([(f"{n:02}.txt", {"n": n}) for n in range(10)], collection=DOCUMENTS)
    store.commit()
    assert kv_store(client).get_all(collection=DOCUMENTS) == {f"{n:02}.txt": {"n": n} for n in range(10)}


def test_a_batch_holds_a_few_records_or_a_few_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [(("docs", f"{n}"), {"text": "x" * 10}) for n in range(5)]
    assert [len(batch) for batch in _batches(records)] == [5]
    monkeypatch.setattr(index.chroma_kvstore, "BATCH_BYTES", 50)
    assert [len(batch) for batch in _batches(records)] == [2, 2, 1]  # each record's JSON is 22 bytes
    assert [len(batch) for batch in _batches([(("docs", "big"), {"text": "x" * 100}), *records])] == [1, 2, 2, 1]


def local_store(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "docstore.sqlite3"
    local = SQLiteKVStore(path)
    local.put_all([(name, {"text": name.upper()}) for name in names], collection=DOCUMENTS)
    local.put_all([(name, {"sha256": "0" * 64}) for name in names], collection=FINGERPRINTS)
    local.commit()
    local.close()
    return path


def test_a_machines_own_store_moves_to_the_server_when_its_documents_are_there(tmp_path: Path, client) -> None:
    chunks = chunk_collection(client)
    chunks.upsert(ids=["a.txt#0", "a.txt#1", "b.txt#0"], documents=["A", "A2", "B"], embeddings=[[1.0, 0.0]] * 3)
    shared = kv_store(client)
    _import_local(local_store(tmp_path, ["a.txt", "b.txt"]), shared, chunks)
    other = kv_store(client)  # another machine
    assert other.keys(collection=DOCUMENTS) == ["a.txt", "b.txt"] and other.get("b.txt", DOCUMENTS) == {"text": "B.TXT"}
    assert other.keys(collection=FINGERPRINTS) == ["a.txt", "b.txt"] and other.version() == 1


def test_a_store_kept_beside_another_chroma_is_not_copied(tmp_path: Path, client, caplog) -> None:
    chunks = chunk_collection(client)
    chunks.upsert(ids=["a.txt#0"], documents=["A"], embeddings=[[1.0, 0.0]])
    shared = kv_store(client)
    _import_local(local_store(tmp_path, ["a.txt", "b.txt"]), shared, chunks)  # b.txt's chunks are elsewhere
    assert shared.empty() and "1 document(s) whose chunks are not on the Chroma server" in caplog.text
