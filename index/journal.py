"""The ingestion journal: the documents a write is changing, recorded before it touches them and
cleared once Chroma and the document store both hold the result (``index.pipeline``). What a
journal names when a writer starts was half written by one that died; the writer removes it.

Beside an embedded store the journal is a file in the data directory: the next process on that
machine repairs. With a Chroma server it lives on the server, beside the shared document store
(``index.chroma_kvstore``): a machine that dies part-way may never start again, and until someone
repairs its write every machine answers from its half-written chunks (an added document's, that
no list names and no viewer opens) or lists a document whose chunks it had already deleted. The
next writer on any machine repairs it, under the server's lease (``index.lease``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.chroma_kvstore import META, record_id

if TYPE_CHECKING:
    from chromadb import Collection

JOURNAL_ID = record_id(META, "journal")


class Journal(Protocol):
    def pending(self) -> list[str]:
        """The documents of a write that did not finish (none: every write finished)."""

    def record(self, files: list[str]) -> None:
        """Name the documents a write is about to change."""

    def clear(self) -> None:
        """The write is whole (or repaired)."""


class FileJournal:
    """A journal in a file of the data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def pending(self) -> list[str]:
        return json.loads(self.path.read_text()) if self.path.exists() else []

    def record(self, files: list[str]) -> None:
        self.path.write_text(json.dumps(files))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class ServerJournal:
    """A journal in ``collection`` (the shared document store's, on the Chroma server), one record
    that the lease's holder alone writes. A journal this machine left in its data directory before
    the journal moved to the server (``local``) is repaired with it."""

    def __init__(self, collection: Callable[[], Collection], local: FileJournal) -> None:
        self._collection = collection  # opened on first use
        self.local = local

    def pending(self) -> list[str]:
        rows = self._collection().get(ids=[JOURNAL_ID], include=["documents"])
        files = json.loads(rows["documents"][0]) if rows["ids"] else []
        return files + [file for file in self.local.pending() if file not in files]

    def record(self, files: list[str]) -> None:
        self._collection().upsert(
            ids=[JOURNAL_ID],
            documents=[json.dumps(files)],
            metadatas=[{"collection": META, "key": "journal"}],
            embeddings=[[0.0]],
        )

    def clear(self) -> None:
        self._collection().delete(ids=[JOURNAL_ID])
        self.local.clear()
