"""The admin's HTTP routes (ui.admin_api): a backup (GET /api/backup) and `groundline backup --server`
fetching it, which restores; the checks' findings (GET /api/check) and `groundline check --server`. The
real API on the test fakes' models."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui import cli
from ui.remote import Remote, RemoteError
from ui.server import create_app


@pytest.fixture()
def served(settings: Settings, news_dir: Path) -> TestClient:
    served = settings.model_copy(update={"admin_token": "s3cret"})
    app = fake_app(served)
    app.ingestor.ingest([news_dir])
    return TestClient(create_app(app))


def test_the_admin_gets_a_backup_that_restores(served: TestClient, tmp_path: Path) -> None:
    reply = served.get("/api/backup", headers={"Authorization": "Bearer s3cret"})
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/gzip"
    assert 'filename="groundline-backup-' in reply.headers["content-disposition"]
    (tmp_path / "sent.tar.gz").write_bytes(reply.content)
    with tarfile.open(tmp_path / "sent.tar.gz") as tar:
        names = tar.getnames()
    assert "groundline-backup/backup.json" in names and "groundline-backup/chat.key" in names  # the server's key

    restored = fake_app(Settings(data_dir=tmp_path / "restored", _env_file=None))
    assert restored.backups([]).restore(tmp_path / "sent.tar.gz").documents == 2
    assert ARMS_FILE in restored.library.files()


def test_a_backup_needs_the_admin_token(served: TestClient, settings: Settings) -> None:
    assert served.get("/api/backup").status_code == 401
    assert served.get("/api/backup", headers={"Authorization": "Bearer wrong"}).status_code == 401
    open_server = TestClient(create_app(fake_app(settings)))  # no admin token set: off
    refused = open_server.get("/api/backup")
    assert refused.status_code == 403 and "no GROUNDLINE_ADMIN_TOKEN" in refused.json()["detail"]


def test_the_document_managers_link_downloads_a_backup_with_the_tokens_cookie(served: TestClient) -> None:
    # a link sends no header: the admin's browser holds the cookie the token box got, and nothing else
    assert served.post("/api/admin/session", json={"token": "s3cret"}).status_code == 204
    reply = served.get("/api/backup")  # the client keeps the cookie, as the browser does
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/gzip"
    assert served.post("/api/admin/session", json={"token": "wrong"}).status_code == 401  # which ends the cookie
    assert served.get("/api/backup").status_code == 401
    assert served.get("/api/backup", cookies={"groundline_upload": "forged"}).status_code == 401


def test_the_command_line_fetches_a_servers_backup_whole_or_not_at_all(served: TestClient, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    size = Remote("http://elsewhere", "s3cret", http=served).backup(tmp_path / "b.tar.gz", lambda *p: seen.append(p))
    assert size == (tmp_path / "b.tar.gz").stat().st_size and seen[-1] == (size, size)
    assert (tmp_path / "b.tar.gz").stat().st_mode & 0o077 == 0
    with pytest.raises(RemoteError, match="already exists"):
        Remote("http://elsewhere", "s3cret", http=served).backup(tmp_path / "b.tar.gz")
    with pytest.raises(RemoteError, match="name it b2.tar.gz"):
        Remote("http://elsewhere", "s3cret", http=served).backup(tmp_path / "b2")
    with pytest.raises(RemoteError, match="refused: Wrong or missing admin token"):
        Remote("http://elsewhere", "wrong", http=served).backup(tmp_path / "c.tar.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tar.gz", "data", "news"]  # nothing half written


def test_the_admin_gets_the_checks_findings_and_the_command_line_prints_them(
    served: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert served.get("/api/check").status_code == 401
    found = served.get("/api/check", headers={"Authorization": "Bearer s3cret"}).json()
    assert {f["what"]: f["level"] for f in found}["consistency"] == "ok"
    assert found[-1]["what"] == "language model"
    checked = Remote("http://elsewhere", "s3cret", http=served).check()
    assert checked == found and cli.print_findings(checked, as_json=False) == 0
    assert "ok    consistency       every document has its chunks" in capsys.readouterr().out
