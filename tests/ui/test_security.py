"""The embed allowlist: CORS and frame-ancestors from one setting."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import fake_app
from ui.server import create_app


def client_for(settings: Settings, origins: list[str]) -> TestClient:
    return TestClient(create_app(fake_app(settings.model_copy(update={"embed_origins": origins}))))


def preflight(client: TestClient, origin: str):
    return client.options("/api/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})


@pytest.mark.parametrize("origin", ["http://localhost:5173", "http://127.0.0.1:8080"])
def test_localhost_is_allowed_by_default(settings: Settings, origin: str) -> None:
    resp = preflight(client_for(settings, settings.embed_origins), origin)
    assert resp.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost.evil.example", "http://127.0.0.2:80"])
def test_other_origins_are_refused(settings: Settings, origin: str) -> None:
    resp = preflight(client_for(settings, settings.embed_origins), origin)
    assert resp.status_code == 400 and "access-control-allow-origin" not in resp.headers


def test_frame_ancestors_follows_the_allowlist(settings: Settings, tmp_path: Path) -> None:
    client = client_for(settings, ["https://docs.example.com"])
    for path in ("/", "/embed/", "/healthz"):
        assert client.get(path).headers["content-security-policy"] == "frame-ancestors 'self' https://docs.example.com"
    assert preflight(client, "http://localhost:5173").status_code == 400
    assert preflight(client, "https://docs.example.com").headers["access-control-allow-origin"]
