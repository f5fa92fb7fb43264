"""Clients people already use, against a live ``groundline serve`` with the real models."""

from __future__ import annotations

import json
import re
import urllib.error
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARMS_FILE
from tests.e2e.conftest import Server, groundline, serve
from tests.e2e.test_answers import QUESTION, assert_names_north_korea_citing_line_9

pytestmark = pytest.mark.e2e


def test_official_openai_client_plain_and_streaming(served: Server) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{served.url}/v1", api_key="unused", timeout=300)
    reply = client.chat.completions.create(model="groundline", messages=[{"role": "user", "content": QUESTION}])
    message = reply.choices[0].message
    extra = message.model_extra
    assert_names_north_korea_citing_line_9(
        {"answer": message.content, "abstained": extra["abstained"], "citations": extra["citations"]}
    )
    assert f"{ARMS_FILE}, line 9" in message.content

    chunks = list(
        client.chat.completions.create(
            model="groundline", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3 and "North Korea" in text and "Sources:" in text
    last = chunks[-1].choices[0]
    assert last.finish_reason == "stop"
    assert any(c["start_line"] <= 9 <= c["end_line"] for c in last.delta.model_extra["citations"])


def test_gradio_client_calls_the_chat(served: Server) -> None:
    from gradio_client import Client

    chat, textbox = Client(served.url + "/", verbose=False).predict(QUESTION, api_name="/ask")
    reply = chat[-1]
    text = reply["content"] if isinstance(reply["content"], str) else reply["content"][0]["text"]
    assert "North Korea" in text and f"{ARMS_FILE} · line 9" in text
    assert textbox == ""


def test_api_ask_json_and_documents(served: Server) -> None:
    assert_names_north_korea_citing_line_9(served.fetch_json("/api/ask", {"question": QUESTION}))
    assert "North Korea has repeatedly denied" in served.fetch_json(f"/api/documents/{ARMS_FILE}")["lines"][8]


def test_the_command_line_on_another_machine_asks_the_server(served: Server, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"  # a data dir of its own, never opened
    streamed = groundline("ask", "--server", served.url, QUESTION, data_dir=elsewhere)
    assert streamed.returncode == 0, streamed.stderr
    assert "North Korea" in streamed.stdout
    cited = re.findall(rf"^\[\d+\] {re.escape(ARMS_FILE)}:(\d+)-(\d+)  ", streamed.stdout, re.MULTILINE)
    assert any(int(start) <= 9 <= int(end) for start, end in cited), streamed.stdout
    links = re.findall(r"^    (http://\S+)$", streamed.stdout, re.MULTILINE)  # each source's, under it
    assert len(links) == len(cited) and all(link.startswith(served.url + "/?file=") for link in links)
    assert httpx.get(links[0], timeout=30).status_code == 200  # the page it opens (what it shows: test_browser)
    whole = groundline("ask", "--server", served.url, "--json", QUESTION, data_dir=elsewhere)
    assert_names_north_korea_citing_line_9(json.loads(whole.stdout))
    assert not elsewhere.exists()
    wrong = groundline("ask", "--server", served.url + "/nowhere", QUESTION, data_dir=elsewhere)
    assert wrong.returncode == 1 and "is it a Groundline server?" in wrong.stderr


def test_the_chat_is_rate_limited_per_address_like_the_api(tmp_path: Path) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import ValidationError

    server = serve(
        tmp_path / "data", tmp_path / "serve.log", GROUNDLINE_RATE_LIMIT_PER_MINUTE="1",
        FORWARDED_ALLOW_IPS="127.0.0.1,127.0.0.2",  # a proxy "elsewhere": connections from 127.0.0.2
    )  # fmt: skip
    try:
        chat = Client(server.url + "/", verbose=False)
        reply = chat.predict("   ", api_name="/ask")[0][-1]["content"][0]["text"]
        assert reply == "⚠️ Please type a question about your documents."  # counted all the same
        with pytest.raises(ValidationError, match="question: Too many questions from this address"):
            chat.predict("   ", api_name="/ask")  # refused as it joins the queue
        with pytest.raises(urllib.error.HTTPError) as too_many:  # and the API draws on the same budget
            server.fetch_json("/api/ask", {"question": "who?"}, timeout=30)
        assert too_many.value.code == 429
        # behind a reverse proxy on this machine, each client is its forwarded address (uvicorn's default)
        with pytest.raises(urllib.error.HTTPError) as own_budget:
            server.fetch_json("/api/ask", {"question": " "}, timeout=30, **{"X-Forwarded-For": "203.0.113.7"})
        assert own_budget.value.code == 400  # admitted, then told the question is empty; not 429

        # a proxy elsewhere is believed only where FORWARDED_ALLOW_IPS names it (127.0.0.2 here, not .3)
        def asked(source: str, forwarded_for: str) -> int:
            with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30) as http:
                body = {"question": " "}
                return http.post(
                    server.url + "/api/ask", json=body, headers={"X-Forwarded-For": forwarded_for}
                ).status_code

        assert [asked("127.0.0.2", "198.51.100.1"), asked("127.0.0.2", "198.51.100.1")] == [400, 429]
        assert asked("127.0.0.2", "198.51.100.2") == 400  # another client behind that proxy: its own budget
        assert [asked("127.0.0.3", "198.51.100.3"), asked("127.0.0.3", "198.51.100.4")] == [400, 429]  # one budget
    finally:
        server.stop()
