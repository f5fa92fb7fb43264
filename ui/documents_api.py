"""Documents over HTTP, for scripts and other services: list, upload, delete.

``GET /api/documents`` lists what ``groundline list --json`` lists, open like
the rest of the API (the chat token, if one is set). Upload and delete need the
admin token as ``Authorization: Bearer``, with the same budget of wrong
guesses per address as the chat page's document manager, and are refused
while no admin token is set. The token is checked before a byte of the body
is read. Uploads are ingested with every check a file gets (binary, empty,
too large or hidden files are skipped and named in the report), and those
ingested are kept under ``DATA_DIR/uploads`` by their names, as the page keeps
them (the same name again replaces the document). A name may hold folders
(``reports/q3.pdf``, as ``groundline ingest --server`` sends a folder); one
with ``..`` or an absolute path is refused (``index.uploads.upload_name``).
A client that accepts ``application/x-ndjson`` gets the ingestion's progress
as it goes, then the report (``ui.streamed``).

A caller only: the ingestor writes, the library reads.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from index.library import Library
from index.pipeline import Ingestor
from ui import streamed
from ui.api import check_document_path, http_errors
from ui.limits import DOCUMENTS_PATH, UNREAD_PATH, Guard, TokenCheck, admin_bearer

MOST_FILES = 1000
OFF = "Managing documents over HTTP is off: the server has no GROUNDLINE_ADMIN_TOKEN."
UPLOAD_BODY = {  # how /api/docs describes the upload
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                }
            }
        },
    }
}


def router(ingestor: Ingestor, library: Library, guard: Guard, tokens: TokenCheck | None) -> APIRouter:
    """The document routes; ``tokens`` None: no admin token, so no upload or delete."""
    api = APIRouter()

    def admin(http: Request) -> None:
        admin_bearer(tokens, http, OFF)

    @api.get(DOCUMENTS_PATH)
    def documents(http: Request) -> list[dict]:
        """Every ingested document: its path (as citations name it), content hash and chunk count."""
        guard.check(http)
        return [asdict(e) for e in library.entries()]

    @api.get(UNREAD_PATH)
    def unread(http: Request) -> list[dict]:
        """Every file an ingestion found and could not read (from the command line, an upload or a
        watched folder): its path, why, and when it was last tried (UTC); until it is read, deleted,
        or gone from its folder. A document stored of it before stays answerable."""
        guard.check(http)
        return [asdict(file) for file in library.unread()]

    @api.post(DOCUMENTS_PATH, openapi_extra=UPLOAD_BODY, response_model=None)  # the form is read after the token
    async def upload(http: Request) -> dict | StreamingResponse:
        """Ingest the files of a multipart form (field ``files``): the ingestion report; or, asked
        with ``Accept: application/x-ndjson``, its progress as it goes, then the report (``ui.streamed``)."""
        admin(http)
        form = await http.form(max_files=MOST_FILES, max_fields=10)
        uploads = [(f.filename or "", f.file) for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads or not all(name for name, _ in uploads):
            await form.close()
            raise HTTPException(400, "Send the documents as multipart form data: named files in fields 'files'.")
        if streamed.MEDIA_TYPE in http.headers.get("accept", ""):

            def close() -> None:  # once ingested, in the ingestion's thread, which outlives a client that goes
                for _, file in uploads:
                    file.close()

            ingestion = streamed.events(lambda progress: ingestor.ingest_uploads(uploads, progress), done=close)
            return StreamingResponse(ingestion, media_type=streamed.MEDIA_TYPE)
        try:
            with http_errors():
                return (await run_in_threadpool(ingestor.ingest_uploads, uploads)).to_json()
        finally:
            await form.close()

    @api.delete(DOCUMENTS_PATH + "/{path:path}")
    def delete(path: str, http: Request) -> dict:
        """Remove one document, or with a path ending in "/" every document in that folder (idempotent):
        whether any was there, and the documents removed."""
        admin(http)
        with http_errors():
            removed = ingestor.delete([check_document_path(path)])
        return {"file": path, "deleted": bool(removed), "removed": removed}

    return api
