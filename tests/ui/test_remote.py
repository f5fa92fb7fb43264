"""The command line against a server on another machine (`ui.remote`), over the real documents API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.errors import NothingFound
from index.reports import Progress
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui import remote
from ui.remote import Remote, RemoteError
from ui.server import create_app

NOTE = "Maren Holt has kept the lighthouse on Skerry Point for twenty-two years.\n"


def server(settings: Settings, **more) -> tuple[TestClient, Settings]:
    served = settings.model_copy(update={"admin_token": "s3cret", **more})
    return TestClient(create_app(fake_app(served))), served


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    (folder / "north").mkdir(parents=True)
    (folder / "south").mkdir()
    (folder / "north" / "q3.txt").write_text(NOTE)
    (folder / "south" / "q3.txt").write_text("The south light is red.\n")
    (folder / "summary.md").write_text("# Summary\nBoth lights shine.\n")
    (folder / ".env").write_text("SECRET=1\n")
    (folder / "blob.txt").write_bytes(b"\x00\x01")
    (folder / "outside.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("Not in the folder.\n")
    return folder


def test_a_folder_is_ingested_by_a_server_elsewhere_with_its_subfolders_names(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, served = server(settings)
    monkeypatch.setattr(remote, "MOST_FILES", 2)  # three requests for the five files sent
    sent, stream = [], http.stream

    def counted(method: str, *args, **kwargs):
        sent.append(len(kwargs["files"]))
        return stream(method, *args, **kwargs)

    http.stream = counted
    seen: list[Progress] = []
    folder = corpus(tmp_path)
    report = Remote("http://elsewhere", "s3cret", http=http).ingest([folder], 2**20, seen.append)
    assert report.added == ["north/q3.txt", "south/q3.txt", "summary.md"]  # two q3.txt stay two
    assert {s.file: s.reason for s in report.skipped}.keys() == {"outside.txt", "blob.txt"}
    assert sent == [2, 2]  # checked here first: the link out of the folder is never sent, nor .env
    done = [p.files_done for p in seen]  # followed as the server streams it, request by request
    assert done[0] == 1 and done[-1] == 5 and done == sorted(done) and {3, 5} <= set(done)
    assert {p.files_total for p in seen} == {5}
    assert len(seen) > 3 and seen[-1].chunks == report.chunks > 0
    assert (served.uploads_dir / "north" / "q3.txt").read_text() == NOTE

    again = Remote("http://elsewhere", "s3cret", http=http).ingest([folder], 2**20)
    assert again.unchanged == report.added and again.chunks == 0

    client = Remote("http://elsewhere", "s3cret", http=http)
    listed = client.entries()
    assert [e["path"] for e in listed] == report.added and all(e["chunks"] for e in listed)
    why = {s.file: s.reason for s in report.skipped}["blob.txt"]  # found by the server (the link: here)
    assert [(u["path"], u["reason"]) for u in client.unread()] == [("blob.txt", why)]
    assert client.delete(["south/q3.txt", "nothing.txt"]) == ["south/q3.txt"]
    assert [e["path"] for e in client.entries()] == ["north/q3.txt", "summary.md"]
    assert not (served.uploads_dir / "south").exists()
    assert client.delete(["north/"]) == ["north/q3.txt"]  # a folder: every document in it
    assert [e["path"] for e in client.entries()] == ["summary.md"]


def test_a_sync_leaves_the_server_holding_exactly_the_files_found_here(settings: Settings, tmp_path: Path) -> None:
    http, served = server(settings)
    client = Remote("http://elsewhere", "s3cret", http=http)
    folder = corpus(tmp_path)
    client.ingest([folder], 2**20)
    (tmp_path / "loose.txt").write_text("Sent on its own.\n")
    client.ingest([tmp_path / "loose.txt"], 2**20)
    (folder / "south" / "q3.txt").unlink()
    report = client.ingest([folder], 2**20, sync=True)
    assert report.removed == ["loose.txt", "south/q3.txt"] and report.unchanged == ["north/q3.txt", "summary.md"]
    assert [e["path"] for e in client.entries()] == ["north/q3.txt", "summary.md"]
    assert not (served.uploads_dir / "south").exists() and not (served.uploads_dir / "loose.txt").exists()
    (tmp_path / "unmounted").mkdir()
    with pytest.raises(NothingFound, match=r"syncing would remove every stored document \(2\)"):
        client.ingest([tmp_path / "unmounted"], 2**20, sync=True)
    assert len(client.entries()) == 2


def test_a_request_too_large_for_the_server_is_split_down_to_the_lone_file(settings: Settings, tmp_path: Path) -> None:
    http, _ = server(settings, max_file_mb=0.05)  # 52 KB a file there, and 116 KB a request (with the form)
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(4):
        (folder / f"note{n}.txt").write_text(f"Note {n}: " + "the light turns. " * 2400 + "\n")  # 40 KB each
    (folder / "huge.txt").write_text("The lamp is lit. " * 12_000 + "\n")  # 200 KB
    report = Remote("http://elsewhere", "s3cret", http=http).ingest([folder], 2**20)  # one request, here
    assert report.added == [f"note{n}.txt" for n in range(4)]
    ((name, reason),) = [(s.file, s.reason) for s in report.skipped]
    assert name == "huge.txt" and reason.startswith("was refused by the server: The request is too large")


def test_a_refusal_or_an_unreachable_server_says_why_and_what_was_sent(settings: Settings, tmp_path: Path) -> None:
    http, _ = server(settings)
    folder = corpus(tmp_path)
    with pytest.raises(RemoteError, match="refused: .*set GROUNDLINE_ADMIN_TOKEN .*0 of 4 files were sent"):
        Remote("http://elsewhere", "guess", http=http).ingest([folder], 2**20)
    off, _ = server(settings, admin_token=None)
    with pytest.raises(RemoteError, match="the server has no GROUNDLINE_ADMIN_TOKEN"):
        Remote("http://elsewhere", "s3cret", http=off).delete(["a.txt"])
    with pytest.raises(RemoteError, match=r"Could not reach the server at http://127.0.0.1:9"):
        Remote("http://127.0.0.1:9", "s3cret").entries()
    with pytest.raises(FileNotFoundError):
        Remote("http://127.0.0.1:9", "s3cret").ingest([tmp_path / "missing"], 2**20)


def test_a_link_from_a_server_under_a_proxys_path_is_made_whole_under_it(settings: Settings, news_dir: Path) -> None:
    # GROUNDLINE_ROOT_PATH=/groundline behind a proxy: the server links /groundline/?file=..., which
    # the command line joined to its whole address, path and all (/groundline/groundline/?file=...)
    app = fake_app(settings, ["North Korea has denied that it supplies weapons to Russia [2]."])
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app), root_path="/groundline")  # as uvicorn serves it under the setting
    cited = Remote("https://intranet.example/groundline", None, http=http).ask("who denied arms deals?")["citations"]
    assert cited and cited[0]["link"].startswith(f"https://intranet.example/groundline/?file={ARMS_FILE}&lines=9-9")


def test_a_question_is_answered_by_the_server_whole_or_as_it_streams(settings: Settings, news_dir: Path) -> None:
    reply = "North Korea has denied that it supplies weapons to Russia [2]."
    app = fake_app(settings.model_copy(update={"chat_token": "open sesame"}), [reply] * 2)
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    asker = Remote("http://elsewhere", None, "open sesame", http=http)
    whole = asker.ask("who denied arms deals?")
    assert whole["answer"] == "North Korea has denied that it supplies weapons to Russia. [1]"
    assert (whole["citations"][0]["file"], whole["citations"][0]["start_line"]) == (ARMS_FILE, 9)
    cited = whole["citations"][0]  # its link whole: where this server shows it
    assert re.fullmatch(rf"http://elsewhere/\?file={re.escape(ARMS_FILE)}&lines=9-9&chars=\d+-\d+", cited["link"])
    *pieces, last = asker.stream("who denied arms deals?")
    assert "".join(pieces).startswith("North Korea has denied") and len(pieces) > 3  # word by word
    assert last == whole
    with pytest.raises(RemoteError, match="refused: .*set GROUNDLINE_ADMIN_TOKEN .*GROUNDLINE_CHAT_TOKEN to ask"):
        list(Remote("http://elsewhere", None, "guess", http=http).stream("who denied arms deals?"))
    with pytest.raises(RemoteError, match="refused: Please type a question"):
        asker.ask("   ")
    with pytest.raises(RemoteError, match="refused: not ingested documents: 'gone.txt'"):  # asked of a named one
        list(asker.stream("who denied arms deals?", ["gone.txt"]))


def test_a_search_is_made_by_the_server_its_links_whole(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    http = TestClient(create_app(app))
    hits = Remote("http://elsewhere", None, http=http).search("denied weapons supplies", limit=2)["hits"]
    assert (hits[0]["file"], hits[0]["start_line"]) == (ARMS_FILE, 9) and len(hits) <= 2
    assert hits[0]["link"].startswith(f"http://elsewhere/?file={ARMS_FILE}&lines=9-9&chars=")


def fresh_command_line(argv: list[str], data_dir: Path) -> tuple[list[str], str]:
    """``groundline *argv`` run in a new interpreter: its output lines, the last being its exit code
    and which of llama-index, Chroma, torch, llama.cpp, Gradio and transformers it loaded; its errors."""
    heavy = ("llama_index.core", "chromadb", "torch", "llama_cpp", "gradio", "transformers")
    script = (
        f"import sys; from ui.cli import main; code = main({argv!r}); "
        f"print(code, sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "GROUNDLINE_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).parents[2], env=env, capture_output=True, text=True
    )
    return done.stdout.splitlines(), done.stderr


def test_the_command_line_for_a_server_elsewhere_loads_no_model_store_or_index_library(tmp_path: Path) -> None:
    """`--server` commands only send and print: they started in ~3-5 s, loading llama-index and
    Chroma first (~2 s of imports alone on 2 cores), where they now start in well under one."""
    lines, errors = fresh_command_line(["list", "--server", "http://127.0.0.1:9"], tmp_path / "data")
    assert lines[-1] == "1 []", lines + [errors]  # refused: nothing listens on port 9
    assert "Could not reach the server at http://127.0.0.1:9" in errors
    assert not (tmp_path / "data").exists()
