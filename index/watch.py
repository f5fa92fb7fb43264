"""Keep folders ingested as they change: ``groundline serve --watch DIR``.

When the watch starts, each folder is ingested (what changed while nothing
watched it) and its documents whose files have gone are removed. Then
watchfiles (the OS's file events) reports changes; once a folder has been
quiet for ``debounce_ms``, the files that changed are ingested and its
documents whose files have gone are removed. A document belongs to the
folder it was last ingested from (the ingestor records it), so an upload or
another folder's document of the same name is never removed for a file
gone from this one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from index.errors import GroundlineError
from index.loaders import hidden
from index.pipeline import Ingestor
from index.reports import IngestReport

log = logging.getLogger(__name__)


class WatchError(GroundlineError):
    """A folder cannot be watched as asked."""


class FolderWatch:
    """Ingests the folders ``roots`` as they change, in a thread of its own (``start``/``stop``)."""

    def __init__(
        self, ingestor: Ingestor, roots: list[Path], tell: Callable[[str], None], debounce_ms: int = 1600
    ) -> None:
        self.ingestor = ingestor
        self.roots = self.checked(roots, ingestor.data_dir)
        self.tell = tell
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def checked(roots: list[Path], data_dir: Path) -> list[Path]:
        """The folders, absolute; refused, before anything opens the store, if one is missing, inside
        another (its files would have two names), or holds the data directory where ingesting it would
        find its files (each write to the store would be a change to ingest)."""
        folders = list(dict.fromkeys(root.absolute() for root in roots))
        data_dir = data_dir.absolute()
        for root in folders:
            if not root.is_dir():
                raise WatchError(f"cannot watch {root}: it is not a folder")
            if data_dir.is_relative_to(root) and not hidden(data_dir.relative_to(root)):
                raise WatchError(f"cannot watch {root}: the data directory {data_dir} is inside it")
            for other in folders:
                if root != other and root.is_relative_to(other):
                    raise WatchError(f"cannot watch {root}: it is inside {other}, which is watched too")
        return folders

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="folder-watch", daemon=True)
        self._thread.start()

    def stop(self, wait_s: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait_s)

    def run(self) -> None:
        """Catch up on every folder, then follow their changes until ``stop``. The catch-up runs once
        the file events are being collected (their first timeout, after a second), so a file dropped
        in while a large folder is caught up on is seen too."""
        from watchfiles import watch

        caught_up = False
        for changes in watch(
            *self.roots,
            stop_event=self._stop,
            debounce=self.debounce_ms,
            rust_timeout=1000,
            yield_on_timeout=True,
            raise_interrupt=False,
            ignore_permission_denied=True,
        ):
            if not caught_up:
                for root in self.roots:
                    self.tell(f"watching {root}")
                    self.update(root, [root])
                caught_up = True
            changed = [Path(path) for _, path in changes]
            for root in self.roots:
                if mine := [path for path in changed if path.is_relative_to(root)]:
                    self.update(root, mine)

    def update(self, root: Path, paths: Iterable[Path]) -> IngestReport | None:
        """Ingest what changed under ``root`` and remove its documents whose files are gone; says
        what changed, and why not where it could not (the watch goes on)."""
        try:
            report = self.ingestor.ingest_files(root, list(paths))
            removed = self.ingestor.remove_gone(root)
        except GroundlineError as exc:
            self.tell(f"{root}: {exc}")
            return None
        except Exception:  # the watch outlives one bad moment (a folder removed as it was read)
            log.exception("watching %s failed", root)
            return None
        report = replace(report, removed=removed)
        if report.changed or report.skipped:
            for problem in report.problems():
                self.tell(f"{root}: {problem}")
            self.tell(f"{root}: {report.summary()}")
        return report
