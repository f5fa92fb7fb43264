"""GET /metrics: how the questions asked ended, in Prometheus's format (ui.metrics)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui.metrics import FILE_RESULTS
from ui.server import create_app

REPLY = "North Korea has denied that it supplies weapons to Russia [2]."


def samples(exposition: str) -> dict[tuple[str, tuple], float]:
    """Each sample of a Prometheus exposition: (name, its labels sorted) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }


def scraped(http: TestClient, **headers: str) -> dict[tuple[str, tuple], float]:
    """The server's samples (``samples``), from GET /metrics."""
    reply = http.get("/metrics", headers=headers)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain"), reply.text
    return samples(reply.text)


def test_the_questions_are_counted_by_how_they_ended_with_the_store_and_the_process(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings, [REPLY, "The documents do not say.", "The documents do not say."])
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    before = scraped(http)
    assert before[("groundline_documents", ())] == 2 and before[("groundline_chunks", ())] == app.library.counts()[1]
    assert before[("groundline_unread_files", ())] == 0
    assert before[("groundline_answers_total", (("outcome", "answered"), ("withheld_by", "")))] == 0  # there at 0
    assert before[("groundline_answers_total", (("outcome", "abstained"), ("withheld_by", "verifier")))] == 0
    assert not any(name.endswith("_created") for name, _ in before)

    assert not http.post("/api/ask", json={"question": "who denied arms deals?"}).json()["abstained"]
    asked = {"messages": [{"role": "user", "content": "Who won the 1998 World Cup?"}]}
    assert http.post("/v1/chat/completions", json=asked).status_code == 200  # the OpenAI route, abstaining
    assert http.post("/api/ask", json={"question": "   "}).status_code == 400  # refused: not a question asked
    assert http.post("/api/ask", json={"question": "Thanks!"}).json()["answer"] == "You're welcome."
    after = scraped(http)
    assert after[("groundline_answers_total", (("outcome", "answered"), ("withheld_by", "")))] == 1
    assert after[("groundline_answers_total", (("outcome", "replied"), ("withheld_by", "")))] == 1  # not answered
    assert after[("groundline_answers_total", (("outcome", "abstained"), ("withheld_by", "model")))] == 1
    assert after[("groundline_answer_seconds_count", ())] == 3
    # the model was asked both times; a reader saw its words once: a decline is held back, and asked again
    assert after[("groundline_first_token_seconds_count", ())] == 1
    for stage in ("retrieval", "model", "check"):  # (no rewrite: neither was a follow-up)
        assert after[("groundline_stage_seconds_count", (("stage", stage),))] == 2
    assert after[("groundline_stage_seconds_count", (("stage", "second_try"),))] == 1
    assert after[("groundline_answer_sentences_total", (("cited", "yes"),))] == 1
    assert after[("groundline_verifier_yes_count", ())] == 1  # the answer's check (a model's decline has none)
    assert after[("groundline_verifier_yes_bucket", (("le", "0.9"),))] == 0  # its verdict: yes, 1.0
    assert after[("process_resident_memory_bytes", ())] > 0
    assert not any("North Korea" in str(key) for key in after)  # counts, never what was asked or said


def test_searches_are_counted_apart_from_questions_by_whether_they_found_anything(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings)
    http = TestClient(create_app(app))
    assert http.post("/api/search", json={"query": "arms deals"}).json()["hits"] == []  # nothing ingested yet
    app.ingestor.ingest([news_dir])
    assert http.post("/api/search", json={"query": "arms deals"}).json()["hits"]
    assert http.post("/api/search", json={"query": "  "}).status_code == 400  # refused: not a search made
    after = scraped(http)
    assert after[("groundline_searches_total", (("found", "yes"),))] == 1
    assert after[("groundline_searches_total", (("found", "no"),))] == 1
    assert after[("groundline_search_seconds_count", ())] == 2
    assert after[("groundline_answer_seconds_count", ())] == 0  # no question was asked


def test_the_servers_writes_are_counted_by_what_they_did_with_each_file(
    settings: Settings, news_dir: Path, tmp_path: Path
) -> None:
    app = fake_app(settings)
    http = TestClient(create_app(app))
    (news_dir / "blob.txt").write_bytes(b"\x00binary")
    app.ingestor.ingest([news_dir])  # as the command line's handoff, an upload or a watched folder does
    app.ingestor.ingest([news_dir])  # unchanged: no chunk written again
    stored = app.library.counts()[1]
    app.ingestor.delete([ARMS_FILE])
    after = scraped(http)
    files = {result: after[("groundline_ingested_files_total", (("result", result),))] for result in FILE_RESULTS}
    assert files == {"added": 2, "updated": 0, "unchanged": 2, "skipped": 2, "removed": 1}
    assert after[("groundline_ingested_chunks_total", ())] == stored
    assert after[("groundline_documents", ())] == 1
    assert after[("groundline_unread_files", ())] == 1  # blob.txt, until it is read, deleted or gone


def test_the_metrics_need_the_admin_token_else_the_chat_token_where_one_is_set(settings: Settings) -> None:
    both = {"admin_token": "s3cret", "chat_token": "open sesame"}
    for tokens, right in ((both, "s3cret"), ({"chat_token": "open sesame"}, "open sesame")):
        limited = {**tokens, "rate_limit_per_minute": 1}  # a question a minute: the second would wait
        http = TestClient(create_app(fake_app(settings.model_copy(update=limited))))
        assert http.get("/metrics").status_code == 401
        assert http.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 401
        for _ in range(3):  # scraped as often as Prometheus likes: no question's rate limit
            assert scraped(http, Authorization=f"Bearer {right}")[("groundline_documents", ())] == 0


def test_an_answer_quoted_in_the_models_place_is_counted_apart_by_what_withheld_the_models(
    settings: Settings,
) -> None:
    from rag.answering import Stopwatch
    from rag.types import Answer, Evidence
    from ui.metrics import Metrics

    counted = Metrics(fake_app(settings, []).library)
    asked = Evidence("Is there a lift?", [])
    for quoted in ("model", "model", "verifier"):
        counted.answered(
            Answer("The documents say: “There is no lift.” [1]", False, evidence=asked, quoted=quoted), Stopwatch()
        )
    after = samples(generate_latest(counted.registry).decode())
    assert after[("groundline_answers_total", (("outcome", "quoted"), ("withheld_by", "model")))] == 2
    assert after[("groundline_answers_total", (("outcome", "quoted"), ("withheld_by", "verifier")))] == 1
    assert after[("groundline_answers_total", (("outcome", "quoted"), ("withheld_by", "attribution")))] == 0
    assert after[("groundline_answers_total", (("outcome", "answered"), ("withheld_by", "")))] == 0
