"""Chroma reads that must hold however large the collection grows."""

from pathlib import Path

import pytest
from llama_index.core import Document
from llama_index.core.storage.docstore import keyval_docstore

from index.store import DocStore, chroma_vector_store, every_chunk


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
