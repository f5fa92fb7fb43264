"""The stores: Chroma reads that must hold however large the collection grows, and the document store."""

from pathlib import Path

import pytest
from llama_index.core import Document
from llama_index.core.storage.docstore import SimpleDocumentStore, keyval_docstore

from index.store import FINGERPRINTS, DocStore, chroma_vector_store, every_chunk


def test_every_chunk_reads_page_by_page_and_keeps_each_once(tmp_path: Path) -> None:
    collection = chroma_vector_store(tmp_path).client
    ids = [f"c{i}" for i in range(7)]
    collection.add(
        ids=ids, embeddings=[[1.0, float(i)] for i in range(7)], documents=ids, metadatas=[{"i": i} for i in range(7)]
    )
    got = every_chunk(collection, ["documents", "metadatas"], page=2)
    assert got["ids"] == ids and got["documents"] == ids
    assert [m["i"] for m in got["metadatas"]] == list(range(7))
    assert every_chunk(collection, ["metadatas"], page=7)["ids"] == ids  # a last page exactly full
    assert every_chunk(chroma_vector_store(tmp_path / "empty").client, ["metadatas"]) == {"ids": [], "metadatas": []}


def test_the_document_names_are_read_without_building_the_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DocStore(tmp_path)
    store.docstore.add_documents([Document(text=f"text {n}", id_=n) for n in ("b.txt", "a/c.txt", "a.txt")])
    store.save()
    assert store.names() == sorted(store.docstore.docs) == ["a.txt", "a/c.txt", "b.txt"]

    def built(*args, **kwargs):
        raise AssertionError("every document was built to list their names")

    monkeypatch.setattr(keyval_docstore, "json_to_doc", built)
    assert DocStore(tmp_path).names() == ["a.txt", "a/c.txt", "b.txt"]  # as another process reads them


def test_writes_reach_other_processes_all_at_once_on_save(tmp_path: Path) -> None:
    writer, reader = DocStore(tmp_path), DocStore(tmp_path)  # two processes' stores on one data dir
    identity, start = reader.version()
    writer.docstore.add_documents([Document(text="one", id_="a.txt"), Document(text="two", id_="b.txt")])
    writer.set_fingerprint("a.txt", {"sha256": "x"})
    assert writer.names() == ["a.txt", "b.txt"]  # its own writes at once
    assert reader.names() == [] and reader.fingerprint("a.txt") is None and reader.version() == (identity, start)
    writer.save()
    assert reader.names() == ["a.txt", "b.txt"] and reader.fingerprint("a.txt") == {"sha256": "x"}
    assert reader.version() == writer.version() == (identity, start + 1)  # one batch, one change
    assert reader.docstore.get_document("b.txt").get_content() == "two"

    writer.docstore.delete_document("a.txt")
    writer.drop_fingerprint("a.txt")
    writer.discard()  # a write that failed part-way
    assert writer.names() == reader.names() == ["a.txt", "b.txt"] and writer.fingerprint("a.txt")
    assert not writer.kv.pending
    writer.save()  # nothing to save: no change
    assert reader.version() == (identity, start + 1)
    writer.kv.close()
    reader.kv.close()
    (tmp_path / "docstore.sqlite3").unlink()
    remade = DocStore(tmp_path)  # the store made again, its saves counted anew: not taken for the old one
    remade.docstore.add_documents([Document(text="one", id_="a.txt")])
    remade.save()
    assert remade.version()[1] == 1 and remade.version() != (identity, 1)


def test_a_store_kept_as_json_by_an_earlier_version_is_imported_once(tmp_path: Path) -> None:
    # Up to 2026-11-30 the store was llama-index's SimpleDocumentStore, persisted whole as docstore.json.
    legacy = SimpleDocumentStore()
    legacy.add_documents([Document(text=f"text of {n}", id_=n, metadata={"file": n}) for n in ("b.txt", "a.txt")])
    legacy.set_document_hash("a.txt", "hash-a")
    legacy._kvstore.put("a.txt", {"sha256": "s", "root": "/docs"}, collection=FINGERPRINTS)
    legacy.persist(str(tmp_path / "docstore.json"))
    store = DocStore(tmp_path)
    assert store.names() == ["a.txt", "b.txt"]
    assert store.docstore.get_document("b.txt").get_content() == "text of b.txt"
    assert store.docstore.get_document_hash("a.txt") == "hash-a"
    assert store.fingerprint("a.txt") == {"sha256": "s", "root": "/docs"}
    assert not (tmp_path / "docstore.json").exists() and (tmp_path / "docstore.json.imported").exists()

    store.docstore.delete_document("b.txt")
    store.save()
    (tmp_path / "docstore.json.imported").rename(tmp_path / "docstore.json")  # as if killed before its rename
    assert DocStore(tmp_path).names() == ["a.txt"]  # not imported again over later writes
    assert not (tmp_path / "docstore.json").exists()


def test_a_chroma_server_that_cannot_be_reached_is_a_plain_error() -> None:
    from index.errors import StoreUnavailable
    from index.store import chroma_client
    from tests.conftest import free_port

    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(StoreUnavailable, match=rf"Cannot reach the Chroma server at {address} \(GROUNDLINE_CHROMA"):
        chroma_client(Path("unused"), address)
