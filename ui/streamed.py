"""A long ingestion over HTTP, as it goes: one JSON line per progress step, then
``{"report": ...}`` or ``{"error": ...}`` (``application/x-ndjson``).

Both ends are here: ``events`` runs an ingestion on the server and writes the
lines; ``followed`` reads them on the command line's side. The command line's
handoff (``ui.handoff``) and an upload sent by ``groundline ingest --server``
(``ui.documents_api``, ``ui.remote``) speak it. A client waits for the next
line, not for the whole ingestion, so a long one never looks like a dead server.

This module does no ingestion itself: it is handed one to run.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict

from index.errors import GroundlineError
from index.reports import IngestReport, Progress

MEDIA_TYPE = "application/x-ndjson"


def events(run: Callable[[Callable[[Progress], None]], IngestReport], done: Callable[[], None] = lambda: None):
    """The lines of ``run(progress)``, run in a thread of its own (it finishes even if the client
    goes; ``done`` is called after it, whatever happened)."""
    lines: queue.Queue[dict] = queue.Queue()

    def work() -> None:
        try:
            lines.put({"report": run(lambda p: lines.put({"progress": asdict(p)})).to_json()})
        except (GroundlineError, OSError) as exc:
            lines.put({"error": str(exc)})
        finally:
            done()

    threading.Thread(target=work, name="streamed-ingest", daemon=True).start()
    return _lines(lines)


def _lines(lines: queue.Queue[dict]) -> Iterator[str]:
    while True:
        event = lines.get()
        yield json.dumps(event) + "\n"
        if "progress" not in event:
            return


def followed(
    lines: Iterable[str | bytes], progress: Callable[[Progress], None], failed: Callable[[str], Exception]
) -> IngestReport | None:
    """Read the lines, reporting each progress step: the report; ``failed(message)`` raised for an
    error; None if the lines end first (the connection broke)."""
    for line in lines:
        if not line.strip():
            continue
        event = json.loads(line)
        if "progress" in event:
            progress(Progress.from_json(event["progress"]))
        elif "error" in event:
            raise failed(event["error"])
        else:
            return IngestReport.from_json(event["report"])
    return None
