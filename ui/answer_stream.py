"""An answer over HTTP that stops when its client goes: streamed (server-sent events), or whole.

Starlette runs a streamed body's generator a step at a time in a worker thread; when
the client disconnects it stops asking for steps but leaves the generator where it
was, suspended, until the garbage collector reaches it. A suspended answer holds
what it holds: the local model's one-at-a-time lock (every other question, the
chat's too, waits behind it) and its client's place in the queue. Measured with a
model streaming a token every 0.25 s: 3 s after the client went, the lock was still
held. ``AnswerStream`` closes the generator as the response ends, however it ends,
so the model stops at the token it is on and both come back at once (on a thread of its own, not
the event loop that closes it: ``ui.ending``). A whole answer's route waits for it in a worker
thread, and nothing told it its client went: the model wrote on to the end (8-20 s on 2 cores) for
nobody, every other question waiting; ``client_gone`` tells ``AnswerService.ask`` after each token.
Either way the client's going is told the answer as its ``gone`` too, which the local model asks
before each batch of prompt it reads (``rag.halting``): a step still reading a prompt when the client
went (15-20 s on 2 cores) stops within a batch, not at its first token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator

from anyio import from_thread
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Send

from ui.ending import close_elsewhere


class AnswerStream(StreamingResponse):
    """Server-sent events from ``events``, closed as the response ends (``GeneratorExit`` runs
    its ``finally`` blocks and context managers' exits: the LLM lock, the queue place). ``left`` is
    set as the client goes: ``events``' answer, given ``left.is_set`` as its ``gone`` (``of``), stops
    at the local model's next batch of prompt if it is still reading one (``rag.halting``), where
    closing it waits for its first token."""

    def __init__(self, events: Generator[str, None, None], left: threading.Event) -> None:
        super().__init__(events, media_type="text/event-stream")
        self.events = events
        self.left = left

    @classmethod
    def of(cls, answer: Callable[[Callable[[], bool]], Generator[str, None, None]]) -> AnswerStream:
        """The stream of ``answer(gone)``'s events, ``gone`` saying whether the client has gone."""
        left = threading.Event()
        return cls(answer(left.is_set), left)

    async def listen_for_disconnect(self, receive: Receive) -> None:
        # (Starlette listens so under ASGI spec 2.3, uvicorn's; under 2.4 a failed send tells it, at the first token)
        await super().listen_for_disconnect(receive)
        self.left.set()  # cancelled instead where the answer ran to its end

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            # Not running: a step runs in a thread that a cancelled response still waits for (anyio),
            # and one whose send failed has returned its step.
            close_elsewhere(self.events)


def client_gone(http: Request) -> Callable[[], bool]:
    """Whether ``http``'s client has gone (its connection closed), asked from the worker thread a sync
    route runs in (FastAPI's): one hop to the event loop, which reads the connection's next message
    if one is there, and does not wait for one."""
    return lambda: from_thread.run(http.is_disconnected)
