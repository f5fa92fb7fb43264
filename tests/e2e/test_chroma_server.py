"""Ingestion and questions against a real `chroma run` server on localhost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from index.lease import LOCK_ID
from rag.app import build
from rag.settings import Settings
from tests.conftest import ARMS_FILE, NEWS
from tests.e2e.conftest import BIN, Server, free_port, groundline, serve
from tests.e2e.test_answers import QUESTION, assert_names_north_korea_citing_line_9

pytestmark = pytest.mark.e2e


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A live ``chroma run`` on localhost; its ``host:port``."""
    port = free_port()
    server = Server(
        [str(BIN / "chroma"), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
         "--port", str(port)],
        port, "/api/v2/heartbeat", tmp_path / "chroma.log",
    )  # fmt: skip
    yield f"127.0.0.1:{port}"
    server.stop()


def test_ingest_and_ask_through_a_chroma_server(tmp_path: Path, local_app, chroma_server: str) -> None:
    settings = Settings(
        data_dir=tmp_path / "client", chroma_server=chroma_server,
        models_dir=local_app.settings.model_files_dir, _env_file=None,
    )  # fmt: skip
    app = build(settings, llm=local_app.llm)  # the same real 1.5B model, loaded once
    report = app.ingestor.ingest([NEWS])
    assert report.added and not (tmp_path / "client" / "chroma").exists()  # vectors live on the server
    assert app.vector_store.client.count() == report.chunks
    assert_names_north_korea_citing_line_9(app.service.ask(QUESTION).to_json())


def test_the_command_line_ingests_beside_a_running_server_and_it_answers_from_that(
    tmp_path: Path, chroma_server: str
) -> None:
    # With a Chroma server, no process owns the store: a running `groundline serve` does not keep
    # the command line out (as it must with embedded Chroma), and it reads what the command line wrote,
    # on its machine or on another (its own data dir): the document store is on the server too.
    served = serve(tmp_path / "south", tmp_path / "serve.log", GROUNDLINE_CHROMA_SERVER=chroma_server)
    try:
        assert served.fetch_json("/healthz")["documents"] == 0  # it started on an empty store
        other = NEWS / "004_29e6f3c5e9546205.txt"
        for data_dir, file in (("south", other), ("north", NEWS / ARMS_FILE)):  # this machine, then another
            done = groundline("ingest", str(file), data_dir=tmp_path / data_dir, GROUNDLINE_CHROMA_SERVER=chroma_server)
            assert done.returncode == 0, done.stderr
            assert "1 added" in done.stdout
        assert not (tmp_path / "north" / "docstore.sqlite3").exists()  # nothing of it kept on that machine
        assert served.fetch_json("/healthz")["documents"] == 2
        assert_names_north_korea_citing_line_9(served.fetch_json("/api/ask", {"question": QUESTION}))
        viewed = served.fetch_json(f"/api/documents/{ARMS_FILE}")  # the cited file opens here
        assert "North Korea" in viewed["lines"][8]
        # both searches, through the server: the ranked one, and a quoted one by Chroma's own text search
        ranked = served.fetch_json("/api/search", {"query": QUESTION})["hits"]
        assert (ranked[0]["file"], ranked[0]["start_line"]) == (ARMS_FILE, 9)
        places = served.fetch_json("/api/search", {"query": '"matsegora"'})
        assert places["exact"] and [(h["file"], h["start_line"], h["quote"]) for h in places["hits"]] == [
            (ARMS_FILE, 11, "Matsegora")
        ]
        again = groundline("ingest", str(NEWS), data_dir=tmp_path / "north", GROUNDLINE_CHROMA_SERVER=chroma_server)
        assert "2 unchanged" in again.stdout, again.stdout  # known there, though ingested here
        host, _, port = chroma_server.rpartition(":")
        shared = chromadb.HttpClient(host=host, port=int(port)).get_collection("groundline-docstore")
        assert shared.get(ids=[LOCK_ID])["ids"] == []  # each writer's lease went when it was done
    finally:
        served.stop()
