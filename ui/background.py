"""Jobs the server runs in threads of their own: whenever something asks for one (``Coalescing``),
or every so often (``Periodic``).

The server's keyword index is rebuilt after each write (it reads every chunk:
19 s at 100,000). In the writing request, that held back the write's own
report, and a folder sent in many requests (``groundline ingest --server``)
paid for one rebuild per request. Here the write only asks; asks that come
while a run is under way make one more run after it, not one each. A question
that finds the index stale asks too, waits a little for the run
(``Retriever.when_stale``), then searches the index as it is.

This module knows nothing of what the job does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Coalescing:
    """Runs ``job`` in one background thread after each ``ask``, asks during a run joined into one."""

    def __init__(self, job: Callable[[], None], name: str) -> None:
        self.job = job
        self.name = name
        self._changed = threading.Condition()
        self._asked = 0  # asks so far
        self._covered = 0  # asks that a finished run started after
        self._thread: threading.Thread | None = None

    def ask(self) -> None:
        """Have the job run soon (now, or once more after the run under way)."""
        with self._changed:
            self._asked += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def settled(self, timeout: float | None = None) -> bool:
        """Wait until every ask so far is covered by a finished run; whether it was in ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._covered >= self._asked, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._covered)
                asked = self._asked
            try:
                self.job()
            except Exception:  # the write it follows is done; whoever reads next does the work
                log.exception("%s failed", self.name)
            with self._changed:
                self._covered = asked
                self._changed.notify_all()


class Periodic:
    """Runs ``job`` every ``every_s`` seconds in a thread of its own, from ``start`` until ``stop``."""

    def __init__(self, job: Callable[[], None], every_s: float, name: str) -> None:
        self.job = job
        self.every_s = every_s
        self.name = name
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stopped.wait(self.every_s):
            try:
                self.job()
            except Exception:  # the next run tries again
                log.exception("%s failed", self.name)
