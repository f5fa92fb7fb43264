from pathlib import Path

import Stemmer
from llama_index.retrievers.bm25 import BM25Retriever

from index.store import every_chunk
from rag.keyword_index import KeywordIndex, keyword_node
from rag.settings import Settings
from tests.conftest import fake_app

QUESTIONS = ["arms deals", "zebracorn river", "unicorn meadow", "Putin Pyongyang visit", "notes"]


def from_scratch(collection) -> BM25Retriever:
    """llama-index's own build over every chunk, as the index was built before it kept chunks."""
    stored = every_chunk(collection, ["metadatas", "documents"])
    nodes = [
        keyword_node(*chunk) for chunk in zip(stored["ids"], stored["metadatas"], stored["documents"], strict=True)
    ]
    return BM25Retriever.from_defaults(
        nodes=nodes, similarity_top_k=min(40, len(nodes)), stemmer=Stemmer.Stemmer("english"), language="english"
    )


def ranked(bm25: BM25Retriever) -> list[list[tuple[str, str, float]]]:
    return [
        [(hit.node.node_id, hit.node.get_content(), round(hit.score, 5)) for hit in bm25.retrieve(q)] for q in QUESTIONS
    ]


def test_after_a_write_only_its_chunks_are_read_and_the_index_is_the_one_built_from_scratch(
    settings: Settings, news_dir: Path, tmp_path: Path
) -> None:
    # Every write had the index read and tokenize every chunk again: 19 s at 100,000 chunks
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "zebra.txt").write_text("The zebracorn grazed by the river.\nNotes on the river.\n")
    (notes / "plain.txt").write_text("Nothing but notes here.\n")
    app = fake_app(settings)
    app.ingestor.ingest([news_dir, notes])
    retriever, collection = app.retriever, app.vector_store.client
    total = collection.count()
    assert ranked(retriever.keyword_retriever()) == ranked(from_scratch(collection))
    assert retriever.keywords.read == total  # the first build reads them all

    (notes / "zebra.txt").write_text("The unicorn grazed in the meadow.\nNotes on the meadow.\n")  # same chunk ids
    (notes / "extra.txt").write_text("More notes on arms deals.\n")
    app.ingestor.ingest([notes])
    changed = len(
        [c for c in every_chunk(collection, ["metadatas"])["metadatas"] if c["file"] in {"zebra.txt", "extra.txt"}]
    )
    index = retriever.keyword_retriever()
    assert retriever.keywords.read == changed < total  # the rewritten document's chunks and the new one's
    assert ranked(index) == ranked(from_scratch(collection))
    assert index.retrieve("unicorn")[0].node.metadata["file"] == "zebra.txt"
    assert not any("zebracorn" in hit.node.get_content() for hit in index.retrieve("zebracorn river"))

    app.ingestor.delete(["plain.txt", "extra.txt"])
    index = retriever.keyword_retriever()
    assert retriever.keywords.read == 0 and ranked(index) == ranked(from_scratch(collection))


def test_a_vocabulary_of_deleted_documents_is_let_go(settings: Settings, news_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(6):
        (notes / f"n{n}.txt").write_text(f"Quokka{n} sightings and wombat{n} burrows.\n")
    app = fake_app(settings)
    app.ingestor.ingest([news_dir, notes])
    retriever = app.retriever
    retriever.keyword_retriever()
    assert "quokka3" in retriever.keywords.vocab
    app.ingestor.delete([f"n{n}.txt" for n in range(6)])
    app.ingestor.delete([p.name for p in news_dir.iterdir() if p.name != "000_c3c639a3a8103260.txt"])
    index = retriever.keyword_retriever()
    assert "quokka3" not in retriever.keywords.vocab  # more chunks let go than held: numbered again
    assert ranked(index) == ranked(from_scratch(app.vector_store.client))
    assert sorted(retriever.keywords.vocab.values()) == list(range(len(retriever.keywords.vocab)))


def test_without_document_hashes_every_build_reads_every_chunk(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    keywords = KeywordIndex(Stemmer.Stemmer("english"))
    collection = app.vector_store.client
    first = keywords.build(collection, {}, 40)
    again = keywords.build(collection, {}, 40)
    assert keywords.read == collection.count() and ranked(first) == ranked(again) == ranked(from_scratch(collection))


def test_a_process_that_loads_the_kept_index_reads_only_what_is_written_after(
    settings: Settings, news_dir: Path, tmp_path: Path
) -> None:
    # A server that loaded its index from DATA_DIR/keyword-index held no tokens: its first build
    # after a write read every chunk again (4.8 s at 27,040 chunks), as if it had built none
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "zebra.txt").write_text("The zebracorn grazed by the river.\n")
    builder = fake_app(settings)
    builder.ingestor.ingest([news_dir, notes])
    builder.retriever.keyword_retriever()  # built, and kept with its tokens
    total = builder.vector_store.client.count()

    def restarted_then_written(name: str, text: str):
        app = fake_app(settings)  # a process started since: it loads the kept index
        loaded = app.retriever.keyword_retriever()
        assert app.retriever.keywords.read == 0 and len(loaded.corpus) == total
        (notes / name).write_text(text)
        app.ingestor.ingest([notes])
        index = app.retriever.keyword_retriever()
        assert ranked(index) == ranked(from_scratch(app.vector_store.client))
        return app.retriever.keywords.read, app.vector_store.client.count()

    read, total = restarted_then_written("extra.txt", "More notes on arms deals.\n")
    assert read == 1  # the one chunk written
    (kept,) = (settings.data_dir / "keyword-index").iterdir()
    (kept / "held-tokens.npz").write_bytes(b"damaged")  # or kept before the tokens were: every chunk, as before
    read, total = restarted_then_written("plain.txt", "Nothing but notes here.\n")
    assert read == total
