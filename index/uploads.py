"""Where uploaded documents are kept: ``DATA_DIR/uploads``, by their names.

An upload's name is the document's name: a bare file name (what a browser or
``curl -F`` sends), or a path relative to a folder (``reports/q3.pdf``: what
``groundline ingest --server`` sends for a folder on another machine), each
folder checked (``upload_name``). An upload is first staged in a hidden folder
of its own here, ingested from it as a folder (so the document is named as
uploaded), and only then moved over any copy kept before, in one atomic
rename. So a reader never sees half a file, a file the ingestion skipped
(binary, too large) leaves nothing behind and does not replace a good copy,
and of two uploads of one name the copy kept is the one ingested last.
``index.pipeline.Ingestor`` does all of it under its write lock and deletes a
kept copy with its document.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from index.errors import SkippedFile
from index.loaders import check_characters

STAGING_PREFIX = ".incoming-"
_DRIVE = re.compile(r"[A-Za-z]:")


def upload_name(filename: str) -> str:
    """The document name of an uploaded file: its name as sent, with ``/`` between folders.
    A name that could reach outside the upload folder, or hide there, is refused (``SkippedFile``).

    >>> upload_name("a.txt"), upload_name("reports\\\\2024/q3.pdf")
    ('a.txt', 'reports/2024/q3.pdf')
    >>> upload_name("../etc/news.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    index.errors.SkippedFile: ../etc/news.txt has '..', '.' or an empty folder in its path; send it ...
    """
    check_characters(filename)
    name = filename.replace("\\", "/")
    parts = name.split("/")
    if name.startswith("/") or _DRIVE.fullmatch(parts[0]):
        raise SkippedFile(filename, "is an absolute path; send it with a name relative to its folder")
    if any(part in ("", ".", "..") for part in parts):
        raise SkippedFile(
            filename, "has '..', '.' or an empty folder in its path; send it with a name relative to its folder"
        )
    if parts[-1].startswith("."):
        raise SkippedFile(filename, "is a hidden file (its name starts with '.'); rename it to ingest it")
    if any(part.startswith(".") for part in parts):
        raise SkippedFile(filename, "is in a hidden folder (its name starts with '.'); rename it to ingest it")
    return name


class UploadShelf:
    """The kept copies of uploaded documents, by name, in one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def stage(self, files: Sequence[tuple[str, BinaryIO]]) -> tuple[Path, list[SkippedFile]]:
        """Copy uploads (each a name as sent and its content) into a new staging folder: that
        folder, and the uploads refused (a name ``upload_name`` refuses, such as a hidden one, as a
        folder ingestion leaves hidden files out; a name given twice in one upload; a copy that
        cannot be written). Call with the write lock held."""
        self.clear_staging()  # a writer killed between staging and keeping left it
        self.directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.directory))
        staged: set[str] = set()
        refused: list[SkippedFile] = []
        for filename, source in files:
            try:
                name = upload_name(filename)
            except SkippedFile as refusal:
                refused.append(refusal)
                continue
            if name in staged:
                refused.append(SkippedFile(name, "is in this upload twice; only the first was taken"))
                continue
            target = staging / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    shutil.copyfileobj(source, out)
            except OSError as exc:  # a name too long for the file system, a full disk, a file named like a folder
                refused.append(SkippedFile(name, f"could not be kept ({exc.strerror}); skipped"))
                with suppress(OSError):
                    target.unlink()  # what a full disk let through (clear_staging drops it anyway)
                continue
            staged.add(name)
        return staging, refused

    def keep(self, staging: Path, ingested: set[str]) -> list[SkippedFile]:
        """Move the staged files whose documents were ingested over the copies kept before (the
        rest, skipped by the ingestion, go with the staging folder: ``clear_staging``). Returns a
        note for each document ingested whose copy could not be kept (a kept file in the way of
        its folder, say)."""
        unkept = []
        for name in sorted(ingested):
            target = self.directory / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                (staging / name).replace(target)
            except OSError as exc:
                unkept.append(SkippedFile(name, f"was ingested, but no copy of it could be kept ({exc.strerror})"))
        return unkept

    def discard(self, documents: list[str]) -> None:
        """Delete the kept copies of these documents, if they were uploads, and the folders that
        leaves empty."""
        root = self.directory.resolve()
        for name in documents:
            kept = self.directory / name
            if kept.is_file() and kept.resolve().is_relative_to(root):
                kept.unlink()
                for folder in kept.parents:
                    if folder == self.directory or not folder.is_relative_to(self.directory):
                        break
                    with suppress(OSError):  # not empty: another copy is kept in it
                        folder.rmdir()

    def kept(self) -> list[str]:
        """The names of the documents whose uploads are kept here (not those being staged)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            path.relative_to(self.directory).as_posix()
            for path in self.directory.rglob("*")
            if path.is_file() and not path.relative_to(self.directory).parts[0].startswith(STAGING_PREFIX)
        )

    def clear_staging(self) -> None:
        """Remove every staging folder (call with the write lock held, as no upload is then staged)."""
        if self.directory.is_dir():
            for leftover in self.directory.glob(STAGING_PREFIX + "*"):
                shutil.rmtree(leftover, ignore_errors=True)
