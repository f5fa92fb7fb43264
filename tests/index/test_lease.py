"""The write lease of machines sharing a Chroma server, on a real Chroma (embedded here: each
``ServerLease`` stands for one machine)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

import index.lease
from index.lease import LOCK_ID, LeaseLost, LeaseTaken, ServerLease, _holder, _record
from index.reports import Progress
from index.serving import WriterBusy
from rag.settings import Settings
from tests.conftest import fake_app


@pytest.fixture()
def collection(tmp_path: Path):
    client = chromadb.PersistentClient(
        path=str(tmp_path / "server"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return client.get_or_create_collection("groundline-docstore", embedding_function=None)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.lease, "POLL_S", 0.05)


def test_one_machine_holds_it_at_a_time_and_the_next_takes_it_when_freed(collection) -> None:
    north, south = ServerLease(lambda: collection), ServerLease(lambda: collection)
    with north.held(timeout=1):
        with north.held(timeout=0):  # writing again inside its own write: held once
            pass
        assert _holder(collection) is not None  # still held
        with pytest.raises(LeaseTaken, match=r"Another machine \(.*process \d+\) is ingesting into the shared"):
            with south.held(timeout=0.2):
                pass
    assert _holder(collection) is None  # released
    with south.held(timeout=0):
        pass


def test_a_waiting_machine_gets_it_as_soon_as_the_holder_is_done(collection) -> None:
    north, south = ServerLease(lambda: collection), ServerLease(lambda: collection)
    order = []

    def south_writes() -> None:
        with south.held(timeout=5):
            order.append("south")

    with north.held(timeout=1):
        waiting = threading.Thread(target=south_writes)
        waiting.start()
        time.sleep(0.3)
        order.append("north done")
    waiting.join(5)
    assert order == ["north done", "south"] and _holder(collection) is None


def test_a_dead_holders_lease_is_taken_over_when_it_runs_out(collection) -> None:
    collection.add(**_record("dead-machine", time.time() - 1))  # it died; its lease ran out a second ago
    with ServerLease(lambda: collection).held(timeout=0):
        assert _holder(collection)["token"] != "dead-machine"
    collection.add(**_record("live-machine", time.time() + 30))  # a live one's is not
    with pytest.raises(LeaseTaken):
        with ServerLease(lambda: collection).held(timeout=0.2):
            pass


def test_the_holder_renews_its_lease_while_it_writes(collection) -> None:
    north = ServerLease(lambda: collection, lease_s=0.6)
    with north.held(timeout=1):
        first = _holder(collection)["until"]
        time.sleep(1.0)  # past the first lease's end: renewed every 0.2 s
        assert _holder(collection)["until"] > first + 0.5
        with pytest.raises(LeaseTaken):
            with ServerLease(lambda: collection).held(timeout=0.1):
                pass
    assert collection.get(ids=[LOCK_ID])["ids"] == []


def test_an_ingestion_waits_for_another_machines_and_says_whose(settings: Settings, news_dir: Path, collection) -> None:
    app = fake_app(settings)
    app.ingestor.lease = ServerLease(lambda: collection)
    app.ingestor.lock.timeout = 0.2
    collection.add(**_record("elsewhere", time.time() + 30))
    with pytest.raises(WriterBusy, match="Another machine .* is ingesting into the shared Chroma server"):
        app.ingestor.ingest([news_dir])
    collection.delete(ids=[LOCK_ID])
    assert app.ingestor.ingest([news_dir]).added  # and writes once it is free, leaving no lease behind
    assert _holder(collection) is None


def test_a_machine_that_stalled_past_its_lease_writes_no_further_step(
    settings: Settings, news_dir: Path, collection
) -> None:
    app = fake_app(settings.model_copy(update={"ingest_batch_files": 1}))  # a step per file
    app.ingestor.lease = ServerLease(lambda: collection)

    def another_machine_takes_over_after_the_first_step(progress: Progress) -> None:
        if progress.files_done == 2 and _holder(collection)["token"] != "elsewhere":  # the second file read
            # this machine stalled past its lease's end; another took it over (as _acquire does)
            collection.delete(ids=[LOCK_ID])
            collection.add(**_record("elsewhere", time.time() + 30))

    with pytest.raises(LeaseLost, match="another machine has taken over writing; nothing more was written"):
        app.ingestor.ingest([news_dir], progress=another_machine_takes_over_after_the_first_step)
    first, second = sorted(path.name for path in news_dir.iterdir())
    assert app.library.files() == [first]  # the step written before stays; the next was never begun
    assert _holder(collection)["token"] == "elsewhere"  # and the new holder's lease is left alone


def test_a_machine_that_stalled_past_its_lease_restores_no_further_page(
    settings: Settings, news_dir: Path, tmp_path: Path, collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.backup

    source = fake_app(settings.model_copy(update={"data_dir": tmp_path / "source"}))
    source.ingestor.ingest([news_dir])
    source.backups([]).backup(tmp_path / "backup")
    app = fake_app(settings)
    app.ingestor.lease = ServerLease(lambda: collection)
    monkeypatch.setattr(index.backup, "PAGE", 2)  # pages of 2 chunks: 3 pages of the sample's 6

    def another_machine_takes_over_after_the_first_page(done: int, total: int) -> None:
        if done == 2:  # this machine stalled past its lease's end; another took it over
            collection.delete(ids=[LOCK_ID])
            collection.add(**_record("elsewhere", time.time() + 30))

    with pytest.raises(LeaseLost, match="another machine has taken over writing"):
        app.backups([]).restore(tmp_path / "backup", another_machine_takes_over_after_the_first_page)
    assert app.vector_store.client.count() == 2  # the page written before stays; the next was never begun
    assert app.docstore.names() == [] and sorted(app.ingestor.journal.pending()) == source.library.files()
    assert _holder(collection)["token"] == "elsewhere"  # left for the new holder, whose next write removes them
