"""A data directory's health, for ``groundline check``: what an admin asks when answers look wrong,
after a crash or a restore, or before handing a machine over.

Each check is a ``Finding``: ``ok``, ``warn`` (works, but something is left to do) or ``fail``
(something is broken, and what to do). The store's: the data directory writable and with room, the
store reachable and what it holds, a write cut short, every document with its chunks and every chunk
with its document, the vector index finding chunks by their own vectors, and the documents embedded by
this embedder and read by today's readers; and the tools readers use (Tesseract, antiword). ``repair``
removes what the consistency check finds broken (chunks of no document, documents with no chunks),
under the write lock, so their files are read again at the next ingestion.

The language model's check is ``rag.llm.model_finding``; this module reads no model.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from index.errors import GroundlineError
from index.formats import counted, reader_version
from index.store import chunk_counts, found_by_own_vector

if TYPE_CHECKING:
    from index.pipeline import Ingestor
    from index.store import DocStore

Level = Literal["ok", "warn", "fail"]
LOW_SPACE = 2**30  # bytes free in the data directory's file system below which ingestion may fail
SAMPLED = 5  # chunks the vector index is asked to find by their own vectors
SHOWN = 3  # names a finding gives of those it counts


@dataclass(frozen=True)
class Finding:
    level: Level
    what: str
    said: str

    def to_json(self) -> dict:
        return asdict(self)


class Checkup:
    """The checks of one deployment's store (``ingestor``'s); ``ocr``: why text recognition is off
    (None where it is on); ``store``: how the store is named to the admin."""

    def __init__(
        self, ingestor: Ingestor, docstore: DocStore, data_dir: Path, store: str, ocr: str | None = None
    ) -> None:
        self.ingestor = ingestor
        self.docstore = docstore
        self.data_dir = data_dir
        self.store = store
        self.ocr = ocr

    def findings(self) -> list[Finding]:
        """Every check's finding, in order; a store that cannot be reached stops the store's checks there."""
        found = [self._data_dir()]
        try:
            names = self.docstore.names()
            chunks = self._chunk_files()
        except GroundlineError as exc:
            return [*found, Finding("fail", "store", str(exc)), *self._tools()]
        found.append(
            Finding("ok", "store", f"{self.store}: {len(names):,} document(s), {sum(chunks.values()):,} chunk(s)")
        )
        found.append(self._journal())
        found.append(self._consistency(names, chunks))
        found.append(self._vector_index())
        found.extend(self._made_by(names))
        return [*found, *self._tools()]

    def repair(self) -> list[str]:
        """Remove the chunks of no document (under the write lock) and the documents with no chunks (as
        ``groundline delete`` does); the names whose chunks or records went."""
        with self.ingestor.writing():
            names, chunked = set(self.docstore.names()), set(self._chunk_files())
            orphans = sorted(chunked - names)
            for file in orphans:
                self.ingestor.vector_store.delete(ref_doc_id=file)
        return orphans + self.ingestor.delete(sorted(names - chunked))

    def _chunk_files(self) -> Counter:
        """How many chunks each document name has in Chroma."""
        return chunk_counts(self.ingestor.vector_store.client)

    def _data_dir(self) -> Finding:
        where = self.data_dir
        if not where.is_dir():
            return Finding("warn", "data directory", f"{where} does not exist yet: the first ingestion makes it")
        if not os.access(where, os.W_OK):
            return Finding("fail", "data directory", f"{where} cannot be written: fix its permissions (owner)")
        free = shutil.disk_usage(where).free
        if free < LOW_SPACE:
            return Finding("warn", "data directory", f"{where}: {free / 2**20:,.0f} MB free; ingestion may run out")
        return Finding("ok", "data directory", f"{where}: {free / 2**30:,.1f} GB free")

    def _journal(self) -> Finding:
        if pending := self.ingestor.journal.pending():
            return Finding(
                "warn",
                "writes",
                f"a write was cut short ({_named(pending, SHOWN)}); its documents are removed at the next "
                "ingestion or start of groundline serve, and ingesting them again completes them",
            )
        return Finding("ok", "writes", "no write was cut short")

    def _consistency(self, names: list[str], chunks: Counter) -> Finding:
        orphans = sorted(set(chunks) - set(names))
        empty = sorted(set(names) - set(chunks))
        if not orphans and not empty:
            return Finding("ok", "consistency", "every document has its chunks, and every chunk its document")
        said = []
        if orphans:
            said.append(f"{sum(chunks[f] for f in orphans):,} chunk(s) of no document ({_named(orphans, SHOWN)})")
        if empty:
            said.append(f"{len(empty):,} document(s) with no chunk ({_named(empty, SHOWN)})")
        return Finding(
            "fail",
            "consistency",
            "; ".join(said) + ": groundline check --repair removes them, then ingest their files again",
        )

    def _vector_index(self) -> Finding:
        collection = self.ingestor.vector_store.client
        total = collection.count()
        if not total:
            return Finding("ok", "vector index", "empty")
        tried = min(SAMPLED, total)
        missed = sum(not found_by_own_vector(collection, n * total // tried) for n in range(tried))
        if missed:
            return Finding(
                "fail",
                "vector index",
                f"{missed} of {tried} chunks not found by their own vectors: the index is damaged; "
                "groundline backup, then restore into a new data directory, which builds it again",
            )
        return Finding("ok", "vector index", f"finds chunks by their own vectors ({tried} tried)")

    def _made_by(self, names: list[str]) -> list[Finding]:
        """Whether the documents were embedded by this embedder and read by today's readers (else the next
        ingestion of their folders reads them again)."""
        prints = self.docstore.fingerprints()
        current = self.ingestor.embedding_id
        ocr = self.ingestor.ocr is not None
        other = [n for n in names if prints.get(n, {}).get("signature", "").rpartition(";")[2] not in ("", current)]
        older = [n for n in names if prints.get(n, {}).get("reader", 1) < reader_version(n, ocr=ocr)]
        return [
            Finding(
                "warn" if other else "ok",
                "embedder",
                f"{len(other):,} document(s) embedded by another embedder ({_named(other, SHOWN)}), whose vectors "
                "answer this one's questions badly: ingest their folders again"
                if other
                else f"every document embedded by this one ({current})",
            ),
            Finding(
                "warn" if older else "ok",
                "readers",
                f"{len(older):,} document(s) read by an older version of their format's reader "
                f"({_named(older, SHOWN)}): the next ingestion of their folders reads them again"
                if older
                else "every document read by today's readers",
            ),
        ]

    def _tools(self) -> list[Finding]:
        found = [
            Finding("warn", "text recognition", f"{self.ocr}; scans and pictures are skipped")
            if self.ocr
            else Finding("ok", "text recognition", "Tesseract reads scans and pictures")
        ]
        found.append(
            Finding("ok", "antiword", "reads the Word 95 and older .doc files msdoc2docx cannot")
            if shutil.which("antiword")
            else Finding("warn", "antiword", "not installed: a .doc msdoc2docx cannot convert is skipped")
        )
        return found


def _named(names: list[str], shown: int) -> str:
    """The first ``shown`` names, and how many more.

    >>> _named(["a.txt", "b.txt", "c.txt"], 2)
    'a.txt, b.txt, and 1 more'
    """
    return ", ".join(counted(names, shown))
