from pathlib import Path

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app


def test_hybrid_passages_keep_lines_and_vector_similarity(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    passages = app.retriever.retrieve("North Korea denied arms deals")
    assert 0 < len(passages) <= settings.top_k
    assert any(p.covers(ARMS_FILE, 9) for p in passages)
    assert all(p.similarity is None or -1 <= p.similarity <= 1 for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_the_keyword_index_follows_new_ingestions(settings: Settings, news_dir: Path, tmp_path: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    assert all(p.file != "extra.txt" for p in app.retriever.retrieve("zebracorn"))
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "extra.txt").write_text("The zebracorn grazed by the river.\n")
    app.ingestor.ingest([extra])
    assert app.retriever.retrieve("zebracorn")[0].file == "extra.txt"


def test_an_empty_index_retrieves_nothing(settings: Settings) -> None:
    assert fake_app(settings).retriever.retrieve("anything") == []


def test_the_keyword_index_follows_an_update_that_keeps_the_chunk_count(
    settings: Settings, news_dir: Path, tmp_path: Path
) -> None:
    """Regression: BM25 was rebuilt only when the number of chunks changed."""
    docs = tmp_path / "one"
    docs.mkdir()
    (docs / "note.txt").write_text("The quokka slept.\n")
    app = fake_app(settings)
    app.ingestor.ingest([docs])
    assert app.retriever.keyword_retriever().retrieve("quokka")
    (docs / "note.txt").write_text("The wombat slept.\n")  # same number of chunks
    app.ingestor.ingest([docs])
    hits = app.retriever.keyword_retriever().retrieve("wombat")
    assert hits and "wombat" in hits[0].node.get_content()
