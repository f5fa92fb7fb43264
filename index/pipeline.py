"""Ingestion: load files, skip unchanged ones, chunk, embed, store.

Runs llama-index's ``IngestionPipeline`` with a docstore in ``UPSERTS`` mode:
a document whose hash is already stored is skipped, and a changed one has its
old chunks deleted from Chroma before the new ones are added.

Crash safety: one writer at a time (a file lock; readers keep answering), and
documents are written in small batches, each recorded in a journal before it
starts and cleared once Chroma and the docstore both hold it (``index.journal``:
in the data directory, or on the Chroma server that machines share). A writer
killed part-way leaves the journal behind; the next writer (or reader start-up,
when no writer holds the lock), on any machine sharing the store, deletes those
documents' partial chunks, so every document is fully present or fully absent,
and ingesting again completes it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property, partial
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.schema import BaseNode, TransformComponent
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import ConfigDict

from index.chunking import LineChunker
from index.errors import GroundlineError, NothingFound, SkippedFile
from index.formats import reader_version
from index.isolation import InProcessReader, Reader
from index.journal import FileJournal, Journal
from index.lease import LeaseTaken, ServerLease
from index.library import under
from index.loaders import DEFAULT_MAX_BYTES, discover, document_name, hidden, load_files
from index.ocr import OCR
from index.reports import IngestReport, Progress
from index.serving import ServedElsewhere, WriterBusy, served_elsewhere
from index.store import DocStore
from index.uploads import UploadShelf

log = logging.getLogger(__name__)

BUSY = "Another ingestion is writing to this data directory; try again when it has finished."


class ReportingEmbedder(TransformComponent):
    """The embed model, run a slice of chunks at a time, reporting how many are done after each slice."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    embed_model: BaseEmbedding
    report: Callable[[int], None]
    slice_size: int = 128

    def __call__(self, nodes: Sequence[BaseNode], **kwargs) -> Sequence[BaseNode]:
        done: list[BaseNode] = []
        for start in range(0, len(nodes), self.slice_size):
            done.extend(self.embed_model(nodes[start : start + self.slice_size], **kwargs))
            self.report(len(done))
        return done


class DataDirError(GroundlineError):
    """The data directory cannot be written (read-only, full, no permission)."""


class Ingestor:
    """Ingests files into one Chroma collection and its docstore."""

    def __init__(
        self,
        vector_store: ChromaVectorStore,
        embed_model: Callable[[], BaseEmbedding],
        chunker: Callable[[], LineChunker],
        docstore: DocStore,
        data_dir: Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        batch_files: int = 8,
        lock_timeout_s: float = 10.0,
        embedding_id: str = "",
        shared_store: bool = False,
        uploads: UploadShelf | None = None,
        ocr: OCR | None = None,
        lease: ServerLease | None = None,
        journal: Journal | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.vector_store = vector_store
        self.ocr = ocr  # reads pictures and scanned pages; None where Tesseract is missing or turned off
        self.reader = reader or InProcessReader()  # turns files into text (in worker processes: index.isolation)
        self._embed_model = embed_model  # built on the first ingestion: listing, deleting and repairing need neither
        self.embedding_id = embedding_id
        self._chunker = chunker
        self.docstore = docstore
        self.max_bytes = max_bytes
        self.batch_files = batch_files
        self.lock = FileLock(str(data_dir / "write.lock"), timeout=lock_timeout_s)
        self.data_dir = data_dir
        # what a write is changing; with a Chroma server, on the server (``index.journal``)
        self.journal = journal or FileJournal(data_dir / "ingest.journal.json")
        self.shared_store = shared_store  # a Chroma server, which serves every process alike
        self.lease = lease  # with a Chroma server: the lock that keeps other machines' writers out
        self.uploads = uploads  # kept copies of uploaded documents, by their names
        self._listeners: list[Callable[[], None]] = []
        self._observers: list[Callable[[IngestReport], None]] = []
        self._writes = 0  # under way in this process, in any thread

    def after_writes(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each ingestion or deletion that changed the stored documents, in
        the writing thread, once the write lock is released, before the write returns (a server asks
        for its keyword index to be rebuilt there). A listener that fails is logged: the write itself
        is done."""
        self._listeners.append(listener)

    def observe(self, observer: Callable[[IngestReport], None]) -> None:
        """Call ``observer`` with the report of each ingestion and deletion (a deletion's: its
        ``removed``), changed or not, in the writing thread once the write lock is released (a
        server counts them: ``ui.metrics``). An observer that fails is logged."""
        self._observers.append(observer)

    def _reported(self, report: IngestReport) -> None:
        """Tell the observers of a write's report, then, if it changed the stored documents, the
        listeners ``after_writes``."""
        calls = [partial(observer, report) for observer in self._observers]
        for call in calls + (self._listeners if report.changed else []):
            try:
                call()
            except Exception:  # an optimisation or a count failed: the write itself is done
                log.exception("after a write, %s failed", call)

    @cached_property
    def embed_model(self) -> BaseEmbedding:
        return self._embed_model()

    @cached_property
    def chunker(self) -> LineChunker:
        return self._chunker()

    @property
    def busy(self) -> bool:
        """Whether this process is writing now (then its listeners hear when it is done)."""
        return self._writes > 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the single-writer lock, repairing what a killed writer left.

        A write that fails part-way has what it half wrote removed at once (``_recovered``), or
        where that fails too, leaves its journal, so that it is removed before the next reader or
        writer looks; earlier documents stay.
        """
        try:
            with self.lock, self._leased(self.lock.timeout):
                self._writes += 1
                try:
                    self.refuse_beside_a_server()
                    self.recover()
                    self.discard_uploads_deleted_elsewhere()
                    yield
                except BaseException as failed:
                    self.docstore.discard()  # the journal has Chroma's part removed
                    if isinstance(failed, Exception):  # not Ctrl-C: that leaves it to the next writer
                        self._recovered()
                    raise
                finally:
                    self._writes -= 1
        except Timeout:
            raise WriterBusy(BUSY) from None
        except LeaseTaken as exc:
            raise WriterBusy(str(exc)) from None
        except (OSError, sqlite3.OperationalError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise DataDirError(
                f"Cannot write to the data directory {self.data_dir} ({reason}). Documents stored "
                "before are kept; free some space or fix its permissions, then ingest again."
            ) from exc

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the single-writer lock (and, with a Chroma server, the lease) without writing: no
        ingestion or deletion, in any process, changes the stored documents meanwhile (a backup reads
        them whole), while readers, a server serving this data directory too, go on answering.

        Raises ``WriterBusy`` where a writer does not finish within the lock's timeout, and where a
        killed writer's half-written documents are still to be removed (by the server holding this data
        directory, or by the next writer)."""
        try:
            with self.lock, self._leased(self.lock.timeout):
                if self.journal.pending():
                    raise WriterBusy(
                        "An ingestion stopped part-way, and what it half wrote is still to be removed (by "
                        "groundline serve, or by the next ingestion); try again in a minute."
                    )
                yield
        except Timeout:
            raise WriterBusy(BUSY) from None
        except LeaseTaken as exc:
            raise WriterBusy(str(exc)) from None

    def refuse_beside_a_server(self) -> None:
        """Raise if a server in another process has the embedded store open (call with the
        write lock held: a server starting meanwhile waits for it)."""
        if not self.shared_store and served_elsewhere(self.data_dir):
            raise ServedElsewhere(
                f"groundline serve is using {self.data_dir}, and an embedded store has one process "
                "at a time. Add documents on its page (Manage documents, with GROUNDLINE_ADMIN_TOKEN set), "
                "stop it first, or have both use a Chroma server (GROUNDLINE_CHROMA_SERVER)."
            )

    def recover_if_idle(self) -> None:
        """Repair a killed writer's leftovers (and, with a Chroma server, discard the uploads kept here
        of documents deleted elsewhere), unless a live writer holds the lock or a server in another
        process has the embedded store open (either repairs them at its next write); this process's
        own writer too (a server asks every few seconds: ``ui.server``)."""
        if self.busy:
            return
        if not self.journal.pending() and not (self.shared_store and self.uploads and self.uploads.kept()):
            return
        try:
            with self.lock.acquire(timeout=0), self._leased(0):
                self.refuse_beside_a_server()
                self.recover()
                self.discard_uploads_deleted_elsewhere()
        except (Timeout, ServedElsewhere, LeaseTaken):
            pass

    def discard_uploads_deleted_elsewhere(self) -> None:
        """With a Chroma server, delete the copies kept here of uploads whose documents another
        machine deleted (its deletion discards its own copies only); call with the lock held."""
        if self.shared_store and self.uploads is not None and (kept := self.uploads.kept()):
            stored = set(self.docstore.names())
            self.uploads.discard([name for name in kept if name not in stored])

    def _leased(self, timeout: float) -> AbstractContextManager:
        """The shared server's lease, held for a write (nothing to hold without one)."""
        return self.lease.held(timeout) if self.lease is not None else nullcontext()

    def _confirm_lease(self) -> None:
        """Before writing a step: with a Chroma server, that this machine still holds the lease
        (``LeaseLost`` if it stalled past it and another machine took over)."""
        if self.lease is not None:
            self.lease.confirm()

    def _recovered(self) -> None:
        """After a write failed part-way, remove what it half wrote now, with the lock (and lease)
        still held: a server's own readers, and with a Chroma server every machine's, answered from
        its chunks until the next write or start. Not where the lease was lost (the machine that
        took it over may be writing those documents); and where removing fails too (the disk still
        full, the server gone), the journal keeps them for the next writer or start."""
        try:
            self._confirm_lease()
            self.recover()
        except Exception:  # noqa: BLE001 -- the write's own error is the one raised
            log.warning("what a failed write half wrote is left for the next writer to remove", exc_info=True)
            self.docstore.discard()

    def recover(self) -> list[str]:
        """Delete the journaled documents' partial writes (call with the lock held)."""
        if files := self.journal.pending():
            self._remove(files)
            self.journal.clear()
        return files

    def ingest(
        self, paths: list[Path], progress: Callable[[Progress], None] | None = None, sync: bool = False
    ) -> IngestReport:
        """Ingest files and folders; unreadable files are skipped and reported.

        With ``sync`` the index then holds exactly the files found under ``paths``: every other
        document is removed, uploads too. A file found but skipped keeps what was stored of it.
        Finding no file at all removes nothing (an unmounted drive is an empty folder)."""
        found = discover(paths)
        with self.writing():
            if sync and not found and (stored := self.docstore.names()):
                raise NothingFound(paths, len(stored))
            report = self._ingest(found, progress)
            if sync:
                kept = {document_name(root, file) for root, file in found}
                gone = [name for name in self.docstore.names() if name not in kept]
                report = replace(report, removed=self._delete(gone))
                self._forget_skipped(lambda name, _: name not in kept)
        self._reported(report)
        return report

    def _ingest(
        self, found: list[tuple[Path, Path]], progress: Callable[[Progress], None] | None, kept_in: Path | None = None
    ) -> IngestReport:
        """Read, check and write the files ``found`` (``loaders.discover``), ``batch_files`` at a
        time: the progress bar moves from the first file on (extracting a long PDF takes a second),
        and only one batch's text is held in memory. Each batch's changed documents are one
        journaled write. Each document records the folder it came from (``kept_in``, where its
        files will be kept, instead of a staging folder)."""
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        skipped: list[SkippedFile] = []
        notes: list[SkippedFile] = []
        chunks, files_done = 0, 0

        last: list[Progress] = []  # the step shown last: each is shown once
        paging: tuple[str, str] = ("", "")  # a long file being read: its name, where its reading is

        def report(batch_chunks: int) -> None:  # within a batch, as its files are read and its chunks embedded
            step = Progress(files_done, len(found), chunks + batch_chunks, *paging)
            if progress and step not in last:
                last[:] = [step]
                progress(step)

        def read(batch_start: int, n: int) -> None:  # n of the batch's files are read
            nonlocal files_done, paging
            files_done, paging = batch_start + n, ("", "")
            report(0)

        def page(name: str, at: str) -> None:  # a long file's reading gets on (a scan's pages, a mailbox's messages)
            nonlocal paging
            paging = (name, at)
            report(0)

        found, twins = named_once(found)
        with self.writing():
            skipped += twins
            # Part of each document's hash: new chunk settings or another embedder redo unchanged files.
            signature = f"{self.chunker.signature};{self.embedding_id}"
            unread_before = set(self.docstore.skipped())  # files not read last time: read now, they go
            if found:
                report(0)
            for start in range(0, len(found), self.batch_files):
                batch = found[start : start + self.batch_files]
                loaded = load_files(
                    batch,
                    self.max_bytes,
                    lambda name, sha: self._known(name, sha, signature),
                    self.ocr,
                    self.reader,
                    partial(read, start),
                    page,
                )
                skipped += loaded.skipped
                notes += loaded.notes
                unchanged += loaded.known
                known = {name: self.docstore.fingerprint(name) or {} for name in loaded.known}
                notes += self._earlier_notes(known)
                todo = []
                for doc in loaded.documents:
                    doc.metadata["chunking"] = f"{self.chunker.signature_of(doc)};{self.embedding_id}"
                    doc.excluded_embed_metadata_keys.append("chunking")
                    doc.excluded_llm_metadata_keys.append("chunking")
                    stored = self.docstore.docstore.get_document_hash(doc.id_)
                    (added if stored is None else updated if stored != doc.hash else unchanged).append(doc.id_)
                    if stored != doc.hash:
                        todo.append(doc)
                made: Counter = Counter()  # chunks written, by document
                if todo:
                    self._confirm_lease()
                    self.journal.record([d.id_ for d in todo])
                    made.update(node.ref_doc_id for node in self._pipeline(report).run(documents=todo))
                    chunks += made.total()
                noted = {note.file: note.reason for note in loaded.notes}
                roots = {document_name(root, file): str((kept_in or root).absolute()) for root, file in batch}
                now, written_now = datetime.now(UTC).isoformat(timespec="seconds"), {d.id_ for d in todo}
                for doc in loaded.documents:  # written, or stored as they are: their bytes are known now
                    fingerprint = self._fingerprint(doc.id_, loaded.digests[doc.id_], signature, doc.hash)
                    # when what is stored of it was written, and its chunks (groundline list): now, or as recorded
                    if doc.id_ in written_now:
                        written, count = now, made[doc.id_]
                    else:
                        before = self.docstore.fingerprint(doc.id_) or {}
                        written, count = before.get("written"), before.get("chunks")
                    self.docstore.set_fingerprint(
                        doc.id_,
                        {**fingerprint, "note": noted.get(doc.id_), "root": roots[doc.id_], "written": written,
                         "chunks": count},
                    )  # fmt: skip
                moved = self._rooted(known, roots)
                read_now = self._record_skipped(loaded.skipped, [d.id_ for d in loaded.documents] + loaded.known,
                                                unread_before, roots)  # fmt: skip
                if loaded.documents or moved or loaded.skipped or read_now:
                    self._confirm_lease()
                    self.docstore.save()
                    self.journal.clear()
                files_done = start + len(batch)
                report(0)
        return IngestReport(added, updated, unchanged, skipped, notes, chunks)

    def _record_skipped(
        self, skipped: list[SkippedFile], read: list[str], unread_before: set[str], roots: dict[str, str]
    ) -> bool:
        """Record, with the batch's save, each file of it that could not be read (why, when, from which
        folder: ``groundline list`` and the admin's page show them), and forget those ``read`` now that
        were not read before; whether any was."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for file in skipped:
            self.docstore.set_skipped(file.file, {"reason": file.reason, "time": now, "root": roots.get(file.file)})
        read_now = [name for name in read if name in unread_before]
        for name in read_now:
            self.docstore.drop_skipped(name)
        return bool(read_now)

    def _forget_skipped(self, is_gone: Callable[[str, dict], bool]) -> None:
        """Forget the files not read that ``is_gone(name, record)`` says are deleted or gone from their
        folder (``set_skipped``'s record); saved."""
        if gone := [name for name, was in self.docstore.skipped().items() if is_gone(name, was)]:
            for name in gone:
                self.docstore.drop_skipped(name)
            self._confirm_lease()
            self.docstore.save()

    def _rooted(self, known: dict[str, dict], roots: dict[str, str]) -> bool:
        """Record the folder each of these unchanged documents (by name, their fingerprints) was
        ingested from now, where another was recorded (or none, before folders were): a document
        belongs to the folder it last came from."""
        moved = False
        for name, recorded in known.items():
            if recorded.get("root") != roots[name]:
                self.docstore.set_fingerprint(name, {**recorded, "root": roots[name]})
                moved = True
        return moved

    def ingest_files(
        self, root: Path, files: list[Path], progress: Callable[[Progress], None] | None = None
    ) -> IngestReport:
        """Ingest some files of the folder ``root`` (a folder among them: its files), each named from
        ``root`` as ingesting the whole folder names it: what changed in a watched folder."""
        found = []
        for path in files:
            if path.exists():  # not deleted since it was seen
                found.extend((root, file) for _, file in discover([path]) if not hidden(file.relative_to(root)))
        with self.writing():
            report = self._ingest(sorted(set(found)), progress)
        self._reported(report)
        return report

    def remove_gone(self, root: Path) -> list[str]:
        """Remove the documents last ingested from the folder ``root`` whose files are no longer in it
        (deleted, moved out, or hidden now); those removed."""
        with self.writing():
            key = str(root.absolute())
            recorded = self.docstore.fingerprints()
            gone = [
                name
                for name in self.docstore.names()
                if recorded.get(name, {}).get("root") == key and not _present(root, name)
            ]
            removed = self._delete(gone)
            self._forget_skipped(lambda name, was: was.get("root") == key and not _present(root, name))
        self._reported(IngestReport(removed=removed))
        return removed

    def _fingerprint(self, name: str, sha256: str, signature: str, doc_hash: str | None) -> dict:
        reader = reader_version(name, ocr=self.ocr is not None)
        return {"sha256": sha256, "signature": signature, "doc_hash": doc_hash, "reader": reader}

    def _known(self, name: str, sha256: str, signature: str) -> bool:
        """Whether the stored document ``name`` was made, as it is stored now, from a file with
        these bytes, under this signature and by this version of its format's reader: then the file
        need not be read into text again."""
        stored = self.docstore.docstore.get_document_hash(name)
        recorded = {"reader": 1, **(self.docstore.fingerprint(name) or {})}  # recorded before readers had versions
        expected = self._fingerprint(name, sha256, signature, stored)
        return stored is not None and {key: recorded.get(key) for key in expected} == expected

    @staticmethod
    def _earlier_notes(known: dict[str, dict]) -> list[SkippedFile]:
        """What reading these known files (by name, their fingerprints) noted when they were read
        (replaced bytes, say): an unchanged file left unread still has them, and the report says so
        each time."""
        return [SkippedFile(name, recorded["note"]) for name, recorded in known.items() if recorded.get("note")]

    def _pipeline(self, report: Callable[[int], None]) -> IngestionPipeline:
        """Chunk, embed (reporting as it goes), and upsert by hash into Chroma and the docstore."""
        return IngestionPipeline(
            transformations=[self.chunker, ReportingEmbedder(embed_model=self.embed_model, report=report)],
            vector_store=self.vector_store,
            docstore=self.docstore.docstore,
            docstore_strategy=DocstoreStrategy.UPSERTS,
            disable_cache=True,
        )

    def ingest_uploads(
        self, files: Sequence[tuple[str, BinaryIO]], progress: Callable[[Progress], None] | None = None
    ) -> IngestReport:
        """Ingest uploaded files (each a name as sent, ``index.uploads.upload_name``, and its content),
        keeping a copy of each one ingested in the upload shelf, over any kept before. Under the write
        lock from staging to keeping, so of two uploads of one name, the copy kept is the one ingested last."""
        if self.uploads is None:
            raise ValueError("this ingestor keeps no uploads")
        with self.writing():
            try:
                staging, refused = self.uploads.stage(files)
                # a folder: its files keep their folders' names
                report = self._ingest(discover([staging]), progress, kept_in=self.uploads.directory)
                unkept = self.uploads.keep(staging, {*report.added, *report.updated, *report.unchanged})
            finally:
                self.uploads.clear_staging()
        report = replace(report, skipped=refused + report.skipped, notes=report.notes + unkept)
        self._reported(report)
        return report

    def delete(self, files: list[str]) -> list[str]:
        """Remove documents (their chunks, stored text and any kept upload): each named, and for a name
        ending in "/" (``north/``, as ``library.folders_of`` names folders) every document under it;
        returns those that were there.

        Idempotent: a name that is not ingested, or a folder that holds none, is skipped.
        """
        folders = [entry for entry in files if entry.endswith("/")]
        with self.writing():
            store = self.docstore.docstore
            names = self.docstore.names() if folders else []
            wanted = [found for entry in files for found in (under(names, entry) if entry.endswith("/") else [entry])]
            present = self._delete(
                [f for f in dict.fromkeys(wanted) if store.get_document(f, raise_error=False) is not None]
            )
            # a file found and not read: its record goes too
            self._forget_skipped(lambda name, _: name in files or any(name.startswith(f) for f in folders))
        self._reported(IngestReport(removed=present))
        return present

    def remove_all(self) -> list[str]:
        """Remove every document, and every record of a file not read, journaled (call under ``writing``,
        as a restore in place of the store's documents does); the documents removed."""
        removed = self._delete(self.docstore.names())
        self._forget_skipped(lambda name, record: True)
        return removed

    def _delete(self, files: list[str]) -> list[str]:
        """Remove documents, journaled: a writer killed part-way leaves them for ``recover`` to finish
        (under the write lock)."""
        if files:
            self._confirm_lease()
            self.journal.record(files)
            self._remove(files)
            self.journal.clear()
            if self.uploads:  # a deleted document leaves no copy of its upload behind
                self.uploads.discard(files)
        return files

    def _remove(self, files: list[str]) -> None:
        for file in files:
            self.vector_store.delete(ref_doc_id=file)
            self.docstore.docstore.delete_ref_doc(file, raise_error=False)
            self.docstore.docstore.delete_document(file, raise_error=False)
            self.docstore.drop_fingerprint(file)
        if files:
            self.docstore.save()


def named_once(found: list[tuple[Path, Path]]) -> tuple[list[tuple[Path, Path]], list[SkippedFile]]:
    """The files ``found`` (``loaders.discover``: folder and file) of which no earlier one is named alike
    (``document_name``: "handbook.md" of two folders ingested at once), and the skips of those that are: a
    document has one name, and the two would be written over each other (Chroma refused the batch: duplicate
    ids). Nothing stored is touched; the first found is read.

    >>> kept, skips = named_once([(Path("a"), Path("a/h.md")), (Path("b"), Path("b/h.md"))])
    >>> kept, [skip.file for skip in skips]
    ([(PosixPath('a'), PosixPath('a/h.md'))], ['h.md'])
    >>> skips[0].reason
    '(of b) was not read: the file of that name in a is read now, and a document has one name; rename one of them'
    """
    first: dict[str, Path] = {}
    kept, twins = [], []
    for root, file in found:
        name = document_name(root, file)
        if name in first:
            twins.append(
                SkippedFile(
                    name, f"(of {root}) was not read: the file of that name in {first[name]} is read now, and a "
                    "document has one name; rename one of them",
                )
            )  # fmt: skip
        else:
            first[name] = root
            kept.append((root, file))
    return kept, twins


def _present(root: Path, name: str) -> bool:
    """Whether the document ``name`` still has its file in ``root``, where ingesting it would find it."""
    file = root / name
    return file.is_file() and not hidden(file.relative_to(root))
