"""The JSON HTTP API: ``/api/ask`` (plain or server-sent events), ``/api/search``,
``/api/documents/{path}`` and ``/healthz``.

A caller only: it validates requests, calls the answering service and the
library, and shapes their results as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from llama_index.core.llms import ChatMessage, MessageRole
from pydantic import BaseModel, Field

from index.library import Library
from index.serving import WriterBusy
from rag.answering import AnswerService
from rag.errors import (
    Abandoned,
    DocumentNotFound,
    GroundlineError,
    LLMUnavailable,
    QuestionError,
    StoreUnavailable,
)
from rag.search import MOST_HITS, MOST_PLACES, Searcher
from rag.types import Answer, Token
from ui.answer_stream import AnswerStream, client_gone
from ui.limits import ASK_PATH, MAX_SCOPE_FILES, SEARCH_PATH, Guard
from ui.links import linked, root_of

# Names citations use: relative, forward slashes, no parent steps, no controls.
_BAD_PATH = re.compile(r"(^|/)\.\.(/|$)|^/|\\|[\x00-\x1f]|^[A-Za-z]:")


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str

    def message(self) -> ChatMessage:
        return ChatMessage(role=MessageRole(self.role), content=self.content)


class AskRequest(BaseModel):
    question: str = Field(description="The question to answer.")
    history: list[Turn] = Field(
        default_factory=list, description="Earlier turns; a follow-up question is made standalone with them."
    )
    stream: bool = Field(False, description="Send server-sent events: tokens, then the answer.")
    files: list[str] = Field(
        default_factory=list,
        max_length=MAX_SCOPE_FILES,
        description="Answer from these documents alone (names as /api/documents/{path} takes them, or "
        "folders ending in '/': every document under it); empty: from every document.",
    )


class SearchRequest(BaseModel):
    query: str = Field(
        description="What to look for: words, a name, a question (ranked passages); or words in double quotes, "
        '"Kwon Jung-geun": every place they appear as written, in the documents\' order.'
    )
    files: list[str] = Field(
        default_factory=list,
        max_length=MAX_SCOPE_FILES,
        description="Search these documents alone (as for /api/ask); empty: every document.",
    )
    limit: int | None = Field(
        None,
        ge=1,
        le=MOST_PLACES,
        description=f"How many hits: ranked, at most {MOST_HITS} (default 10); a quoted search's places, at most "
        f"{MOST_PLACES} (default 100).",
    )


def answer_json(answer: Answer, root: str = "") -> dict:
    """``Answer.to_json`` (what ``groundline ask --json`` prints), each citation and closest passage
    with its ``link``."""
    return answer.to_json(lambda citation: linked(citation, root))


def error_status(exc: GroundlineError) -> int:
    """The HTTP status for a user-facing error."""
    match exc:
        case QuestionError():
            return 400
        case DocumentNotFound():
            return 404
        case WriterBusy():
            return 409
        case Abandoned():  # nginx's "client closed request": nobody reads it, a log may
            return 499
        case LLMUnavailable() | StoreUnavailable():
            return 503
        case _:
            return 500


@contextmanager
def http_errors() -> Iterator[None]:
    """A user-facing error raised inside as the HTTP error that says it (``error_status``)."""
    try:
        yield
    except GroundlineError as exc:
        raise HTTPException(error_status(exc), str(exc)) from None


def sse(event: str, data: dict) -> str:
    """One server-sent event.

    >>> sse("token", {"text": "Hi"})
    'event: token\\ndata: {"text": "Hi"}\\n\\n'
    """
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def check_document_path(path: str) -> str:
    """Refuse anything but a plain relative corpus name (``../``, absolute, drive, controls)."""
    if not path or _BAD_PATH.search(path):
        raise HTTPException(400, "Document paths are names relative to the ingested folder.")
    return path


def router(service: AnswerService, library: Library, guard: Guard, searcher: Searcher) -> APIRouter:
    """The API routes, bound to one service, library and searcher."""
    api = APIRouter()

    @api.get("/healthz")
    def healthz() -> dict:
        with http_errors():  # a Chroma server gone: 503, saying so
            return {"status": "ok", "documents": len(library.files())}

    @api.post(ASK_PATH, response_model=None)
    def ask(request: AskRequest, http: Request) -> JSONResponse | AnswerStream:
        guard.check(http)
        try:
            question = service.check_question(request.question)
            history = [turn.message() for turn in request.history]
            files = library.within(request.files)
        except (QuestionError, DocumentNotFound, StoreUnavailable) as exc:
            return JSONResponse({"error": str(exc)}, status_code=error_status(exc))
        if request.stream:
            return AnswerStream.of(
                lambda gone: guard.streamed(_events(service, question, history, files, root_of(http), gone), http)
            )
        try:
            with guard.slot(http):
                answer = service.ask(question, history, files, gone=client_gone(http))
                return JSONResponse(answer_json(answer, root_of(http)))
        except GroundlineError as exc:
            return JSONResponse({"error": str(exc)}, status_code=error_status(exc))

    @api.post(SEARCH_PATH)
    def search(request: SearchRequest, http: Request) -> JSONResponse:
        """The passages the query finds, best first, as the chat would read them, without the model:
        each opened at its best-matching sentence (``file``, its lines, ``quote``, ``link``), with the
        ``passage`` around it. Counted with the questions of its address (its rate)."""
        guard.check(http)
        root = root_of(http)
        try:
            found = searcher.search(request.query, library.within(request.files), request.limit)
        except GroundlineError as exc:
            return JSONResponse({"error": str(exc)}, status_code=error_status(exc))
        return JSONResponse(found.to_json(lambda citation: linked(citation, root)))

    @api.get("/api/documents/{path:path}")
    def document(path: str, http: Request) -> dict:
        guard.check(http)
        with http_errors():  # not ingested: 404; a Chroma server gone: 503
            stored = library.stored(check_document_path(path))
        # a paged document: the line each page (slide, sheet, section) starts on, as citations count them;
        # and the pages' names, where they have them (a workbook's sheets)
        return (
            {"file": path, "lines": stored.lines()}
            | ({"page_starts": list(stored.page_starts)} if stored.page_starts else {})
            | ({"page_names": list(stored.page_names)} if stored.page_names else {})
        )

    return api


def _events(
    service: AnswerService,
    question: str,
    history: list[ChatMessage],
    files: list[str],
    root: str,
    gone: Callable[[], bool],
) -> Iterator[str]:
    try:
        for event in service.stream(question, history, files, gone):
            if isinstance(event, Token):
                yield sse("token", {"text": event.text})
            elif isinstance(event, Answer):
                yield sse("answer", answer_json(event, root))
    except GroundlineError as exc:
        yield sse("error", {"error": str(exc), "status": error_status(exc)})
