"""Reader of zip archives: an export of pages or notes (Notion, Confluence, a shared drive, a
zipped folder sent by mail) read as one document whose pages are its files, named by their paths
("file 3 (minutes/march.md), line 5": ``index.formats.PAGE_WORDS``).

Each file is read as an e-mail's attachment of its name is (``index.formats`` decides how): a
PDF's or a sheet's pages become lines of its page, a picture's print is read by OCR. An archive
inside is named and noted, not opened, and so is mail: what a zip holds never opens another zip.
Hidden files and folders (``.git/``, macOS's ``__MACOSX/`` copies) are left out unnoted. This module
reads; it neither decides what a format is nor chunks.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from index import progress
from index.errors import SkippedFile
from index.formats import NAME_CHARS, Extracted, counted, noted, suffix_of

# Reads one file of the archive (its path, its bytes) into text; None for one it does not read (a
# type it does not know, a picture with no print); SkippedFile for one it cannot.
FileReader = Callable[[str, bytes], Extracted | None]
MOST_FILES = 10_000  # read from one archive; the rest are counted in its note
NOTES_SHOWN = 3  # files that could not be read, named in the archive's note; the rest are counted
UNOPENED = (".zip", ".eml", ".mbox", ".msg")  # in an archive: named and noted only


def zip_text(data: bytes, name: str, read: FileReader) -> Extracted:
    """A zip archive's files, each a page of the lines ``read`` gives it, in the order of their paths."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        files = sorted(
            (item for item in archive.infolist() if not item.is_dir() and not _hidden(item.filename)),
            key=lambda item: item.filename.casefold(),
        )
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise SkippedFile(name, f"is not a readable .zip file ({exc.__class__.__name__}); skipped") from exc
    pages, paths, failed, unread = [], [], [], []
    for number, item in enumerate(files[:MOST_FILES], start=1):
        path = item.filename
        if suffix_of(path) in UNOPENED:
            failed.append(f"{path} (not opened inside an archive)")
            continue
        try:
            with progress.part("file", number, min(len(files), MOST_FILES), path):
                got = read(path, archive.read(item))
        except SkippedFile as exc:
            failed.append(f"{path} ({exc.reason.removesuffix('; skipped')})")
            continue
        except RuntimeError as exc:  # zipfile's "File ... is encrypted, password required for extraction"
            failed.append(f"{path} ({'it is encrypted' if 'encrypted' in str(exc) else exc})")
            continue
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:  # damaged, or compressed
            failed.append(f"{path} (could not be unpacked: {exc.__class__.__name__})")  # by a method zipfile lacks
            continue
        if got is None or not got.text.strip():
            unread.append(path)
            continue
        pages.append(got.text.splitlines())
        paths.append(_page_name(path))
    notes = [
        f"{len(failed)} file(s) not read: {', '.join(counted(failed, NOTES_SHOWN))}" if failed else None,
        f"{len(unread)} file(s) with no text or of a type not read" if unread else None,
        f"only its first {MOST_FILES:,} files were read, {len(files) - MOST_FILES:,} left out"
        if len(files) > MOST_FILES
        else None,
    ]
    if not pages:
        raise SkippedFile(name, f"has no file that could be read ({noted(*notes) or 'it is empty'}); skipped")
    return Extracted.paged(pages, noted(*notes), names=paths)


def _hidden(path: str) -> bool:
    """A hidden file or one in a hidden folder (".DS_Store", ".git/config"), or macOS's copies of a
    zipped folder's file attributes ("__MACOSX/._notes.md")."""
    parts = path.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


def _page_name(path: str) -> str:
    """A file's path as its page's name: the file's own name where the whole path is too long to show."""
    if len(path) <= NAME_CHARS:
        return path
    return "…/" + path.rsplit("/", 1)[-1]
