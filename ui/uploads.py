"""Who may send files to Gradio's upload route.

Gradio stores whatever reaches its upload route in its temp folder before any
event handler runs, and its browser client adds no header of ours. So the
route is gated by a cookie: the document manager's token box posts the token
to ``/api/admin/session``, which answers with a cookie derived from the token,
and the browser sends that cookie with each upload. Without the token, no
file reaches Gradio's temp folder through this route; every page but the
full chat with the document manager refuses uploads outright.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_PATH = "/gradio_api/upload"  # Gradio's; the full chat is mounted at "/"
SESSION_PATH = "/api/admin/session"
COOKIE = "groundline_upload"
COOKIE_MAX_AGE_S = 12 * 3600

NO_UPLOADS = "This page takes no uploads: documents are managed on the chat page, with GROUNDLINE_ADMIN_TOKEN set."
NO_TOKEN = "Uploads need the admin token: enter it in Manage documents first."

# Run in the browser when the admin token box changes: the cookie is set before the upload
# box opens (the next event, chained with .then, opens it only for the right token).
SET_COOKIE_JS = f"""async (token) => {{
    await fetch({SESSION_PATH[1:]!r}, {{method: "POST", headers: {{"Content-Type": "application/json"}},
        credentials: "same-origin", body: JSON.stringify({{token: token || ""}})}});
}}"""


def upload_pass(admin_token: str) -> str:
    """The cookie value that admits uploads: not the token itself, and useless once it changes."""
    return hmac.new(admin_token.encode(), b"groundline upload", hashlib.sha256).hexdigest()


class TokenBody(BaseModel):
    token: str = ""


def session_router(admin_token: str) -> APIRouter:
    """``POST /api/admin/session``: the upload cookie for the right token, 401 otherwise."""
    router = APIRouter()

    @router.post(SESSION_PATH, include_in_schema=False)
    def session(body: TokenBody) -> Response:
        if not hmac.compare_digest(body.token.encode(), admin_token.encode()):
            refused = JSONResponse({"detail": "Wrong or missing admin token."}, status_code=401)
            refused.delete_cookie(COOKIE, path="/")  # a wrong token also ends an earlier right one
            return refused
        admitted = Response(status_code=204)
        admitted.set_cookie(
            COOKIE, upload_pass(admin_token), max_age=COOKIE_MAX_AGE_S, path="/", httponly=True, samesite="strict"
        )
        return admitted

    return router


class UploadGate:
    """ASGI middleware: a request to any page's upload route gets 403 unless it is the full chat's
    and carries the upload cookie (``admin_token`` unset: no page takes uploads)."""

    def __init__(self, app: ASGIApp, admin_token: str | None) -> None:
        self.app = app
        self.expected = upload_pass(admin_token) if admin_token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith(UPLOAD_PATH):
            refusal = self.refusal(scope)
            if refusal:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        if self.expected is None or scope["path"] != UPLOAD_PATH:
            return NO_UPLOADS
        given = Request(scope).cookies.get(COOKIE, "")
        return None if hmac.compare_digest(given.encode(), self.expected.encode()) else NO_TOKEN
