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

``Writing`` tells when a chat session's answer has ended, or gone quiet: Stop marks what was
written only then (``ChatUI.stop_marked``), so an answer's last words, already on their way to the
page, do not arrive after the mark and write over it.

This module closes nothing itself: it decides where a stopped answer's ending runs, tells when it
has run, and marks a session's answers stopped for the answering service to see (``Writing.halt``).
"""

from __future__ import annotations

import inspect
import logging
import math
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
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


class Written:
    """One answer being written: when it last yielded, and whether its reader stopped it."""

    def __init__(self, changed: threading.Condition) -> None:
        self._changed = changed
        self.last_yield = -math.inf  # time.monotonic()
        self.halted = False

    def wrote(self) -> None:
        """Note a yield, now."""
        with self._changed:
            self.last_yield = time.monotonic()

    def gone(self) -> bool:
        """Whether its reader stopped it (Stop, the page closed): ``AnswerService.stream``'s ``gone``."""
        return self.halted


class Writing:
    """The chat sessions with an answer being written (a page's answer generator, open until it
    ends or is closed): a session's may be stopped (``halt``), and waited for to settle (ended, or
    quiet).

    >>> writing = Writing()
    >>> with writing.answer("s1") as written:
    ...     written.wrote()
    ...     writing.settled("s1", 0.01), writing.settled("s2", 0.01), written.gone()
    ...     writing.halt("s1")
    ...     written.gone()
    (False, True, False)
    True
    >>> writing.settled("s1", 0.01)
    True
    """

    def __init__(self, quiet_s: float = 0.5) -> None:
        self.quiet_s = quiet_s  # nothing yielded for this long: nothing is still on its way to the page
        self._changed = threading.Condition()
        self._open: dict[str | None, list[Written]] = {}  # a session may have a second question queued

    @contextmanager
    def answer(self, session: str | None) -> Iterator[Written]:
        """While one of ``session``'s answers is being written (the block: the answer's generator)."""
        written = Written(self._changed)
        with self._changed:
            self._open.setdefault(session, []).append(written)
        try:
            yield written
        finally:
            with self._changed:
                self._open[session].remove(written)
                if not self._open[session]:
                    del self._open[session]
                self._changed.notify_all()

    def halt(self, session: str | None) -> None:
        """Stop ``session``'s answers being written now (not one asked after): each stops at its model's
        next batch of prompt, or its next yield (``Written.gone``)."""
        with self._changed:
            for written in self._open.get(session, ()):
                written.halted = True

    def settled(self, session: str | None, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for ``session`` to have no answer being written, or none that
        yielded within ``quiet_s`` (a model reading its prompt, or the answer being checked: what it
        yields next is dropped once its event is cancelled); whether it has."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while session in self._open:
                quiet = time.monotonic() - max(w.last_yield for w in self._open[session])
                left = deadline - time.monotonic()
                if quiet >= self.quiet_s:
                    break
                if left <= 0:
                    return False
                self._changed.wait(min(left, self.quiet_s - quiet))
            return True
