"""The ingestion journal on a Chroma collection (a real embedded Chroma standing for the server)."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from index.chroma_kvstore import ChromaKVStore
from index.journal import FileJournal, ServerJournal


def test_the_server_journal_names_a_writes_documents_until_cleared_and_takes_in_a_local_one(tmp_path: Path) -> None:
    client = chromadb.PersistentClient(
        path=str(tmp_path / "server"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    shared = client.get_or_create_collection("groundline-docstore", embedding_function=None)
    local = FileJournal(tmp_path / "ingest.journal.json")
    journal = ServerJournal(lambda: shared, local)
    assert journal.pending() == []

    journal.record(["north/log.txt", "rota.txt"])
    assert ServerJournal(lambda: shared, FileJournal(tmp_path / "other")).pending() == ["north/log.txt", "rota.txt"]
    assert ChromaKVStore(shared).empty()  # the journal is not a document of the store

    local.record(["rota.txt", "minutes.txt"])  # left by this machine before the journal moved to the server
    assert journal.pending() == ["north/log.txt", "rota.txt", "minutes.txt"]
    journal.clear()
    assert journal.pending() == [] and not local.path.exists()
