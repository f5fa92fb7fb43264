"""``groundline check`` (index.checkup, rag.llm.model_finding) on Chroma on disk with the test fakes:
each check finds what is wrong, says what to do, and --repair mends what it can."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from rag.app import Groundline
from rag.llm import model_finding
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app, live_server

OTHER = "004_29e6f3c5e9546205.txt"


def failing(app: Groundline) -> bool:
    return any(f.level == "fail" for f in app.checkup().findings())


def findings(app: Groundline) -> dict[str, tuple[str, str]]:
    return {f.what: (f.level, f.said) for f in app.checkup().findings()}


def test_a_healthy_store_is_found_whole(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    found = findings(app)
    store_checks = ("data directory", "store", "writes", "consistency", "vector index", "embedder", "readers")
    assert {what: found[what][0] for what in store_checks} == dict.fromkeys(store_checks, "ok")
    assert found["store"][1].endswith(": 2 document(s), 6 chunk(s)")
    assert not failing(app)


def test_chunks_of_no_document_and_a_document_with_no_chunks_fail_and_repair_mends_them(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    chunks = app.vector_store.client
    ghost = chunks.get(where={"file": OTHER}, include=["documents", "metadatas", "embeddings"])
    chunks.add(  # a killed write whose journal was lost left a document's chunks behind
        ids=[f"ghost.txt#{n}" for n in range(len(ghost["ids"]))],
        documents=ghost["documents"],
        metadatas=[
            {**m, "file": "ghost.txt", "ref_doc_id": "ghost.txt", "document_id": "ghost.txt"}
            for m in ghost["metadatas"]
        ],
        embeddings=ghost["embeddings"],
    )
    chunks.delete(where={"file": ARMS_FILE})  # and took another's chunks
    level, said = findings(app)["consistency"]
    assert level == "fail" and "3 chunk(s) of no document (ghost.txt)" in said
    assert f"1 document(s) with no chunk ({ARMS_FILE})" in said and "groundline check --repair" in said
    assert failing(app)

    assert app.checkup().repair() == ["ghost.txt", ARMS_FILE]
    assert findings(app)["consistency"][0] == "ok"
    assert app.ingestor.ingest([news_dir]).added == [ARMS_FILE]  # read again, as the finding said


def test_a_write_cut_short_and_documents_made_otherwise_are_warned_of(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    kept = app.docstore.fingerprint(ARMS_FILE)
    app.docstore.set_fingerprint(ARMS_FILE, {**kept, "signature": kept["signature"].rpartition(";")[0] + ";minilm"})
    app.docstore.set_fingerprint(OTHER, {**app.docstore.fingerprint(OTHER), "reader": 0})
    app.docstore.save()
    app.ingestor.journal.record(["half.txt"])
    found = findings(app)
    assert found["writes"][0] == "warn" and "(half.txt)" in found["writes"][1]
    assert found["embedder"] == (
        "warn",
        f"1 document(s) embedded by another embedder ({ARMS_FILE}), whose vectors answer this one's questions "
        "badly: ingest their folders again",
    )
    assert found["readers"][0] == "warn" and f"({OTHER})" in found["readers"][1]
    assert not failing(app)  # nothing broken: the next ingestion mends them


def test_the_language_model_is_checked_without_loading_it(settings: Settings) -> None:
    local = model_finding(settings)  # a new models folder: the packaged parts, not yet joined
    assert local.level == "ok" and "22 parts are installed, to be joined at the first question" in local.said

    models = FastAPI()
    models.get("/v1/models")(lambda: {"object": "list", "data": [{"id": "qwen2.5:1.5b"}]})
    with live_server(models) as url:
        served = settings.model_copy(update={"llm": "openai", "llm_base_url": f"{url}/v1", "llm_model": "qwen2.5:1.5b"})
        assert model_finding(served).level == "ok"
        other = served.model_copy(update={"llm_model": "llama3"})
        assert model_finding(other).said.endswith("serves qwen2.5:1.5b, not llama3")
    gone = model_finding(served)  # the server stopped
    assert gone.level == "fail" and "does not answer" in gone.said
