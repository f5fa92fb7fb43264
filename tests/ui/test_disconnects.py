"""A reader who goes mid-answer stops the model at once: a live server, a streaming fake model."""

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.llms import CompletionResponse, CompletionResponseGen

from rag.answering import AnswerService
from rag.app import build
from rag.settings import Settings
from tests.conftest import live_server
from tests.fakes import HashEmbedding, ReadingLLM, ScriptedLLM, word_count
from ui.server import create_app


class DrippingLLM(ScriptedLLM):
    """Streams a word every 50 ms, up to 1,200 of them (a minute); notes each stream's end."""

    words: int = 0
    ended: Any = None

    def __init__(self) -> None:
        super().__init__()
        self.ended = threading.Event()

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            try:
                for n in range(1200):
                    time.sleep(0.05)
                    self.words += 1
                    text += f"w{n} "
                    yield CompletionResponse(text=text, delta=f"w{n} ")
            finally:
                self.ended.set()

        return gen()


@contextmanager
def serving(settings: Settings, news_dir: Path, llm: Any) -> Iterator[tuple[httpx.Client, Any, Any, AnswerService]]:
    """A real server (a client going is its connection closing) over ``llm``, which holds the local
    model's lock while it streams, as the packaged one does."""
    quiet = settings.model_copy(
        update={"min_relevance": -1.0, "verify": False, "rate_limit_per_minute": 0, "max_pending_per_client": 1}
    )
    app = build(quiet, embed_model=HashEmbedding(), token_counter=word_count, llm=llm)
    app.service.llm_guard = threading.Lock()
    app.ingestor.ingest([news_dir])
    with live_server(create_app(app)) as url:
        gc.disable()  # what is closed here must be closed by the server, not found later by the collector
        try:
            with httpx.Client(base_url=url, timeout=10) as http:
                yield http, llm, app.service.llm_guard, app.service
        finally:
            gc.enable()


@pytest.fixture
def live(settings: Settings, news_dir: Path) -> Iterator[tuple[httpx.Client, DrippingLLM, Any, AnswerService]]:
    """A server over a model that drips a word every 50 ms."""
    with serving(settings, news_dir, DrippingLLM()) as served:
        yield served


@pytest.fixture
def reading(settings: Settings, news_dir: Path) -> Iterator[tuple[httpx.Client, ReadingLLM, Any, AnswerService]]:
    """A server over a model that reads each prompt for 30 s before its first word."""
    with serving(settings, news_dir, ReadingLLM(["North Korea denied it."] * 3)) as served:
        yield served


def stopped(llm: DrippingLLM, guard: Any) -> bool:
    """Whether the model's stream ended and its lock came back within 5 s."""
    return llm.ended.wait(5) and guard.acquire(timeout=5) and (guard.release() or True)


ASKED = {
    "api": ("/api/ask", {"question": "who denied arms deals?", "stream": True}),
    "openai": (
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": "who denied arms deals?"}], "stream": True},
    ),
}


def leave_mid_answer(http: httpx.Client, way: str) -> None:
    """Ask, and go a few words into the answer: a client of the API (``way``: "api", "openai")
    closing its connection, or a chat page ("page") closing; Gradio closes an event's generator as
    its page goes (its heartbeat connection closing)."""
    if way in ASKED:
        path, body = ASKED[way]
        with http.stream("POST", path, json=body) as streamed:
            lines = streamed.iter_lines()
            while "w2" not in next(lines):
                pass
        return
    with page_asking(http):  # the page is open, and asks ...
        with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": "s0"}) as data:
            lines = data.iter_lines()
            while "w2" not in next(lines):
                pass
    # ... and closes


@contextmanager
def page_asking(http: httpx.Client) -> Iterator[None]:
    """A chat page (session "s0") open while the block runs, its question asked: its heartbeat's
    connection held, closed as the block ends."""
    ask = next(d["id"] for d in http.get("/config").json()["dependencies"] if d.get("api_name") == "ask")
    with http.stream("GET", "/gradio_api/heartbeat/s0") as beat:
        alive = beat.iter_lines()  # (kept: a line iterator let go closes the connection)
        next(alive)
        body = {"data": ["who denied arms deals?", [], []], "fn_index": ask, "session_hash": "s0"}
        assert http.post("/gradio_api/queue/join", json=body).status_code == 200
        yield


@pytest.mark.parametrize("way", ["api", "openai"])
def test_a_client_that_goes_mid_answer_stops_the_model(live, way: str) -> None:
    # Starlette left the answer's generator suspended: the model's lock stayed held (every other
    # question waited) until the garbage collector came by
    http, llm, guard, _ = live
    leave_mid_answer(http, way)
    assert stopped(llm, guard) and llm.words < 100
    llm.ended.clear()
    path, body = ASKED[way]
    with http.stream("POST", path, json=body) as again:  # the next is answered at once: its one place is back
        assert any("w0" in line for line in again.iter_lines())
    assert stopped(llm, guard)


@pytest.mark.parametrize("way", ["api", "openai"])
def test_a_client_that_goes_before_its_whole_answer_stops_the_model(live, way: str) -> None:
    # Asked for the answer whole (no stream), the route waited for it in a worker thread, and nothing told
    # it the client went: the model wrote on to its end (here a minute) for nobody, every question waiting
    http, llm, guard, _ = live
    path, body = ASKED[way]
    with pytest.raises(httpx.ReadTimeout):
        http.post(path, json={**body, "stream": False}, timeout=1)  # a client that gives up after a second
    assert stopped(llm, guard) and llm.words < 100
    assert 'groundline_answers_total{outcome="cancelled",withheld_by=""} 1.0' in http.get("/metrics").text


def test_a_chat_page_that_closes_mid_answer_stops_the_model(live) -> None:
    http, llm, guard, _ = live
    leave_mid_answer(http, "page")
    assert stopped(llm, guard) and llm.words < 100


@pytest.mark.parametrize("way", ["api", "openai", "page"])
def test_a_stopped_answer_ends_while_the_server_answers_others(live, way: str) -> None:
    """Gradio and Starlette close a stopped answer's generator on the server's event loop, and its
    ending ran there: the local model's state kept (~1 s on 2 cores), every page and request of
    every reader waiting behind it. Here the ending waits until the server has answered another
    request: on the loop, it never would."""
    http, llm, guard, service = live
    ending, answered = threading.Event(), threading.Event()

    def keeping() -> None:  # as the local model's state is kept (rag.llm.prompt_keeping)
        ending.set()
        answered.wait(10)

    service.keeping = keeping
    leave_mid_answer(http, way)
    assert ending.wait(5)
    assert http.get("/healthz", timeout=5).status_code == 200  # while the ending goes on
    answered.set()
    assert stopped(llm, guard)  # the lock given back once the state is kept


def test_a_chat_page_that_closes_while_the_model_reads_its_prompt_stops_it_at_its_next_batch(reading) -> None:
    # Gradio closes a closed page's answer only at its next yield: the model read its whole prompt
    # first (15-20 s on 2 cores), every other question waiting. The page's unload stops it.
    http, llm, guard, _ = reading
    with page_asking(http):  # the page is open, and asks ...
        assert llm.began.wait(10) and not llm.halted.wait(0.5)  # reading, the page still open
    # ... and closes
    assert llm.halted.wait(5) and guard.acquire(timeout=5)
    guard.release()


def test_a_whole_answers_client_that_goes_while_the_model_reads_its_prompt_stops_it_there(reading) -> None:
    http, llm, guard, _ = reading
    path, body = ASKED["api"]
    with pytest.raises(httpx.ReadTimeout):
        http.post(path, json={**body, "stream": False}, timeout=1)  # gives up a second into the reading
    assert llm.halted.wait(5) and guard.acquire(timeout=5)
    guard.release()
    assert 'groundline_answers_total{outcome="cancelled",withheld_by=""} 1.0' in http.get("/metrics").text


@pytest.mark.parametrize("way", ["api", "openai"])
def test_a_streaming_client_that_goes_while_the_model_reads_its_prompt_stops_it_at_its_next_batch(
    reading, way: str
) -> None:
    # Starlette stops asking for steps as the client goes, but the step still running (the model reading
    # its prompt, 15-20 s on 2 cores) ran to its first token before the answer could be closed
    http, llm, guard, _ = reading
    path, body = ASKED[way]
    with http.stream("POST", path, json=body):
        assert llm.began.wait(10) and not llm.halted.wait(0.5)  # reading, the client still there
    assert llm.halted.wait(5) and guard.acquire(timeout=5)
    guard.release()
