from pathlib import Path

import pytest

from index.errors import DocumentNotFound
from index.library import folders_of
from rag.settings import Settings
from tests.conftest import fake_app


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Notes in folders, as a shared drive holds them."""
    root = tmp_path / "drive"
    for name, text in {
        "north/q2.txt": "Skerry handled 1,200 tonnes.",
        "north/2024/q3.txt": "Skerry handled 1,900 tonnes.",
        "northern.txt": "A northern harbour.",
        "south/q2.txt": "Varne handled 800 tonnes.",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n")
    return root


def test_a_question_may_be_asked_within_a_folder(settings: Settings, tree: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([tree])
    library = app.library
    assert folders_of(library.files()) == ["north/", "north/2024/", "south/"]
    # a folder holds its own folders' documents, and not a document whose name merely starts alike
    assert library.within(["north/"]) == ["north/2024/q3.txt", "north/q2.txt"]
    assert library.within(["south/q2.txt", "north/2024/", "north/"]) == [
        "south/q2.txt",
        "north/2024/q3.txt",
        "north/q2.txt",
    ]  # each once, in the order asked
    assert library.within([]) == []
    with pytest.raises(DocumentNotFound) as refused:
        library.within(["north/", "west/", "north", "south/q3.txt"])
    assert str(refused.value) == "not ingested documents: 'west/' (no document in it), 'north', 'south/q3.txt'"
    passages = app.retriever.retrieve("How much did Skerry handle?", files=library.within(["north/2024/"]))
    assert passages and {p.file for p in passages} == {"north/2024/q3.txt"}
    app.ingestor.delete(["south/q2.txt"])  # a folder emptied meanwhile names nothing
    with pytest.raises(DocumentNotFound, match="'south/' \\(no document in it\\)"):
        library.within(["south/"])


def test_each_document_is_listed_with_when_what_is_stored_of_it_was_written(
    settings: Settings, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Is my new version in?": the list gave a hash and a chunk count, nothing a person reads as a date.
    from datetime import UTC, datetime

    import index.pipeline

    class Clock:
        at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

        @classmethod
        def now(cls, tz=None) -> datetime:
            return cls.at

    monkeypatch.setattr(index.pipeline, "datetime", Clock)
    app = fake_app(settings)
    app.ingestor.ingest([tree])
    assert {e.written for e in app.library.entries()} == {"2026-12-01T09:30:00+00:00"}
    Clock.at = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    (tree / "south" / "q2.txt").write_text("Varne handled 900 tonnes.\n")
    (tree / "north" / "q2.txt").touch()  # touched, not changed: what is stored stays as written then
    app.ingestor.ingest([tree])
    written = {e.path: e.written for e in app.library.entries()}
    assert written["south/q2.txt"] == "2026-12-05T08:00:00+00:00"
    assert written["north/q2.txt"] == written["northern.txt"] == "2026-12-01T09:30:00+00:00"


def test_the_list_gives_each_documents_chunks_as_recorded_without_reading_every_chunk(
    settings: Settings, news_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `groundline list` read every chunk's metadata to count them: 0.6 s for 20,000 chunks, and growing.
    import index.library
    from index.store import chunk_counts

    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    counted = {e.path: e.chunks for e in app.library.entries()}
    chunks = app.vector_store.client.get(include=["metadatas"])["metadatas"]
    assert counted == {name: sum(m["file"] == name for m in chunks) for name in counted} and all(counted.values())

    read: list[object] = []
    monkeypatch.setattr(index.library, "chunk_counts", lambda *args: read.append(args) or chunk_counts(*args))
    assert {e.path: e.chunks for e in app.library.entries()} == counted and read == []
    (news_dir / "000_c3c639a3a8103260.txt").write_text("Replaced.\n")  # a document written again: counted again
    app.ingestor.ingest([news_dir])
    assert app.library.entries()[0].chunks == 1 and read == []

    name = app.library.files()[1]
    app.docstore.set_fingerprint(name, {k: v for k, v in app.docstore.fingerprint(name).items() if k != "chunks"})
    app.docstore.save()  # a document written before the counts were recorded: Chroma's chunks are counted
    assert app.library.entries()[1].chunks == counted[name] and len(read) == 1
