"""Web addresses ingested (index.fetch): fetched from a real local HTTP server, named by address, read
by the type the server says it sent; what cannot be fetched is skipped with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from index.fetch import document_path, fetch
from rag.settings import Settings
from tests.conftest import fake_app, live_server
from ui import cli

PAGE = "<html><head><title>Harbour</title><script>alert(1)</script></head><body><h1>Harbour news</h1>" \
    "<p>The Skerry Point light was repainted in May.</p></body></html>"  # fmt: skip


@pytest.fixture(scope="module")
def site():
    app = FastAPI()
    app.get("/news/harbour")(lambda: Response(PAGE, media_type="text/html; charset=utf-8"))
    app.get("/notes/{name}")(lambda name: PlainTextResponse("Maren Holt keeps the light.\n"))
    app.get("/old")(lambda: RedirectResponse("/news/harbour"))
    app.get("/logo.gif")(lambda: Response(b"GIF89a", media_type="image/gif"))
    app.get("/big.txt")(lambda: PlainTextResponse("x" * 5000))
    with live_server(app) as url:
        yield url


def test_pages_and_files_are_fetched_into_a_folder_laid_out_by_address(site: str, tmp_path: Path) -> None:
    heard: list[str] = []
    urls = [f"{site}/news/harbour", f"{site}/notes/keeper.txt", f"{site}/old", f"{site}/missing", f"{site}/logo.gif"]
    skipped = fetch(urls, tmp_path, 2**20, heard.append)
    assert heard == urls
    host = document_path(site + "/").split("/")[0]  # 127.0.0.1_PORT
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{host}/news/harbour.html",  # the redirect lands on the same page: one document
        f"{host}/notes/keeper.txt",
    ]
    assert {s.file: s.reason for s in skipped} == {
        f"{site}/missing": "answered HTTP 404 Not Found; skipped",
        f"{site}/logo.gif": "is image/gif, which no reader here reads; skipped",
    }


def test_an_address_too_long_or_with_control_characters_for_a_file_name_is_skipped(site: str, tmp_path: Path) -> None:
    long, controlled = f"{site}/notes/{'a' * 300}.txt", f"{site}/notes/bad%0Aname.txt"
    skipped = {s.file: s.reason for s in fetch([long, controlled, f"{site}/notes/keeper.txt"], tmp_path, 2**20)}
    assert skipped[long].startswith("could not be kept to read (File name too long)")
    assert "control character" in skipped[controlled]
    assert [p.name for p in tmp_path.rglob("*.txt")] == ["keeper.txt"]  # the rest fetched all the same


def test_a_file_larger_than_the_limit_is_cut_off_and_skipped(site: str, tmp_path: Path) -> None:
    skipped = fetch([f"{site}/big.txt"], tmp_path, 1000)
    assert [s.reason for s in skipped] == ["is larger than 0.000953674 MB (GROUNDLINE_MAX_FILE_MB); skipped"]
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_an_address_is_ingested_named_by_it_and_cited_from_its_visible_text(
    site: str, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = fake_app(settings)
    with cli.targets([f"{site}/news/harbour", f"{site}/missing"], settings) as (paths, skipped):
        assert cli.ingest(app, paths, fetch_skipped=skipped) == 0
        fetched_into = paths[0]
    assert not fetched_into.exists()  # the fetched copies go once ingested
    out = capsys.readouterr()
    assert "1 added" in out.out and f"{site}/missing answered HTTP 404" in out.err
    name = document_path(f"{site}/news/harbour", "text/html")
    assert app.library.files() == [name]
    assert app.library.lines(name) == ["Harbour news", "The Skerry Point light was repainted in May."]
    with cli.targets([f"{site}/news/harbour"], settings) as (paths, skipped):  # fetched again, unchanged
        assert app.ingestor.ingest(paths).unchanged == [name]
