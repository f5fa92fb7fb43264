"""The HTTP API over the fake models, through FastAPI's TestClient."""

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.decision import ASKED_AGAIN_NOTE
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui.server import create_app

REPLY = "North Korea has denied that it supplies weapons to Russia [2]."


@pytest.fixture
def client(settings: Settings, news_dir: Path) -> TestClient:
    app = fake_app(settings, [REPLY] * 5)
    app.ingestor.ingest([news_dir])
    return TestClient(create_app(app))


def events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "documents": 2}


def test_ask_returns_the_cli_json_object(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "who denied arms deals?"}).json()
    assert set(body) == {"answer", "abstained", "citations", "closest", "withheld_by", "note", "quoted", "sentences"}
    assert body["withheld_by"] is None
    assert body["answer"] == "North Korea has denied that it supplies weapons to Russia. [1]"
    assert body["citations"][0]["file"] == ARMS_FILE and body["citations"][0]["start_line"] == 9
    cited = body["citations"][0]  # and the path of the chat page opened at it
    assert re.fullmatch(rf"/\?file={re.escape(ARMS_FILE)}&lines=9-9&chars=\d+-\d+", cited["link"])
    assert body["closest"] == []
    # each sentence with the numbers of its citations: a client need not read the markers in the text
    assert body["sentences"] == [
        {"text": "North Korea has denied that it supplies weapons to Russia.", "citations": [1], "why": None}
    ]


def test_an_abstention_comes_with_the_closest_passages(settings: Settings, news_dir: Path) -> None:
    # Only the chat page showed them; the API, the OpenAI endpoint and the CLI said "The documents
    # do not say." and nothing else.
    app = fake_app(settings, ["The documents do not say."] * 4)  # each declined twice: a second try
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    body = http.post("/api/ask", json={"question": "Who won the 1998 World Cup?"}).json()
    assert body["abstained"] and body["answer"] == "The documents do not say." and body["citations"] == []
    assert body["withheld_by"] == "model"  # what withheld it: the model declined
    lines = {f.name: f.read_text().splitlines() for f in news_dir.iterdir()}
    assert len(body["closest"]) == settings.top_k
    for c in body["closest"]:  # whole passages: their lines, as stored
        assert c["quote"].splitlines() == lines[c["file"]][c["start_line"] - 1 : c["end_line"]]
    reply = http.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "Who won the 1998 World Cup?"}]}
    )
    message = reply.json()["choices"][0]["message"]
    assert message["closest"] == body["closest"] and message["citations"] == []
    assert message["withheld_by"] == "model" and message["sentences"] == body["sentences"] == []  # none answered
    assert message["quoted"] is None  # no line quoted in the model's place
    heading, *rows = message["content"].split("\n\n")[1].splitlines()
    assert heading == "Closest passages (they do not answer it):"
    assert rows == [
        f"[{n}] {c['file']}, lines {c['start_line']}-{c['end_line']}" for n, c in enumerate(body["closest"], 1)
    ]


def test_a_question_may_be_asked_of_named_documents_alone(client: TestClient, news_dir: Path) -> None:
    other = next(f.name for f in news_dir.iterdir() if f.name != ARMS_FILE)
    scoped = client.post("/api/ask", json={"question": "who denied arms deals?", "files": [ARMS_FILE]}).json()
    assert [(c["file"], c["start_line"]) for c in scoped["citations"]] == [(ARMS_FILE, 9)]
    elsewhere = client.post("/api/ask", json={"question": "who denied arms deals?", "files": [other]}).json()
    assert {c["file"] for c in elsewhere["citations"] + elsewhere["closest"]} == {other}  # the other article alone
    streamed = client.post("/api/ask", json={"question": "who denied arms deals?", "files": [other], "stream": True})
    kind, final = events(streamed.text)[-1]
    assert kind == "answer" and {c["file"] for c in final["citations"] + final["closest"]} == {other}
    unknown = client.post("/api/ask", json={"question": "who?", "files": [ARMS_FILE, "gone.txt", "../x"]})
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not ingested documents: 'gone.txt', '../x'"
    folder = client.post("/api/ask", json={"question": "who?", "files": ["news/"]})  # a folder: its documents
    assert folder.status_code == 404 and folder.json()["error"] == "not ingested documents: 'news/' (no document in it)"
    too_many = client.post("/api/ask", json={"question": "who?", "files": [f"{n}.txt" for n in range(1001)]})
    assert too_many.status_code == 422  # more names than a question is asked of: ask them all


def test_the_openai_route_may_be_asked_of_named_documents_too(client: TestClient, news_dir: Path) -> None:
    # as the openai client sends them: extra_body={"files": [...]}
    other = next(f.name for f in news_dir.iterdir() if f.name != ARMS_FILE)
    asked = {"messages": [{"role": "user", "content": "who denied arms deals?"}], "files": [other]}
    message = client.post("/v1/chat/completions", json=asked).json()["choices"][0]["message"]
    assert {c["file"] for c in message["citations"] + message["closest"]} == {other}
    streamed = client.post("/v1/chat/completions", json={**asked, "stream": True}).text
    last = json.loads([line[6:] for line in streamed.splitlines() if line.startswith("data: {")][-1])
    assert {c["file"] for c in last["choices"][0]["delta"]["citations"] + last["choices"][0]["delta"]["closest"]} == {
        other
    }
    refused = client.post("/v1/chat/completions", json={**asked, "files": ["gone.txt"]})
    assert refused.status_code == 404 and refused.json()["error"]["message"] == "not ingested documents: 'gone.txt'"


def test_ask_streams_tokens_then_the_answer(client: TestClient) -> None:
    resp = client.post("/api/ask", json={"question": "who denied arms deals?", "stream": True})
    assert resp.headers["content-type"].startswith("text/event-stream")
    got = events(resp.text)
    assert [e for e, _ in got[:-1]] == ["token"] * (len(got) - 1)
    assert "".join(d["text"] for _, d in got[:-1]) == REPLY
    kind, final = got[-1]
    assert kind == "answer" and final["citations"][0]["start_line"] == 9


def test_an_empty_question_is_a_400_with_a_message(client: TestClient) -> None:
    resp = client.post("/api/ask", json={"question": " "})
    assert resp.status_code == 400 and "type a question" in resp.json()["error"]


def test_documents_serves_ingested_lines(client: TestClient, news_dir: Path) -> None:
    body = client.get(f"/api/documents/{ARMS_FILE}").json()
    assert body["lines"] == (news_dir / ARMS_FILE).read_text().splitlines()
    assert "page_starts" not in body


def test_a_paged_documents_lines_come_with_where_its_pages_start(settings: Settings, tmp_path: Path) -> None:
    # A citation's "slide 2, line 3" could not be found in the lines served without them.
    from tests.index.test_formats import make_pptx

    (tmp_path / "decks").mkdir()
    make_pptx(tmp_path / "decks" / "deck.pptx")
    app = fake_app(settings)
    app.ingestor.ingest([tmp_path / "decks"])
    body = TestClient(create_app(app)).get("/api/documents/deck.pptx").json()
    assert body["page_starts"] == [1, 3]
    assert body["lines"][body["page_starts"][1] - 1 + 3 - 1] == "Port: Skerry; Q2: 1,450"  # slide 2, line 3


def test_a_sheets_name_travels_from_the_workbook_to_its_citations_and_viewer(
    settings: Settings, tmp_path: Path
) -> None:
    # "sheet 2, row 1" sent the reader counting tabs; the workbook calls it "Crews".
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    from index.formats import decode_names
    from rag.types import Citation
    from tests.index.test_formats import make_xlsx
    from ui.chat import ChatUI

    (tmp_path / "books").mkdir()
    make_xlsx(tmp_path / "books" / "book.xlsx")
    app = fake_app(settings.model_copy(update={"retrieval": "vector"}), ["Maren Holt is the keeper."])
    app.ingestor.ingest([tmp_path / "books"])
    crews = next(p for p in app.retriever.retrieve("Maren Holt keeper") if p.covers("book.xlsx", 5))
    assert crews.page_names == ("Tonnage", "Crews") and crews.page_at(5) == (2, 1, "Crews")
    stored = app.vector_store.client.get(include=["metadatas", "documents"])
    for meta, text in zip(stored["metadatas"], stored["documents"], strict=True):
        node = metadata_dict_to_node(meta, text=text)
        assert decode_names(node.metadata["page_names"]) == ("Tonnage", "Crews")  # every chunk of it
        # a chunk is embedded with the names of its own pages (index.chunking.PAGES), not the list; the
        # model is told them in its prompt (rag.prompts), not by metadata
        assert node.get_content(MetadataMode.EMBED) == f"pages: {node.metadata['pages']}\n\n{node.text}"
        assert "Crews" not in node.get_content(MetadataMode.LLM) and "Tonnage" not in node.get_content(MetadataMode.LLM)
    http = TestClient(create_app(app))
    cited = http.post("/api/ask", json={"question": "Who is the keeper?"}).json()["citations"][0]
    assert (cited["page"], cited["page_line"], cited["page_name"]) == (2, 1, "Crews")
    fields = {key: value for key, value in cited.items() if key != "link"}
    assert Citation(**{**fields, "start_char": 0, "end_char": 1}).where() == "sheet 2 (Crews), row 1"
    body = http.get("/api/documents/book.xlsx").json()
    assert body["page_names"] == ["Tonnage", "Crews"] and body["page_starts"] == [1, 5]
    viewer = ChatUI(app.service, app.library).show_document("book.xlsx")[0]
    assert "Sheet 1: Tonnage" in viewer and "Sheet 2: Crews" in viewer


@pytest.mark.parametrize(
    "path",
    ["..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd", "%2Fetc%2Fpasswd", "sub/..%2F..%2Fx", "C:%5Cwindows",
     "a%00.txt", "..%5c..%5cetc"],
)  # fmt: skip
def test_documents_refuses_paths_outside_the_corpus(client: TestClient, path: str) -> None:
    resp = client.get(f"/api/documents/{path}")
    assert resp.status_code == 400, resp.text


def test_documents_unknown_name_is_404(client: TestClient) -> None:
    assert client.get("/api/documents/pyproject.toml").status_code == 404


def test_openai_chat_completion(client: TestClient) -> None:
    body = client.post(
        "/v1/chat/completions",
        json={"model": "groundline", "messages": [{"role": "user", "content": "who denied arms deals?"}]},
    ).json()
    message = body["choices"][0]["message"]
    assert message["content"].startswith("North Korea has denied")
    assert f"[1] {ARMS_FILE}, line 9" in message["content"]
    assert message["citations"][0]["start_line"] == 9


def test_openai_stream_ends_with_citations_and_done(client: TestClient) -> None:
    resp = client.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "who denied arms deals?"}], "stream": True},
    )
    datas = [line[6:] for line in resp.text.splitlines() if line.startswith("data: ")]
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text.startswith(REPLY) and "Sources:" in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"][0]["delta"]["citations"][0]["file"] == ARMS_FILE


def test_openai_without_a_user_message_is_a_400(client: TestClient) -> None:
    resp = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "hi"}]})
    assert resp.status_code == 400 and resp.json()["error"]["type"] == "invalid_request_error"


def test_history_makes_a_follow_up_standalone(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings, ["Who denied arms deals with Russia?", REPLY, "Who denied arms deals with Russia?", REPLY])
    app.ingestor.ingest([news_dir])
    client = TestClient(create_app(app))
    history = [{"role": "user", "content": "Tell me about arms deals."}, {"role": "assistant", "content": "..."}]
    body = client.post("/api/ask", json={"question": "and who denied them?", "history": history}).json()
    assert body["citations"][0]["start_line"] == 9
    assert "Follow-up question: and who denied them?" in app.llm.prompts[0]
    messages = history + [{"role": "user", "content": "and who denied them?"}]
    reply = client.post("/v1/chat/completions", json={"messages": messages}).json()
    assert reply["choices"][0]["message"]["citations"][0]["start_line"] == 9
    assert "User: Tell me about arms deals." in app.llm.prompts[2]


def test_a_search_gives_passages_opened_at_their_best_sentence_without_the_model(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings)  # no reply scripted: the model is never asked
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    body = http.post("/api/search", json={"query": "denied weapons supplies", "limit": 3}).json()
    first = body["hits"][0]
    assert (first["file"], first["start_line"], first["end_line"]) == (ARMS_FILE, 9, 9)
    assert first["quote"].startswith("North Korea has repeatedly denied")
    assert re.fullmatch(rf"/\?file={re.escape(ARMS_FILE)}&lines=9-9&chars=\d+-\d+", first["link"])
    assert first["passage"]["start_line"] <= 9 <= first["passage"]["end_line"]
    assert 1 <= len(body["hits"]) <= 3
    assert len({(hit["file"], hit["start_line"], hit["quote"]) for hit in body["hits"]}) == len(body["hits"])
    others = [name for name in app.library.files() if name != ARMS_FILE]
    within = http.post("/api/search", json={"query": "denied weapons supplies", "files": others}).json()
    assert {hit["file"] for hit in within["hits"]} == set(others)
    refused = http.post("/api/search", json={"query": " "})
    assert refused.status_code == 400 and refused.json() == {"error": "Please type what to search for."}
    gone = http.post("/api/search", json={"query": "arms", "files": ["gone.txt"]})
    assert gone.status_code == 404 and "gone.txt" in gone.json()["error"]
    assert http.post("/api/search", json={"query": "arms", "limit": 201}).status_code == 422  # at most 200
    assert not body["exact"] and not body["more"]
    places = http.post("/api/search", json={"query": '"North Korea"', "limit": 2}).json()
    assert places["exact"] and places["more"] and len(places["hits"]) == 2
    assert [hit["quote"] for hit in places["hits"]] == ["North Korea", "North Korea"]
    assert "North Korea" in places["hits"][0]["context"] and "&chars=" in places["hits"][0]["link"]


def test_a_search_counts_against_its_addresss_rate_and_needs_the_chat_token(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings.model_copy(update={"rate_limit_per_minute": 1, "chat_token": "open sesame"}))
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    assert http.post("/api/search", json={"query": "arms"}).status_code == 401
    token = {"Authorization": "Bearer open sesame"}
    assert http.post("/api/search", json={"query": "arms"}, headers=token).status_code == 200
    assert http.post("/api/search", json={"query": "arms"}, headers=token).status_code == 429


def streamed_text(http: TestClient, question: str) -> str:
    reply = http.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": question}], "stream": True}
    )
    chunks = [json.loads(line[6:]) for line in reply.text.splitlines() if line.startswith("data: {")]
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


def test_an_openai_stream_says_no_source_supports_only_an_answer_our_checks_withheld(
    settings: Settings, news_dir: Path
) -> None:
    # Every abstention's last chunk said "[Groundline: no source supports the text above]": after the
    # model's own "The documents do not say." too, which it then repeated.
    canberra = "Canberra is the capital of Australia."
    app = fake_app(settings, ["The documents do not say."] * 2 + [canberra] * 3 + ["The documents do not say."])
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    declined = streamed_text(http, "Who won the 1998 World Cup?")
    assert declined.count("The documents do not say.") == 1 and "no source supports" not in declined
    withheld = streamed_text(http, "What is the capital of Australia?")  # asked again, and withheld again
    assert withheld.startswith(
        "Canberra is the capital of Australia." + ASKED_AGAIN_NOTE + "Canberra is the capital of Australia.\n\n"
        "[Groundline: no source supports the text above] The documents do not say.\n\nClosest passages (they do "
        "not answer it):"
    )
    assert withheld.endswith("(An answer was written, and withheld: no line of the documents says it.)")
    once = streamed_text(http, "What is the capital of Australia?")  # asked again, declined: nothing more shown
    assert once.startswith(canberra + "\n\n[Groundline: no source supports the text above] The documents do not")


def test_an_openai_stream_shows_a_second_try_answer_and_not_the_decline_before_it(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings, ["The documents do not say.", REPLY])  # declined, then answered of one passage
    app.ingestor.ingest([news_dir])
    said = streamed_text(TestClient(create_app(app)), "who denied arms deals?")
    assert said.startswith(REPLY) and "do not say" not in said and "no source supports" not in said
    assert ARMS_FILE in said  # its references follow it
