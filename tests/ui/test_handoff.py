"""The command line's writes, done by the server that holds the data dir (`ui.handoff`)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from index.errors import SkippedFile
from index.reports import IngestReport, Progress
from index.serving import hold_for_server, server_lock
from rag.app import Groundline
from rag.settings import Settings
from tests.conftest import ARMS_FILE, ROOT, fake_app, free_port, live_server
from tests.index.test_pipeline import start_server_holding
from tests.ui.test_remote import fresh_command_line
from ui import handoff
from ui.handoff import HandoffError, Served
from ui.server import create_app


@pytest.mark.parametrize(
    ("host", "url"),
    [("127.0.0.1", "http://127.0.0.1:7860"), ("0.0.0.0", "http://127.0.0.1:7860"), ("::", "http://[::1]:7860"),
     ("example.lan", "http://example.lan:7860")],
)  # fmt: skip
def test_the_cli_reaches_the_server_where_it_listens(host: str, url: str) -> None:
    assert handoff.local_url(host, 7860) == url


def test_the_announcement_is_the_owners_alone_and_withdrawn_only_by_its_server(tmp_path: Path) -> None:
    served = Served.fresh("0.0.0.0", 7860)
    assert handoff.announce(tmp_path, served)
    path = tmp_path / handoff.ANNOUNCEMENT
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the key is as good as write access
    assert handoff.find(tmp_path) == served
    later = Served.fresh("127.0.0.1", 7861)  # a server started since, on the same dir
    assert handoff.announce(tmp_path, later) and later.key != served.key
    handoff.withdraw(tmp_path, served)
    assert handoff.find(tmp_path) == later
    handoff.withdraw(tmp_path, later)
    assert handoff.find(tmp_path) is None
    path.write_text("{not json")
    assert handoff.find(tmp_path) is None


def test_writes_are_handed_only_to_a_live_server_of_an_embedded_store(settings: Settings) -> None:
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True)
    served = Served.fresh("127.0.0.1", 7860)
    handoff.announce(data_dir, served)
    assert handoff.receiver(data_dir, shared_store=False) is None  # stale: no server holds the dir
    holder = start_server_holding(data_dir)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert handoff.receiver(data_dir, shared_store=False) == served
        assert handoff.receiver(data_dir, shared_store=True) is None  # a Chroma server: every process writes
    finally:
        holder.kill()
        holder.wait(30)


def test_the_report_crosses_as_json() -> None:
    report = IngestReport(["a.txt"], ["b.txt"], ["c.txt"], [SkippedFile("d.bin", "is binary")],
                          [SkippedFile("e.txt", "had bytes replaced")], chunks=7, removed=["f.txt"])  # fmt: skip
    again = IngestReport.from_json(report.to_json())
    assert again.summary() == report.summary() and again.problems() == report.problems()
    assert again.removed == ["f.txt"] and "1 removed" in again.summary()
    older = {key: value for key, value in report.to_json().items() if key != "removed"}  # a server before sync
    assert IngestReport.from_json(older).removed == []


def test_the_server_announces_itself_while_it_runs_and_takes_only_its_key(settings: Settings, news_dir: Path) -> None:
    app, served = fake_app(settings), Served.fresh("127.0.0.1", 7860)
    with TestClient(create_app(app, served)) as http:  # runs the server's start-up and shut-down
        assert handoff.find(settings.data_dir) == served
        for key in ("", "guess", "Bearer " + served.key[:-1]):
            headers = {"Authorization": key}
            refused = http.post(handoff.INGEST_PATH, json={"paths": [str(news_dir)]}, headers=headers)
            assert refused.status_code == 403 and handoff.ANNOUNCEMENT in refused.json()["detail"]
            assert http.post(handoff.DELETE_PATH, json={"paths": []}, headers=headers).status_code == 403
    assert app.library.files() == []
    assert handoff.find(settings.data_dir) is None
    with TestClient(create_app(app)):  # a Chroma server: nothing to hand off
        assert handoff.find(settings.data_dir) is None


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[Groundline, Served]]:
    """A fake Groundline's write routes on a live local port."""
    app = fake_app(settings)
    port = free_port()
    served = Served.fresh("127.0.0.1", port)
    api = FastAPI()
    api.include_router(handoff.router(app.ingestor, served))
    with live_server(api, port):
        yield app, served


def test_the_server_ingests_and_deletes_for_the_cli(server, news_dir: Path, tmp_path: Path, monkeypatch) -> None:
    app, served = server
    (news_dir / "blob.txt").write_bytes(b"\x00\x01binary")
    steps: list[Progress] = []
    monkeypatch.chdir(news_dir.parent)  # a relative path is this process's, not the server's
    report = handoff.ingest_via(served, [Path(news_dir.name)], steps.append)
    assert sorted(report.added) == app.library.files() and ARMS_FILE in report.added
    assert report.chunks > 0 and [s.file for s in report.skipped] == ["blob.txt"]
    assert steps[0].files_done == 0 and steps[-1].files_done == steps[-1].files_total == 3  # the binary too
    assert handoff.ingest_via(served, [news_dir], steps.append).unchanged == report.added

    assert handoff.delete_via(served, [ARMS_FILE, "never.txt"]) == [ARMS_FILE]
    assert ARMS_FILE not in app.library.files()
    (news_dir / "blob.txt").unlink()
    (news_dir / "004_29e6f3c5e9546205.txt").rename(news_dir / "renamed.txt")
    synced = handoff.ingest_via(served, [news_dir], steps.append, sync=True)
    assert (synced.added, synced.removed) == ([ARMS_FILE, "renamed.txt"], ["004_29e6f3c5e9546205.txt"])
    assert app.library.files() == [ARMS_FILE, "renamed.txt"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        HandoffError, match=r"No files were found under .*empty; syncing would remove every stored document \(2\)"
    ):
        handoff.ingest_via(served, [tmp_path / "empty"], steps.append, sync=True)
    with pytest.raises(FileNotFoundError):
        handoff.ingest_via(served, [tmp_path / "missing"], steps.append)
    wrong = Served(served.url, "stale")
    with pytest.raises(HandoffError, match="refused: This is not the key"):
        handoff.ingest_via(wrong, [news_dir], steps.append)


def test_a_server_that_does_not_answer_is_said_so(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(HandoffError, match="does not answer at http://127.0.0.1"):
        handoff.delete_via(Served.fresh("127.0.0.1", port), ["a.txt"])


def test_the_command_line_hands_its_write_over_before_loading_a_store_or_model(server, settings: Settings) -> None:
    """Beside a running server, `groundline ingest` and `delete` only send the paths; they used to
    build the whole app first (llama-index, Chroma: ~2-3 s on 2 cores)."""
    app, served = server
    app.ingestor.ingest([ROOT / "examples" / "news" / ARMS_FILE])
    handoff.announce(settings.data_dir, served)
    hold_for_server(settings.data_dir)  # this process serves the data dir, as groundline serve does
    try:
        lines, errors = fresh_command_line(["delete", ARMS_FILE, "never.txt"], settings.data_dir)
    finally:
        server_lock(settings.data_dir).release()
    assert lines == [f"deleted: {ARMS_FILE}", "not ingested, nothing to delete: never.txt", "0 []"], errors
    assert "it makes the change" in errors
    assert app.library.files() == []
