"""Chroma reads that must hold however large the collection grows."""

from pathlib import Path

from index.store import chroma_vector_store, every_chunk


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
