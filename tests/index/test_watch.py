"""Watched folders, with real file events (watchfiles) and a real embedded Chroma, fake embedder."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from index.watch import FolderWatch, WatchError
from rag.settings import Settings
from tests.conftest import fake_app


def eventually(done: Callable[[], bool], within_s: float = 30) -> bool:
    """Whether ``done`` comes true within ``within_s`` (file events arrive when the OS sends them)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.1)
    return done()


def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    (folder / "north").mkdir(parents=True)
    (folder / "q1.txt").write_text("Zebras gallop at dawn.\n")
    (folder / "north" / "q2.txt").write_text("Cats purr when content.\n")
    return folder


def test_a_watched_folder_is_followed_as_files_come_change_and_go(settings: Settings, tmp_path: Path) -> None:
    app = fake_app(settings)
    folder = reports(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.txt").write_text("Another folder's document.\n")
    app.ingestor.ingest([elsewhere])
    told: list[str] = []
    watch = FolderWatch(app.ingestor, [folder], told.append, debounce_ms=200)
    watch.start()
    files, text = app.library.files, app.library.text
    try:
        assert eventually(lambda: files() == ["north/q2.txt", "other.txt", "q1.txt"])  # caught up
        (folder / "new.txt").write_text("Owls hunt at night.\n")
        (folder / ".draft.txt").write_text("Hidden, as ingesting the folder leaves it.\n")
        assert eventually(lambda: "new.txt" in files())
        (folder / "q1.txt").write_text("Zebras gallop at dusk.\n")
        assert eventually(lambda: text("q1.txt") == "Zebras gallop at dusk.\n")
        (folder / "north" / "q2.txt").unlink()
        assert eventually(lambda: "north/q2.txt" not in files())
        moved_in = tmp_path / "south"  # a folder moved in whole: one event, for the folder
        moved_in.mkdir()
        (moved_in / "q3.txt").write_text("Seals rest on the rocks.\n")
        moved_in.rename(folder / "south")
        assert eventually(lambda: "south/q3.txt" in files())
        (folder / "south").rename(tmp_path / "south-again")  # and out again
        assert eventually(lambda: "south/q3.txt" not in files())
    finally:
        watch.stop()
    assert not watch._thread.is_alive()
    assert files() == ["new.txt", "other.txt", "q1.txt"]  # another folder's document stays
    assert (
        f"watching {folder}" in told
        and f"{folder}: 1 added, 0 updated, 0 unchanged, 0 skipped; 1 chunks embedded" in told
    )
    assert f"{folder}: 0 added, 0 updated, 0 unchanged, 0 skipped, 1 removed; 0 chunks embedded" in told


def test_a_watch_catches_up_on_what_changed_while_nothing_watched(settings: Settings, tmp_path: Path) -> None:
    app = fake_app(settings)
    folder = reports(tmp_path)
    app.ingestor.ingest([folder])  # by the command line, as the folder was
    settings.uploads_dir.mkdir(parents=True)
    (settings.uploads_dir / "upload.txt").write_text("Sent in by a reader.\n")
    app.ingestor.ingest([settings.uploads_dir / "upload.txt"])
    (folder / "north" / "q2.txt").unlink()
    (folder / "upload.txt").write_text("A file of the same name as the upload.\n")
    (folder / "upload.txt").unlink()  # gone from the folder: the upload of that name is not its document
    report = FolderWatch(app.ingestor, [folder], print).update(folder, [folder])
    assert report is not None and report.removed == ["north/q2.txt"] and report.unchanged == ["q1.txt"]
    assert app.library.files() == ["q1.txt", "upload.txt"]


def test_documents_stored_before_folders_were_recorded_are_claimed_by_their_folder(
    settings: Settings, tmp_path: Path
) -> None:
    app = fake_app(settings)
    folder = reports(tmp_path)
    app.ingestor.ingest([folder])
    for name in app.library.files():  # as stored before this version recorded each document's folder
        fingerprint = app.docstore.fingerprint(name)
        app.docstore.set_fingerprint(name, {k: v for k, v in fingerprint.items() if k != "root"})
    app.docstore.save()
    watch = FolderWatch(app.ingestor, [folder], print)
    assert watch.update(folder, [folder]).unchanged == ["north/q2.txt", "q1.txt"]  # read by bytes alone
    (folder / "q1.txt").unlink()
    assert watch.update(folder, [folder / "q1.txt"]).removed == ["q1.txt"]


def test_folders_that_cannot_be_watched_are_refused(tmp_path: Path) -> None:
    folder = reports(tmp_path)
    data = tmp_path / "data"
    with pytest.raises(WatchError, match=r"cannot watch .*missing: it is not a folder"):
        FolderWatch.checked([folder, tmp_path / "missing"], data)
    with pytest.raises(WatchError, match=r"cannot watch .*reports/north: it is inside .*reports, which is watched"):
        FolderWatch.checked([folder, folder / "north"], data)
    with pytest.raises(WatchError, match=r"cannot watch .*reports: the data directory .*reports/north/data is inside"):
        FolderWatch.checked([folder], folder / "north" / "data")
    assert FolderWatch.checked([folder, folder], folder / ".groundline") == [folder]  # hidden: never ingested


def test_a_file_dropped_in_while_the_watch_catches_up_is_seen(settings: Settings, tmp_path: Path) -> None:
    app = fake_app(settings)
    folder = reports(tmp_path)
    ingest_files = app.ingestor.ingest_files

    def slow_catch_up(root: Path, paths: list[Path], *args):
        report = ingest_files(root, paths, *args)
        if paths == [folder]:  # the catch-up has listed the folder; then a file arrives
            (folder / "late.txt").write_text("Dropped in during the catch-up.\n")
        return report

    app.ingestor.ingest_files = slow_catch_up
    watch = FolderWatch(app.ingestor, [folder], print, debounce_ms=200)
    watch.start()
    try:
        assert eventually(lambda: "late.txt" in app.library.files())
    finally:
        watch.stop()
