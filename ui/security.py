"""Who may embed the chat or call the API from a browser.

One allowlist of origins drives both CORS (for ``fetch`` from other pages) and
``Content-Security-Policy: frame-ancestors`` (for iframes: the widget and the
plain-iframe embed). An entry is ``scheme://host[:port]``; ``:*`` allows any
port. The server's own origin is always allowed.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def origin_regex(origins: list[str]) -> str:
    """One anchored regex matching any allowed origin.

    >>> bool(re.fullmatch(origin_regex(["http://localhost:*"]), "http://localhost:8080"))
    True
    >>> bool(re.fullmatch(origin_regex(["https://a.com"]), "https://a.com.evil.net"))
    False
    """
    parts = []
    for origin in origins:
        origin = origin.rstrip("/")
        if origin.endswith(":*"):
            parts.append(re.escape(origin[:-2]) + r"(:\d+)?")
        else:
            parts.append(re.escape(origin))
    return "^(" + "|".join(parts) + ")$" if parts else "^$"


def frame_ancestors(origins: list[str]) -> str:
    """The CSP header value: ``frame-ancestors 'self' <origins>``."""
    return " ".join(["frame-ancestors", "'self'", *(o.rstrip("/") for o in origins)])


class HeadersMiddleware:
    """Adds fixed security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in self.headers}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, origins: list[str]) -> None:
    """Apply the allowlist to ``app`` (CORS and frame-ancestors)."""
    app.add_middleware(
        HeadersMiddleware,
        headers={
            "Content-Security-Policy": frame_ancestors(origins),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=origin_regex(origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],  # Gradio's queue sends its own headers; the origin is the gate
    )
