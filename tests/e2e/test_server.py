"""Clients people already use, against a live ``groundline serve`` with the real models."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARMS_FILE
from tests.e2e.conftest import Server, groundline
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
