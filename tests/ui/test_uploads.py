"""Gradio's upload route: refused everywhere but the document manager's page, and there only to
a browser that has shown the admin token."""

from pathlib import Path

from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import fake_app
from ui.server import create_app
from ui.uploads import COOKIE, upload_pass

SMALL = {"files": ("a.txt", b"Dogs bark at night.\n", "text/plain")}


def test_no_page_takes_uploads_without_a_document_manager(settings: Settings) -> None:
    # Gradio's upload route accepted anyone's files, of any size, into its temp folder
    http = TestClient(create_app(fake_app(settings)))
    for page in ("", "/embed"):
        refused = http.post(page + "/gradio_api/upload", files=SMALL)
        assert refused.status_code == 403 and "no uploads" in refused.json()["detail"], page
    assert http.post("/api/admin/session", json={"token": "anything"}).status_code == 404


def test_the_managers_page_takes_uploads_only_after_the_admin_token(settings: Settings) -> None:
    managed = fake_app(settings.model_copy(update={"admin_token": "s3cret", "max_file_mb": 1}))
    http = TestClient(create_app(managed))
    refused = http.post("/gradio_api/upload", files=SMALL)  # anyone, before this fix
    assert refused.status_code == 403 and "admin token" in refused.json()["detail"]
    guessed = http.post("/gradio_api/upload", files=SMALL, headers={"Cookie": f"{COOKIE}=guessed"})
    assert guessed.status_code == 403

    wrong = http.post("/api/admin/session", json={"token": "guess"})
    assert wrong.status_code == 401 and COOKIE not in http.cookies
    right = http.post("/api/admin/session", json={"token": "s3cret"})
    assert right.status_code == 204
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "s3cret" not in cookie
    assert http.cookies[COOKIE] == upload_pass("s3cret")

    (kept,) = http.post("/gradio_api/upload", files=SMALL).json()
    assert Path(kept).read_bytes() == b"Dogs bark at night.\n"
    too_big = {"files": ("big.txt", b"x" * (2 << 20), "text/plain")}
    assert http.post("/gradio_api/upload", files=too_big).status_code == 413  # GROUNDLINE_MAX_FILE_MB
    assert http.post("/embed/gradio_api/upload", files=SMALL).status_code == 403  # the compact chat has no manager

    http.post("/api/admin/session", json={"token": "wrong"})  # a wrong token ends the right one
    assert COOKIE not in http.cookies
    assert http.post("/gradio_api/upload", files=SMALL).status_code == 403


def test_the_cookie_is_worthless_under_another_token() -> None:
    assert upload_pass("s3cret") != upload_pass("other") and "s3cret" not in upload_pass("s3cret")
