"""Real components only: packaged MiniLM and Qwen models, Chroma on disk,
live servers on localhost, Debian's Chromium."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.app import Groundline, build
from rag.settings import Settings
from tests.conftest import NEWS, free_port

BIN = Path(sys.executable).parent

# One models dir for the whole run (the joined GGUF, the locally exported ONNX embedder), unless a test
# names its own: preparing them per data dir would cost minutes. Subprocesses inherit it. One made here
# (~1.7 GB once filled) is removed when the run ends; one given in the environment is the caller's.
if "GROUNDLINE_MODELS_DIR" not in os.environ:
    os.environ["GROUNDLINE_MODELS_DIR"] = tempfile.mkdtemp(prefix="groundline-models-")
    atexit.register(shutil.rmtree, os.environ["GROUNDLINE_MODELS_DIR"], ignore_errors=True)
# Likewise one folder of the local model's prompt states (GROUNDLINE_LLM_CACHE_DIR), new for each run:
# the first process to ask a question reads its prompt in full, and the others (servers, the command
# line) resume it, as a restarted server would.
os.environ["GROUNDLINE_LLM_CACHE_DIR"] = tempfile.mkdtemp(prefix="groundline-prompts-")
atexit.register(shutil.rmtree, os.environ["GROUNDLINE_LLM_CACHE_DIR"], ignore_errors=True)


def groundline(*args: str, data_dir: Path, timeout: float = 600, **env_vars: str) -> subprocess.CompletedProcess:
    """Run the installed console script, as a user would (``env_vars``: more of its environment)."""
    env = {**os.environ, **env_vars, "GROUNDLINE_DATA_DIR": str(data_dir)}
    return subprocess.run([str(BIN / "groundline"), *args], env=env, capture_output=True, text=True, timeout=timeout)


class Server:
    """A process serving HTTP on localhost, stopped when the test ends."""

    def __init__(
        self, cmd: list[str], port: int, ready_path: str, log: Path, env: dict | None = None,
        data_dir: Path | None = None,
    ):  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log
        self.data_dir = data_dir  # the one it serves, if any
        self.proc = subprocess.Popen(
            cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        self._wait(ready_path)

    def _wait(self, path: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log.read_text()[-3000:]}")

    def fetch_json(self, path: str, body: dict | None = None, timeout: float = 300, **headers: str) -> dict:
        """GET ``path`` (or POST ``body`` to it as JSON, with more ``headers``) and read the JSON reply."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **headers}
        request = urllib.request.Request(self.url + path, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return json.load(resp)

    def stop(self, timeout: float = 20) -> bool:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; whether SIGTERM alone stopped it."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False


def serve(data_dir: Path, log: Path, **env_vars: str) -> Server:
    """A live ``groundline serve`` on a free port over ``data_dir`` (``env_vars``: more of its environment).
    It stops half a second after SIGTERM, not the default 5 s: a test's open page holds a stream."""
    port = free_port()
    command = [str(BIN / "groundline"), "serve", "--port", str(port)]
    env = {"GROUNDLINE_DATA_DIR": str(data_dir), "GROUNDLINE_SHUTDOWN_GRACE_S": "0.5", **env_vars}
    return Server(command, port, "/healthz", log, env=env, data_dir=data_dir)


@pytest.fixture(scope="session")
def cli_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir filled by the real ``groundline ingest`` command."""
    data_dir = tmp_path_factory.mktemp("cli-data")
    done = groundline("ingest", str(NEWS), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout
    return data_dir


@pytest.fixture(scope="session")
def local_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Groundline]:
    """The default deployment (local 1.5B model) with the sample corpus ingested."""
    app = build(Settings(data_dir=tmp_path_factory.mktemp("local-data"), _env_file=None))
    app.ingestor.ingest([NEWS])
    yield app


@pytest.fixture(scope="session")
def served(cli_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A live ``groundline serve`` (real models) on a copy of the CLI-ingested sample corpus (a
    server does every write to its data dir; tests go on using the original)."""
    work = tmp_path_factory.mktemp("serve")
    shutil.copytree(cli_data_dir, work / "data")
    (work / "watched").mkdir()  # a folder it keeps ingested (empty until a test drops a file in)
    server = serve(work / "data", work / "serve.log", GROUNDLINE_WATCH_DIRS=json.dumps([str(work / "watched")]))
    server.watched = work / "watched"
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; nothing downloads a browser."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.exists(chromium), "Debian's chromium is missing: run `make browser`"
    with sync_playwright() as pw:
        yield pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )


def ask_and_open_citation(scope, question: str, citation_text: str | None = None):
    """In the chat inside ``scope`` (a page or an iframe): ask, wait for a citation
    (one showing ``citation_text``, if given), open it; returns the highlighted line."""
    box = scope.locator("#gl-question textarea")
    box.fill(question)
    box.press("Enter")
    citation = scope.locator(".gl-citation", has_text=citation_text).first
    citation.wait_for(timeout=180_000)
    citation.click()
    highlighted = scope.locator("#gl-viewer .gl-hl").first
    highlighted.wait_for(timeout=30_000)
    return highlighted
