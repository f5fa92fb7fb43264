"""The write lock of machines that share a Chroma server: a lease on that server.

A data directory's lock file (``index.pipeline``) keeps one machine's processes from writing at once;
machines that share a Chroma server, and so the chunks and the document store, need one lock there.
Chroma has no locks, but it keeps the first record added under an id and ignores a later ``add`` of
the same id: whoever reads back its own token holds the lease. The holder renews it every third of
``LEASE_S`` while it writes, and deletes it when done. A machine that died holding it keeps the others
out until its lease runs out (they then take it over, deleting only that holder's record); what it
half wrote is named by its journal on the server, and the next writer removes it (``index.journal``). A
holder that stalled past its lease's end checks before each step it writes (``confirm``) and stops
once another has taken over. The machines' clocks must agree to well within ``LEASE_S``.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from index.chroma_kvstore import META, record_id
from index.errors import GroundlineError

if TYPE_CHECKING:
    from chromadb import Collection

LEASE_S = 60.0
POLL_S = 0.5  # between tries while another machine holds it
LOCK_ID = record_id(META, "write-lock")


class LeaseTaken(GroundlineError):
    """Another machine held the lease for longer than the wait allowed."""

    def __init__(self, holder: str) -> None:
        super().__init__(
            f"Another machine ({holder}) is ingesting into the shared Chroma server; try again when it has finished."
        )


class LeaseLost(GroundlineError):
    """This machine stalled past its lease while writing, and another machine took the lease over."""

    def __init__(self) -> None:
        super().__init__(
            "This machine stalled for longer than its lease on the shared Chroma server (60 s) while ingesting, "
            "and another machine has taken over writing; nothing more was written. What this ingestion stored "
            "before stays, and its unfinished step is repaired by the next writer: ingest again to complete it."
        )


class ServerLease:
    """One writer at a time among all machines (and processes) using ``collection``'s server."""

    def __init__(self, collection: Callable[[], Collection], lease_s: float = LEASE_S) -> None:
        self._collection = collection  # opened on first use: a machine that only reads never asks
        self.lease_s = lease_s
        self._depth = 0  # a holder writing again inside its own write holds it once
        self._token = ""
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    @contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        """Hold the lease for the block, waiting at most ``timeout`` seconds for it (``LeaseTaken``)."""
        if self._depth == 0:
            self._acquire(timeout)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._release()

    def _acquire(self, timeout: float) -> None:
        collection = self._collection()
        token = uuid.uuid4().hex
        deadline = time.monotonic() + timeout
        while True:
            now = time.time()
            collection.add(**_record(token, now + self.lease_s))  # ignored where a lease is recorded
            holder = _holder(collection)
            if holder is not None and holder["token"] == token:
                break
            if holder is not None and holder["until"] < now:  # its holder died: only its record goes
                collection.delete(ids=[LOCK_ID], where_document={"$contains": holder["token"]})
                continue
            if time.monotonic() >= deadline:
                raise LeaseTaken(holder["holder"] if holder else "unknown")
            time.sleep(POLL_S)
        self._token = token
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, args=(collection,), name="lease-renewer", daemon=True)
        self._renewer.start()

    def _renew(self, collection: Collection) -> None:
        while not self._stop.wait(self.lease_s / 3):
            holder = _holder(collection)
            if holder is None or holder["token"] != self._token:
                return  # taken over (this machine stalled past its lease): nothing of it to renew
            collection.upsert(**_record(self._token, time.time() + self.lease_s))

    def confirm(self) -> None:
        """Raise ``LeaseLost`` if the lease held is no longer this machine's: it stalled (a paused
        virtual machine, a swapping disk) past its end, and another machine took it over. A writer
        asks before each step it writes, so that two machines never write steps in turn."""
        if self._token:
            holder = _holder(self._collection())
            if holder is None or holder["token"] != self._token:
                raise LeaseLost()

    def _release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        self._collection().delete(ids=[LOCK_ID], where_document={"$contains": self._token})
        self._token = ""


def _record(token: str, until: float) -> dict:
    holder = f"{socket.gethostname()}, process {os.getpid()}"
    return {
        "ids": [LOCK_ID],
        "documents": [json.dumps({"token": token, "until": until, "holder": holder})],
        "metadatas": [{"collection": META, "key": "write-lock"}],
        "embeddings": [[0.0]],
    }


def _holder(collection: Collection) -> dict | None:
    rows = collection.get(ids=[LOCK_ID], include=["documents"])
    return json.loads(rows["documents"][0]) if rows["ids"] else None
