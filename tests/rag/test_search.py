"""Search: the chat's retrieval without its model, each hit opened at its best-matching sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.attribution import Attributor
from rag.errors import QuestionError
from rag.search import MOST_HITS, Searcher
from rag.settings import Settings
from rag.types import Passage
from tests.conftest import ARMS_FILE, fake_app
from tests.fakes import HashEmbedding


def test_a_hit_opens_at_the_sentence_that_matches_the_query_within_its_passage(
    settings: Settings, news_dir: Path
) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    hits = app.searcher.search("denied weapons supplies", limit=3).hits
    assert 1 <= len(hits) <= 3
    first = hits[0]
    assert first.match.file == ARMS_FILE and first.match.start_line == 9  # the line, not the whole passage
    assert first.match.quote.startswith("North Korea has repeatedly denied")
    assert first.passage.start_line <= 9 <= first.passage.end_line and first.match.quote in first.passage.quote
    text = app.library.stored(ARMS_FILE).text
    assert text[first.match.start_char : first.match.end_char] == first.match.quote  # the span the viewer marks
    shown = first.to_json()
    assert (shown["file"], shown["start_line"], shown["end_line"]) == (ARMS_FILE, 9, 9)
    assert shown["passage"]["text"] == first.passage.quote and shown["passage"]["start_line"] <= 9
    assert app.__dict__.get("llm") is None  # no model was loaded to search


def test_a_search_within_some_documents_finds_only_theirs(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    others = [name for name in app.library.files() if name != ARMS_FILE]
    hits = app.searcher.search("denied weapons supplies", files=others, limit=MOST_HITS + 5).hits
    assert hits and {hit.match.file for hit in hits} == set(others)
    assert len(hits) <= MOST_HITS


def test_an_empty_or_overlong_search_is_refused_saying_so(settings: Settings) -> None:
    app = fake_app(settings.model_copy(update={"max_question_chars": 10}))
    with pytest.raises(QuestionError, match="Please type what to search for"):
        app.searcher.search("   ")
    with pytest.raises(QuestionError, match="That search is 11 characters long; the limit is 10"):
        app.searcher.search("x" * 11)


def test_nothing_ingested_finds_nothing(settings: Settings) -> None:
    assert fake_app(settings).searcher.search("lighthouse").hits == []


class Overlapping:
    """Two chunks sharing a sentence, as neighbouring chunks do, then one holding nothing new."""

    def containing(self, words: str, files=(), most: int = 0) -> list[Passage]:
        return []

    def retrieve(self, question: str, top_k: int | None = None, files=()) -> list[Passage]:
        text = "Fog horns sound at night. Keepers log the hours."
        return [
            Passage("a.txt", 1, 1, 0, text, 0.9),
            Passage("a.txt", 1, 2, 0, text + "\nLamps burn oil.", 0.8),
            Passage("a.txt", 1, 1, 0, text, 0.7),
        ]


def test_a_sentence_two_overlapping_passages_hold_opens_one_hit_and_the_other_opens_at_its_next_best() -> None:
    hits = Searcher(Overlapping(), Attributor(HashEmbedding())).search("fog horns at night").hits
    assert [hit.match.quote for hit in hits] == ["Fog horns sound at night.", "Keepers log the hours."]
    assert [hit.passage.end_line for hit in hits] == [1, 2]  # the third passage has nothing not shown


def test_quoted_words_are_found_wherever_they_appear_each_place_marked_in_the_documents_order(
    settings: Settings, tmp_path: Path
) -> None:
    # "every place a name comes up": a ranking gives the best few passages, not every mention.
    folder = tmp_path / "logs"
    folder.mkdir()
    filler = "".join(f"Line {n}: the lamp was trimmed and the glass was cleaned.\n" for n in range(60))
    (folder / "b.txt").write_text("Asa Lind kept the light.\n" + filler + "Relieved by ASA\nLIND in May.\n")
    (folder / "a.txt").write_text(filler + "A note from asa lind.\n")
    (folder / "c.txt").write_text("Nothing of her here; Asa Lindqvist is another keeper.\n")
    app = fake_app(settings)
    app.ingestor.ingest([folder])
    found = app.searcher.search('"Asa  Lind"')
    assert found.exact and not found.more
    places = [(hit.match.file, hit.match.start_line, hit.match.end_line, hit.match.quote) for hit in found.hits]
    assert places == [
        ("a.txt", 61, 61, "asa lind"),
        ("b.txt", 1, 1, "Asa Lind"),
        ("b.txt", 62, 63, "ASA\nLIND"),  # over a line break, once however many chunks hold it
    ]  # and as whole words: not c.txt's "Asa Lindqvist"
    texts = {name: app.library.stored(name).text for name in ("a.txt", "b.txt")}
    for hit in found.hits:  # each marked exactly, as the viewer marks it
        assert texts[hit.match.file][hit.match.start_char : hit.match.end_char] == hit.match.quote
    assert found.hits[0].shown == "A note from asa lind." and found.hits[0].to_json()["context"] == found.hits[0].shown
    assert [h.match.file for h in app.searcher.search("“asa lind”", files=["b.txt"]).hits] == ["b.txt", "b.txt"]
    first = app.searcher.search('"asa lind"', limit=2)
    assert len(first.hits) == 2 and first.more
    assert app.searcher.search('"no such keeper"').hits == []
    with pytest.raises(QuestionError, match="Please type the words to find between the quotes"):
        app.searcher.search('"  "')
    assert app.__dict__.get("llm") is None
