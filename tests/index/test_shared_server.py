"""Two machines (data dirs) on one real ``chroma run``, with the test fakes for models: what one
does to the shared store, the other sees."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.shared_store import chroma_run
from index.pipeline import DataDirError
from rag.settings import Settings
from tests.conftest import fake_app
from tests.index.test_pipeline import cannot_remove, chroma_fails_after_one_chunk


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


def test_a_write_a_machine_left_half_done_is_repaired_by_the_next_writer_on_any_machine(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    north = machine(tmp_path, "north", server)
    north.ingestor.ingest_uploads([("minutes.txt", io.BytesIO(b"The refit starts in May.\n"))])
    log = "".join(f"Line {n}: the keeper lit the lamp at dusk and logged the fog.\n" for n in range(300))
    chroma_fails_after_one_chunk(monkeypatch)  # north's disk fills, or north dies, after Chroma got one chunk
    cannot_remove(monkeypatch, north)  # and north cannot remove it either: it dies before it could
    with pytest.raises(DataDirError):
        north.ingestor.ingest_uploads([("log.txt", io.BytesIO(log.encode()))])
    monkeypatch.undo()
    assert len(chunks_of(north, "log.txt")) == 1  # on the server, answerable, in no document list

    south = machine(tmp_path, "south", server)  # north never comes back: south starting repairs it
    assert south.ingestor.journal.pending() == []
    assert chunks_of(south, "log.txt") == [] and south.library.files() == ["minutes.txt"]
    assert len(chunks_of(south, "minutes.txt")) == 1  # what was whole stays

    report = south.ingestor.ingest_uploads([("log.txt", io.BytesIO(log.encode()))])
    assert report.added == ["log.txt"] and len(chunks_of(north, "log.txt")) == report.chunks > 1


def test_a_write_that_fails_part_way_removes_what_it_half_wrote_at_once(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its chunks were answerable, on every machine and by its own server, until the next write or start.
    north, south = machine(tmp_path, "north", server), machine(tmp_path, "south", server)
    north.ingestor.ingest_uploads([("minutes.txt", io.BytesIO(b"The refit starts in May.\n"))])
    log = "".join(f"Line {n}: the keeper lit the lamp at dusk and logged the fog.\n" for n in range(300))
    chroma_fails_after_one_chunk(monkeypatch)  # north's disk fills after Chroma got one chunk
    with pytest.raises(DataDirError):
        north.ingestor.ingest_uploads([("log.txt", io.BytesIO(log.encode()))])
    monkeypatch.undo()
    assert chunks_of(south, "log.txt") == [] and south.ingestor.journal.pending() == []
    assert north.library.files() == south.library.files() == ["minutes.txt"]  # what was whole stays
    assert len(chunks_of(south, "minutes.txt")) == 1


def test_a_server_repairs_what_a_dead_machine_half_wrote_without_waiting_for_a_write(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every machine answered from a dead writer's chunks until the next write or start anywhere:
    # days, on a quiet deployment. A serving machine now looks every few seconds.
    import time

    from fastapi.testclient import TestClient

    import ui.server

    monkeypatch.setattr(ui.server, "REPAIR_EVERY_S", 0.2)
    south = machine(tmp_path, "south", server)
    with TestClient(ui.server.create_app(south)):  # south serves (its lifespan runs)
        north = machine(tmp_path, "north", server)
        north.ingestor.ingest_uploads([("minutes.txt", io.BytesIO(b"The refit starts in May.\n"))])
        with monkeypatch.context() as dying:
            chroma_fails_after_one_chunk(dying)
            cannot_remove(dying, north)  # north dies before it can remove it
            with pytest.raises(DataDirError):
                north.ingestor.ingest_uploads([("log.txt", io.BytesIO(b"Fog at dusk.\n" * 400))])
        assert len(chunks_of(south, "log.txt")) == 1
        deadline = time.monotonic() + 20
        while (chunks_of(south, "log.txt") or south.ingestor.journal.pending()) and time.monotonic() < deadline:
            time.sleep(0.1)  # the repair removes the chunks, then clears the journal
        assert chunks_of(south, "log.txt") == [] and south.ingestor.journal.pending() == []
        assert south.library.files() == ["minutes.txt"]


def chunks_of(app, name: str) -> list[str]:
    return app.vector_store.client.get(where={"file": name}, include=[])["ids"]


def test_a_backup_of_the_shared_store_restores_into_a_data_directory_and_back(tmp_path: Path, server: str) -> None:
    from tests.index.test_backup import chunks, records

    north = machine(tmp_path, "north", server)
    north.ingestor.ingest_uploads([("minutes.txt", io.BytesIO(b"The refit starts in May.\n"))])
    north.ingestor.ingest_uploads([("rota.txt", io.BytesIO(b"Ann keeps the light.\n"))])
    stored = chunks(north), records(north)
    assert north.backups([]).backup(tmp_path / "backup.tar.gz").documents == 2

    alone = fake_app(Settings(data_dir=tmp_path / "alone", _env_file=None))  # one machine, embedded Chroma
    assert alone.backups([]).restore(tmp_path / "backup.tar.gz").documents == 2
    assert (chunks(alone), records(alone)) == stored

    south = machine(tmp_path, "south", server)
    south.ingestor.delete(["minutes.txt", "rota.txt"])  # the server's store lost
    assert south.backups([]).restore(tmp_path / "backup.tar.gz").chunks == len(stored[0])
    assert (chunks(north), records(north)) == stored  # every machine sees it back
    assert north.library.text("rota.txt") == "Ann keeps the light.\n"
