"""Gradio's upload route: refused everywhere but the document manager's page, and there only to
a browser that has shown the admin token."""

from pathlib import Path

from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import fake_app
from ui.server import create_app
from ui.uploads import COOKIE, fetches_a_url, upload_pass

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


def test_no_gradio_request_makes_the_server_fetch_a_file_from_a_url(settings: Settings) -> None:
    # Gradio downloaded a file input given as a URL into its temp folder, with no size limit, before
    # the document manager's handler checked the token (measured: a wrong token, and the server fetched)
    http = TestClient(create_app(fake_app(settings.model_copy(update={"admin_token": "s3cret"}))))
    by_url = {"path": "http://example.com/big.iso", "meta": {"_type": "gradio.FileData"}}
    request = {"data": [[by_url], "wrong"], "fn_index": 0, "session_hash": "abc", "event_data": None}
    for route in ("/gradio_api/queue/join", "/embed/gradio_api/queue/join", "/gradio_api/call/upload"):
        refused = http.post(route, json=request)
        assert refused.status_code == 403 and "not fetched from a URL" in refused.json()["detail"], route
    uploaded = {**by_url, "path": "/tmp/gradio/abc/a.txt"}  # what the page sends after an upload
    assert not fetches_a_url({"data": [[uploaded], "s3cret"]}) and fetches_a_url({"a": [{"b": [by_url]}]})
    asked = http.post("/gradio_api/queue/join", json={**request, "data": ["who denied arms deals?", [], []]})
    assert asked.status_code == 200 and "event_id" in asked.json()  # the chat's own requests go through
    chunks = (b'{"data": ["' + b"x" * 65536 for _ in range(20))  # no Content-Length: read, and counted
    assert http.post("/gradio_api/queue/join", content=chunks).status_code == 413


def test_the_session_route_refuses_guessing_past_the_budget(settings: Settings) -> None:
    http = TestClient(create_app(fake_app(settings.model_copy(update={"admin_token": "s3cret"}))))
    assert {http.post("/api/admin/session", json={"token": f"guess{n}"}).status_code for n in range(10)} == {401}
    held = http.post("/api/admin/session", json={"token": "s3cret"})
    assert held.status_code == 429 and int(held.headers["retry-after"]) >= 1 and COOKIE not in http.cookies
