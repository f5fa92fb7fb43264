"""Readers' ratings of answers: the chat's thumbs up and down on each answer.

Every rating is counted (``ui.metrics``: by rating and by whether the answer was an abstention,
so a thumbs down on "The documents do not say." is the false abstention the eval measures, seen
in use). With ``GROUNDLINE_FEEDBACK_LOG`` on, each is also kept with what was rated (the question,
the answer, the lines it cited) in ``DATA_DIR/feedback.jsonl``, readable by its owner only, for an
operator to read the answers readers found wrong; off, nothing a reader asked is kept.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

FILE = "feedback.jsonl"


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
