"""Readers' thumbs up and down on answers (ui.feedback): counted, and kept only where the operator says."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from tests.ui.test_metrics import scraped
from ui.chat import RATINGS_KEPT, ChatUI, restored
from ui.feedback import FILE, FeedbackLog
from ui.limits import RateLimiter
from ui.server import create_app

ARMS_ANSWER = "North Korea has denied that it supplies weapons to Russia [2]."
READER = SimpleNamespace(client=SimpleNamespace(host="10.0.0.1"))


def chat_page(server) -> gr.Blocks:
    """The Gradio page a server mounts at /."""
    return next(route.app for route in server.routes if getattr(route, "path", None) == "").get_blocks()


def liked(index: int, value: object) -> SimpleNamespace:
    """What Gradio hands a like event: the message's index, and True, False or "" (taken back)."""
    return SimpleNamespace(index=index, liked=value)


def test_a_rated_answer_is_told_with_its_question_and_what_it_cited(settings: Settings, news_dir: Path) -> None:
    question = "Who won the 1998 World Cup?"  # a follow-up: rewritten (as itself) before it is asked
    app = fake_app(settings, [ARMS_ANSWER, question, "The documents do not say.", "The documents do not say."])
    app.ingestor.ingest([news_dir])
    told = []
    ui = ChatUI(app.service, app.library, views=RateLimiter(6, burst=2, clock=lambda: 0.0), raters=[told.append])
    turns = list(ui.respond("who denied arms deals?", []))[-1][1]
    turns = list(ui.respond(question, turns))[-1][1]
    ui.rate(turns, liked(0, True), READER)  # a question: nothing to rate
    ui.rate(turns, liked(1, True), READER)
    ui.rate(turns, liked(3, False), READER)  # a thumbs down on an abstention: a false one, to the reader
    ui.rate(turns, liked(3, ""), READER)  # taken back: nothing told
    first, second = told
    assert (first.liked, first.abstained, first.question) == (True, False, "who denied arms deals?")
    assert first.answer.startswith("North Korea has denied") and first.cited[0]["file"] == ARMS_FILE
    assert set(first.cited[0]) == {"file", "start_line", "end_line"}  # where, not the quotes again
    assert (second.liked, second.abstained, second.question) == (False, True, question)
    ui.rate(turns, liked(1, False), READER)  # the address's budget (views) spent: no script fills the log
    assert len(told) == 2
    assert restored(turns)[1]["abstained"] is False  # a reloaded page's answers can be rated too


def test_ratings_are_counted_and_kept_only_with_the_log_on(settings: Settings, news_dir: Path) -> None:
    for log in (False, True):
        app = fake_app(settings.model_copy(update={"feedback_log": log}), [ARMS_ANSWER])
        app.ingestor.ingest([news_dir])
        server = create_app(app)
        page = chat_page(server)
        assert any(isinstance(b, gr.Markdown) and b.value == RATINGS_KEPT for b in page.blocks.values()) == log
        ui = next(fn.fn.__self__ for fn in page.fns.values() if getattr(fn.fn, "__name__", "") == "rate")
        turns = list(ui.respond("who denied arms deals?", []))[-1][1]
        ui.rate(turns, liked(1, False), READER)
        counts = scraped(TestClient(server))
        assert counts[("groundline_ratings_total", (("answer", "answered"), ("rating", "down")))] == 1
        kept = settings.data_dir / FILE
        assert kept.exists() == log
        if log:
            (line,) = kept.read_text().splitlines()
            assert json.loads(line)["question"] == "who denied arms deals?" and not json.loads(line)["liked"]
            assert kept.stat().st_mode & 0o777 == 0o600  # its owner's only, like the chat key


def test_the_log_appends_one_line_a_rating(tmp_path: Path) -> None:
    from ui.feedback import Rating

    log = FeedbackLog(tmp_path, clock=lambda: 12.5)
    for liked_it in (True, False):
        log(Rating(liked_it, False, "Q?", "A. [1]", [{"file": "a.txt", "start_line": 1, "end_line": 1}]))
    lines = [json.loads(line) for line in (tmp_path / FILE).read_text().splitlines()]
    assert [line["liked"] for line in lines] == [True, False] and lines[0]["time"] == 12.5


def test_the_admin_reads_the_latest_ratings_kept_over_http(settings: Settings, news_dir: Path) -> None:
    kept = settings.model_copy(update={"feedback_log": True, "admin_token": "s3cret"})
    app = fake_app(kept, [ARMS_ANSWER])
    app.ingestor.ingest([news_dir])
    server = create_app(app)
    http, admin = TestClient(server), {"Authorization": "Bearer s3cret"}
    assert http.get("/api/feedback", headers=admin).json() == []  # none yet
    ui = next(fn.fn.__self__ for fn in chat_page(server).fns.values() if getattr(fn.fn, "__name__", "") == "rate")
    turns = list(ui.respond("who denied arms deals?", []))[-1][1]
    for thumb in (True, False, False):
        ui.rate(turns, liked(1, thumb), READER)
    latest = http.get("/api/feedback", headers=admin).json()
    assert [row["liked"] for row in latest] == [False, False, True]  # newest first
    assert latest[0]["question"] == "who denied arms deals?" and latest[0]["cited"][0]["file"] == ARMS_FILE
    assert [r["liked"] for r in http.get("/api/feedback?rating=up", headers=admin).json()] == [True]
    assert len(http.get("/api/feedback?rating=down&limit=1", headers=admin).json()) == 1
    assert http.get("/api/feedback").status_code == 401
    assert http.get("/api/feedback?limit=0", headers=admin).status_code == 422
    off = TestClient(create_app(fake_app(settings.model_copy(update={"admin_token": "s3cret"}))))
    refused = off.get("/api/feedback", headers=admin)
    assert refused.status_code == 404 and "GROUNDLINE_FEEDBACK_LOG is off" in refused.json()["detail"]
    nobody = TestClient(create_app(fake_app(settings.model_copy(update={"feedback_log": True}))))
    assert "no GROUNDLINE_ADMIN_TOKEN" in nobody.get("/api/feedback").json()["detail"]  # no admin, no reading
