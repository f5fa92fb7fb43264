"""Who may send files to Gradio's upload route (and download a backup from the page).

Gradio stores whatever reaches its upload route in its temp folder before any
event handler runs, and its browser client adds no header of ours. So the
route is gated by a cookie: the document manager's token box posts the token
to ``/api/admin/session``, which answers with a cookie derived from the token,
and the browser sends that cookie with each upload. Without the token, no
file reaches Gradio's temp folder through this route; every page but the
full chat with the document manager refuses uploads outright.

Gradio also fetches a file input given as a URL itself, into the same folder,
before the event's handler (and its token check) runs, without a size limit.
Files reach Groundline only by upload, so such a request is refused too.

Uploads that pass, on the page or over HTTP (``ui.documents_api``), are
ingested and kept by ``index.uploads``. The same cookie admits the document
manager's backup link (``ui.admin_api``): a link sends no header either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from gradio_client.utils import is_file_obj_with_meta, is_http_url_like
from pydantic import BaseModel
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.limits import GRADIO_API, UPLOAD_PATH, TokenCheck, client_address, route_path

SESSION_PATH = "/api/admin/session"
COOKIE = "groundline_upload"
COOKIE_MAX_AGE_S = 12 * 3600

NO_UPLOADS = "This page takes no uploads: documents are managed on the chat page, with GROUNDLINE_ADMIN_TOKEN set."
NO_TOKEN = "Uploads need the admin token: enter it in Manage documents first."
NO_FETCHING = "Files are uploaded, not fetched from a URL by the server."

# Run in the browser when the admin token box changes: once typing has paused for 400 ms, post
# the token; the reply's status (204: the cookie came back) goes to the next event, chained with
# .then, which opens the box, or says why not.
SET_COOKIE_JS = f"""async (token) => {{
    window.groundlineAdminToken = token;
    await new Promise(done => setTimeout(done, 400));
    if (window.groundlineAdminToken !== token) return 0;
    const reply = await fetch({SESSION_PATH[1:]!r}, {{method: "POST", credentials: "same-origin",
        headers: {{"Content-Type": "application/json"}}, body: JSON.stringify({{token: token || ""}})}});
    return reply.status;
}}"""


def upload_pass(admin_token: str) -> str:
    """The cookie value that admits uploads: not the token itself, and useless once it changes."""
    return hmac.new(admin_token.encode(), b"groundline upload", hashlib.sha256).hexdigest()


class TokenBody(BaseModel):
    token: str = ""


def session_router(tokens: TokenCheck) -> APIRouter:
    """``POST /api/admin/session``: the upload cookie for the admin token; else 401, or 429 once
    this address has spent its wrong guesses."""
    router = APIRouter()

    @router.post(SESSION_PATH, include_in_schema=False)
    def session(body: TokenBody, request: Request) -> Response:
        try:
            tokens.verify(body.token, client_address(request))
        except HTTPException as exc:
            refused = JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
            refused.delete_cookie(COOKIE, path="/")  # a wrong token also ends an earlier right one
            return refused
        admitted = Response(status_code=204)
        admitted.set_cookie(
            COOKIE, upload_pass(tokens.secret), max_age=COOKIE_MAX_AGE_S, path="/", httponly=True, samesite="strict"
        )
        return admitted

    return router


def holds_upload_pass(request: Request, tokens: TokenCheck) -> bool:
    """Whether a request carries the cookie ``/api/admin/session`` gave for the admin token: how the
    admin's browser, with no header of ours, downloads a backup from the document manager's link."""
    given = request.cookies.get(COOKIE, "")
    return hmac.compare_digest(given.encode(), upload_pass(tokens.secret).encode())


def fetches_a_url(value: Any) -> bool:
    """Whether a Gradio request's data holds a file given by URL (which Gradio would download)."""
    if is_file_obj_with_meta(value):
        return is_http_url_like(value["path"])
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, list) and any(fetches_a_url(v) for v in value)


class UploadGate:
    """ASGI middleware: a request to any page's upload route gets 403 unless it is the full chat's
    and carries the upload cookie (``tokens`` None, no admin token: no page takes uploads); so does any
    other Gradio request whose data asks the server to fetch a file from a URL."""

    def __init__(self, app: ASGIApp, tokens: TokenCheck | None) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_path(scope).endswith(UPLOAD_PATH):
            refusal = self.refusal(scope)
            if refusal:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send)
                return
        elif scope["type"] == "http" and scope["method"] == "POST" and GRADIO_API in route_path(scope):
            try:
                body = await read_body(receive)  # at most BodyLimit's cap: it runs before this
            except HTTPException as exc:
                await JSONResponse({"detail": exc.detail}, status_code=exc.status_code)(scope, receive, send)
                return
            try:
                fetching = fetches_a_url(json.loads(body))
            except ValueError:
                fetching = False  # not JSON: Gradio refuses it
            if fetching:
                await JSONResponse({"detail": NO_FETCHING}, status_code=403)(scope, receive, send)
                return
            receive = replay(body, receive)
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        if self.tokens is None or route_path(scope) != UPLOAD_PATH:
            return NO_UPLOADS
        return None if holds_upload_pass(Request(scope), self.tokens) else NO_TOKEN


async def read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the app behind: the body read already, then the client's own messages."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
