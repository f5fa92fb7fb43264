"""A question that names a document is asked of it alone (rag.naming), as if chosen under Ask within."""

from __future__ import annotations

import re

import pytest

from rag.errors import QuestionError
from rag.settings import Settings
from tests.conftest import ARMS_FILE, NEWS, fake_app

OTHER = "004_29e6f3c5e9546205.txt"


def files_in(prompt: str) -> set[str]:
    return set(re.findall(r'file="([^"]+)"', prompt))


def test_a_question_naming_a_document_is_answered_from_it_alone(settings: Settings) -> None:
    app = fake_app(settings, ["The White House urges North Korea not to transfer weapons. [1]"] * 2)
    app.ingestor.ingest([NEWS])
    answer = app.service.ask(f"What does {OTHER.upper()} say about North Korea?")  # any case
    assert files_in(app.service.llm.prompts[-1]) == {OTHER}
    assert {c.file for c in answer.citations} == {OTHER}
    app.service.ask("What does the white house say about North Korea, e.g. its weapons?")  # no name: everything
    assert files_in(app.service.llm.prompts[-1]) == {ARMS_FILE, OTHER}


def test_summarize_a_named_document_summarizes_it_alone_and_a_pinned_scope_stays(settings: Settings) -> None:
    app = fake_app(settings, ["North Korea has repeatedly denied statements by Western media. [1]"] * 3)
    app.ingestor.ingest([NEWS])
    answer = app.service.ask(f"summarize {ARMS_FILE}")
    assert len(app.service.llm.prompts) == 1 and files_in(app.service.llm.prompts[0]) == {ARMS_FILE}
    assert "Summarize what the file says" in app.service.llm.prompts[0]
    assert not answer.abstained and {c.file for c in answer.citations} == {ARMS_FILE}
    # a widget pinned to one document: a name in the question does not reach past it
    app.service.ask(f"What does {ARMS_FILE} say about North Korea?", files=[OTHER])
    assert files_in(app.service.llm.prompts[-1]) == {OTHER}


def test_a_file_named_that_no_document_is_is_said_beside_the_answer(settings: Settings) -> None:
    # "What does budget.xlsx say?" with no budget.xlsx ingested was answered from every document, and
    # the reader took the answer for budget.xlsx's.
    app = fake_app(settings, ["North Korea denied arms deals. [1]"])
    app.ingestor.ingest([NEWS])
    answer = app.service.ask("What does budget.xlsx say about arms deals?")
    assert answer.note == "No document is named budget.xlsx: answered from all of them."
    assert answer.to_json()["note"] == answer.note
    with pytest.raises(QuestionError, match="No document is named q3-report.pdf: there is nothing of that name"):
        app.service.ask("Summarize q3-report.pdf")
