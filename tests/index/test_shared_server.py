"""Two machines (data dirs) on one real ``chroma run``, with the test fakes for models: what one
does to the shared store, the other sees."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.shared_store import chroma_run
from rag.settings import Settings
from tests.conftest import fake_app


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    proc, address = chroma_run(tmp_path / "chroma-server")
    yield address
    proc.terminate()
    proc.wait(10)


def machine(tmp_path: Path, name: str, server: str):
    return fake_app(Settings(data_dir=tmp_path / name, chroma_server=server, _env_file=None))


def test_an_upload_deleted_on_another_machine_leaves_no_copy_here(tmp_path: Path, server: str) -> None:
    north = machine(tmp_path, "north", server)
    north.ingestor.ingest_uploads([("minutes.txt", io.BytesIO(b"The refit starts in May.\n"))])
    kept = tmp_path / "north" / "uploads" / "minutes.txt"
    assert kept.is_file()

    south = machine(tmp_path, "south", server)
    assert south.library.files() == ["minutes.txt"]  # one store
    assert south.ingestor.delete(["minutes.txt"]) == ["minutes.txt"]
    assert kept.is_file()  # south deleted its own copies only: north has not written since

    north.ingestor.ingest_uploads([("rota.txt", io.BytesIO(b"Ann keeps the light.\n"))])  # north's next write
    assert not kept.exists() and (tmp_path / "north" / "uploads" / "rota.txt").is_file()

    south.ingestor.delete(["rota.txt"])
    machine(tmp_path, "north", server).ingestor  # noqa: B018 -- north starting again
    assert not (tmp_path / "north" / "uploads" / "rota.txt").exists()
