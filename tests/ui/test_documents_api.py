"""Documents over HTTP: list for readers; upload and delete for the admin token (`ui.documents_api`)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui.server import create_app

ADMIN = {"Authorization": "Bearer s3cret"}
NOTE = b"Maren Holt has kept the lighthouse on Skerry Point for twenty-two years.\n"


def managed(settings: Settings, **more) -> TestClient:
    return TestClient(create_app(fake_app(settings.model_copy(update={"admin_token": "s3cret", **more}))))


def test_the_api_documentation_describes_the_upload(settings: Settings) -> None:
    schema = managed(settings).get("/api/openapi.json").json()["paths"]["/api/documents"]
    assert set(schema) == {"get", "post"}
    form = schema["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["files"]["items"]["format"] == "binary"


def test_the_list_is_what_groundline_list_prints(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    listed = TestClient(create_app(app)).get("/api/documents").json()
    assert [(d["path"], d["chunks"]) for d in listed] == [(e.path, e.chunks) for e in app.library.entries()]
    assert listed[0]["path"] == ARMS_FILE and len(listed[0]["content_hash"]) == 64
    locked = TestClient(create_app(fake_app(settings.model_copy(update={"chat_token": "t"}))))
    assert locked.get("/api/documents").status_code == 401  # as closed as the rest of the API


def test_the_files_not_read_are_listed_with_why_until_read(settings: Settings) -> None:
    http = managed(settings)
    assert http.get("/api/unread").json() == []
    http.post("/api/documents", files=[("files", ("lighthouse.txt", b"\x00\x01"))], headers=ADMIN)
    (unread,) = http.get("/api/unread").json()
    assert set(unread) == {"path", "reason", "time"} and unread["path"] == "lighthouse.txt"
    assert unread["reason"].startswith("looks like a binary file") and unread["time"].endswith("+00:00")
    http.post("/api/documents", files=[("files", ("lighthouse.txt", NOTE))], headers=ADMIN)  # mended
    assert http.get("/api/unread").json() == []
    locked = TestClient(create_app(fake_app(settings.model_copy(update={"chat_token": "t"}))))
    assert locked.get("/api/unread").status_code == 401


def test_upload_ingests_replaces_and_reports_what_it_skipped(settings: Settings) -> None:
    http = managed(settings)
    files = [("files", ("lighthouse.txt", NOTE)), ("files", ("blob.txt", b"\x00\x01\x02"))]
    files += [("files", ("../../outside/lighthouse.txt", NOTE)), ("files", ("/etc/lighthouse.txt", NOTE))]
    report = http.post("/api/documents", files=files, headers=ADMIN).json()
    assert report["added"] == ["lighthouse.txt"] and report["chunks"] == 1
    skipped = dict(report["skipped"])
    assert list(skipped) == ["../../outside/lighthouse.txt", "/etc/lighthouse.txt", "blob.txt"]
    assert "'..'" in skipped["../../outside/lighthouse.txt"] and "absolute" in skipped["/etc/lighthouse.txt"]
    assert (settings.uploads_dir / "lighthouse.txt").read_bytes() == NOTE  # kept inside, by its name
    assert not (settings.data_dir.parent / "outside").exists()
    assert [d["path"] for d in http.get("/api/documents").json()] == ["lighthouse.txt"]
    again = http.post("/api/documents", files=[("files", ("lighthouse.txt", NOTE))], headers=ADMIN).json()
    assert again["unchanged"] == ["lighthouse.txt"]
    changed = http.post("/api/documents", files=[("files", ("lighthouse.txt", NOTE + b"It is red.\n"))], headers=ADMIN)
    assert changed.json()["updated"] == ["lighthouse.txt"]
    nameless = http.post("/api/documents", files=[("files", ("", NOTE))], headers=ADMIN)
    assert nameless.status_code == 400
    assert http.post("/api/documents", data={"files": "not a file"}, headers=ADMIN).status_code == 400


def test_an_upload_streams_its_progress_to_a_client_that_asks(settings: Settings) -> None:
    # One answer at the end left a client of a long upload (ingest --server) waiting, with no
    # progress, past any sensible timeout: 50 MB of text is an hour of embedding on 2 cores.
    http = managed(settings)
    files = [("files", (f"note{n}.txt", NOTE)) for n in range(3)] + [("files", ("blob.txt", b"\x00"))]
    reply = http.post("/api/documents", files=files, headers={**ADMIN, "Accept": "application/x-ndjson"})
    assert reply.headers["content-type"].startswith("application/x-ndjson")
    *steps, last = [json.loads(line) for line in reply.text.splitlines()]
    assert steps[0]["progress"]["files_done"] == 0 and steps[-1]["progress"] == {
        "files_done": 4, "files_total": 4, "chunks": 3, "reading": "", "at": "",
    }  # fmt: skip
    assert last["report"]["added"] == ["note0.txt", "note1.txt", "note2.txt"]
    assert [file for file, _ in last["report"]["skipped"]] == ["blob.txt"]
    assert (settings.uploads_dir / "note2.txt").read_bytes() == NOTE
    plain = http.post("/api/documents", files=files[:1], headers=ADMIN)  # curl, a script: the report alone
    assert plain.json()["unchanged"] == ["note0.txt"]


def test_delete_is_idempotent_and_takes_only_corpus_names(settings: Settings) -> None:
    http = managed(settings)
    http.post("/api/documents", files=[("files", ("lighthouse.txt", NOTE))], headers=ADMIN)
    assert http.delete("/api/documents/lighthouse.txt", headers=ADMIN).json() == {
        "file": "lighthouse.txt", "deleted": True, "removed": ["lighthouse.txt"],
    }  # fmt: skip
    assert not (settings.uploads_dir / "lighthouse.txt").exists()  # no copy of it stays on the server
    assert http.delete("/api/documents/lighthouse.txt", headers=ADMIN).json()["deleted"] is False
    assert http.delete("/api/documents/..%2F..%2Fetc%2Fpasswd", headers=ADMIN).status_code == 400
    assert http.get("/api/documents").json() == []
    http.post("/api/documents", files=[("files", (f"north/{n}.txt", NOTE)) for n in range(2)], headers=ADMIN)
    assert http.delete("/api/documents/north/", headers=ADMIN).json() == {
        "file": "north/",
        "deleted": True,
        "removed": ["north/0.txt", "north/1.txt"],
    }  # fmt: skip  (a folder: every document in it)
    assert http.get("/api/documents").json() == []


def test_writes_need_the_admin_token_with_a_budget_of_wrong_guesses(settings: Settings, news_dir: Path) -> None:
    http = managed(settings)
    for headers in ({}, {"Authorization": "Bearer guess"}, {"Authorization": "s3cre"}):
        refused = http.post("/api/documents", files=[("files", ("a.txt", NOTE))], headers=headers)
        assert refused.status_code == 401, headers
        assert http.delete(f"/api/documents/{ARMS_FILE}", headers=headers).status_code == 401
    for _ in range(10):  # the address's budget of wrong guesses is spent: now even the right one waits
        http.post("/api/documents", headers={"Authorization": "Bearer guess"})
    assert http.post("/api/documents", files=[("files", ("a.txt", NOTE))], headers=ADMIN).status_code == 429
    assert not settings.uploads_dir.exists()

    off = TestClient(create_app(fake_app(settings)))  # no admin token: no writes over HTTP
    refused = off.post("/api/documents", files=[("files", ("a.txt", NOTE))], headers=ADMIN)
    assert refused.status_code == 403 and "GROUNDLINE_ADMIN_TOKEN" in refused.json()["detail"]
    assert off.delete(f"/api/documents/{ARMS_FILE}", headers=ADMIN).status_code == 403


def test_an_upload_may_be_as_large_as_a_file_may_be_and_no_larger(settings: Settings) -> None:
    http = managed(settings, max_file_mb=2)
    big = b"Lighthouses are tall. " * 70_000 + b"\n"  # 1.5 MB: over the 1 MB any other request gets
    assert http.post("/api/documents", files=[("files", ("big.txt", big))], headers=ADMIN).json()["added"] == [
        "big.txt"
    ]
    too_big = http.post("/api/documents", files=[("files", ("huge.txt", big * 2))], headers=ADMIN)
    assert too_big.status_code == 413 and "at most 2 MB" in too_big.json()["detail"]
    assert http.post("/api/ask", content=b"{" + b" " * (2 << 20) + b"}").status_code == 413


def test_the_keyword_index_is_rebuilt_at_start_and_after_writes_without_holding_them_up(
    settings: Settings, news_dir: Path, monkeypatch
) -> None:
    # Building it reads every chunk (19 s at 100,000 chunks): the first question after the server
    # started, or after a write, paid for it; then each write's report waited for it; then a question
    # during the rebuild after a write (or during a write: once per batch) waited for it.
    # A question now waits for it keyword_wait_s at most.
    tuned = settings.model_copy(update={"admin_token": "s3cret", "verify": False, "keyword_wait_s": 0.2})
    app = fake_app(tuned, [NOTE.decode().strip()] * 3)  # the first, unsupported, is asked again
    app.ingestor.ingest([news_dir])
    runs, hold, refresh = [], threading.Event(), app.retriever.refresh

    def held() -> None:  # a rebuild that takes its time
        hold.wait(30)
        refresh()
        runs.append(len(app.library.files()))

    monkeypatch.setattr(app.retriever, "refresh", held)
    hold.set()
    http = TestClient(create_app(app))
    keyword_index = http.app.state.keyword_index
    assert runs == [2]  # as the server starts, with the models
    hold.clear()
    files = [("files", ("lighthouse.txt", NOTE)), ("files", ("keeper.txt", b"The keeper rows to Skerry Point.\n"))]
    assert len(http.post("/api/documents", files=files, headers=ADMIN).json()["added"]) == 2
    assert http.delete("/api/documents/keeper.txt", headers=ADMIN).json()["deleted"]
    assert runs == [2] and not keyword_index.settled(0.2)  # the writes did not wait for it
    built = app.retriever._bm25
    asked = http.post("/api/ask", json={"question": "Who keeps the lighthouse?"})
    assert (
        asked.status_code == 200 and app.retriever._bm25 is built
    )  # nor a question, past its wait: the index as built
    assert runs == [2]
    hold.set()
    assert keyword_index.settled(30)
    assert runs[-1] == 3 and len(runs) <= 3  # the second write's ask joined the first's run, or ran once after
    ready = app.retriever._bm25
    assert http.post("/api/ask", json={"question": "Who keeps the lighthouse?"}).json()["citations"]
    assert app.retriever._bm25 is ready  # the question found it ready and built nothing


def test_a_question_asks_for_a_rebuild_it_may_wait_for_unless_the_server_is_ingesting() -> None:
    from types import SimpleNamespace

    from ui.background import Coalescing
    from ui.server import stale_keywords

    runs: list[int] = []
    ingestor = SimpleNamespace(busy=True)
    keyword_index = Coalescing(lambda: runs.append(1), "keyword-index")
    ask = stale_keywords(ingestor, keyword_index)
    assert ask() is False and keyword_index.settled(0) and runs == []  # its own writes are rebuilt for when done
    ingestor.busy = False
    assert ask() is True and keyword_index.settled(30) and runs == [1]
