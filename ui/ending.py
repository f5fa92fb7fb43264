"""A streamed answer stopped before its end (Stop, a page closed, an API client gone) ends on a
thread of its own, not on the server's event loop.

Gradio (``SyncToAsyncIterator.aclose``) and Starlette's streamed responses (``ui.answer_stream``)
close an answer's generator on the event loop itself, so its ending ran there: the model stopped,
and what it had read kept (``rag.llm.prompt_keeping``: its state copied and written to disk,
0.8-1.0 s measured on 2 cores). Every page and request of every reader waited behind it; a Stop's
own chat, kept in the browser once the Stop was shown, came 1.1-1.2 s after it (a reload before
then lost the stopped answer). Closing an answer's steps elsewhere returns at once; their
``finally`` blocks and context managers' exits run on that thread, in order: the local model's lock
is given back once its state is kept.

This module stops nothing itself: it decides only where a stopped answer's ending runs.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def ended_elsewhere(steps: Iterator[T]) -> Generator[T, None, None]:
    """``steps``, yielded as they come; closed before their end, this closes them on a thread of its
    own (``close_elsewhere``) and returns at once. (``yield from`` would close them right here.)

    >>> ended = threading.Event()
    >>> def answer():
    ...     try:
    ...         yield "N"
    ...         yield "orth Korea"
    ...     finally:
    ...         ended.set()
    >>> stream = ended_elsewhere(answer())
    >>> next(stream), stream.close(), ended.wait(5)
    ('N', None, True)
    """
    try:
        for step in steps:  # noqa: UP028 - `yield from` would close them here, on the loop
            yield step
    except GeneratorExit:
        close_elsewhere(steps)
        raise


def close_elsewhere(steps: Iterator) -> None:
    """Close ``steps`` (a generator, suspended: not running) on a new thread, not waiting for it;
    nothing where they have ended already."""
    if not isinstance(steps, Generator) or inspect.getgeneratorstate(steps) == inspect.GEN_CLOSED:
        return

    def ending() -> None:
        try:
            steps.close()
        except Exception:  # nobody waits for it: said in the log, not lost
            log.exception("An answer stopped before its end failed as it ended.")

    threading.Thread(target=ending, name="groundline-answer-ending", daemon=True).start()
