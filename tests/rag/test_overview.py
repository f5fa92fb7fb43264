"""Summaries (rag.overview): a request for what the documents say as a whole is answered from
passages spread through them, attributed as any answer is, not abstained on for naming no topic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.errors import QuestionError
from rag.settings import Settings
from rag.types import Answer
from tests.conftest import ARMS_FILE, NEWS, fake_app

LONG = "\n".join(
    f"Section {n} of the harbour log: the crane number {n} was inspected and passed." for n in range(1, 61)
)


def ingested(settings: Settings, docs: Path, *replies: str, **changes):
    app = fake_app(settings.model_copy(update=changes), list(replies))
    app.ingestor.ingest([docs])
    return app


def test_a_summary_is_written_from_each_document_and_cited_though_it_names_no_topic(
    settings: Settings, tmp_path: Path
) -> None:
    # "Summarize the documents" is far from every passage: the relevance gate abstained ("The documents
    # do not say."). Gate set so high that any question of the corpus is withheld, a summary is not.
    app = ingested(settings, NEWS, "North Korea has repeatedly denied statements by Western media. [1]",
                   "The White House is calling on North Korea not to provide weapons to Russia. [1]",
                   "North Korea has repeatedly denied statements by Western media. [1]", "The documents do not say.",
                   chunk_tokens=400, min_relevance=0.99, min_sentence_relevance=0.99)  # fmt: skip
    asked = app.service.ask("What is the capital of Australia?")
    assert asked.abstained and asked.withheld_by == "relevance"
    answer = app.service.ask("Please summarize the documents.")
    assert not answer.abstained and answer.note == ""  # every passage of the two articles was read
    assert [(c.file, c.start_line) for c in answer.citations] == [(ARMS_FILE, 9), ("004_29e6f3c5e9546205.txt", 4)]
    # each document summarized from its own passages (asked of both at once, the 1.5B model copied the first)
    first, second = app.service.llm.prompts[-2:]
    assert "Summarize what the file says" in first and "Request: Please summarize the documents." in first
    assert [re.findall(r'file="([^"]+)"', prompt) for prompt in (first, second)] == [
        [ARMS_FILE] * len(re.findall("<source ", first)),
        ["004_29e6f3c5e9546205.txt"] * len(re.findall("<source ", second)),
    ]
    partly = app.service.ask("Give me an overview")  # one document's silence is not the other's
    assert not partly.abstained and [c.file for c in partly.citations] == [ARMS_FILE]


def test_a_long_document_is_summarized_from_passages_spread_through_it_and_the_note_says_so(
    settings: Settings, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "log.txt").write_text(LONG + "\n")
    reply = "The crane number 1 was inspected and passed. [1] Crane 2 passed. [1] Crane 3 passed. [1] Crane 4 passed."
    app = ingested(settings, docs, reply, chunk_tokens=40, summary_passages=4)
    chunks = app.vector_store.client.count()
    answer = app.service.ask("What is this document about?")
    assert not answer.abstained and answer.citations[0].start_line == 1
    # asked for one or two sentences, the model wrote four: it is stopped once it starts a third
    assert [s.text for s in answer.sentences] == ["The crane number 1 was inspected and passed.", "Crane 2 passed."]
    assert (
        answer.note
        == f"Summarized from 4 of {chunks} passages of log.txt, spread through it; ask about a topic for the rest."
    )
    shown = [int(n) for n in re.findall(r'lines="(\d+)-', app.service.llm.prompts[-1])]
    assert shown[0] == 1 and shown == sorted(shown) and shown[-1] > 40  # its opening, and on to its last part
    assert answer.to_json()["note"] == answer.note


def test_more_documents_than_passages_to_read_asks_for_a_choice_and_a_choice_is_summarized(
    settings: Settings, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(3):
        (docs / f"note{n}.txt").write_text(f"Note {n}: the ferry number {n} sails at dawn.\n")
    app = ingested(settings, docs, "The ferry number 2 sails at dawn. [1]", summary_passages=2)
    with pytest.raises(QuestionError, match="at most 2 documents at a time, and there are 3 here: choose some"):
        app.service.ask("Summarize these files")
    answer = app.service.ask("Summarize these files", files=["note2.txt"])
    assert [c.file for c in answer.citations] == ["note2.txt"]
    assert re.findall(r'file="([^"]+)"', app.service.llm.prompts[-1]) == ["note2.txt"]


def test_a_summary_of_a_topic_is_a_question_retrieved_as_any_other(settings: Settings) -> None:
    app = ingested(settings, NEWS, "North Korea denied arms deals. [1]")
    answer: Answer = app.service.ask("Summarize what North Korea denied")
    assert "Question: Summarize what North Korea denied" in app.service.llm.prompts[-1]  # the answer prompt
    assert not answer.abstained


def test_an_empty_library_has_nothing_to_summarize(settings: Settings) -> None:
    answer = fake_app(settings, []).service.ask("Give me an overview")
    assert answer.abstained and answer.withheld_by == "no_documents"
