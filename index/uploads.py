"""Where uploaded documents are kept: ``DATA_DIR/uploads``, by their bare names.

An upload (on the page or over HTTP) is first staged in a hidden folder of its
own there, ingested from it (a file given directly is named by its bare name,
so the document's name is the same), and only then moved over any copy kept
before, in one atomic rename. So a reader never sees half a file, a file the
ingestion skipped (binary, too large) leaves nothing behind and does not
replace a good copy, and of two uploads of one name the copy kept is the one
ingested last. ``index.pipeline.Ingestor`` does all of it under its write lock
and deletes a kept copy with its document.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from index.errors import SkippedFile
from index.loaders import check_characters

STAGING_PREFIX = ".incoming-"


def bare_name(filename: str) -> str | None:
    """An uploaded file's name without any folders the client put in it (None: no name at all).

    >>> bare_name("../../etc/news.txt"), bare_name("C:\\\\docs\\\\a.txt"), bare_name("..")
    ('news.txt', 'a.txt', None)
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return None if name in ("", ".", "..") else name


class UploadShelf:
    """The kept copies of uploaded documents, by bare name, in one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def stage(self, files: Sequence[tuple[str, BinaryIO]]) -> tuple[list[Path], list[SkippedFile]]:
        """Copy uploads (each a bare name and its content) into a new staging folder: the staged
        files, and the uploads refused (a hidden name, as a folder ingestion leaves
        hidden files out; a name given twice in one upload). Call with the write lock held."""
        self.clear_staging()  # a writer killed between staging and keeping left it
        self.directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.directory))
        staged: list[Path] = []
        refused: list[SkippedFile] = []
        for name, source in files:
            target = staging / name
            try:
                check_characters(name)
            except SkippedFile as refusal:
                refused.append(refusal)
                continue
            if name.startswith("."):
                refused.append(SkippedFile(name, "is a hidden file (its name starts with '.'); rename it to ingest it"))
            elif target in staged:
                refused.append(SkippedFile(name, "is in this upload twice; only the first was taken"))
            else:
                try:
                    with target.open("wb") as out:
                        shutil.copyfileobj(source, out)
                except OSError as exc:  # a name too long for the file system, a full disk
                    refused.append(SkippedFile(name, f"could not be kept ({exc.strerror}); skipped"))
                    with suppress(OSError):
                        target.unlink()  # what a full disk let through (clear_staging drops it anyway)
                    continue
                staged.append(target)
        return staged, refused

    def keep(self, staged: list[Path], ingested: set[str]) -> None:
        """Move the staged files whose documents were ingested over the copies kept before (the
        rest, skipped by the ingestion, go with the staging folder: ``clear_staging``)."""
        for file in staged:
            if file.name in ingested:
                file.replace(self.directory / file.name)

    def discard(self, documents: list[str]) -> None:
        """Delete the kept copies of these documents, if they were uploads (a name with a folder
        in it never is, and a folder of that name is not a copy)."""
        for name in documents:
            kept = self.directory / name
            if "/" not in name and kept.is_file():
                kept.unlink()

    def clear_staging(self) -> None:
        """Remove every staging folder (call with the write lock held, as no upload is then staged)."""
        if self.directory.is_dir():
            for leftover in self.directory.glob(STAGING_PREFIX + "*"):
                shutil.rmtree(leftover, ignore_errors=True)
