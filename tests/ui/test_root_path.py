"""Serving under a proxy's path (``ui.root_path``), the proxy taking the path off or passing it on;
tests/e2e/test_proxy.py runs both behind a real nginx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rag.errors import SettingsError
from rag.settings import Settings
from tests.conftest import fake_app
from ui.root_path import first_parts
from ui.server import create_app


def under(settings: Settings, path: str) -> TestClient:
    app = create_app(fake_app(settings.model_copy(update={"root_path": path, "admin_token": "s3cret"})))
    return TestClient(app, root_path=path)  # (TestClient gives the path as it is asked, unlike uvicorn)


def test_a_request_passed_on_with_the_path_is_routed_as_one_passed_on_without_it(settings: Settings) -> None:
    http = under(settings, "/groundline")
    # uvicorn puts the root path before the path it was sent: twice, where the proxy kept it
    for path in ("/groundline/healthz", "/groundline/groundline/healthz"):
        assert http.get(path).json()["status"] == "ok", path
    page = http.get("/groundline/groundline/")
    assert page.status_code == 200 and "/groundline/" in page.text  # the chat, its assets under the path
    # and the limits know their routes either way: the chat's upload still needs the admin's cookie
    assert http.post("/groundline/groundline/gradio_api/upload", files={"files": ("x.txt", b"x\n")}).status_code == 403
    assert http.get("/groundline/groundline/nothing-here").status_code == 404


def test_a_root_path_that_groundlines_own_paths_could_be_mistaken_for_is_refused(settings: Settings) -> None:
    own = set(first_parts(create_app(fake_app(settings)).routes))
    assert {"api", "v1", "healthz", "embed", "gradio_api", "assets", "widget.js"} <= own  # FastAPI's and Gradio's
    for path in ("/api", "/embed/chat", "/gradio_api"):
        with pytest.raises(SettingsError, match=rf"GROUNDLINE_ROOT_PATH={path}: /\w+ is one of Groundline's own"):
            under(settings, path)
    assert under(settings, "/apps/groundline").get("/apps/groundline/apps/groundline/healthz").status_code == 200


def test_the_chat_tokens_login_works_under_the_path(settings: Settings) -> None:
    """Gradio's login, behind a proxy's path: each of the chat and the embedded chat (its own Gradio app,
    with its own cookie) asks for the token at the path's /login and then gives its config. (TestClient
    passes the root path itself, so this pins the login under the path, not nginx's forwarding.)"""
    app = create_app(fake_app(settings.model_copy(update={"root_path": "/groundline", "chat_token": "letmein"})))
    http = TestClient(app, root_path="/groundline")
    for app_path, root in (
        ("/groundline/groundline", "/groundline"),
        ("/groundline/groundline/embed", "/groundline/embed"),
    ):
        page = http.get(app_path + "/").text
        assert '"auth_required":true' in page and f'"root":"http://testserver{root}"' in page, app_path
        assert http.get(app_path + "/config").status_code == 401
        assert http.post(app_path + "/login", data={"username": "anyone", "password": "wrong"}).status_code == 400
        assert http.post(app_path + "/login", data={"username": "anyone", "password": "letmein"}).status_code == 200
        config = http.get(app_path + "/config")
        assert config.status_code == 200 and config.json()["root"] == f"http://testserver{root}", app_path
