"""An answer whose asker has gone stops the local model between batches of the prompt it reads.

On 2 cores the packaged model reads a question's prompt (~1,500 tokens) for 15-20 s before its first
word, holding the one model all that time. A reader who pressed Stop, closed the page, or a client
that gave up was noticed only at that first word: every question behind it waited out a prompt
nobody would read. ``halting_reads`` has the model ask, before each batch of prompt it reads
(``n_batch`` tokens: 128, ~1.5 s on 2 cores), whether the answer it reads for is still wanted:
``halted_by(gone)`` says how to know, for the answer being written on this thread (set around each
step of an answer, on the thread that runs it: ``AnswerService.stream``). Once ``gone()`` says so,
the read stops there and ``Abandoned`` is raised; what was read is kept, a prefix the next prompt
may resume (``AnswerService._written``).

The batches are the ones llama-cpp-python reads anyway, cut at the same places: the model's numbers
do not change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rag.errors import Abandoned

_here = threading.local()  # .gone: the check for the answer being written on this thread


@contextmanager
def halted_by(gone: Callable[[], bool]) -> Iterator[None]:
    """While the block runs, on this thread: ``halt_point`` asks ``gone``.

    >>> with halted_by(lambda: True):
    ...     halt_point()
    Traceback (most recent call last):
    ...
    rag.errors.Abandoned: The question was left before its answer was finished.
    >>> halt_point()  # outside: nothing asks
    """
    before = getattr(_here, "gone", None)
    _here.gone = gone
    try:
        yield
    finally:
        _here.gone = before


def halt_point() -> None:
    """Raise ``Abandoned`` where the answer being written on this thread is no longer wanted."""
    gone = getattr(_here, "gone", None)
    if gone is not None and gone():
        raise Abandoned("The question was left before its answer was finished.")


def halting_reads(llama) -> None:
    """Have ``llama`` (a ``llama_cpp.Llama``) pass a ``halt_point`` before each batch of tokens it
    reads: its ``eval``, given the batches it would cut itself (``n_batch`` tokens each) one by one."""
    read = llama.eval

    def eval_(tokens: Sequence[int]) -> None:
        for start in range(0, len(tokens), llama.n_batch):
            halt_point()
            read(tokens[start : start + llama.n_batch])

    llama.eval = eval_
