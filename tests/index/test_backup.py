"""Backups and restores (``index.backup``) with the test fakes for models and Chroma on disk: what is
restored is what was stored, a backup is a data directory of its own, and nothing is lost on a
refusal or a restore cut short."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from filelock import FileLock

from index.backup import FORMAT, MANIFEST, BackupError, Backups
from index.pipeline import DataDirError
from index.serving import WriterBusy
from index.store import every_chunk
from rag.app import Groundline
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app

CARRIED = ["chat.key", "feedback.jsonl"]
UPLOAD = ("notes/keeper.txt", b"The keeper lights the lamp at dusk.\n")


def app_at(tmp_path: Path, name: str) -> Groundline:
    return fake_app(Settings(data_dir=tmp_path / name, min_relevance=-1.0, _env_file=None))


def backups(app: Groundline) -> Backups:
    return app.backups(carried=CARRIED)


@pytest.fixture()
def stored(tmp_path: Path, news_dir: Path) -> Groundline:
    """A data directory with the sample corpus, an upload, a chats' key and a rating kept."""
    app = app_at(tmp_path, "data")
    app.ingestor.ingest([news_dir])
    app.ingestor.ingest_uploads([(UPLOAD[0], io.BytesIO(UPLOAD[1]))])
    key = app.settings.data_dir / "chat.key"
    key.write_text("secret\n")
    key.chmod(0o600)
    (app.settings.data_dir / "feedback.jsonl").write_text('{"rating": "up"}\n')
    return app


def chunks(app: Groundline) -> dict[str, tuple]:
    """Every chunk: its text, metadata and vector, by id."""
    rows = every_chunk(app.vector_store.client, ["documents", "metadatas", "embeddings"])
    return {
        chunk_id: (rows["documents"][i], rows["metadatas"][i], [round(float(x), 6) for x in rows["embeddings"][i]])
        for i, chunk_id in enumerate(rows["ids"])
    }


def records(app: Groundline) -> dict[str, dict]:
    kv = app.docstore.kv
    return {collection: kv.get_all(collection=collection) for collection in kv.collections()}


@pytest.mark.parametrize("name", ["backup", "backup.tar.gz"])
def test_a_restore_brings_back_every_chunk_record_upload_and_key(
    tmp_path: Path, stored: Groundline, news_dir: Path, name: str
) -> None:
    progress: list[tuple[int, int]] = []
    made = backups(stored).backup(tmp_path / name, lambda done, total: progress.append((done, total)))
    assert (made.documents, made.chunks, made.uploads, made.files) == (3, len(chunks(stored)), 1, CARRIED)
    assert progress[0] == (0, made.chunks) and progress[-1] == (made.chunks, made.chunks)
    assert (tmp_path / name).stat().st_mode & 0o077 == 0  # the documents' text and the key: the owner's alone
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no work folder left behind

    restored = app_at(tmp_path, "restored")
    done = backups(restored).restore(tmp_path / name)
    assert (done.documents, done.chunks, done.uploads, done.files) == (3, made.chunks, 1, CARRIED)
    assert chunks(restored) == chunks(stored)
    assert records(restored) == records(stored)
    assert restored.library.files() == stored.library.files()
    assert restored.library.lines(ARMS_FILE) == stored.library.lines(ARMS_FILE)
    here = restored.settings.data_dir
    assert (here / "uploads" / UPLOAD[0]).read_bytes() == UPLOAD[1]
    assert (here / "chat.key").read_text() == "secret\n" and (here / "chat.key").stat().st_mode & 0o077 == 0
    # answered from as before, and each file's fingerprint came back: ingesting the folder again reads nothing
    assert restored.retriever.retrieve("who denied arms deals?")[0].file == ARMS_FILE
    again = restored.ingestor.ingest([news_dir])
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], 2)


def test_a_backup_folder_is_a_data_directory_of_its_own(tmp_path: Path, stored: Groundline) -> None:
    backups(stored).backup(tmp_path / "backup")
    copy = app_at(tmp_path, "backup")
    assert copy.library.files() == stored.library.files()
    assert chunks(copy) == chunks(stored)
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    assert manifest["format"] == FORMAT and manifest["documents"] == 3 and manifest["embedding"] == "HashEmbedding"


def test_a_restore_keeps_the_data_directorys_own_key(tmp_path: Path, stored: Groundline) -> None:
    backups(stored).backup(tmp_path / "backup")
    restored = app_at(tmp_path, "restored")
    restored.settings.data_dir.mkdir(parents=True)
    (restored.settings.data_dir / "chat.key").write_text("mine\n")
    done = backups(restored).restore(tmp_path / "backup")
    assert done.files == ["feedback.jsonl"] and done.kept == ["chat.key"]
    assert (restored.settings.data_dir / "chat.key").read_text() == "mine\n"
    assert "chat.key already here: kept as it was" in done.summary("restored from")


def test_a_restore_into_a_store_with_documents_is_refused_and_changes_nothing(
    tmp_path: Path, stored: Groundline
) -> None:
    backups(stored).backup(tmp_path / "backup")
    stored.ingestor.delete([UPLOAD[0]])
    before = chunks(stored), records(stored)
    with pytest.raises(BackupError, match="already holds 2 document"):
        backups(stored).restore(tmp_path / "backup")
    assert (chunks(stored), records(stored)) == before


def test_a_restore_replacing_the_documents_brings_back_the_store_as_it_was_backed_up(
    tmp_path: Path, stored: Groundline, news_dir: Path
) -> None:
    backups(stored).backup(tmp_path / "backup")
    before = chunks(stored), records(stored)
    stored.ingestor.delete([ARMS_FILE])  # the mistakes a rollback undoes: a document deleted, another added
    (tmp_path / "wrong").mkdir()
    (tmp_path / "wrong" / "draft.txt").write_text("A draft nobody meant to ingest.\n")
    (tmp_path / "wrong" / "empty.txt").write_text("")  # found and not read: its record goes too
    stored.ingestor.ingest([tmp_path / "wrong"])
    assert stored.docstore.skipped() and len(stored.docstore.names()) == 3

    done = backups(stored).restore(tmp_path / "backup", replacing=True)
    assert (done.documents, done.replaced) == (3, 3)
    assert "in place of the 3 document(s) held before" in done.summary("restored from")
    assert (chunks(stored), records(stored)) == before
    assert stored.docstore.skipped() == {}
    assert (stored.settings.data_dir / "uploads" / UPLOAD[0]).read_bytes() == UPLOAD[1]
    assert stored.retriever.retrieve("who denied arms deals?")[0].file == ARMS_FILE


def test_a_damaged_backup_is_refused_before_anything_stored_is_replaced(tmp_path: Path, stored: Groundline) -> None:
    backups(stored).backup(tmp_path / "backup")
    manifest = tmp_path / "backup" / MANIFEST
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "chunks": 1}))  # chunks lost since
    before = chunks(stored), records(stored)
    with pytest.raises(BackupError, match="holds .* chunks and 3 documents, not the 1 and 3 it should: .* is damaged"):
        backups(stored).restore(tmp_path / "backup", replacing=True)
    assert (chunks(stored), records(stored)) == before


def test_a_replacing_restore_cut_short_leaves_the_store_empty_never_half_old(
    tmp_path: Path, stored: Groundline, monkeypatch: pytest.MonkeyPatch
) -> None:
    backups(stored).backup(tmp_path / "backup")

    def refused(*args, **kwargs):
        raise RuntimeError("the store refused the write")

    monkeypatch.setattr("index.backup.copy_records", refused)  # the old documents deleted, the chunks copied
    with pytest.raises(BackupError, match="what was copied of it was removed again"):
        backups(stored).restore(tmp_path / "backup", replacing=True)
    assert stored.vector_store.client.count() == 0 and stored.docstore.names() == []
    monkeypatch.undo()
    assert backups(stored).restore(tmp_path / "backup").documents == 3  # and the backup is still there to restore


def test_what_is_not_a_whole_backup_is_refused(tmp_path: Path, stored: Groundline) -> None:
    target = backups(app_at(tmp_path, "restored"))
    with pytest.raises(BackupError, match="has no backup.json"):
        target.restore(stored.settings.data_dir)  # a data directory, not a backup
    with pytest.raises(BackupError, match="does not exist"):
        target.restore(tmp_path / "missing")
    (tmp_path / "broken.tar.gz").write_bytes(b"not gzip at all")
    with pytest.raises(BackupError, match="cannot be unpacked"):
        target.restore(tmp_path / "broken.tar.gz")

    backups(stored).backup(tmp_path / "backup")
    shutil.copytree(tmp_path / "backup", tmp_path / "damaged")
    shutil.rmtree(tmp_path / "damaged" / "chroma")  # its chunks lost, its manifest and records kept
    with pytest.raises(BackupError, match="holds no chunks a backup would"):
        target.restore(tmp_path / "damaged")
    manifest = tmp_path / "backup" / MANIFEST
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "embedding": "minilm-onnx-int8"}))
    with pytest.raises(BackupError, match="embedder minilm-onnx-int8"):
        target.restore(tmp_path / "backup")
    assert target.docstore.names() == []


def test_a_backup_never_overwrites_and_stays_out_of_the_data_directory(tmp_path: Path, stored: Groundline) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(BackupError, match="already exists"):
        backups(stored).backup(tmp_path / "taken")
    with pytest.raises(BackupError, match="inside the data directory"):
        backups(stored).backup(stored.settings.data_dir / "uploads" / "copy")
    with pytest.raises(BackupError, match="is not a folder"):
        backups(stored).backup(tmp_path / "nowhere" / "backup")


def test_a_backup_waits_for_a_writer_and_says_so_when_it_does_not_finish(tmp_path: Path, stored: Groundline) -> None:
    stored.ingestor.lock.timeout = 0.2
    with FileLock(str(stored.settings.data_dir / "write.lock")):  # another process ingesting
        with pytest.raises(WriterBusy, match="Another ingestion is writing"):
            backups(stored).backup(tmp_path / "backup")
    assert not (tmp_path / "backup").exists()


def test_a_backup_that_fails_to_be_written_says_so_and_leaves_nothing(
    tmp_path: Path, stored: Groundline, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args, **kwargs):
        raise RuntimeError("database or disk is full")  # as Chroma or SQLite says it, not as an OSError

    monkeypatch.setattr("index.backup.copy_uploads", refused)
    with pytest.raises(BackupError, match="Could not write the backup to .*database or disk is full"):
        backups(stored).backup(tmp_path / "backup.tar.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "news"]  # no backup, and no work folder left


def test_a_restore_cut_short_leaves_the_store_empty(
    tmp_path: Path, stored: Groundline, monkeypatch: pytest.MonkeyPatch
) -> None:
    backups(stored).backup(tmp_path / "backup")
    restored = app_at(tmp_path, "restored")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("index.backup.copy_records", disk_full)  # after the chunks went in
    with pytest.raises(DataDirError, match="No space left"):
        backups(restored).restore(tmp_path / "backup")
    assert restored.vector_store.client.count() == 0 and restored.docstore.names() == []

    def refused(*args, **kwargs):
        raise RuntimeError("the store refused the write")  # as Chroma raises its own errors

    monkeypatch.setattr("index.backup.copy_records", refused)
    with pytest.raises(BackupError, match="the store refused the write.*what was copied of it was removed again"):
        backups(restored).restore(tmp_path / "backup")
    assert restored.vector_store.client.count() == 0 and restored.docstore.names() == []
    monkeypatch.undo()
    assert backups(restored).restore(tmp_path / "backup").documents == 3  # and it can be run again
