"""Which process may write a data directory: a server holds it for its lifetime.

Apart from ``index.pipeline`` so that the command line can tell whether a server holds a data
directory, and hand it the work (``ui.handoff``), without loading Chroma or llama-index first.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from index.errors import GroundlineError


class WriterBusy(GroundlineError):
    """Another process is ingesting into the same data directory."""


class ServedElsewhere(GroundlineError):
    """A server in another process has this data directory's embedded store open."""


def server_lock(data_dir: Path) -> FileLock:
    """The lock a server holds on its data directory for its lifetime (one instance a process).

    Embedded Chroma is one process's store: a process that has it open keeps its vector index
    in memory, and its queries miss what another process writes afterwards (Chroma is not
    process-safe). So no other process writes beside a server; with a Chroma server, any may.
    """
    # not thread-local: the server takes it on its main thread and writes from request threads
    return FileLock(str(data_dir / "serve.lock"), timeout=0, is_singleton=True, thread_local=False)


def served_elsewhere(data_dir: Path) -> bool:
    """Whether a server in another process holds ``data_dir`` (its ``server_lock``)."""
    lock = server_lock(data_dir)
    if lock.is_locked or not Path(lock.lock_file).exists():  # held here, or never served
        return False
    try:
        with lock:
            return False
    except Timeout:
        return True
    except OSError:
        return False  # a lock this process cannot take: nor can it write here


_HELD: list[FileLock] = []  # filelock keeps singletons weakly; a held lock must outlive its caller


def hold_for_server(data_dir: Path, lock_timeout_s: float = 10.0) -> None:
    """Take the data directory for this process's server until the process ends (the OS lets
    go of the lock even on a kill). Call before the store opens: it also waits out a writer at
    work, so the server reads finished documents."""
    lock = server_lock(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise ServedElsewhere(
            f"Another groundline serve is using {data_dir}; stop it first, or give each server its own data directory."
        ) from None
    except OSError:
        return  # a data directory this process cannot write is served as it is
    try:
        with FileLock(str(data_dir / "write.lock"), timeout=lock_timeout_s):
            pass
    except Timeout:
        lock.release()
        raise WriterBusy("An ingestion is writing to this data directory; serve it when that has finished.") from None
    _HELD.append(lock)
