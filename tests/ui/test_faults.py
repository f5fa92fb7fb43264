"""Faults: a dead or stalling LLM, and a data dir that cannot be written."""

import errno
import socket
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.pipeline import DataDirError
from index.store import DocStore
from rag.app import build
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from tests.fakes import HashEmbedding, word_count
from ui.server import create_app


class StallingServer:
    """Accepts connections on localhost and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def stalling():
    server = StallingServer()
    yield server
    server.close()


def test_a_stalling_llm_gives_a_clear_error_within_the_timeout_and_the_server_stays_up(
    settings: Settings, news_dir: Path, stalling: StallingServer
) -> None:
    s = settings.model_copy(update={"llm": "openai", "llm_base_url": f"http://127.0.0.1:{stalling.port}/v1",
                                    "llm_model": "x", "llm_timeout_s": 1.0})  # fmt: skip
    app = build(s, embed_model=HashEmbedding(), token_counter=word_count)
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    start = time.monotonic()
    resp = http.post("/api/ask", json={"question": "who denied arms deals?"})
    assert time.monotonic() - start < 15
    assert resp.status_code == 503 and "language model failed" in resp.json()["error"]
    assert http.get("/healthz").json()["status"] == "ok"
    streamed = http.post("/api/ask", json={"question": "who denied arms deals?", "stream": True})
    assert "event: error" in streamed.text


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_data_dir_that_cannot_be_written_is_a_clear_error_and_loses_nothing(
    settings: Settings, news_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    before = {e.path: e.chunks for e in app.library.entries()}
    more = tmp_path / "more"
    more.mkdir()
    (more / "new.txt").write_text("A new document about harbours.\n")

    def fail(self) -> None:
        raise OSError(code, "disk trouble")

    monkeypatch.setattr(DocStore, "save", fail)
    with pytest.raises(DataDirError, match="Cannot write to the data directory.*Documents stored before are kept"):
        app.ingestor.ingest([more])
    monkeypatch.undo()
    assert not app.docstore.kv.pending  # its half-written batch is forgotten, not left holding the store
    reopened = fake_app(settings)  # the half-written document is gone, the rest intact
    assert {e.path: e.chunks for e in reopened.library.entries()} == before
    assert reopened.vector_store.client.count() == sum(before.values())
    assert ARMS_FILE in reopened.library.files()
