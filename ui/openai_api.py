"""``POST /v1/chat/completions``, compatible with the OpenAI chat API.

The last user message is the question. The reply's text carries numbered
references (``[1]``) and a "Sources" list (for an abstention, the closest
passages); the same come back as structured data in the message's extra
``citations`` and ``closest`` fields (in the final chunk's delta when
streaming). The official ``openai`` client works unchanged.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from llama_index.core.llms import ChatMessage, MessageRole
from pydantic import BaseModel, ConfigDict, Field

from index.library import Library
from rag.answering import AnswerService
from rag.errors import DocumentNotFound, GroundlineError, QuestionError
from rag.types import Answer, Token
from ui.answer_stream import AnswerStream, client_gone
from ui.api import answer_json, error_status
from ui.limits import MAX_SCOPE_FILES, Guard
from ui.links import root_of

MODEL = "groundline"
# Streamed tokens are already out when attribution finds no support: say so plainly.
ABSTAINED_NOTE = "\n\n[Groundline: no source supports the text above] "


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, ...: accepted, ignored
    model: str = MODEL
    messages: list[Message]
    stream: bool = False
    # Groundline's own: answer from these documents alone (the openai client's extra_body), as /api/ask's
    files: list[str] = Field(
        default_factory=list,
        max_length=MAX_SCOPE_FILES,
        description="Answer from these documents alone (or folders ending in '/': every document under it), "
        "as /api/ask's files; the openai client sends it in extra_body.",
    )


def references(answer: Answer) -> str:
    """The numbered list appended to the reply text: its sources, or an abstention's closest passages."""
    heading, shown = answer.references()
    note = f"\n\n({answer.note})" if answer.note else ""  # how it was written (Answer.note)
    if not shown:
        return note
    rows = [f"[{n}] {c.file}, {c.where()}" for n, c in enumerate(shown, start=1)]
    return f"\n\n{heading}:\n" + "\n".join(rows) + note


def _error(message: str, status: int) -> JSONResponse:
    kind = "invalid_request_error" if status in (400, 404) else "server_error"
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status_code=status)


def router(service: AnswerService, library: Library, guard: Guard) -> APIRouter:
    api = APIRouter()

    @api.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "groundline"}]}

    @api.post("/v1/chat/completions", response_model=None)
    def chat(request: ChatRequest, http: Request) -> JSONResponse | AnswerStream:
        guard.check(http)
        turns = [m for m in request.messages if m.role in ("user", "assistant")]
        last_user = max((i for i, m in enumerate(turns) if m.role == "user"), default=None)
        try:
            question = service.check_question(turns[last_user].text() if last_user is not None else "")
            files = library.within(request.files)
        except (QuestionError, DocumentNotFound) as exc:
            return _error(str(exc), error_status(exc))
        history = [ChatMessage(role=MessageRole(m.role), content=m.text()) for m in turns[:last_user]]
        ident, created, root = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), root_of(http)
        if request.stream:
            chunks = partial(_chunks, service, question, history, files, ident, created, root)
            return AnswerStream.of(lambda gone: guard.streamed(chunks(gone), http))
        try:
            with guard.slot(http):
                answer = service.ask(question, history, files, gone=client_gone(http))
        except GroundlineError as exc:
            return _error(str(exc), error_status(exc))
        message = {"role": "assistant", "content": answer.text + references(answer)} | cited(answer, root)
        return JSONResponse(
            {
                "id": ident,
                "object": "chat.completion",
                "created": created,
                "model": MODEL,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            }
        )

    return api


def cited(answer: Answer, root: str) -> dict:
    """An answer's citations, closest passages (each with its link), whether it abstained and why, its note, what
    withheld the model's answer a quote stands in for, as the OpenAI route's message carries them beside the text."""
    whole = answer_json(answer, root)
    return {
        key: whole[key] for key in ("citations", "abstained", "closest", "withheld_by", "note", "quoted", "sentences")
    }


def abstained_lead(answer: Answer, streamed: bool) -> str:
    """What a stream's last chunk says before the references, after the model's words (``streamed``: some
    were sent): for an answer withheld by our checks, that no source supports them, then the abstention;
    the abstention where the model was not asked (nothing streamed); nothing where its own words
    declined, or for an answer (its words, streamed, were it).

    >>> withheld = Answer("The documents do not say.", True, withheld_by="verifier")
    >>> abstained_lead(withheld, True)
    '\\n\\n[Groundline: no source supports the text above] The documents do not say.'
    >>> far = Answer("The documents do not say.", True, withheld_by="relevance")
    >>> abstained_lead(far, False), abstained_lead(Answer("The documents do not say.", True, withheld_by="model"), True)
    ('The documents do not say.', '')
    """
    if not answer.abstained or (streamed and answer.withheld_by == "model"):
        return ""
    return ABSTAINED_NOTE + answer.text if streamed else answer.text


def _chunks(
    service: AnswerService,
    question: str,
    history: list[ChatMessage],
    files: list[str],
    ident: str,
    created: int,
    root: str,
    gone: Callable[[], bool],
) -> Iterator[str]:
    """Tokens as they come; then the cited answer's references and citations (``gone``: whether the
    client went, ``AnswerService.stream``'s).

    The streamed tokens are the model's raw words; the final chunk adds the
    numbered sources, the structured citations, and ``answer``: the full
    attributed text with our own markers.
    """

    def chunk(delta: dict, finish: str | None = None) -> str:
        body = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    streamed = False
    try:
        for event in service.stream(question, history, files, gone):
            if isinstance(event, Token):
                streamed = True
                yield chunk({"content": event.text})
            elif isinstance(event, Answer):
                final = {
                    "content": abstained_lead(event, streamed) + references(event),
                    **cited(event, root),
                    "answer": event.text,
                }
                yield chunk(final, "stop")
    except GroundlineError as exc:
        yield chunk({"content": f"\n\n{exc}"}, "stop")
    yield "data: [DONE]\n\n"
