"""Readers' ratings of answers: the chat's thumbs up and down on each answer.

Every rating is counted (``ui.metrics``: by rating and by whether the answer was an abstention,
so a thumbs down on "The documents do not say." is the false abstention the eval measures, seen
in use). With ``GROUNDLINE_FEEDBACK_LOG`` on, each is also kept with what was rated (the question,
the answer, the lines it cited) in ``DATA_DIR/feedback.jsonl``, readable by its owner only, for an
operator to read the answers readers found wrong (there, or ``GET /api/feedback`` with the admin
token); off, nothing a reader asked is kept.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request

from ui.limits import TokenCheck, admin_bearer

FILE = "feedback.jsonl"
PATH = "/api/feedback"
NO_ADMIN = "Reading the ratings kept is off: the server has no GROUNDLINE_ADMIN_TOKEN."
NOT_KEPT = "No ratings are kept: GROUNDLINE_FEEDBACK_LOG is off (they are only counted, in /metrics)."


@dataclass(frozen=True)
class Rating:
    """One reader's thumbs up (``liked``) or down on one answer."""

    liked: bool
    abstained: bool
    question: str
    answer: str
    cited: list[dict]  # each citation (or an abstention's closest passage): file, start_line, end_line


def rating_of(turns: Sequence[dict], index: int, liked: object) -> Rating | None:
    """The rating of the chat's message ``index``, or None: a question, an answer still streaming,
    or a thumb taken back (Gradio sends ``liked`` as "" then).

    >>> turns = [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A. [1]", "abstained": False,
    ...          "citations": [{"file": "a.txt", "start_line": 2, "end_line": 3, "quote": "A."}]}]
    >>> rated = rating_of(turns, 1, False)
    >>> rated.liked, rated.abstained, rated.question, rated.answer, rated.cited
    (False, False, 'Q?', 'A. [1]', [{'file': 'a.txt', 'start_line': 2, 'end_line': 3}])
    >>> rating_of(turns, 0, True), rating_of(turns, 1, ""), rating_of(turns, 5, True)
    (None, None, None)
    """
    if not isinstance(liked, bool) or not 0 <= index < len(turns):
        return None
    turn = turns[index]
    if turn.get("role") != "assistant" or "abstained" not in turn:  # "abstained": a finished answer's
        return None
    question = next((t["content"] for t in reversed(turns[:index]) if t.get("role") == "user"), "")
    cited = [{key: c[key] for key in ("file", "start_line", "end_line")} for c in turn.get("citations", [])]
    return Rating(liked, bool(turn["abstained"]), question, str(turn["content"]), cited)


class FeedbackLog:
    """Keeps each rating, with the time, as one JSON line of ``DATA_DIR/feedback.jsonl``."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = data_dir / FILE
        self.clock = clock
        self.lock = threading.Lock()

    def __call__(self, rating: Rating) -> None:
        line = json.dumps({"time": round(self.clock(), 3), **asdict(rating)}, ensure_ascii=False) + "\n"
        with self.lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # owner-only from its first byte
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line)

    def latest(self, most: int, liked: bool | None = None) -> list[dict]:
        """The ``most`` latest ratings kept, newest first; with ``liked``, those up (True) or down
        (False) alone. The file is read through once, holding no more than ``most`` of them."""
        if not self.path.exists():
            return []
        with self.lock, self.path.open(encoding="utf-8") as kept:
            rows = (json.loads(line) for line in kept if line.strip())
            wanted = deque((row for row in rows if liked is None or row.get("liked") is liked), maxlen=most)
        return list(reversed(wanted))


def router(log: FeedbackLog | None, tokens: TokenCheck | None) -> APIRouter:
    """``GET /api/feedback``: the ratings kept, for the admin token."""
    api = APIRouter()

    @api.get(PATH)
    def feedback(
        http: Request, limit: int = Query(100, ge=1, le=10_000), rating: Literal["up", "down"] | None = None
    ) -> list[dict]:
        """The latest ratings readers gave answers in the chat, newest first (``rating``: up or down
        alone), each with its time, question, answer and cited lines; kept only with
        GROUNDLINE_FEEDBACK_LOG on. Needs the admin token."""
        admin_bearer(tokens, http, NO_ADMIN)
        if log is None:
            raise HTTPException(404, NOT_KEPT)
        return log.latest(limit, None if rating is None else rating == "up")

    return api
