"""The running server does the command line's writes.

An embedded store has one process at a time (``index.serving.server_lock``):
while ``groundline serve`` holds a data directory, a write from another
process would go unseen by the server's in-memory vector index. So
``groundline ingest`` and ``delete`` hand their work to that server over HTTP,
and it writes with its own ingestor; the CLI shows the server's progress.

The server announces itself in ``DATA_DIR/serve.json``: where it listens and
a random key, readable by the file's owner only. Whoever can read that file
can write the data directory directly anyway, so the key grants nothing
more. The server reads the paths it is given from its own file system: the
same machine, since the lock is per machine.

This module carries the work both ways; the ingestor does it.
"""

from __future__ import annotations

import hmac
import http.client
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from index.errors import GroundlineError
from index.reports import IngestReport, Progress
from index.serving import served_elsewhere
from ui import streamed
from ui.limits import bearer
from ui.private import create_private

if TYPE_CHECKING:  # the command line's side (receiver, ingest_via, delete_via) loads no ingestor
    from index.pipeline import Ingestor

ANNOUNCEMENT = "serve.json"
INGEST_PATH = "/api/local/ingest"
DELETE_PATH = "/api/local/delete"
WAIT_S = 600  # longest silence while the server embeds a slice of chunks or waits for the write lock


class HandoffError(GroundlineError):
    """The server holding the data directory could not take the work."""


@dataclass(frozen=True)
class Served:
    """Where a server on this data directory listens, and the key its write routes take."""

    url: str
    key: str

    @classmethod
    def fresh(cls, host: str, port: int) -> Served:
        """A new random key, for a server listening on ``host:port``."""
        return cls(local_url(host, port), secrets.token_urlsafe(32))


def local_url(host: str, port: int) -> str:
    """The URL this machine reaches a server on: ``local_url("0.0.0.0", 7860)`` is ``http://127.0.0.1:7860``."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(data_dir: Path, served: Served) -> bool:
    """Write the server's URL and key into the data directory, readable by its owner only; whether
    that could be done (a read-only data directory takes no writes to hand off)."""
    path, draft = data_dir / ANNOUNCEMENT, data_dir / (ANNOUNCEMENT + ".tmp")
    try:
        draft.unlink(missing_ok=True)  # created afresh below, so never with another file's permissions
        create_private(draft, json.dumps({"url": served.url, "key": served.key}))
        draft.replace(path)
    except OSError:
        return False
    return True


def announced(data_dir: Path, served: Served):
    """A server lifespan: announced while it listens (from start-up, when every model is loaded,
    to shut-down: uvicorn ends a process stopped by a signal right after, skipping ``finally``)."""

    @asynccontextmanager
    async def lifespan(_app) -> AsyncIterator[None]:
        written = announce(data_dir, served)
        yield
        if written:
            withdraw(data_dir, served)

    return lifespan


def withdraw(data_dir: Path, served: Served) -> None:
    """Remove the announcement if it is still this server's."""
    if find(data_dir) == served:
        (data_dir / ANNOUNCEMENT).unlink(missing_ok=True)


def receiver(data_dir: Path, shared_store: bool) -> Served | None:
    """The server to hand this data directory's writes to: one in another process holds its
    embedded store (with a Chroma server, every process writes itself) and has announced itself."""
    if shared_store or not served_elsewhere(data_dir):
        return None
    return find(data_dir)  # None: a server that announces nothing refuses as before


def find(data_dir: Path) -> Served | None:
    """The announced server, if an announcement can be read (it may be stale: check the lock too)."""
    try:
        data = json.loads((data_dir / ANNOUNCEMENT).read_text())
        return Served(str(data["url"]), str(data["key"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Paths(BaseModel):
    paths: list[str]


class Ingestion(Paths):
    sync: bool = False


def router(ingestor: Ingestor, served: Served) -> APIRouter:
    """The write routes, for holders of the announced key."""
    from ui.api import http_errors

    routes = APIRouter(include_in_schema=False)

    def check(request: Request) -> None:
        if not hmac.compare_digest(bearer(request).encode(), served.key.encode()):
            raise HTTPException(403, f"This is not the key this server wrote in its {ANNOUNCEMENT}.")

    @routes.post(INGEST_PATH)
    def ingest(body: Ingestion, request: Request) -> StreamingResponse:
        """One JSON line per progress step, then ``{"report": ...}`` or ``{"error": ...}``."""
        check(request)
        paths = [Path(p) for p in body.paths]
        return StreamingResponse(
            streamed.events(lambda progress: ingestor.ingest(paths, progress, body.sync)),
            media_type=streamed.MEDIA_TYPE,
        )

    @routes.post(DELETE_PATH)
    def delete(body: Paths, request: Request) -> dict:
        check(request)
        with http_errors():
            return {"removed": ingestor.delete(body.paths)}

    return routes


def _post(served: Served, path: str, body: dict):
    request = urllib.request.Request(
        served.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {served.key}"},
    )
    try:
        return urllib.request.urlopen(request, timeout=WAIT_S)
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("detail", exc.reason)
        raise HandoffError(f"The server at {served.url} refused: {detail}") from None
    except OSError as exc:
        raise HandoffError(
            f"groundline serve holds this data directory but does not answer at {served.url} ({exc}); "
            "try again when it has started, or stop it and run this again."
        ) from None


def ingest_via(
    served: Served, paths: list[Path], progress: Callable[[Progress], None], sync: bool = False
) -> IngestReport:
    """Have the server ingest ``paths`` (as this process names them; ``sync`` as ``Ingestor.ingest``
    takes it), reporting its progress here."""
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
    with _post(served, INGEST_PATH, {"paths": [str(p.absolute()) for p in paths], "sync": sync}) as reply:
        try:
            if report := streamed.followed(reply, progress, HandoffError):
                return report
        except (OSError, http.client.HTTPException):
            pass  # the connection broke: said below
    raise HandoffError(f"The server at {served.url} stopped before the ingestion finished; run this again.")


def delete_via(served: Served, files: list[str]) -> list[str]:
    """Have the server delete documents; those that were there."""
    with _post(served, DELETE_PATH, {"paths": files}) as reply:
        return json.load(reply)["removed"]
