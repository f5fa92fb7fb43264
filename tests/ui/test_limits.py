"""Rate limits, the bounded queue and the chat token, at unit and HTTP level."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import fake_app, live_server
from tests.fakes import ScriptedLLM
from ui.limits import MAX_BODY_BYTES, Admission, Drained, QueueShares, RateLimiter
from ui.server import create_app

ASK = {"question": "who denied arms deals?"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_burst_then_refills_per_client() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=2, clock=clock)
    assert [limiter.retry_after("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.retry_after("a") == pytest.approx(10.0)  # one token every 10 s
    assert limiter.retry_after("b") == 0.0  # other clients are unaffected
    clock.now = 10.0
    assert limiter.retry_after("a") == 0.0


def test_admission_refuses_beyond_its_limit_and_frees_places() -> None:
    admission = Admission(1)
    with admission.slot():
        with pytest.raises(HTTPException) as refused:
            admission.enter()
        assert refused.value.status_code == 503
    admission.enter()  # freed
    admission.leave()
    body = admission.streamed(iter(["a", "b"]))
    assert admission.count == 1  # the stream holds its place from the start...
    assert list(body) == ["a", "b"]
    assert admission.count == 0  # ...until it ends


def test_one_client_holds_at_most_its_share_of_the_places() -> None:
    # A script could hold all 8 places with 8 slow questions: everyone else got 503 until it was done.
    admission = Admission(4, QueueShares(2, expire_s=60))
    with admission.slot("10.0.0.5"), admission.slot("10.0.0.5"):
        with pytest.raises(HTTPException) as refused:
            admission.enter("10.0.0.5")
        assert refused.value.status_code == 429 and refused.value.headers["Retry-After"] == "5"
        assert "2 questions running or waiting already" in refused.value.detail
        with admission.slot("10.0.0.6"), admission.slot("10.0.0.6"):  # another client still gets in
            with pytest.raises(HTTPException) as full:
                admission.enter("10.0.0.7")
            assert full.value.status_code == 503  # the whole house is full
    assert admission.count == 0 and not admission.shares.taken  # every place given back, no address kept
    with admission.slot("10.0.0.5"), admission.slot("10.0.0.5"), admission.slot("10.0.0.6"):
        pass  # freed
    unlimited = Admission(3)
    with unlimited.slot("a"), unlimited.slot("a"), unlimited.slot("a"):
        assert unlimited.count == 3


def test_the_api_gives_each_address_its_share(settings: Settings, news_dir: Path) -> None:
    entered, release = threading.Semaphore(0), threading.Event()

    class Stalling(ScriptedLLM):
        def stream_complete(self, prompt, formatted=False, **kwargs):
            entered.release()
            release.wait(10)
            return super().stream_complete(prompt, formatted, **kwargs)

    _, http = client(settings, news_dir, max_pending_per_client=1, llm=Stalling(["North Korea denied it."] * 2))
    first: dict = {}
    worker = threading.Thread(target=lambda: first.update(r=http.post("/api/ask", json=ASK)))
    worker.start()
    try:
        assert entered.acquire(timeout=10)
        again = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "who denied?"}]})
        assert again.status_code == 429 and again.headers["retry-after"] == "5"
        streamed = http.post("/api/ask", json={**ASK, "stream": True})
        assert streamed.status_code == 429 and "running or waiting already" in streamed.json()["detail"]
        # the chat's queue counts the same share: 4 places over the API and 4 in the chat were all 8
        ask = next(d["id"] for d in http.get("/config").json()["dependencies"] if d.get("api_name") == "ask")
        body = {"data": ["who denied arms deals?", [], []], "fn_index": ask, "session_hash": "page"}
        chat = http.post("/gradio_api/queue/join", json=body)
        assert chat.status_code == 422 and "Your earlier questions (1) are still waiting" in chat.text
    finally:
        release.set()
        worker.join(10)
    assert first["r"].status_code == 200
    assert http.post("/api/ask", json=ASK).status_code == 200  # its place is given back


def client(settings: Settings, news_dir: Path, replies: int = 5, llm=None, **update) -> tuple:
    app = fake_app(settings.model_copy(update=update), ["North Korea has denied supplying weapons."] * replies)
    if llm is not None:
        app._llm = llm
    app.ingestor.ingest([news_dir])
    return app, TestClient(create_app(app))


def test_too_many_questions_from_one_address_get_429_with_retry_after(settings: Settings, news_dir: Path) -> None:
    _, http = client(settings, news_dir, rate_limit_per_minute=12)  # burst of 2
    codes = [http.post("/api/ask", json=ASK).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def test_a_full_queue_answers_503_not_a_hang(settings: Settings, news_dir: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    class Stalling(ScriptedLLM):
        def stream_complete(self, prompt, formatted=False, **kwargs):
            entered.set()  # the first question now holds the only place
            release.wait(10)
            return super().stream_complete(prompt, formatted, **kwargs)

    _, http = client(settings, news_dir, max_pending=1, llm=Stalling(["North Korea has denied it."]))
    first: dict = {}
    worker = threading.Thread(target=lambda: first.update(r=http.post("/api/ask", json=ASK)))
    worker.start()
    try:
        assert entered.wait(10)
        second = http.post("/api/ask", json=ASK)
        assert second.status_code == 503 and "busy" in second.json()["detail"]
    finally:
        release.set()
        worker.join(10)
    assert first["r"].status_code == 200


def test_a_chat_token_protects_the_api(settings: Settings, news_dir: Path) -> None:
    _, http = client(settings, news_dir, chat_token="letmein")
    assert http.post("/api/ask", json=ASK).status_code == 401
    assert http.get("/api/documents/000_c3c639a3a8103260.txt").status_code == 401
    ok = http.post("/api/ask", json=ASK, headers={"Authorization": "Bearer letmein"})
    assert ok.status_code == 200
    assert http.get("/healthz").status_code == 200  # health stays open for probes


def test_a_chat_token_also_guards_the_browser_chat(settings: Settings, news_dir: Path) -> None:
    _, http = client(settings, news_dir, chat_token="letmein")
    assert http.get("/config").status_code == 401  # the chat's app config needs a login
    assert http.post("/login", data={"username": "anyone", "password": "wrong"}).status_code == 400
    assert http.post("/login", data={"username": "anyone", "password": "letmein"}).status_code == 200
    assert http.get("/config").status_code == 200


def test_a_body_over_the_limit_gets_413_before_it_is_read_and_a_normal_one_passes(
    settings: Settings, news_dir: Path
) -> None:
    _, http = client(settings, news_dir)
    history = [{"role": "user", "content": "x" * 1000}] * (MAX_BODY_BYTES // 1000)
    for route in ("/api/ask", "/v1/chat/completions", "/gradio_api/queue/join"):
        refused = http.post(route, json={**ASK, "history": history, "messages": history})
        assert refused.status_code == 413 and "too large" in refused.json()["detail"], route
    # a chunked body (no Content-Length) is counted as it streams in
    chunks = (b'{"question": "' + b"x" * 65536 for _ in range(20))
    assert http.post("/api/ask", content=chunks).status_code == 413
    assert http.post("/api/ask", json={**ASK, "history": history[:100]}).status_code == 200  # 100 KB of history


def test_a_request_refused_before_its_body_was_read_has_it_read_before_the_refusal_goes_out() -> None:
    # closed with the body still coming, the connection is reset under the sender: nginx in front
    # answered 502 instead of the refusal (tests/e2e/test_proxy.py sends one through a real nginx)
    async def refuses(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 401, "headers": []})
        await send({"type": "http.response.body", "body": b"wrong token"})

    def run(length: int, chunks: int, *headers: tuple[bytes, bytes]) -> tuple[int, list[str]]:
        pending = [{"type": "http.request", "body": b"x" * 10, "more_body": i < chunks - 1} for i in range(chunks)]
        events = []

        async def receive() -> dict:
            events.append("read")
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            events.append(message["type"])

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/",
            "headers": [(b"content-length", str(length).encode()), *headers],
        }
        with ThreadPoolExecutor(1) as thread:  # a loop of its own: a test before may leave one running in this
            thread.submit(asyncio.run, Drained(refuses, most=100)(scope, receive, send)).result()
        return len(pending), events

    assert run(50, 5) == (0, ["read"] * 5 + ["http.response.start", "http.response.body"])  # read, then refused
    assert run(500, 50) == (50, ["http.response.start", "http.response.body"])  # declared over the most: not read
    assert run(0, 0) == (0, ["http.response.start", "http.response.body"])  # no body
    # a client waiting to be asked for its body (curl's uploads) was not asked: it sent none, and need not
    assert run(50, 5, (b"expect", b"100-continue")) == (5, ["http.response.start", "http.response.body"])


def test_the_chat_is_rate_limited_per_address_like_the_api(settings: Settings, monkeypatch) -> None:
    # A real uvicorn (as `groundline serve` runs it) and Gradio's own client; no model is asked: an empty
    # question is counted all the same. (An end-to-end test until the thirteenth sitting: it started
    # a server with the real models for it, 14 s of that stage.)
    from gradio_client import Client
    from gradio_client.exceptions import ValidationError

    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1,127.0.0.2")  # a proxy "elsewhere": connections from .2
    app = fake_app(settings.model_copy(update={"rate_limit_per_minute": 1}))
    with live_server(create_app(app)) as url:
        chat = Client(url + "/", verbose=False)
        try:
            reply = chat.predict("   ", api_name="/ask")[0][-1]["content"][0]["text"]
            assert reply == "⚠️ Please type a question about your documents."  # counted all the same
            with pytest.raises(ValidationError, match="question: Too many questions from this address"):
                chat.predict("   ", api_name="/ask")  # refused as it joins the queue
        finally:
            chat.close()  # its open stream would hold the server's shutdown
        assert (
            httpx.post(url + "/api/ask", json={"question": "who?"}).status_code == 429
        )  # and the API draws on the same budget
        # behind a reverse proxy on this machine, each client is its forwarded address (uvicorn's default)
        assert (
            httpx.post(url + "/api/ask", json={"question": " "}, headers={"X-Forwarded-For": "203.0.113.7"}).status_code
            == 400
        )  # admitted: not 429

        # a proxy elsewhere is believed only where FORWARDED_ALLOW_IPS names it (127.0.0.2 here, not .3)
        def from_(source: str, forwarded_for: str) -> int:
            with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30) as http:
                body = {"question": " "}
                return http.post(url + "/api/ask", json=body, headers={"X-Forwarded-For": forwarded_for}).status_code

        assert [from_("127.0.0.2", "198.51.100.1"), from_("127.0.0.2", "198.51.100.1")] == [400, 429]
        assert from_("127.0.0.2", "198.51.100.2") == 400  # another client behind that proxy: its own budget
        assert [from_("127.0.0.3", "198.51.100.3"), from_("127.0.0.3", "198.51.100.4")] == [400, 429]  # one budget
