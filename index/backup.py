"""Backups: every stored document, its chunks with their vectors and its records in the document store,
with the kept uploads and the deployment's own files (the key of the chats browsers keep, readers'
feedback), copied into a data directory of their own (or a ``.tar.gz`` of one); and its restore into
an empty store (or in place of what a store holds).

Read and written through Chroma's and the document store's own interfaces, not by copying their
files: the files of an embedded Chroma that a server has open need not hold what the server last
wrote (its vector index reaches the disk in batches), and a Chroma server's files are on another
machine. So a backup is made the same way from either store, is checked by reading it back, and
restores into either: a server's documents into one machine's data directory, and back. It is taken
with the writers' lock (and lease) held, so no ingestion changes anything meanwhile; questions go on
being answered. A restore writes under the journal, as an ingestion does: killed part-way, what it
wrote is removed by the next writer, and the store is empty again.

A backup is itself a data directory: ``groundline --data-dir BACKUP serve`` answers from it as it is.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import GroundlineError
from index.kvstore import SQLiteKVStore
from index.serving import served_elsewhere
from index.store import (
    COLLECTION,
    DOCSTORE_FILE,
    DOCUMENTS,
    chroma_client,
    chunk_collection,
    chunk_pages,
    found_by_own_vector,
)
from index.uploads import STAGING_PREFIX

if TYPE_CHECKING:
    from chromadb import Collection
    from chromadb.api import ClientAPI

    from index.kvstore import BlockingKVStore
    from index.pipeline import Ingestor
    from index.store import DocStore

MANIFEST = "backup.json"  # written last: a folder without it is not a whole backup
FORMAT = 1
ARCHIVES = (".tar.gz", ".tgz")
PAGE = 1000  # chunks read and written at a time, their vectors with them
UPLOADS = "uploads"
CHUNK_FIELDS = ["documents", "metadatas", "embeddings"]


class BackupError(GroundlineError):
    """A backup cannot be written there, or this is not a backup that can be restored here."""


@dataclass(frozen=True)
class BackupReport:
    """What a backup or a restore copied."""

    path: Path
    documents: int
    chunks: int
    uploads: int = 0
    files: list[str] = field(default_factory=list)  # the deployment's own files copied (``Backups.carried``)
    kept: list[str] = field(default_factory=list)  # of those, the ones a restore left as they were here
    replaced: int = 0  # the documents a restore deleted first (``restore(replacing=True)``)

    def summary(self, verb: str) -> str:
        """One line: ``verb`` ("backed up to", "restored from") and the counts."""
        line = (
            f"{verb} {self.path}: {self.documents:,} document(s), {self.chunks:,} chunk(s), "
            f"{self.uploads:,} kept upload(s)"
        )
        if self.files:
            line += f", {', '.join(self.files)}"
        if self.kept:
            line += f" ({', '.join(self.kept)} already here: kept as it was)"
        if self.replaced:
            line += f"; in place of the {self.replaced:,} document(s) held before"
        return line


Progress = Callable[[int, int], None]  # chunks copied so far, of how many


class Backups:
    """Backs up the store ``ingestor`` writes, and restores into it (when it is empty).

    ``carried``: names of the deployment's own files in ``data_dir`` that a backup takes along and a
    restore brings back where the data directory has none of its own (the caller's: ``ui`` knows them).
    """

    def __init__(
        self, ingestor: Ingestor, docstore: DocStore, data_dir: Path, uploads: Path, carried: Sequence[str] = ()
    ) -> None:
        self.ingestor = ingestor
        self.docstore = docstore
        self.data_dir = data_dir
        self.uploads = uploads
        self.carried = list(carried)

    @property
    def chunks(self) -> Collection:
        return self.ingestor.vector_store.client

    def backup(self, dest: Path, progress: Progress | None = None) -> BackupReport:
        """Copy everything stored into ``dest``: a new folder, or a new ``.tar.gz`` file of one. The
        copy is written beside it under a hidden name and renamed ``dest`` once whole and checked."""
        dest = dest.expanduser()
        if dest.exists():
            raise BackupError(f"{dest} already exists; give the backup a new name (nothing was written)")
        if not dest.parent.is_dir():
            raise BackupError(f"{dest.parent} is not a folder; create it first (nothing was written)")
        if dest.resolve().is_relative_to(self.data_dir.resolve()):
            raise BackupError(f"{dest} is inside the data directory {self.data_dir}; back it up elsewhere")
        try:
            work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
        except OSError as exc:
            raise BackupError(f"Cannot write in {dest.parent} ({exc.strerror})") from exc
        try:
            folder = work / "groundline-backup"
            with self.ingestor.holding():
                report = self._write(folder, progress)
            check(folder, report)
            if dest.name.endswith(ARCHIVES):
                packed = work / "backup.tar.gz"
                with tarfile.open(packed, "w:gz") as tar:
                    tar.add(folder, arcname=folder.name)
                packed.chmod(0o600)  # the documents' text, and the chats' key
                packed.replace(dest)
            else:
                folder.replace(dest)
        except GroundlineError:
            raise
        except Exception as exc:  # a full disk, as the system, SQLite or Chroma says it
            raise BackupError(
                f"Could not write the backup to {dest} ({getattr(exc, 'strerror', None) or exc}); "
                "nothing stored was changed"
            ) from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return replace(report, path=dest)

    def _write(self, folder: Path, progress: Progress | None) -> BackupReport:
        """The backup, as a data directory ``folder`` (held by the caller: nothing changes meanwhile)."""
        folder.mkdir(mode=0o700)
        target = chroma_client(folder)
        try:
            chunks = copy_chunks(self.chunks, chunk_collection(target), progress)
        finally:
            target.close()
        records = SQLiteKVStore(folder / DOCSTORE_FILE)
        try:
            documents = copy_records(self.docstore.kv, records)
        finally:
            records.close()
        uploads = copy_uploads(self.uploads, folder / UPLOADS)
        files = copy_files(self.data_dir, folder, self.carried)
        manifest = {
            "format": FORMAT,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": documents,
            "chunks": chunks,
            "embedding": self.ingestor.embedding_id,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        return BackupReport(folder, documents, chunks, uploads, files)

    def restore(self, source: Path, progress: Progress | None = None, replacing: bool = False) -> BackupReport:
        """Copy the backup at ``source`` (a folder, or a ``.tar.gz`` of one) into this store: the chunks
        and records, the kept uploads, and the deployment's own files where this data directory has
        none. The store must hold no document, or with ``replacing`` its documents are deleted first
        (journaled: killed part-way, the store is left empty, never half old and half restored).
        The backup is read, not changed, and read back whole before anything stored is touched."""
        with unpacked(source.expanduser()) as folder:
            manifest = read_manifest(folder, source)
            if manifest["embedding"] != self.ingestor.embedding_id:
                raise BackupError(
                    f"{source} was made with the embedder {manifest['embedding']}, and this installation embeds "
                    f"with {self.ingestor.embedding_id}: its vectors would not match the questions'. Ingest the "
                    "documents again instead (or restore with the embedder it was made with)."
                )
            if problem := unsound(folder, manifest.get("documents", -1), manifest.get("chunks", -1)):
                raise BackupError(f"{problem}: {source} is damaged. Nothing was changed.")
            if served_elsewhere(self.data_dir):
                raise BackupError(
                    f"groundline serve is using {self.data_dir}; stop it, restore, then start it again "
                    "(or restore into another data directory and serve that)."
                )
            try:
                with self.ingestor.writing():
                    if (names := self.docstore.names()) and not replacing:
                        raise BackupError(
                            f"This data directory already holds {len(names):,} document(s); restore into an empty "
                            "one (groundline --data-dir NEW restore ...), or replace them (restore --replace). "
                            "Nothing was changed."
                        )
                    replaced = self.ingestor.remove_all() if replacing else []
                    report = replace(self._restore(folder, progress), replaced=len(replaced))
            except GroundlineError:
                raise
            except Exception as exc:  # Chroma's or SQLite's own error, once what was copied is removed again
                raise BackupError(
                    f"Could not restore {source} ({exc}); what was copied of it was removed again"
                ) from exc
        return replace(report, path=source)

    def _restore(self, folder: Path, progress: Progress | None) -> BackupReport:
        client = chroma_client(folder)
        records = SQLiteKVStore(folder / DOCSTORE_FILE)
        try:
            names = records.keys(collection=DOCUMENTS)
            self.ingestor.journal.record(names)  # killed part-way: the next writer removes them all again

            def step(done: int, total: int) -> None:  # then, before the next page: still this machine's to write
                if progress:
                    progress(done, total)
                if self.ingestor.lease is not None:
                    self.ingestor.lease.confirm()

            chunks = copy_chunks(backed_up(client, folder), self.chunks, step)
            documents = copy_records(records, self.docstore.kv)
            self.ingestor.journal.clear()
        finally:
            records.close()
            client.close()
        uploads = copy_uploads(folder / UPLOADS, self.uploads)
        present = [name for name in self.carried if (self.data_dir / name).exists()]
        files = copy_files(folder, self.data_dir, [name for name in self.carried if name not in present])
        kept = [name for name in present if (folder / name).exists()]
        return BackupReport(folder, documents, chunks, uploads, files, kept)


def backed_up(client: ClientAPI, folder: Path) -> Collection:
    """The chunks' collection of the backup in ``folder``, opened with ``client``."""
    try:
        return client.get_collection(COLLECTION)
    except Exception as exc:  # noqa: BLE001 -- chromadb's NotFoundError, or whatever a damaged store raises
        raise BackupError(f"{folder} holds no chunks a backup would ({exc}); it is damaged") from exc


def copy_chunks(source: Collection, target: Collection, progress: Progress | None = None) -> int:
    """Add every chunk of ``source`` (its text, metadata and vector) to ``target``, a page at a time;
    how many."""
    total, done = source.count(), 0
    if progress:
        progress(0, total)
    for rows in chunk_pages(source, CHUNK_FIELDS, PAGE):
        target.add(
            ids=rows["ids"], documents=rows["documents"], metadatas=rows["metadatas"], embeddings=rows["embeddings"]
        )
        done += len(rows["ids"])
        if progress:
            progress(done, max(total, done))
    return done


def copy_records(source: BlockingKVStore, target: BlockingKVStore) -> int:
    """Put every record of every collection of ``source`` into ``target``, then commit; how many
    documents (the records of llama-index's document collection) that was."""
    for collection in source.collections():
        target.put_all(list(source.get_all(collection=collection).items()), collection=collection)
    target.commit()
    return len(target.keys(collection=DOCUMENTS))


def copy_uploads(source: Path, target: Path) -> int:
    """Copy the kept uploads in ``source`` (not an upload being staged) into ``target``; how many."""
    if not source.is_dir():
        return 0
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(STAGING_PREFIX + "*"), dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())


def copy_files(source: Path, target: Path, names: Sequence[str]) -> list[str]:
    """Copy each of the files ``names`` there is in ``source`` into ``target``, its permissions with it
    (the chats' key is its owner's alone); the names copied."""
    copied = []
    for name in names:
        if (source / name).is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)
            copied.append(name)
    return copied


def check(folder: Path, report: BackupReport) -> None:
    """Read the backup just written in ``folder`` back (``unsound``); raise if it is not what was copied."""
    if problem := unsound(folder, report.documents, report.chunks):
        raise BackupError(f"{problem}; it was not kept. Nothing stored was changed.")


def unsound(folder: Path, documents: int, chunks: int) -> str | None:
    """Why the backup in ``folder`` is not whole, read back: it should hold ``chunks`` chunks and
    ``documents`` documents, and its vector index find a chunk by that chunk's own vector; None if it is."""
    client = chroma_client(folder)
    try:
        collection = backed_up(client, folder)
        counted = collection.count()
        whole = found_by_own_vector(collection)
    finally:
        client.close()
    records = SQLiteKVStore(folder / DOCSTORE_FILE)
    try:
        held = len(records.keys(collection=DOCUMENTS))
    finally:
        records.close()
    if counted != chunks or held != documents:
        return (
            f"The backup read back holds {counted:,} chunks and {held:,} documents, not the {chunks:,} "
            f"and {documents:,} it should"
        )
    if not whole:
        return "The backup's vector index does not find its own chunks"
    return None


@contextmanager
def unpacked(source: Path) -> Iterator[Path]:
    """The backup folder at ``source``, or in the ``.tar.gz`` file ``source``, unpacked into a temporary
    folder for as long as it is read (its members kept to plain files and folders inside it)."""
    if source.is_dir():
        yield source
        return
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if not source.name.endswith(ARCHIVES):
        raise BackupError(f"{source} is not a Groundline backup: a backup is a folder, or a .tar.gz of one")
    with tempfile.TemporaryDirectory(prefix="groundline-restore-") as work:
        try:
            with tarfile.open(source, "r:gz") as tar:
                tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{source} cannot be unpacked ({exc}); it is damaged or not a backup") from exc
        folders = [path for path in Path(work).iterdir() if path.is_dir()]
        if len(folders) != 1:
            raise BackupError(f"{source} is not a Groundline backup: it holds no single backup folder")
        yield folders[0]


def read_manifest(folder: Path, source: Path) -> dict:
    """The backup's ``backup.json``, or why ``folder`` (given as ``source``) is not a whole backup."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} is not a whole Groundline backup (it has no {MANIFEST}: one cut short, or another folder)"
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source}'s {MANIFEST} cannot be read ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} was written by another version of Groundline (backup format {manifest!r:.40})")
    return manifest
