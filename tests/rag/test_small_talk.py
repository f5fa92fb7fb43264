"""What is said to the assistant rather than asked of the documents (rag.small_talk)."""

from __future__ import annotations

from rag.settings import Settings
from tests.conftest import NEWS, fake_app

OTHER = "004_29e6f3c5e9546205.txt"


def test_a_greeting_thanks_help_or_which_documents_are_answered_without_the_documents(settings: Settings) -> None:
    # "hello" found no passage near it: "The documents do not say.", and four passages nobody asked for.
    app = fake_app(settings, [])  # the model is not asked: it has no replies to give
    app.ingestor.ingest([NEWS])
    hello = app.service.ask("Hello!")
    assert not hello.abstained and hello.text.startswith("Hello. Ask me about your 2 documents")
    assert hello.citations == [] and hello.passages == []
    assert app.service.ask("thanks a lot").text == "You're welcome."
    assert app.service.ask("Bonjour !").text.startswith("Hello. Ask me about your 2 documents")  # a reader's own words
    assert app.service.ask("Vielen Dank").text == "You're welcome."
    assert app.service.ask("What can you do?").text.startswith("I answer questions about your 2 documents")
    listed = app.service.ask("Which documents do you have?", files=[OTHER]).text
    assert listed == f"You are asking within 1 chosen document: {OTHER}."
    assert app.service.llm.prompts == []
