"""Ingestion and questions against a real `chroma run` server on localhost."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.app import build
from rag.settings import Settings
from tests.conftest import NEWS
from tests.e2e.conftest import BIN, Server, free_port
from tests.e2e.test_answers import QUESTION, assert_names_north_korea_citing_line_9

pytestmark = pytest.mark.e2e


def test_ingest_and_ask_through_a_chroma_server(tmp_path: Path, local_app) -> None:
    port = free_port()
    server = Server(
        [str(BIN / "chroma"), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
         "--port", str(port)],
        port, "/api/v2/heartbeat", tmp_path / "chroma.log",
    )  # fmt: skip
    try:
        settings = Settings(
            data_dir=tmp_path / "client", chroma_server=f"127.0.0.1:{port}",
            models_dir=local_app.settings.model_files_dir, _env_file=None,
        )  # fmt: skip
        app = build(settings, llm=local_app.llm)  # the same real 1.5B model, loaded once
        report = app.ingestor.ingest([NEWS])
        assert report.added and not (tmp_path / "client" / "chroma").exists()  # vectors live on the server
        assert app.vector_store.client.count() == report.chunks
        assert_names_north_korea_citing_line_9(app.service.ask(QUESTION).to_json())
    finally:
        server.stop()
