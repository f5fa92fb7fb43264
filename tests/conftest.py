"""Shared fixtures: settings on a temporary data dir, fake models, the sample corpus."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.app import Groundline, build
from rag.settings import Settings
from tests.fakes import HashEmbedding, ScriptedLLM, word_count

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "examples" / "news"
ARMS_FILE = "000_c3c639a3a8103260.txt"


E2E = ROOT / "tests" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is marked e2e, whether or not its file says so: `make test` runs the
    unit tests (``-m "not e2e"``) on two workers and the end-to-end tests after them, one at a time."""
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data dir, independent of the environment's.

    The relevance gate is off: its threshold is calibrated for MiniLM cosines,
    and the fake embedder's scale differs (the gate has its own tests).
    """
    return Settings(data_dir=tmp_path / "data", min_relevance=-1.0, _env_file=None)


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    """A private copy of the sample corpus that a test may modify."""
    target = tmp_path / "news"
    shutil.copytree(NEWS, target)
    return target


def fake_app(settings: Settings, replies: list[str] | None = None) -> Groundline:
    """Groundline with the deterministic embedder, word counter and scripted LLM."""
    return build(
        settings,
        embed_model=HashEmbedding(),
        token_counter=word_count,
        llm=ScriptedLLM(replies or []),
    )


def free_port() -> int:
    """A local port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app, port: int | None = None) -> Iterator[str]:
    """``app`` (ASGI) served by a real uvicorn on a local port, in a thread, until the block ends:
    its base URL. Real connections: a client going is its connection closing. Open requests get a
    second to finish as it stops, as ``groundline serve`` gives them ``shutdown_grace_s``: a stream a
    client left open (Gradio's client leaves its queue's) would hold it until the join gave up."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
