"""Protection for the answer endpoints: per-client rate limits, a bounded queue,
an optional bearer token, and a cap on request bodies; and for the admin token,
a budget of wrong guesses per client.

Answers are expensive (an LLM call), so requests beyond capacity are refused
early and clearly, with 429 (this client is too fast; ``Retry-After`` says
when to come back) or 503 (the server is busy; try again shortly), rather
than piling up until something times out.
"""

from __future__ import annotations

import hmac
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager

from fastapi import HTTPException, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every request but a file upload carries a question, its history and a few settings. Bodies are
# read into memory before any route sees them, so anything larger is refused first.
MAX_BODY_BYTES = 1 << 20
GRADIO_API = "/gradio_api/"
UPLOAD_PATH = GRADIO_API + "upload"  # Gradio's (ui.uploads gates it), capped by its own max_file_size instead
ASK_PATH = "/api/ask"  # ui.api: a question, answered whole or as server-sent events
SEARCH_PATH = "/api/search"  # ui.api: the passages a query finds, without the model
DOCUMENTS_PATH = "/api/documents"  # ui.documents_api: list, and (POST) upload with the admin token
UNREAD_PATH = "/api/unread"  # ui.documents_api: the files ingestions found and could not read
CHECK_PATH = "/api/check"  # ui.admin_api: groundline check's findings, with the admin token
BACKUP_PATH = "/api/backup"  # ui.admin_api: a backup of every document, as a .tar.gz, with the admin token
MULTIPART_SLACK = 1 << 16  # a document upload's form headers and boundaries, beyond the files
TOO_MANY = "Too many questions from this address; slow down."
TOO_MANY_VIEWS = "Too many documents opened from this address; slow down."
SHARE_RETRY_S = 5  # Retry-After for a client holding its share of places: about an answer's time
MAX_SCOPE_FILES = 1000  # documents one question may be asked within by name (beyond: ask them all)


def route_path(scope: Scope) -> str:
    """A request's path as the routes match it: without the root path Groundline is served under
    behind a proxy (``GROUNDLINE_ROOT_PATH``), which uvicorn puts before the path it was sent.

    >>> route_path({"path": "/groundline/gradio_api/upload", "root_path": "/groundline"})
    '/gradio_api/upload'
    >>> route_path({"path": "/api/ask", "root_path": ""}), route_path({"path": "/gl", "root_path": "/gl"})
    ('/api/ask', '/')
    """
    path, root = scope["path"], scope.get("root_path", "")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before it is read whole
    (by its Content-Length, or while a chunked body streams in). Gradio's upload route is exempt
    (Gradio caps each file itself); documents posted to ``DOCUMENTS_PATH`` may take ``upload_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, upload_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes
        self.message = f"The request is too large: at most {max_bytes // 1024} KB (a question and its history)."
        self.upload_message = f"The request is too large: documents of at most {upload_bytes / 2**20:g} MB in all."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope).endswith(UPLOAD_PATH):
            await self.app(scope, receive, send)
            return
        most, message = self.max_bytes, self.message
        if route_path(scope) == DOCUMENTS_PATH and scope["method"] == "POST":
            most, message = self.upload_bytes + MULTIPART_SLACK, self.upload_message
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > most:
            await JSONResponse({"detail": message}, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            received = await receive()
            seen += len(received.get("body", b""))
            if seen > most:
                raise HTTPException(413, message)  # FastAPI passes it on; its handler answers
            return received

        await self.app(scope, counted, send)


class Drained:
    """ASGI middleware: a request answered before its body was read to the end (refused for a wrong
    token, or as too large) has the rest of its body read and let go before the answer goes out,
    up to ``most`` bytes in all. Closed with the body still coming, the connection is reset under
    the sender, and a proxy in front (nginx) answers 502 Bad Gateway instead of the refusal.
    A body declared larger than ``most`` is not read: its refusal goes out at once. Nor is one
    whose client waits to be asked for it (``Expect: 100-continue``, as curl sends an upload) and
    was not: it has sent nothing, and gets the refusal without sending it."""

    def __init__(self, app: ASGIApp, most: int) -> None:
        self.app = app
        self.most = most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        declared = int(length) if length.isdigit() else (self.most if b"transfer-encoding" in headers else 0)
        body = {"ended": not 0 < declared <= self.most, "seen": 0}
        waits = headers.get(b"expect", b"").lower() == b"100-continue"  # uvicorn asks for it at the first read

        def note(message: Message) -> Message:
            body["seen"] += len(message.get("body", b""))
            body["ended"] = body["ended"] or message["type"] != "http.request" or not message.get("more_body")
            return message

        async def received() -> Message:
            body["asked"] = True
            return note(await receive())

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and not (waits and "asked" not in body):
                while not body["ended"] and body["seen"] <= self.most:
                    note(await receive())
            await send(message)

        await self.app(scope, received, sending)


class RateLimiter:
    """A token bucket per client address: ``per_minute`` requests, bursts up to ``burst``."""

    def __init__(self, per_minute: int, burst: int | None = None, clock=time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst or max(1, per_minute // 6))
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def retry_after(self, client: str, count: bool = True) -> float:
        """0 if the request may go ahead (and is counted, unless ``count`` is false), else seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1 if count else tokens, now)
                return 0.0
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


def whole_seconds(wait: float) -> int:
    """A wait as the whole seconds a client is told (Retry-After, "try again in"): past it, never short."""
    return int(wait) + 1


class TokenCheck:
    """A secret compared in constant time, with a budget of wrong guesses per client address
    (``burst``, refilled at ``per_minute``): once it is spent, every guess is refused, right or
    wrong, until it refills. A short admin token cannot be found by trying, and the admin, who
    gets it right, never spends any."""

    def __init__(self, secret: str, per_minute: int = 6, burst: int = 10, clock=time.monotonic) -> None:
        self.secret = secret
        self.wrong = RateLimiter(per_minute, burst, clock)

    def verify(self, token: str | None, client: str) -> None:
        """Return for the right token; else raise 429 (this address's budget is spent) or 401."""
        wait = self.wrong.retry_after(client, count=False)
        if wait:
            raise HTTPException(
                429,
                f"Too many wrong admin tokens from this address; try again in {whole_seconds(wait)} s.",
                headers={"Retry-After": str(whole_seconds(wait))},
            )
        if not (token and hmac.compare_digest(token.encode(), self.secret.encode())):
            self.wrong.retry_after(client)
            raise HTTPException(401, "Wrong or missing admin token.")


def admin_bearer(tokens: TokenCheck | None, request: Request, off: str) -> None:
    """Return if ``request`` carries the admin token as ``Authorization: Bearer`` (``TokenCheck.verify``:
    401, or 429 once the address's wrong guesses are spent); 403 ``off`` where no admin token is set."""
    if tokens is None:
        raise HTTPException(403, off)
    tokens.verify(bearer(request), client_address(request))


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" without one)."""
    return request.headers.get("authorization", "").removeprefix("Bearer ").strip()


def client_address(request) -> str:
    """The client's address, from a Starlette or Gradio request."""
    return request.client.host if request.client else "unknown"


class Admission:
    """At most ``limit`` answer requests in the building (running or waiting), and of them, at most
    their address's share of ``shares`` (where one is given: the share the chat's questions take
    from too), so that one client's script cannot take every place and leave everyone else a 503."""

    def __init__(self, limit: int, shares: QueueShares | None = None) -> None:
        self.limit = limit
        self.shares = shares or QueueShares(0, expire_s=0)
        self.count = 0
        self.lock = threading.Lock()
        self._requests = itertools.count()  # each request's own place in ``shares``

    def enter(self, client: str = "", request: str | None = None) -> None:
        """Take a place, or refuse: 503 when all are taken, 429 when ``client`` holds its share."""
        with self.lock:
            if self.count >= self.limit:
                raise HTTPException(503, "The server is busy answering other questions; try again shortly.")
            if held := self.shares.take(client, request):
                raise HTTPException(
                    429,
                    f"You have {held} questions running or waiting already; ask again once one is answered.",
                    headers={"Retry-After": str(SHARE_RETRY_S)},
                )
            self.count += 1

    def leave(self, client: str = "", request: str | None = None) -> None:
        with self.lock:
            self.count -= 1
            self.shares.give_back(client, request)

    @contextmanager
    def slot(self, client: str = "") -> Iterator[None]:
        """Hold a place for the duration of a request."""
        request = f"api-{next(self._requests)}"
        self.enter(client, request)
        try:
            yield
        finally:
            self.leave(client, request)

    def streamed(self, events: Iterator[str], client: str = "") -> Generator[str, None, None]:
        """Hold a place (taken now) until a streamed body ends or is closed (``AnswerStream``, as its
        client goes)."""
        request = f"api-{next(self._requests)}"
        self.enter(client, request)

        def body() -> Generator[str, None, None]:
            try:
                yield from events
            finally:
                self.leave(client, request)

        return body()


class QueueShares:
    """Each client address's share of the places for answers: of the chat's queue, which Gradio
    runs, and the API's (``Admission``), counted together. A question takes a place as it joins (or
    as its request comes in) and gives it back when its answer ends. A question cancelled
    while it waited never runs to give its place back: where its page closed, its session's places
    are given back as the page leaves (``leave``); any other place (a script that cancelled its own
    job) comes back ``expire_s`` after it was taken, longer than any question waits (at most
    ``max_pending`` answers, each within the LLM's timeout)."""

    def __init__(self, per_client: int, expire_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_client = per_client  # 0: no share
        self.expire_s = expire_s
        self.clock = clock
        self.taken: dict[str, deque[tuple[float, str | None]]] = {}  # by address: (when, the session) a place
        self.lock = threading.Lock()

    def take(self, client: str, session: str | None = None) -> int:
        """Take a place for ``client`` (asking in ``session``: a page); 0 if it did, else how many
        it holds already."""
        if not self.per_client:
            return 0  # no share: nothing to count
        with self.lock:
            for other in list(self.taken):  # places never given back, of addresses gone since
                if other != client and not self._held(other):
                    del self.taken[other]
            held = self._held(client)
            if len(held) >= self.per_client:
                return len(held)
            held.append((self.clock(), session))
            return 0

    def give_back(self, client: str, session: str | None = None) -> None:
        """Give back ``client``'s oldest place taken in ``session`` (an answer ended); none where that
        session has none left (its page left first)."""
        with self.lock:
            held = self._held(client)
            mine = next((place for place in held if place[1] == session), None)
            if mine is not None:
                held.remove(mine)
            if not held:
                del self.taken[client]  # addresses come and go: the table keeps only those waiting

    def leave(self, session: str) -> None:
        """Give back every place taken in ``session``: its page closed, and Gradio drops the questions
        it left waiting (one still answering gives back nothing more as it ends)."""
        with self.lock:
            for client, held in list(self.taken.items()):
                kept = deque(place for place in held if place[1] != session)
                if kept:
                    self.taken[client] = kept
                else:
                    del self.taken[client]

    def _held(self, client: str) -> deque[tuple[float, str | None]]:
        held = self.taken.setdefault(client, deque())
        while held and self.clock() - held[0][0] > self.expire_s:
            held.popleft()
        return held


class Guard:
    """Everything an answer endpoint checks before it starts: token, rate, capacity."""

    def __init__(self, limiter: RateLimiter, admission: Admission, token: str | None) -> None:
        self.limiter = limiter
        self.admission = admission
        self.token = token

    def slot(self, request: Request) -> AbstractContextManager[None]:
        """A place for one answer to ``request`` (``Admission.slot``), on its client's share."""
        return self.admission.slot(client_address(request))

    def streamed(self, events: Iterator[str], request: Request) -> Generator[str, None, None]:
        """A place for one streamed answer to ``request``, held until it ends (``Admission.streamed``)."""
        return self.admission.streamed(events, client_address(request))

    def check_token(self, request: Request) -> None:
        """Raise 401 unless the request carries the chat token (if one is set)."""
        if self.token and not hmac.compare_digest(bearer(request).encode(), self.token.encode()):
            raise HTTPException(401, "This Groundline needs a token: send 'Authorization: Bearer <token>'.")

    def check(self, request: Request) -> None:
        """Raise the right HTTP error, or return if the request may be answered."""
        self.check_token(request)
        wait = self.limiter.retry_after(client_address(request))
        if wait:
            raise HTTPException(429, TOO_MANY, headers={"Retry-After": str(whole_seconds(wait))})
