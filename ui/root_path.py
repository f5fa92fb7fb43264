"""Serving under a path behind a reverse proxy (``GROUNDLINE_ROOT_PATH``), whether the proxy takes
the path off before passing a request on or passes it on whole.

uvicorn puts the root path before the path each request came with, as a proxy that takes it off
(nginx's ``proxy_pass http://host:port/;``, Traefik's StripPrefix, Caddy's ``handle_path``) needs.
A proxy that passes the path on (``proxy_pass http://host:port;``, Caddy's ``handle``) makes that
the root path twice; ``PassedOn`` takes one off. A request made to the server itself works either
way too, at ``/`` or under the path.

The two cannot be told apart where the root path's first part is one of Groundline's own (a root
path of ``/api`` would make ``/api/ask`` mean both), so ``check`` refuses such a root path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from starlette.types import ASGIApp, Receive, Scope, Send

from rag.errors import SettingsError


class PassedOn:
    """ASGI middleware: a request whose path starts with the root path twice (uvicorn's, before the
    one a proxy passed on) is routed as if it had come without it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("root_path"):
            scope = once(scope)
        await self.app(scope, receive, send)


def once(scope: Scope) -> Scope:
    """``scope`` with its path under the root path once.

    >>> once({"path": "/gl/gl/api/ask", "raw_path": b"/gl/gl/api/ask", "root_path": "/gl"})["path"]
    '/gl/api/ask'
    >>> [once({"path": path, "root_path": "/gl"})["path"] for path in ("/gl/gl", "/gl/api/ask", "/gl/glossary")]
    ['/gl', '/gl/api/ask', '/gl/glossary']
    """
    root, path = scope["root_path"], scope["path"]
    twice = root + root
    if not (path == twice or path.startswith(twice + "/")):
        return scope
    raw, encoded = scope.get("raw_path"), root.encode("ascii")  # (the setting allows ASCII alone)
    if raw and raw.startswith(encoded + encoded):
        raw = raw[len(encoded) :]
    return {**scope, "path": path[len(root) :], "raw_path": raw}


def check(root: str, routes: Iterable) -> None:
    """Refuses a root path whose first part is the first part of one of ``routes``' paths."""
    first = root.split("/")[1] if root else ""
    if first and first in set(first_parts(routes)):
        raise SettingsError(
            f"GROUNDLINE_ROOT_PATH={root}: /{first} is one of Groundline's own paths, so a request under it "
            "could not be told from one of Groundline's own; choose another path, such as /groundline"
        )


def first_parts(routes: Iterable) -> Iterator[str]:
    """The first part of each route's path, into mounts at the root and routers included (FastAPI's
    ``include_router`` keeps the router it was given)."""
    for route in routes:
        path = getattr(route, "path", None)
        if path:
            yield path.split("/")[1]
        else:
            inner = getattr(route, "routes", None) or getattr(getattr(route, "original_router", None), "routes", [])
            yield from first_parts(inner)
