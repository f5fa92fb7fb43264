"""A Chroma server that goes away while Groundline runs (a real ``chroma run``, stopped): the chat's
services say so plainly, and the API answers 503 with that, instead of failing unexplained."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench.shared_store import chroma_run
from index.errors import StoreUnavailable
from rag.settings import Settings
from tests.conftest import ARMS_FILE, NEWS, fake_app
from ui.server import create_app

GONE = "The Chroma server cannot be reached (ConnectError); try again when it is back."


def test_a_chroma_server_gone_is_said_plainly_everywhere(tmp_path: Path) -> None:
    proc, address = chroma_run(tmp_path / "chroma-server")
    try:
        app = fake_app(Settings(data_dir=tmp_path / "data", chroma_server=address, _env_file=None))
        app.ingestor.ingest([NEWS])
        http = TestClient(create_app(app))
        assert http.get("/healthz").json()["documents"] == 2
    finally:
        proc.terminate()
        proc.wait(10)
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        app.library.files()
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        app.service.ask("who denied arms deals?")
    assert http.get("/healthz").status_code == 503
    asked = http.post("/api/ask", json={"question": "who denied arms deals?"})
    assert asked.status_code == 503 and asked.json() == {"error": GONE}
    viewed = http.get(f"/api/documents/{ARMS_FILE}")
    assert viewed.status_code == 503 and viewed.json()["detail"] == GONE
