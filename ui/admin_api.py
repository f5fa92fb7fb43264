"""The admin's HTTP routes, for an admin with no shell on the server's machine, each with the admin
token as ``Authorization: Bearer`` and refused while no admin token is set (a backup also with the
cookie the document manager's token box got, ``ui.uploads``: its link downloads one).

``GET /api/backup`` answers with a ``.tar.gz`` of every document (``index.backup``;
``groundline backup --server URL DEST.tar.gz`` fetches it). The backup is written to a temporary
folder (``TMPDIR``) and removed once sent; while it is written no ingestion runs (one waiting longer
than the lock's timeout is refused, 409), and questions go on being answered.

``GET /api/check`` answers with ``groundline check``'s findings (``index.checkup``), for monitoring
(``groundline check --server URL``).

A caller only: ``index.backup`` and ``index.checkup`` do the work.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from index.backup import Backups
from index.checkup import Finding
from ui.api import http_errors
from ui.feedback import FILE as FEEDBACK_FILE
from ui.limits import BACKUP_PATH, CHECK_PATH, TokenCheck, admin_bearer
from ui.private import KEY_FILE
from ui.uploads import holds_upload_pass

# The server's own files in the data directory that a backup takes along: the key of the chats
# browsers keep (a restored server reads them back) and the ratings kept.
CARRIED = [KEY_FILE, FEEDBACK_FILE]
OFF = "The admin's routes are off: the server has no GROUNDLINE_ADMIN_TOKEN."


def backup_name(now: datetime) -> str:
    """The file name a backup is sent under.

    >>> backup_name(datetime(2026, 12, 5, 15, 4, 6, tzinfo=UTC))
    'groundline-backup-20261205-150406.tar.gz'
    """
    return f"groundline-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def router(backups: Backups, findings: Callable[[], list[Finding]], tokens: TokenCheck | None) -> APIRouter:
    api = APIRouter()

    @api.get(CHECK_PATH)
    async def check(http: Request) -> list[dict]:
        """``groundline check``'s findings: each ``{"level": "ok" | "warn" | "fail", "what", "said"}``."""
        admin_bearer(tokens, http, OFF)
        with http_errors():
            return [finding.to_json() for finding in await run_in_threadpool(findings)]

    @api.get(BACKUP_PATH, response_class=FileResponse)
    async def backup(http: Request) -> FileResponse:
        """A ``.tar.gz`` of every document's chunks, vectors and text, the kept uploads and the
        server's own files: ``groundline restore`` brings it back into an empty data directory."""
        if tokens is None or not holds_upload_pass(http, tokens):  # the page's link: the token's cookie
            admin_bearer(tokens, http, OFF)
        work = Path(tempfile.mkdtemp(prefix="groundline-backup-"))
        try:
            path = work / backup_name(datetime.now(UTC))
            with http_errors():
                await run_in_threadpool(backups.backup, path)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return FileResponse(
            path, media_type="application/gzip", filename=path.name,
            background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
        )  # fmt: skip

    return api
