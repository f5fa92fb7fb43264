import json
import shutil
from pathlib import Path

import pytest
from llama_index.core import Document
from llama_index.core.schema import MetadataMode, TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from index.library import Library
from index.loaders import make_document
from index.store import DocStore, chroma_vector_store
from rag.app import build
from rag.retrieval import Retriever
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from tests.fakes import HashEmbedding, word_count


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


def test_a_passage_carries_its_documents_title_which_neither_the_embedder_nor_bm25_reads(
    settings: Settings, tmp_path: Path
) -> None:
    docs = tmp_path / "log"
    docs.mkdir()
    (docs / "greenhouse.txt").write_text("Greenhouse log, tomato trial\n\nWhitefly was found on Black Krim.\n")
    (docs / "notes.txt").write_text("The quokka slept.\nIt woke at noon.\n")  # no title: the next line runs on
    app = fake_app(settings)
    app.ingestor.ingest([docs])
    (whitefly,) = [p for p in app.retriever.retrieve("Whitefly on Black Krim") if p.file == "greenhouse.txt"]
    assert whitefly.title == "Greenhouse log, tomato trial"
    (quokka,) = [p for p in app.retriever.retrieve("quokka") if p.file == "notes.txt"]
    assert quokka.title is None
    # the title is in no chunk's text but its first line's: only the keyword index's hit on the text finds it
    assert not [
        h for h in app.retriever.keyword_retriever().retrieve("tomato") if h.score and "tomato" not in h.node.text
    ]
    (node,) = app.chunker().get_nodes_from_documents([make_document("g.txt", "Log, a trial\n\nWhitefly.")])
    assert node.metadata["title"] == "Log, a trial"
    assert node.get_content(MetadataMode.EMBED) == node.get_content(MetadataMode.LLM) == node.text


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


def test_the_keyword_weight_lets_bm25s_first_hit_lead() -> None:
    """Each list ranks the other's favourite second: the heavier list's first hit leads."""
    from llama_index.core.schema import NodeWithScore

    from rag.retrieval import reciprocal_rank_fusion

    vec, kw = TextNode(id_="vec"), TextNode(id_="kw")
    vector = [NodeWithScore(node=vec), NodeWithScore(node=kw)]
    keyword = [NodeWithScore(node=kw), NodeWithScore(node=vec)]
    assert [n.id_ for n, _ in reciprocal_rank_fusion([vector, keyword], 5, [1.0, 1.6])] == ["kw", "vec"]
    assert [n.id_ for n, _ in reciprocal_rank_fusion([vector, keyword], 5, [1.6, 1.0])] == ["vec", "kw"]


def test_fusion_settings_reach_the_chats_retriever(settings: Settings) -> None:
    tuned = settings.model_copy(update={"fusion_candidates": 12, "keyword_weight": 0.5, "rrf_k": 7})
    retriever = fake_app(tuned).retriever
    assert (retriever.fusion.candidates, retriever.fusion.keyword_weight, retriever.fusion.k) == (12, 0.5, 7)
    assert retriever.vector._similarity_top_k == 12


def test_a_caller_may_ask_for_more_passages_than_the_chat_shows(settings: Settings, news_dir: Path) -> None:
    """The eval scores hit@5 through the chat's retriever (one keyword index), which shows top_k = 4."""
    for mode in ("hybrid", "vector"):
        app = fake_app(settings.model_copy(update={"top_k": 4, "retrieval": mode}))
        app.ingestor.ingest([news_dir])
        shown, five = app.retriever.retrieve("North Korea arms"), app.retriever.retrieve("North Korea arms", 5)
        assert (len(shown), len(five)) == (4, 5), mode
        assert [p.start_char for p in five[:4]] == [p.start_char for p in shown], mode


def test_a_collection_beyond_sqlites_variable_limit_is_listed_and_keyword_searched(tmp_path: Path) -> None:
    # Chroma's SQLite refuses a read of more than 32766 rows at once: every question (the keyword
    # index is built from every chunk) and `groundline list` failed on a larger collection.
    store, docstore = chroma_vector_store(tmp_path), DocStore(tmp_path)
    n, per_file = 33_000, 1000
    metadatas = [{"file": f"f{i // per_file}.txt"} for i in range(n)]  # (without llama-index's node record: 4 s less)
    for start in range(0, n, 5000):
        rows = range(start, min(n, start + 5000))
        store.client.add(
            ids=[f"n{i}" for i in rows], embeddings=[[1.0, i / n] for i in rows],
            documents=[f"Chunk {i} is about the lighthouse." for i in rows], metadatas=metadatas[start : start + 5000],
        )  # fmt: skip
    docstore.docstore.add_documents([Document(id_=f"f{k}.txt", text="") for k in range(n // per_file)])
    entries = Library(docstore, store).entries()
    assert len(entries) == n // per_file and {e.chunks for e in entries} == {per_file}
    retriever = Retriever(store, HashEmbedding(), top_k=4)
    assert [hit.node.node_id for hit in retriever.keyword_retriever().retrieve("chunk 32999")][0] == "n32999"


def test_a_server_question_uses_the_keyword_index_as_built_and_asks_for_a_rebuild(
    settings: Settings, tmp_path: Path
) -> None:
    docs = tmp_path / "one"
    docs.mkdir()
    (docs / "a.txt").write_text("The quokka slept.\n")
    app = fake_app(settings)
    app.ingestor.ingest([docs])
    asked: list[int] = []
    app.retriever.when_stale(lambda: asked.append(1))
    assert app.retriever.keyword_retriever().retrieve("quokka")  # the first index is built, whatever the hook
    assert asked == []
    (docs / "b.txt").write_text("The wombat slept.\n")
    app.ingestor.ingest([docs])
    stale = app.retriever.keyword_retriever()  # no rebuild: 19 s at 100,000 chunks
    assert asked == [1] and len(stale.corpus) == 1
    app.retriever.refresh()  # as the server's background rebuild does
    fresh = app.retriever.keyword_retriever()
    assert asked == [1] and len(fresh.corpus) == 2 and "wombat" in fresh.retrieve("wombat")[0].node.get_content()


def test_a_stale_keyword_index_quotes_nothing_the_store_no_longer_holds(settings: Settings, tmp_path: Path) -> None:
    """While a server ingests, questions search the keyword index as it was: a document written again
    (its chunks keep their ids) or deleted meanwhile must not be quoted from its old text."""
    docs = tmp_path / "one"
    docs.mkdir()
    (docs / "a.txt").write_text("The quokka slept under the bridge.\n")
    (docs / "b.txt").write_text("The heron fished at dawn.\n")
    (docs / "c.txt").write_text("The otter swam past the quokka.\n")
    app = fake_app(settings)
    app.ingestor.ingest([docs])
    app.retriever.when_stale(lambda: None)  # as a busy server's: no rebuild until the ingestion ends
    assert {p.file for p in app.retriever.retrieve("quokka")} >= {"a.txt", "c.txt"}
    (docs / "a.txt").write_text("The wombat dug under the bridge.\n")
    app.ingestor.ingest([docs])
    app.ingestor.delete(["c.txt"])
    old = app.retriever.keyword_retriever().retrieve("quokka")  # the index searched is still the old one
    assert {hit.node.metadata["file"] for hit in old if hit.score} == {"a.txt", "c.txt"}
    for passage in app.retriever.retrieve("quokka"):
        assert passage.file != "c.txt" and "quokka" not in passage.text, passage
    assert [p.file for p in app.retriever.retrieve("heron fished")][0] == "b.txt"  # what is unchanged is found
    app.retriever.refresh()
    assert app.retriever.retrieve("wombat")[0].file == "a.txt"
    app.retriever.when_stale(lambda: None)
    (docs / "b.txt").write_text("\nThe heron fished at dawn.\n")  # the same words a line further down
    app.ingestor.ingest([docs])
    assert "heron" not in " ".join(p.text for p in app.retriever.retrieve("heron fished") if p.start_line == 1)


def test_the_keyword_index_is_kept_on_disk_and_loaded_by_the_next_process(
    settings: Settings, news_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every process built it from every chunk as it opened the store: 6.9 s at 21,420 chunks for
    # each `groundline ask`, each server start, each eval.
    import rag.keyword_index

    fake_app(settings).ingestor.ingest([news_dir])
    first = fake_app(settings).retriever
    built = [hit.node.node_id for hit in first.keyword_retriever().retrieve("arms deals")]
    kept = list((settings.data_dir / "keyword-index").iterdir())
    assert len(kept) == 1 and (kept[0] / "version.json").exists()

    def reads_every_chunk(*args, **kwargs):
        raise AssertionError("built again, though the store has not changed")

    with monkeypatch.context() as no_build:
        no_build.setattr(rag.keyword_index, "every_chunk", reads_every_chunk)
        again = build(settings.model_copy(update={"fusion_candidates": 3}), embed_model=HashEmbedding())
        loaded = again.retriever.keyword_retriever()
        asked = min(again.retriever.candidates, len(loaded.corpus))
        assert asked < len(built) and [hit.node.node_id for hit in loaded.retrieve("arms deals")] == built[:asked]
        assert again.retriever.retrieve("who denied arms deals?")[0].file == ARMS_FILE

    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "zebra.txt").write_text("The zebracorn grazed by the river.\n")
    writer = fake_app(settings)
    writer.ingestor.ingest([tmp_path / "more"])  # a new version: built again, kept, the old one removed
    assert writer.retriever.keyword_retriever().retrieve("zebracorn")[0].node.metadata["file"] == "zebra.txt"
    now = list((settings.data_dir / "keyword-index").iterdir())
    assert len(now) == 1 and now != kept


def test_a_kept_keyword_index_that_does_not_load_or_cannot_be_written_is_built(
    settings: Settings, news_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from llama_index.retrievers.bm25 import BM25Retriever

    fake_app(settings).ingestor.ingest([news_dir])
    fake_app(settings).retriever.keyword_retriever()
    (kept,) = (settings.data_dir / "keyword-index").iterdir()
    (kept / "corpus.jsonl").write_text("{not json")  # damaged: a full disk, a hand
    assert fake_app(settings).retriever.retrieve("who denied arms deals?")[0].file == ARMS_FILE
    assert "did not load; building it again" in caplog.text

    def short(self, path: str, **kwargs) -> None:  # kept with a chunk missing: every later hit one off
        self.bm25.save(path, corpus=self.corpus[:-1], show_progress=False)
        (Path(path) / "retriever.json").write_text(json.dumps(self.get_persist_args()))

    shutil.rmtree(settings.data_dir / "keyword-index")
    with monkeypatch.context() as cut:
        cut.setattr(BM25Retriever, "persist", short)
        fake_app(settings).retriever.keyword_retriever()
    caplog.clear()
    assert fake_app(settings).retriever.retrieve("who denied arms deals?")[0].file == ARMS_FILE
    assert "chunks kept for an index of" in caplog.text  # not loaded: built again

    def full(self, path, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(BM25Retriever, "persist", full)
    more = settings.data_dir.parent / "more"
    more.mkdir()
    (more / "zebra.txt").write_text("The zebracorn grazed by the river.\n")
    app = fake_app(settings)
    app.ingestor.ingest([more])
    assert app.retriever.keyword_retriever().retrieve("zebracorn")  # served from memory all the same
    assert "could not keep the keyword index" in caplog.text
    assert not [p for p in (settings.data_dir / "keyword-index").iterdir() if p.name.startswith(".building-")]


def test_with_keep_keyword_index_off_nothing_is_kept(settings: Settings, news_dir: Path) -> None:
    # For a store whose index would take more disk than its owner gives it (3.6 times the text).
    off = settings.model_copy(update={"keep_keyword_index": False})
    fake_app(off).ingestor.ingest([news_dir])
    assert fake_app(off).retriever.retrieve("who denied arms deals?")[0].file == ARMS_FILE
    assert not (settings.data_dir / "keyword-index").exists()


def test_a_sheets_name_is_searched_and_embedded_with_its_rows(settings: Settings, tmp_path: Path) -> None:
    # "Who is on the Crews sheet?" found nothing by the name: it was kept out of what retrieval reads.
    import openpyxl
    from llama_index.core.schema import MetadataMode

    book = openpyxl.Workbook()
    for sheet, title in zip(
        [book.active, book.create_sheet(), book.create_sheet()], ["Crews", "Ports", "Lamps"], strict=True
    ):
        sheet.title = title
        sheet.append(["Name", "Place", "Since"])
        for row in range(60):  # ~250 words a sheet: a chunk or two each (the fake counts words)
            sheet.append([f"Entry{row}", "Skerry", 1990 + row])
    (tmp_path / "books").mkdir()
    book.save(tmp_path / "books" / "register.xlsx")
    app = fake_app(settings)
    app.ingestor.ingest([tmp_path / "books"])
    found = [hit for hit in app.retriever.keyword_retriever().retrieve("crews") if hit.score > 0]
    assert found and all(hit.node.metadata["pages"].startswith("Crews") for hit in found)  # its rows, and only its
    stored = app.vector_store.client.get(include=["metadatas", "documents"])
    chunks = [
        metadata_dict_to_node(meta, text=text)
        for meta, text in zip(stored["metadatas"], stored["documents"], strict=True)
    ]
    assert {node.metadata["pages"] for node in chunks} >= {"Crews", "Ports", "Lamps"}
    for node in chunks:  # embedded with its pages' names, as BM25 reads it; the LLM is told them in its prompt
        assert node.get_content(MetadataMode.EMBED) == f"pages: {node.metadata['pages']}\n\n{node.text}"
        assert node.get_content(MetadataMode.LLM) == node.text
        assert settings.chunk_tokens >= word_count(node.get_content(MetadataMode.EMBED))  # within the budget


def test_a_question_may_be_asked_of_some_documents_alone(settings: Settings, news_dir: Path, tmp_path: Path) -> None:
    # "Only in this report": the best passages came from anywhere in the library.
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "notes.txt").write_text("North Korea was mentioned once in the harbour notes.\nThe lamp was replaced.\n")
    for retrieval in ("hybrid", "vector"):
        app = fake_app(settings.model_copy(update={"retrieval": retrieval, "data_dir": tmp_path / retrieval}))
        app.ingestor.ingest([news_dir, extra])
        anywhere = app.retriever.retrieve("North Korea denied arms deals")
        assert {p.file for p in anywhere} > {"notes.txt"}
        scoped = app.retriever.retrieve("North Korea denied arms deals", files=["notes.txt"])
        assert scoped and {p.file for p in scoped} == {"notes.txt"}  # its chunks only, however few
        both = app.retriever.retrieve("North Korea denied arms deals", files=["notes.txt", ARMS_FILE])
        assert {p.file for p in both} == {"notes.txt", ARMS_FILE} and any(p.covers(ARMS_FILE, 9) for p in both)
        assert app.retriever.retrieve("North Korea", files=["never.txt"]) == []
        # the next process loads the kept keyword index (bm25s then answers with corpus entries)
        again = fake_app(settings.model_copy(update={"retrieval": retrieval, "data_dir": tmp_path / retrieval}))
        assert again.retriever.retrieve("North Korea denied arms deals", files=["notes.txt"]) == scoped


def test_a_server_question_waits_a_little_for_the_rebuild_it_asks_for(settings: Settings, tmp_path: Path) -> None:
    """Another process's write is noticed by a question: it waits for the rebuild (a write's chunks
    alone are read) rather than search an index without them; past the wait, it takes the index as it is."""
    import threading
    import time

    docs = tmp_path / "one"
    docs.mkdir()
    (docs / "a.txt").write_text("The quokka slept.\n")
    app = fake_app(settings)
    app.ingestor.ingest([docs])
    app.retriever.refresh()
    rebuilds: list[threading.Thread] = []

    def rebuild_elsewhere() -> bool:  # as the server's background rebuild
        rebuilds.append(threading.Thread(target=app.retriever.refresh))
        rebuilds[-1].start()
        return True

    app.retriever.when_stale(rebuild_elsewhere, wait_s=60)
    (docs / "b.txt").write_text("The wombat slept.\n")
    app.ingestor.ingest([docs])
    hits = app.retriever.keyword_retriever().retrieve("wombat")
    assert len(rebuilds) == 1 and "wombat" in hits[0].node.get_content()

    def write_on_then_rebuild() -> bool:  # another process writes on: the rebuild reads a later store
        (docs / "d.txt").write_text("The otter swam.\n")
        app.ingestor.ingest([docs])
        return rebuild_elsewhere()

    app.retriever.when_stale(write_on_then_rebuild, wait_s=60)
    (docs / "e.txt").write_text("The stoat ran.\n")
    app.ingestor.ingest([docs])
    asked = time.monotonic()
    assert [p.file for p in app.retriever.retrieve("stoat")][0] == "e.txt"
    assert time.monotonic() - asked < 30  # served by that rebuild, not made to wait out its 60 s for one at its own
    assert len(rebuilds) == 2 and len(app.retriever.keyword_retriever().corpus) == 4
    never: list[int] = []
    app.retriever.when_stale(lambda: never.append(1) or True, wait_s=0.1)  # a rebuild asked for that never comes
    (docs / "c.txt").write_text("The heron fished.\n")
    app.ingestor.ingest([docs])
    stale = app.retriever.keyword_retriever()
    assert never == [1] and len(stale.corpus) == 4
    assert [p.file for p in app.retriever.retrieve("wombat")][0] == "b.txt"
