"""Where the reading of one long file has got to, for the progress bar: "page 12 of 300" of a scan
read by text recognition, "message 40 of 2,000" of a mailbox, "picture 7" of a Word file full of
pasted scans, and within an archive's or a message's parts, "file 3 of 40 (scan.pdf), page 2 of 10".

A reader says where it is (``reached``, or ``part`` around a part it reads); whoever reads files
(``index.isolation``) listens around each file (``listening``), hearing at most one place every
``EVERY_S`` but the first, so that a mailbox's thousands of messages do not flood a bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

EVERY_S = 0.5  # the most often a file's place is told: a page read by OCR takes seconds, a message microseconds

_LISTENER: ContextVar[Callable[[str], None] | None] = ContextVar("reading_listener", default=None)
_WITHIN: ContextVar[str] = ContextVar("reading_within", default="")  # the parts being read: "file 3 of 40 (a.pdf), "


def place(unit: str, number: int, total: int = 0, name: str = "") -> str:
    """``unit`` ``number`` of ``total`` (of an unknown total where 0), and its name if it has one.

    >>> place("page", 12, 300), place("picture", 7), place("file", 3, 1200, "minutes/march.pdf")
    ('page 12 of 300', 'picture 7', 'file 3 of 1,200 (minutes/march.pdf)')
    """
    return f"{unit} {number:,}" + (f" of {total:,}" if total else "") + (f" ({name})" if name else "")


def reached(unit: str, number: int, total: int = 0) -> None:
    """Tell the listener, if any, that the reading is at ``unit`` ``number`` of ``total`` (within the
    parts being read)."""
    if (listener := _LISTENER.get()) is not None:
        listener(_WITHIN.get() + place(unit, number, total))


@contextmanager
def part(unit: str, number: int, total: int = 0, name: str = "") -> Iterator[None]:
    """Reading part ``number`` of ``total`` (an archive's file, a mailbox's message): told now, and
    what is reached within it told as a place within it."""
    here = _WITHIN.get() + place(unit, number, total, name)
    if (listener := _LISTENER.get()) is not None:
        listener(here)
    within = _WITHIN.set(here + ", ")
    try:
        yield
    finally:
        _WITHIN.reset(within)


@contextmanager
def listening(listener: Callable[[str], None] | None) -> Iterator[None]:
    """Around one file's reading: ``listener`` hears where it has got to ("page 2 of 10"), its first
    place at once and then at most one every ``EVERY_S``."""
    told = [float("-inf")]

    def tell(at: str) -> None:
        if time.monotonic() - told[0] >= EVERY_S:
            told[0] = time.monotonic()
            listener(at)

    heard, within = _LISTENER.set(tell if listener else None), _WITHIN.set("")
    try:
        yield
    finally:
        _LISTENER.reset(heard)
        _WITHIN.reset(within)
