"""Reading files into text in worker processes of their own, each file under a time and a memory limit.

The readers of rich formats (pypdf and pdfminer, msdoc2docx, ppt2pptx, python-docx, openpyxl,
lxml, Pillow, ...) parse untrusted bytes. One hostile or pathological file can make a parser spin
for hours or allocate until the machine swaps; in the ingesting process that would hold the write
lock (and a shared Chroma server's lease) as long, or take the server down with it. So each such
file is read by a worker process, forked from multiprocessing's fork server with the readers
already imported (a worker starts in ~15 ms), whose data may not grow past ``memory_mb``. A file
still being read after ``timeout_s`` has its worker killed and is skipped, saying so; a worker that
dies (out of memory in C code, a crash) is replaced and its file skipped. A batch's files are read
side by side, one a worker; a worker quits when idle. Plain text is read in the process itself:
decoding it is all there is, and a sample corpus of text files never starts a worker.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Protocol

from index.errors import SkippedFile
from index.formats import DECODED, Extracted, extract, suffix_of
from index.ocr import OCR
from index.progress import listening

log = logging.getLogger(__name__)

# What the fork server imports once, so that each worker starts with it (the readers import their
# libraries on first use, which would otherwise be paid in every worker).
PRELOAD = [
    "index.formats", "index.office", "index.mail", "index.archives", "index.opendocument", "index.pdf_tables",
    "pypdf", "pdfplumber", "pypdfium2", "docx", "pptx", "openpyxl", "xlrd", "bs4", "lxml.etree", "PIL.Image",
]  # fmt: skip


# ``page(name, at)``: the reading of the long file ``name`` is at ``at`` ("page 12 of 300",
# "message 40 of 2,000": ``index.progress``).
PageListener = Callable[[str, str], None]


class Reader(Protocol):
    def read(
        self,
        files: Sequence[tuple[str, bytes]],
        ocr: OCR | None,
        done: Callable[[int], None] | None = None,
        page: PageListener | None = None,
    ) -> list[Extracted | SkippedFile]:
        """Each ``(name, bytes)``'s text, or why it is skipped, in order; ``done(n)``, in the calling
        thread, as each file is read (``n`` of them so far, in whatever order they finish), and
        ``page(name, at)`` as a long file's reading gets on (``PageListener``)."""


class InProcessReader:
    """Reads every file in the calling process, without limits (``GROUNDLINE_READ_WORKERS=0``)."""

    def read(
        self,
        files: Sequence[tuple[str, bytes]],
        ocr: OCR | None,
        done: Callable[[int], None] | None = None,
        page: PageListener | None = None,
    ) -> list[Extracted | SkippedFile]:
        results = []
        for name, data in files:
            with listening(partial(page, name) if page else None):
                results.append(_extracted(name, data, ocr))
            if done:
                done(len(results))
        return results


class IsolatedReader:
    """Reads files in up to ``workers`` worker processes at once, each file within ``timeout_s``
    seconds and ``memory_mb`` of data. Thread-safe; workers start on first use and quit after
    ``idle_s`` without work."""

    def __init__(self, timeout_s: float, memory_mb: int, workers: int = 2, idle_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.workers = workers
        self.idle_s = idle_s
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._started = threading.Semaphore(workers)  # one per worker alive or being started
        self._all: weakref.WeakSet[_Worker] = weakref.WeakSet()
        weakref.finalize(self, _stop_all, self._all)

    def read(
        self,
        files: Sequence[tuple[str, bytes]],
        ocr: OCR | None,
        done: Callable[[int], None] | None = None,
        page: PageListener | None = None,
    ) -> list[Extracted | SkippedFile]:
        if not files:
            return []
        pages: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()  # heard in the reading threads
        with ThreadPoolExecutor(min(self.workers, len(files)), thread_name_prefix="reader") as pool:
            reading = [pool.submit(self._read_one, name, data, ocr, pages.put) for name, data in files]
            waiting, finished = set(reading), 0
            while waiting:
                _, waiting = wait(waiting, timeout=0.25, return_when=FIRST_COMPLETED)
                while page and not pages.empty():  # passed on here, in the calling thread
                    page(*pages.get())
                if done and len(reading) - len(waiting) > finished:
                    finished = len(reading) - len(waiting)
                    done(finished)
            return [future.result() for future in reading]

    def _read_one(
        self, name: str, data: bytes, ocr: OCR | None, heard: Callable[[tuple[str, str]], None]
    ) -> Extracted | SkippedFile:
        if suffix_of(name) in DECODED:  # decoded alone: no page of it is read by text recognition, nor parsed
            return _extracted(name, data, ocr)
        for _ in range(2):
            try:
                worker = self._take()
            except OSError as exc:  # no worker can start here (no fork server, no shared memory, ...)
                log.warning("reading %s in this process, without limits: no worker process starts (%s)", name, exc)
                return _extracted(name, data, ocr)
            try:
                return worker.read(name, data, ocr, self.timeout_s, self.memory_mb, heard)
            except Unsent:  # it had quit (or died idle) before the file reached it: a fresh one reads it
                continue
            finally:
                self._give(worker)
        return SkippedFile(name, "could not be read: no reader process would take it; skipped")

    def _take(self) -> _Worker:
        """An idle worker that has not quit, or a new one once a place is free."""
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                if self._started.acquire(timeout=0.05):
                    try:
                        worker = _Worker(self.memory_mb, self.idle_s)
                    except BaseException:
                        self._started.release()
                        raise
                    self._all.add(worker)
                    return worker
                continue
            if worker.alive and time.monotonic() - worker.last_used < self.idle_s / 2:
                return worker
            worker.stop()  # quitting or about to: a file sent now could meet its exit
            self._started.release()

    def _give(self, worker: _Worker) -> None:
        if worker.alive:
            self._idle.put(worker)
        else:
            self._started.release()

    def close(self) -> None:
        """Stop every worker (they also quit on their own when idle, and with this process)."""
        _stop_all(self._all)


@dataclass(frozen=True)
class Reached:
    """A worker's word of where the reading of its file has got to ("page 12 of 300")."""

    at: str


class Unsent(Exception):
    """A worker was gone before a file could be sent to it."""


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, memory_mb: int, idle_s: float) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)  # before the fork server's start; later calls change nothing
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs, memory_mb, idle_s), name="groundline-reader", daemon=True
        )
        self.process.start()
        theirs.close()
        self.last_used = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def read(
        self,
        name: str,
        data: bytes,
        ocr: OCR | None,
        timeout_s: float,
        memory_mb: int,
        heard: Callable[[tuple[str, str]], None],
    ) -> Extracted | SkippedFile:
        try:
            self.connection.send((name, data, ocr))
        except OSError as exc:
            self.stop()
            raise Unsent() from exc
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                if not self.connection.poll(max(0.0, deadline - time.monotonic())):
                    self.stop()
                    return SkippedFile(
                        name, f"took over {timeout_s:,.0f} s to read (GROUNDLINE_READ_TIMEOUT_S); skipped"
                    )
                outcome = self.connection.recv()
                if not isinstance(outcome, Reached):
                    break
                heard((name, outcome.at))
        except (EOFError, OSError):  # it died: the kernel's OOM killer, a crash in C
            self.stop()
            return SkippedFile(name, f"could not be read: its reader died (it may need over {memory_mb:,} MB); skipped")
        finally:
            self.last_used = time.monotonic()
        return outcome if isinstance(outcome, Extracted) else SkippedFile(*outcome)

    def stop(self) -> None:
        """Kill the worker and what it started (Tesseract, antiword: its process group), if alive."""
        if self.process.is_alive():
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):  # gone meanwhile, or not yet in a group of its own
                pass
            self.process.kill()
        self.process.join(5)
        self.connection.close()


def _stop_all(workers: weakref.WeakSet[_Worker]) -> None:
    for worker in list(workers):
        worker.stop()


def _serve(connection: Connection, memory_mb: int, idle_s: float) -> None:
    """A worker: read files sent on ``connection`` until none comes for ``idle_s`` seconds."""
    os.setpgid(0, 0)  # a group of its own, so that stopping it stops the programs it runs too
    limit = memory_mb * 2**20  # the process's data (heap and anonymous maps), not its libraries' code
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    while connection.poll(idle_s):
        try:
            name, data, ocr = connection.recv()
        except EOFError:  # the ingesting process is gone
            return
        with listening(lambda at: connection.send(Reached(at))):
            outcome = _extracted(name, data, ocr, memory_mb)
        if isinstance(outcome, SkippedFile):
            # sent as its two fields (an exception with arguments of its own does not unpickle), and its
            # traceback let go first: its frames hold what the reader built, all the memory it was allowed
            outcome = (outcome.file, outcome.reason)
            gc.collect()
        connection.send(outcome)


def _extracted(name: str, data: bytes, ocr: OCR | None, memory_mb: int | None = None) -> Extracted | SkippedFile:
    try:
        return extract(name, data, ocr)
    except SkippedFile as skipped:
        if memory_mb is not None and isinstance(skipped.__cause__, MemoryError):
            return SkippedFile(name, f"needs over {memory_mb:,} MB to read (GROUNDLINE_READ_MEMORY_MB); skipped")
        return skipped
