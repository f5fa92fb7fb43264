"""Reading files in worker processes (real ones, forked from multiprocessing's fork server): the
same text as reading them here, in order, side by side; a file past its time or memory limit is
skipped saying so, and the next file is read by a fresh worker."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from index.errors import SkippedFile
from index.formats import Extracted, extract
from index.isolation import InProcessReader, IsolatedReader
from tests.index.test_formats import make_docx_with_a_table

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def files(tmp_path: Path) -> list[tuple[str, bytes]]:
    return [
        ("camp.doc", (DATA / "wps-table.doc").read_bytes()),
        ("notes.txt", b"The keeper rows out at dawn.\n"),
        ("tonnage.docx", make_docx_with_a_table(tmp_path / "t.docx").read_bytes()),
        ("empty.html", b"<html><body></body></html>"),
    ]


def test_workers_give_what_reading_here_gives_in_order(files) -> None:
    reader = IsolatedReader(timeout_s=60, memory_mb=2048, workers=2)
    try:
        isolated = reader.read(files, None)
        here = InProcessReader().read(files, None)
        assert [type(got) for got in isolated] == [Extracted, Extracted, Extracted, SkippedFile]
        assert isolated[:3] == here[:3] and isolated[0] == extract("camp.doc", files[0][1])
        assert str(isolated[3]) == str(here[3]) == "empty.html has no text; skipped"
        workers = {worker.process.pid for worker in reader._all}
        assert 1 <= len(workers) <= 2 and os.getpid() not in workers
    finally:
        reader.close()


def test_plain_text_that_is_only_decoded_never_starts_a_worker_and_markdown_is_parsed_in_one() -> None:
    reader = IsolatedReader(timeout_s=60, memory_mb=2048)
    try:
        assert reader.read([("a.txt", b"one\n"), ("b.log", b"two\n")], None)[1].text == "two\n"
        assert len(reader._all) == 0
        table = b"| Light | Height |\n|---|---|\n| Skerry | 22 |\n"  # parsed: within the workers' limits
        assert reader.read([("c.md", table)], None)[0].text.splitlines()[-1] == "Light: Skerry; Height: 22"
        assert len(reader._all) == 1
    finally:
        reader.close()


def test_a_file_past_the_time_limit_is_skipped_and_the_next_is_read(files) -> None:
    slow = IsolatedReader(timeout_s=0.001, memory_mb=2048, workers=1)  # no .doc converts in a millisecond
    before = readers_alive()  # an earlier test's idle workers, quitting in their own time
    try:
        (got,) = slow.read(files[:1], None)
        assert isinstance(got, SkippedFile)
        assert got.reason == "took over 0 s to read (GROUNDLINE_READ_TIMEOUT_S); skipped"
        assert [process for process in readers_alive() if process not in before] == []  # stopped, not left reading
        slow.timeout_s = 60
        assert isinstance(slow.read(files[:1], None)[0], Extracted)  # a fresh worker
    finally:
        slow.close()


def test_a_file_that_needs_more_memory_than_allowed_is_skipped_and_the_next_is_read(files) -> None:
    page = "<p>" + "The keeper rows out at dawn, and the fog horn sounds. " * 40 + "</p>\n"
    huge = ("big.html", ("<html><body>" + page * 20_000 + "</body></html>").encode())  # 44 MB of paragraphs
    reader = IsolatedReader(timeout_s=120, memory_mb=256, workers=1)
    try:
        (got,) = reader.read([huge], None)
        assert (
            isinstance(got, SkippedFile)
            and got.reason == "needs over 256 MB to read (GROUNDLINE_READ_MEMORY_MB); skipped"
        )
        assert isinstance(reader.read(files[1:3], None)[1], Extracted)
    finally:
        reader.close()


def test_an_idle_worker_quits_and_a_new_one_reads_the_next_file(files) -> None:
    reader = IsolatedReader(timeout_s=60, memory_mb=2048, workers=1, idle_s=0.3)
    try:
        reader.read(files[2:3], None)
        (first,) = list(reader._all)
        time.sleep(1.0)
        assert not first.alive  # it quit on its own
        assert isinstance(reader.read(files[2:3], None)[0], Extracted)
        assert {worker.process.pid for worker in reader._all} - {first.process.pid}
    finally:
        reader.close()


def readers_alive() -> list:
    return [process for process in multiprocessing.active_children() if process.name == "groundline-reader"]


def test_a_worker_stopped_at_its_limit_stops_the_programs_it_ran(files) -> None:
    from index.ocr import available
    from tests.index.test_ocr import LINES, scanned, scanned_pdf

    ocr = available("eng")
    page = scanned(LINES * 12)
    reader = IsolatedReader(timeout_s=3, memory_mb=2048, workers=1)  # Tesseract reads a page in ~5 s
    try:
        reader.read(files[2:3], None)
        (worker,) = list(reader._all)  # idle: it reads the scan next
        group = worker.process.pid  # its process group, and that of the programs it runs
        (got,) = reader.read([("scan.pdf", scanned_pdf(page, page, page))], ocr)
        assert isinstance(got, SkippedFile) and got.reason.startswith("took over 3 s to read")
        time.sleep(0.5)
        left = [p for p in Path("/proc").glob("[0-9]*") if _group(p) == (group, True)]  # others' Tesseracts aside
        assert left == []  # the page it was reading went with the worker
    finally:
        reader.close()


def _group(process: Path) -> tuple[int, bool] | None:
    """A process's group id (``/proc/PID/stat``'s fifth field, after the command in parentheses), and
    whether it still runs (a zombie, killed and not yet reaped by this container's first process, does not)."""
    try:
        state, _, group = (process / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        return int(group), state != "Z"
    except (OSError, ValueError):
        return None


def test_a_worker_gone_before_the_file_reached_it_hands_the_file_to_a_fresh_one(files) -> None:
    import signal

    reader = IsolatedReader(timeout_s=60, memory_mb=2048, workers=1)
    try:
        reader.read(files[2:3], None)
        (gone,) = list(reader._all)
        os.kill(gone.process.pid, signal.SIGKILL)  # killed while idle (the kernel's OOM killer, say)
        gone.process.join(5)
        take, handed = reader._take, [gone]
        reader._take = lambda: handed.pop() if handed else take()  # taken just before it died
        (got,) = reader.read(files[2:3], None)
        assert isinstance(got, Extracted) and not handed  # not "its reader died": it never had the file
    finally:
        reader.close()


def test_where_no_worker_can_start_files_are_read_here(files, monkeypatch) -> None:
    import index.isolation

    def no_fork_server(*args) -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(index.isolation, "_Worker", no_fork_server)
    reader = IsolatedReader(timeout_s=60, memory_mb=2048)
    assert reader.read(files[:1], None) == InProcessReader().read(files[:1], None)


def test_each_page_text_recognition_reads_is_heard_in_the_calling_thread() -> None:
    import threading

    from index.ocr import available
    from tests.index.test_ocr import LINES, scanned, scanned_pdf

    ocr = available("eng")
    scan = ("scan.pdf", scanned_pdf(*[scanned(LINES)] * 3))
    for reader in (IsolatedReader(timeout_s=300, memory_mb=2048, workers=1), InProcessReader()):
        heard: list[tuple] = []
        caller = threading.get_ident()

        def listen(*told, heard=heard) -> None:
            heard.append((*told, threading.get_ident()))

        (got,) = reader.read([scan], ocr, page=listen)
        assert isinstance(got, Extracted) and "Skerry light" in got.text
        assert heard == [("scan.pdf", f"page {n} of 3", caller) for n in (1, 2, 3)], (
            reader
        )  # each takes over half a second
        if isinstance(reader, IsolatedReader):
            reader.close()
