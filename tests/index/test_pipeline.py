"""Ingestion into a real embedded Chroma, with the fake embedder."""

import io
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from llama_index.core.schema import TextNode

from index.errors import NothingFound, SkippedFile
from index.formats import Extracted
from index.pipeline import DataDirError, ReportingEmbedder
from index.reports import Progress
from index.serving import ServedElsewhere, hold_for_server, server_lock
from rag.app import build
from rag.settings import Settings
from tests.conftest import ARMS_FILE, ROOT, fake_app
from tests.fakes import HashEmbedding, word_count
from tests.index.test_formats import make_docx_with_a_table


def chroma_chunks(app, file: str) -> list[dict]:
    got = app.vector_store.client.get(where={"file": file}, include=["metadatas", "documents"])
    return [dict(m, text=t) for m, t in zip(got["metadatas"], got["documents"], strict=True)]


def test_ingest_stores_chunks_with_file_lines_and_offsets(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    report = app.ingestor.ingest([news_dir])
    assert report.added == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]
    stored = chroma_chunks(app, ARMS_FILE)
    assert len(stored) > 1
    text = (news_dir / ARMS_FILE).read_text()
    for chunk in stored:
        assert chunk["start_line"] <= chunk["end_line"]
        assert chunk["text"] in text
    assert app.library.text(ARMS_FILE) == text
    assert app.library.files() == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]


def test_a_document_another_writer_stored_is_seen_and_never_saved_over(settings: Settings, tmp_path: Path) -> None:
    # Two Groundlines on one data dir, as a server and `groundline ingest` are with a Chroma server.
    # The server's docstore was read once at start: it did not list the other's document, and its
    # next upload saved its old copy over the file, losing that document (its chunks left orphaned).
    def folder(name: str, text: str) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text(text)
        return tmp_path / name

    serving = fake_app(settings)
    assert serving.library.files() == []
    fake_app(settings).ingestor.ingest([folder("cli", "Zebras gallop at dawn.\n")])
    assert serving.library.files() == ["cli.txt"]
    assert serving.library.text("cli.txt") == "Zebras gallop at dawn.\n"  # its citations open
    serving.ingestor.ingest([folder("ui", "Cats purr when content.\n")])
    reopened = fake_app(settings)
    assert reopened.library.files() == ["cli.txt", "ui.txt"]
    assert {e.path: e.chunks for e in reopened.library.entries()} == {"cli.txt": 1, "ui.txt": 1}
    assert serving.ingestor.ingest([tmp_path / "cli"]).unchanged == ["cli.txt"]  # not taken for new


HOLDER = """
import sys
from pathlib import Path
from index.serving import hold_for_server
try:
    hold_for_server(Path(sys.argv[1]))
except Exception as exc:
    print(type(exc).__name__, exc, flush=True)
    sys.exit(1)
print("held", flush=True)
sys.stdin.read()
"""


def start_server_holding(data_dir: Path) -> subprocess.Popen:
    """Another process that holds the data dir as `groundline serve` does, until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return proc


def test_no_other_process_writes_to_an_embedded_store_while_a_server_holds_it(
    settings: Settings, news_dir: Path
) -> None:
    # A serving process keeps Chroma's vector index in memory: its queries missed every chunk that
    # `groundline ingest` in another process wrote afterwards (measured: BM25 found the new file,
    # the vector search did not). Such a write is now refused, clearly, before anything changes.
    app = fake_app(settings)
    app.ingestor.ingest([news_dir / ARMS_FILE])
    server = start_server_holding(settings.data_dir)
    try:
        assert server.stdout.readline().strip() == "held"
        second = start_server_holding(settings.data_dir)  # a second server on the same data dir
        assert second.stdout.readline().startswith("ServedElsewhere Another groundline serve is using")
        assert second.wait(30) == 1
        with pytest.raises(ServedElsewhere, match="groundline serve is using .*GROUNDLINE_CHROMA_SERVER"):
            app.ingestor.ingest([news_dir])
        with pytest.raises(ServedElsewhere):
            app.ingestor.delete([ARMS_FILE])
        assert app.library.files() == [ARMS_FILE]  # nothing changed
    finally:
        server.kill()  # as a crash would: the OS lets go of the lock
        server.wait(30)
    assert app.ingestor.ingest([news_dir]).added == ["004_29e6f3c5e9546205.txt"]


def test_a_reader_beside_a_server_leaves_a_failed_writes_repair_to_the_server(
    settings: Settings, news_dir: Path
) -> None:
    # A write that fails part-way (a full disk, say) leaves its journal, and the next process to open
    # the store repaired it by deleting the journaled documents' chunks: beside a server, a
    # `groundline ask` did so in a store the server's own index would not see change.
    fake_app(settings).ingestor.ingest([news_dir / ARMS_FILE])
    journal = settings.data_dir / "ingest.journal.json"
    journal.write_text(json.dumps([ARMS_FILE]))
    server = start_server_holding(settings.data_dir)
    try:
        assert server.stdout.readline().strip() == "held"
        assert fake_app(settings).library.files() == [ARMS_FILE] and journal.exists()  # left alone
    finally:
        server.kill()
        server.wait(30)
    assert fake_app(settings).library.files() == [] and not journal.exists()  # no server: repaired on opening


def test_the_serving_process_writes_and_a_chroma_server_lets_every_process_write(
    settings: Settings, news_dir: Path
) -> None:
    hold_for_server(settings.data_dir)  # this process is the server: its own uploads go ahead
    try:
        with ThreadPoolExecutor(1) as request_thread:  # as the page's upload runs
            assert request_thread.submit(fake_app(settings).ingestor.ingest, [news_dir]).result().chunks > 0
    finally:
        server_lock(settings.data_dir).release()
    server = start_server_holding(settings.data_dir)
    try:
        assert server.stdout.readline().strip() == "held"
        ingestor = fake_app(settings).ingestor
        ingestor.shared_store = True  # as built with GROUNDLINE_CHROMA_SERVER set
        assert ingestor.delete([ARMS_FILE]) == [ARMS_FILE]
    finally:
        server.kill()
        server.wait(30)


def test_reingesting_unchanged_files_does_nothing(settings: Settings, news_dir: Path) -> None:
    fake_app(settings).ingestor.ingest([news_dir])
    app = fake_app(settings)  # a new process would reopen the stores like this
    before = app.vector_store.client.count()
    report = app.ingestor.ingest([news_dir])
    assert report.unchanged == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]
    assert report.chunks == 0
    assert app.vector_store.client.count() == before


def test_a_changed_file_replaces_its_old_chunks(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    other_before = chroma_chunks(app, "004_29e6f3c5e9546205.txt")
    (news_dir / ARMS_FILE).write_text("A short replacement.\nSecond line.\n")
    report = app.ingestor.ingest([news_dir])
    assert report.updated == [ARMS_FILE]
    stored = chroma_chunks(app, ARMS_FILE)
    assert [c["text"] for c in stored] == ["A short replacement.\nSecond line."]
    assert chroma_chunks(app, "004_29e6f3c5e9546205.txt") == other_before
    assert app.library.text(ARMS_FILE) == "A short replacement.\nSecond line.\n"


def test_bad_files_are_reported_and_nothing_stored_is_lost(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    before = app.vector_store.client.count()
    (news_dir / "photo.txt").write_bytes(b"\xff\xd8\xff\x00JFIF")
    (news_dir / "new.md").write_text("# Fresh\nNew text.\n")
    report = app.ingestor.ingest([news_dir])
    assert [s.file for s in report.skipped] == ["photo.txt"]
    assert "binary" in str(report.skipped[0])
    assert report.added == ["new.md"]
    assert app.vector_store.client.count() == before + 1


def test_new_chunk_settings_rechunk_unchanged_files(settings: Settings, news_dir: Path) -> None:
    fake_app(settings).ingestor.ingest([news_dir])
    smaller = fake_app(settings.model_copy(update={"chunk_tokens": 40}))
    report = smaller.ingestor.ingest([news_dir])
    assert report.updated == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]
    assert all(c["chunking"] == "runs:40:1;HashEmbedding" for c in chroma_chunks(smaller, ARMS_FILE))


def test_another_embedder_re_embeds_unchanged_files(settings: Settings, news_dir: Path) -> None:
    class OtherEmbedding(HashEmbedding):
        @classmethod
        def class_name(cls) -> str:
            return "OtherEmbedding"

    fake_app(settings).ingestor.ingest([news_dir])
    other = build(settings, embed_model=OtherEmbedding(), token_counter=word_count)
    report = other.ingestor.ingest([news_dir])
    assert report.updated == [ARMS_FILE, "004_29e6f3c5e9546205.txt"] and not report.unchanged
    assert other.ingestor.ingest([news_dir]).unchanged == report.updated


def test_list_shows_path_hash_and_chunk_count(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    entries = {e.path: e for e in app.library.entries()}
    assert set(entries) == {ARMS_FILE, "004_29e6f3c5e9546205.txt"}
    assert entries[ARMS_FILE].chunks == len(chroma_chunks(app, ARMS_FILE)) > 0
    assert entries[ARMS_FILE].content_hash == app.docstore.docstore.get_document_hash(ARMS_FILE)


def test_delete_removes_chunks_text_and_keywords_and_is_idempotent(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    assert any(p.file == ARMS_FILE for p in app.retriever.retrieve("Matsegora ammunition"))
    assert app.ingestor.delete([ARMS_FILE]) == [ARMS_FILE]
    assert chroma_chunks(app, ARMS_FILE) == []
    assert app.library.files() == ["004_29e6f3c5e9546205.txt"]
    assert all(p.file != ARMS_FILE for p in app.retriever.retrieve("Matsegora ammunition"))
    assert app.ingestor.delete([ARMS_FILE]) == []
    reopened = fake_app(settings)  # persisted: a new process sees the same
    assert reopened.library.files() == ["004_29e6f3c5e9546205.txt"]
    assert reopened.ingestor.ingest([news_dir]).added == [ARMS_FILE]  # and can ingest it again


def test_a_folder_is_deleted_with_every_document_in_it_and_no_other(settings: Settings, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for name in ("north/q2.txt", "north/2024/q3.txt", "northern.txt", "south/q2.txt"):
        (reports / name).parent.mkdir(parents=True, exist_ok=True)
        (reports / name).write_text(f"The report {name} says the light is lit.\n")
    (reports / "north" / "blob.txt").write_bytes(b"\x00\x01")  # found and not read: its record goes with its folder
    app = fake_app(settings)
    app.ingestor.ingest([reports])
    assert app.ingestor.delete(["north/", "south/q2.txt", "east/"]) == [
        "north/2024/q3.txt",
        "north/q2.txt",
        "south/q2.txt",
    ]
    assert app.library.files() == ["northern.txt"]  # a name that merely starts like the folder stays
    assert chroma_chunks(app, "north/q2.txt") == [] and app.library.unread() == []
    assert app.ingestor.delete(["north/"]) == []  # idempotent


def test_deleting_an_uploaded_document_deletes_the_copy_kept_of_it(settings: Settings, news_dir: Path) -> None:
    # Uploads are kept under DATA_DIR/uploads; "Delete document" left the file there, on the server.
    app = fake_app(settings)
    settings.uploads_dir.mkdir(parents=True)
    kept = settings.uploads_dir / "upload.txt"
    kept.write_text("Sent in by a reader.\n")
    (settings.uploads_dir / "news").mkdir()  # a folder named like a document stays
    app.ingestor.ingest([kept, news_dir])
    assert sorted(app.ingestor.delete(["upload.txt", ARMS_FILE, "news"])) == [ARMS_FILE, "upload.txt"]
    assert not kept.exists() and (settings.uploads_dir / "news").is_dir()
    assert (news_dir / ARMS_FILE).exists()  # a file ingested from elsewhere is not ours to delete


def test_a_sync_removes_the_documents_whose_files_are_gone(settings: Settings, news_dir: Path) -> None:
    # Re-ingesting a folder never removed anything: a file deleted from it stayed answerable and cited.
    app = fake_app(settings)
    (news_dir / "north").mkdir()
    (news_dir / "north" / "q3.txt").write_text("Zebras gallop at dawn.\n")
    app.ingestor.ingest([news_dir])
    (news_dir / ARMS_FILE).unlink()
    (news_dir / "north" / "q3.txt").unlink()
    assert app.ingestor.ingest([news_dir]).removed == []  # without sync, as before
    report = app.ingestor.ingest([news_dir], sync=True)
    assert report.removed == [ARMS_FILE, "north/q3.txt"] and report.unchanged == ["004_29e6f3c5e9546205.txt"]
    assert report.summary() == "0 added, 0 updated, 1 unchanged, 0 skipped, 2 removed; 0 chunks embedded"
    assert app.library.files() == ["004_29e6f3c5e9546205.txt"] and chroma_chunks(app, ARMS_FILE) == []
    assert all(p.file != ARMS_FILE for p in app.retriever.retrieve("Matsegora ammunition"))  # keywords too
    assert fake_app(settings).library.files() == ["004_29e6f3c5e9546205.txt"]  # persisted


def test_a_sync_keeps_what_it_found_but_skipped_and_removes_uploads_it_did_not_find(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings)
    settings.uploads_dir.mkdir(parents=True)
    kept = settings.uploads_dir / "upload.txt"
    kept.write_text("Sent in by a reader.\n")
    app.ingestor.ingest([kept, news_dir])
    (news_dir / ARMS_FILE).write_bytes(b"\x00\x01 now binary")  # found, skipped: what was stored stays
    report = app.ingestor.ingest([news_dir], sync=True)
    assert [s.file for s in report.skipped] == [ARMS_FILE] and report.removed == ["upload.txt"]
    assert app.library.files() == [ARMS_FILE, "004_29e6f3c5e9546205.txt"] and not kept.exists()


def test_a_sync_that_finds_no_files_removes_nothing(settings: Settings, news_dir: Path, tmp_path: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    (tmp_path / "unmounted").mkdir()
    with pytest.raises(
        NothingFound, match=r"^No files were found under .*unmounted; syncing would remove every stored document \(2\)"
    ):
        app.ingestor.ingest([tmp_path / "unmounted"], sync=True)
    assert app.library.files() == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]
    assert (
        fake_app(Settings(data_dir=tmp_path / "empty", _env_file=None))
        .ingestor.ingest([tmp_path / "unmounted"], sync=True)
        .removed
        == []
    )  # nothing stored, nothing to lose


def test_a_removal_cut_short_is_finished_by_the_next_writer(
    settings: Settings, news_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A delete (or sync) that died between Chroma and the docstore left a document listed with no chunks.
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])

    def dies(*args, **kwargs) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(app.docstore.docstore, "delete_ref_doc", dies)
    with pytest.raises(DataDirError):
        app.ingestor.delete([ARMS_FILE])
    monkeypatch.undo()
    assert chroma_chunks(app, ARMS_FILE) == []  # cut short after the chunks went
    assert fake_app(settings).library.files() == ["004_29e6f3c5e9546205.txt"]


def chroma_fails_after_one_chunk(patch: pytest.MonkeyPatch) -> None:
    """Chroma takes a write's first chunk, then the disk fills (or the machine dies): from now on,
    until ``patch`` (a monkeypatch, or one of its contexts) is undone."""
    from llama_index.vector_stores.chroma import ChromaVectorStore

    real_add = ChromaVectorStore.add

    def fails_part_way(self, nodes, **kwargs):
        real_add(self, nodes[:1], **kwargs)
        raise OSError(28, "No space left on device")

    patch.setattr(ChromaVectorStore, "add", fails_part_way)


def cannot_remove(patch: pytest.MonkeyPatch, app) -> None:
    """``app``'s writer cannot remove what it half wrote either (it dies before it could)."""

    def unreachable(files):
        raise ConnectionError("the Chroma server went away")

    patch.setattr(app.ingestor, "_remove", unreachable)


def test_a_write_that_fails_part_way_leaves_its_own_process_nothing_to_answer_from(
    settings: Settings, news_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server whose upload failed after Chroma took some of its chunks answered from them (a
    # document in no list, its citations opening nothing) until its next write.
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    chroma_fails_after_one_chunk(monkeypatch)
    log = "".join(f"Line {n}: the keeper of Skerry light logged the fog at dusk.\n" for n in range(200))
    with pytest.raises(DataDirError):
        app.ingestor.ingest_uploads([("log.txt", io.BytesIO(log.encode()))])
    monkeypatch.undo()
    assert chroma_chunks(app, "log.txt") == [] and app.ingestor.journal.pending() == []
    assert all(p.file != "log.txt" for p in app.retriever.retrieve("Skerry light fog at dusk", top_k=10))
    assert app.library.files() == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]  # what was stored stays


def test_progress_starts_at_zero_and_counts_chunks_as_they_are_embedded(settings: Settings, news_dir: Path) -> None:
    seen: list[Progress] = []
    report = fake_app(settings).ingestor.ingest([news_dir], progress=seen.append)
    assert seen[0] == Progress(0, 2, 0)  # the bar shows before the first batch is done
    assert seen[-1] == Progress(2, 2, report.chunks)
    assert [p.chunks for p in seen] == sorted(p.chunks for p in seen)


def test_the_ingestor_is_busy_while_it_writes_from_any_thread(settings: Settings, news_dir: Path) -> None:
    # The server's questions leave the keyword index to the write's own rebuild meanwhile.
    ingestor = fake_app(settings).ingestor
    seen: list[bool] = []

    def progress(_: Progress) -> None:
        asked = threading.Thread(target=lambda: seen.append(ingestor.busy))  # as a question's thread asks
        asked.start()
        asked.join()

    assert not ingestor.busy
    ingestor.ingest([news_dir], progress=progress)
    assert seen and all(seen) and not ingestor.busy
    with pytest.raises(ValueError), ingestor.writing():
        raise ValueError("a write that failed")
    assert not ingestor.busy


def test_the_embedder_reports_after_each_slice() -> None:
    counts: list[int] = []
    nodes = [TextNode(text=f"chunk {i}") for i in range(5)]
    embedded = ReportingEmbedder(embed_model=HashEmbedding(), report=counts.append, slice_size=2)(nodes)
    assert counts == [2, 4, 5]
    assert all(n.embedding for n in embedded)


def test_listeners_hear_of_writes_that_changed_something_and_cannot_fail_them(
    settings: Settings, news_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = fake_app(settings)
    heard = []
    app.ingestor.after_writes(lambda: heard.append(app.ingestor.lock.is_locked))
    app.ingestor.after_writes(lambda: 1 / 0)
    assert app.ingestor.ingest([news_dir]).added  # the failing listener does not fail the ingestion
    assert heard == [False]  # called once the write lock is released
    app.ingestor.ingest([news_dir])  # nothing changed: nothing to hear
    app.ingestor.delete(["not-ingested.txt"])
    assert heard == [False]
    app.ingestor.delete([ARMS_FILE])
    assert heard == [False, False]
    assert "ZeroDivisionError" in caplog.text


def test_the_observers_get_every_writes_report_changed_or_not(
    settings: Settings, news_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = fake_app(settings)
    reports = []
    app.ingestor.observe(lambda report: reports.append((report, app.ingestor.lock.is_locked)))
    app.ingestor.observe(lambda report: 1 / 0)
    (news_dir / "blob.txt").write_bytes(b"\x00binary")
    app.ingestor.ingest([news_dir])
    app.ingestor.ingest([news_dir])  # nothing changed: reported all the same
    app.ingestor.delete([ARMS_FILE, "not-ingested.txt"])
    summary = [
        (len(r.added), len(r.unchanged), [s.file for s in r.skipped], r.removed, locked) for r, locked in reports
    ]
    assert summary == [
        (2, 0, ["blob.txt"], [], False),  # once the write lock is released
        (0, 2, ["blob.txt"], [], False),
        (0, 0, [], [ARMS_FILE], False),
    ]
    assert reports[0][0].chunks > 0 and "ZeroDivisionError" in caplog.text  # a failing one fails no write


def test_files_are_read_a_batch_at_a_time_with_the_bar_moving_from_the_first(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file used to be read (a PDF extracted) before the bar showed or anything was written,
    # all of the text held at once; re-ingesting an unchanged folder showed no bar at all.
    import index.pipeline

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"Note {i} is about the lighthouse.\n")
    (folder / "blob.txt").write_bytes(b"\x00binary")
    events: list[str] = []
    load = index.pipeline.load_files
    monkeypatch.setattr(
        index.pipeline, "load_files", lambda found, *a, **k: events.append(f"read {len(found)}") or load(found, *a, **k)
    )
    app = fake_app(settings.model_copy(update={"ingest_batch_files": 2}))
    save = app.docstore.save
    monkeypatch.setattr(app.docstore, "save", lambda: events.append("write") or save())
    seen: list[Progress] = []
    report = app.ingestor.ingest([folder], progress=seen.append)
    assert events == ["read 2", "write"] * 3  # each batch is written before the next is read
    assert len(report.added) == 5 and [s.file for s in report.skipped] == ["blob.txt"]
    assert seen[0] == Progress(0, 6, 0) and seen[-1] == Progress(6, 6, 5)
    seen.clear()
    assert len(app.ingestor.ingest([folder], progress=seen.append).unchanged) == 5
    # an unchanged folder is read with a bar too; blob.txt, never stored, is read again (4 -> 5 -> 6)
    assert [p.files_done for p in seen] == [0, 2, 4, 5, 6]


def test_a_file_whose_bytes_are_stored_already_is_not_read_into_text_again(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Re-ingesting an unchanged folder extracted every file again to compare texts: ~15 ms a PDF page.
    import index.isolation

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The lighthouse is white.\n")
    (folder / "b.txt").write_text("The keeper rows out.\n")
    extracted: list[str] = []
    extract = index.isolation.extract  # text files are read in the ingesting process
    monkeypatch.setattr(
        index.isolation, "extract", lambda name, raw, ocr: extracted.append(name) or extract(name, raw, ocr)
    )

    def ingest(app=None):
        extracted.clear()
        return (app or fake_app(settings)).ingestor.ingest([folder])

    assert ingest().added == ["a.txt", "b.txt"] and extracted == ["a.txt", "b.txt"]
    assert ingest().unchanged == ["a.txt", "b.txt"] and extracted == []  # a new process: the record is on disk
    (folder / "b.txt").write_text("The keeper rows out at dawn.\n")
    assert ingest().updated == ["b.txt"] and extracted == ["b.txt"]
    os.utime(folder / "a.txt", (1, 1))  # touched, the same bytes
    assert ingest().unchanged == ["a.txt", "b.txt"] and extracted == []
    rechunked = fake_app(settings.model_copy(update={"chunk_overlap": 0}))
    assert ingest(rechunked).updated == ["a.txt", "b.txt"]  # other chunk settings redo every file
    assert ingest(rechunked).unchanged == ["a.txt", "b.txt"] and extracted == []
    rechunked.ingestor.delete(["a.txt"])
    assert ingest(rechunked).added == ["a.txt"] and extracted == ["a.txt"]

    # A data dir stored before files were fingerprinted reads each file once more, then knows it.
    rechunked.docstore.drop_fingerprint("b.txt")
    rechunked.docstore.save()
    assert ingest(rechunked).unchanged == ["a.txt", "b.txt"] and extracted == ["b.txt"]
    assert ingest(rechunked).unchanged == ["a.txt", "b.txt"] and extracted == []


def test_a_file_stored_by_an_older_reader_of_its_format_is_read_again(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its bytes alone counted it unchanged, so a reader that learned to read more (Word tables)
    # never reached a document stored before.
    import docx

    import index.formats
    import index.office

    folder = tmp_path / "reports"
    folder.mkdir()
    make_docx_with_a_table(folder / "t.docx")
    (folder / "a.txt").write_text("The lighthouse is white.\n")
    with monkeypatch.context() as old:  # as the reader before tables stored it
        old.setattr(index.formats, "READERS", {})
        old.setattr(index.office, "docx_text", lambda data, name, ocr, suffix: Extracted("\n".join(
            p.text for p in docx.Document(io.BytesIO(data)).paragraphs
        )))  # fmt: skip
        in_process = settings.model_copy(update={"read_workers": 0})  # where the patch above reaches
        assert fake_app(in_process).ingestor.ingest([folder]).added == ["a.txt", "t.docx"]
    app = fake_app(settings)
    recorded = app.docstore.fingerprint("t.docx")
    recorded.pop("reader", None)  # nor did it record a reader's version
    app.docstore.set_fingerprint("t.docx", recorded)
    app.docstore.save()
    report = fake_app(settings).ingestor.ingest([folder])
    assert report.updated == ["t.docx"] and report.unchanged == ["a.txt"]
    assert "Port: Skerry; Q1: 1,200; Q2: 1,450" in fake_app(settings).library.text("t.docx")
    assert fake_app(settings).ingestor.ingest([folder]).unchanged == ["a.txt", "t.docx"]


def test_a_known_file_left_unread_is_reported_with_what_reading_it_noted(settings: Settings, tmp_path: Path) -> None:
    # Left unread, a file with replaced bytes dropped out of the report: it read as clean.
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"The caf\xe9 opens at nine.\n")
    (folder / "b.txt").write_text("The keeper rows out.\n")
    first = fake_app(settings).ingestor.ingest([folder])
    again = fake_app(settings).ingestor.ingest([folder])
    assert first.added == again.unchanged == ["a.txt", "b.txt"]
    assert again.problems() == first.problems() == [f"note: {SkippedFile('a.txt', first.notes[0].reason)}"]
    assert "read as Windows-1252" in first.notes[0].reason
    (folder / "a.txt").write_text("The café opens at nine.\n")  # mended: the note goes
    assert fake_app(settings).ingestor.ingest([folder]).notes == []
    assert fake_app(settings).ingestor.ingest([folder]).notes == []


def test_files_found_and_not_read_are_kept_until_read_deleted_or_gone(settings: Settings, tmp_path: Path) -> None:
    # The report named them once; a watched folder's or an upload's skipped files were on a console only.
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The lighthouse is white.\n")
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02")
    (folder / "empty.md").write_text("")
    app = fake_app(settings)
    app.ingestor.ingest([folder])

    def unread() -> dict[str, str]:
        return {file.path: file.reason for file in fake_app(settings).library.unread()}  # as another process sees

    assert unread() == {"blob.txt": unread()["blob.txt"], "empty.md": "has no text; skipped"}
    assert unread()["blob.txt"].startswith("looks like a binary file")
    (folder / "blob.txt").write_text("The keeper rows out.\n")  # mended
    assert app.ingestor.ingest([folder]).added == ["blob.txt"] and list(unread()) == ["empty.md"]
    assert app.ingestor.delete(["empty.md"]) == [] and unread() == {}  # no document, and no record now
    (folder / "empty.md").unlink()

    (folder / "bad.txt").write_bytes(b"\x00")
    app.ingestor.ingest([folder])
    assert list(unread()) == ["bad.txt"]
    (folder / "bad.txt").unlink()
    app.ingestor.ingest([folder])
    assert list(unread()) == ["bad.txt"]  # a plain ingest removes nothing, records included
    app.ingestor.remove_gone(folder)  # as a watched folder's deletion does
    assert unread() == {}
    (folder / "bad.txt").write_bytes(b"\x00")
    app.ingestor.ingest([folder])
    (folder / "bad.txt").unlink()
    app.ingestor.ingest([folder], sync=True)
    assert unread() == {} and fake_app(settings).library.files() == ["a.txt", "blob.txt"]


def test_the_bar_moves_as_each_file_of_a_batch_is_read(settings: Settings, tmp_path: Path) -> None:
    # It moved once a batch: 8 scanned PDFs read by OCR left it still for many minutes.
    from tests.index.test_formats import make_docx_with_a_table

    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(3):
        make_docx_with_a_table(folder / f"{n}.docx")  # read in the worker processes
    seen: list[Progress] = []
    fake_app(settings.model_copy(update={"read_workers": 1})).ingestor.ingest([folder], progress=seen.append)
    read = [p.files_done for p in seen if p.chunks == 0]
    assert read == [0, 1, 2, 3]  # one step a file (two workers may finish two at once), before any embedding
    assert len(seen) == len(set(seen))  # and each step shown once


def test_the_bar_says_which_page_of_a_long_scan_is_being_read(settings: Settings, tmp_path: Path) -> None:
    # A 300-page scan is one file: read at ~12 pages a minute, it held the bar still for 25 minutes.
    from tests.index.test_ocr import LINES, scanned, scanned_pdf

    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "log.pdf").write_bytes(scanned_pdf(*[scanned(LINES)] * 2))
    seen: list[Progress] = []
    fake_app(settings).ingestor.ingest([folder], progress=seen.append)
    notes = [p.reading_note() for p in seen if p.reading]
    assert notes == ["log.pdf: page 1 of 2", "log.pdf: page 2 of 2"]
    assert seen[-1].reading == "" and seen[-1].files_done == 1  # read: the note goes


def test_the_bar_says_which_file_of_an_archive_and_which_of_its_pages_is_being_read(
    settings: Settings, tmp_path: Path
) -> None:
    from tests.index.test_archives import zipped
    from tests.index.test_ocr import LINES, scanned, scanned_pdf

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "logs.zip").write_bytes(zipped({"2024/log.pdf": scanned_pdf(*[scanned(LINES)] * 2)}))
    seen: list[Progress] = []
    fake_app(settings).ingestor.ingest([folder], progress=seen.append)
    notes = [p.reading_note() for p in seen if p.reading]
    assert notes == ["logs.zip: file 1 of 1 (2024/log.pdf)", "logs.zip: file 1 of 1 (2024/log.pdf), page 2 of 2"]


def test_two_folders_files_of_one_name_ingested_at_once_read_the_first_and_skip_the_other(
    settings: Settings, tmp_path: Path
) -> None:
    # "groundline ingest ours/ theirs/", each with a handbook.md: Chroma refused the batch (duplicate ids)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for folder, days in ((ours, 28), (theirs, 25)):
        folder.mkdir()
        (folder / "handbook.md").write_text(f"Staff get {days} days of leave.\n")
    (theirs / "other.md").write_text("Jury service is paid.\n")
    app = fake_app(settings)
    report = app.ingestor.ingest([ours, theirs])
    assert sorted(report.added) == ["handbook.md", "other.md"]
    (skip,) = report.skipped
    assert skip.file == "handbook.md" and f"(of {theirs})" in skip.reason and str(ours) in skip.reason
    assert "28 days" in chroma_chunks(app, "handbook.md")[0]["text"]
    assert "handbook.md" not in app.ingestor.docstore.skipped()  # the document read is not listed as unread
    again = app.ingestor.ingest([ours, theirs])  # and a second time, nothing is written over
    assert again.unchanged == ["handbook.md", "other.md"] and len(again.skipped) == 1
