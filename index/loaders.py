"""Read files into llama-index ``Document`` objects that keep exact lines.

Each document's id and ``file`` metadata is its path relative to the ingested
root, with forward slashes, so citations name files the way users see them.
Text files are kept as decoded (no markdown parsing, no whitespace clean-up):
citation line numbers and character offsets index into that text. Other
formats are turned into text by ``index.formats``.

This module does not chunk, embed or store anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import SkippedFile
from index.formats import encode_names, encode_starts
from index.isolation import InProcessReader, PageListener, Reader
from index.ocr import OCR
from index.titles import title_of

if TYPE_CHECKING:  # llama-index is loaded only to build documents: naming and finding files need none
    from llama_index.core import Document

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class LoadResult:
    """Documents that loaded (with the SHA-256 of each file's bytes, by name), files skipped (with
    reasons), non-fatal notes, and files left unread because their bytes were known."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[SkippedFile] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)
    known: list[str] = field(default_factory=list)


def discover(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Expand files and folders into ``(root, file)`` pairs, sorted by path.

    A folder's files are named relative to that folder; a file given directly is
    named by its bare file name. Hidden files and folders are left out.
    """
    pairs: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and not hidden(file.relative_to(path)):
                    pairs.append((path, file))
        elif path.is_file():
            pairs.append((path.parent, path))
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return pairs


def document_name(root: Path, file: Path) -> str:
    """The name a file found under ``root`` is ingested (and cited) by: its path from ``root``, with ``/``.

    >>> document_name(Path("/data/reports"), Path("/data/reports/north/q3.txt"))
    'north/q3.txt'
    """
    return file.relative_to(root).as_posix()


def unreadable(name: str, exc: OSError) -> SkippedFile:
    """The skip of a file the system would not let us read."""
    return SkippedFile(name, f"could not be read ({exc.strerror}); skipped")


def check_characters(name: str) -> None:
    """Refuse a name with control characters (a NUL cannot even name a file)."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise SkippedFile(repr(name), "has control characters in its name; rename it to ingest it")


def check_name(root: Path, file: Path, name: str) -> None:
    """Refuse names that would confuse or endanger a reader of citations."""
    check_characters(name)
    if file.is_symlink() and not file.resolve().is_relative_to(root.resolve()):
        raise SkippedFile(name, "is a link to a file outside the ingested folder; skipped")


def load_paths(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    """Load every supported file under ``paths``; skip (and report) the rest."""
    return load_files(discover(paths), max_bytes)


def load_files(
    found: list[tuple[Path, Path]],
    max_bytes: int = DEFAULT_MAX_BYTES,
    known: Callable[[str, str], bool] | None = None,
    ocr: OCR | None = None,
    reader: Reader | None = None,
    done: Callable[[int], None] | None = None,
    page: PageListener | None = None,
) -> LoadResult:
    """Load ``(root, file)`` pairs as ``discover`` finds them; skip (and report) what cannot be read.

    ``known(name, sha256)``: whether a file with these bytes is stored already; such a file passes
    every check but is not turned into text (extracting a PDF takes ~15 ms a page). ``ocr`` reads
    pictures and scanned pages (``index.ocr``). ``reader`` turns the rest into text, side by side
    and within limits where it is an ``index.isolation.IsolatedReader`` (else here, one by one).
    ``done(n)``: ``n`` of the files are done (refused, known or read), as reading goes on; ``page``
    hears where a long file's reading has got to (``index.isolation.PageListener``).
    """
    result = LoadResult()
    to_read: list[tuple[str, bytes]] = []
    digests: dict[str, str] = {}
    for root, file in found:
        name = document_name(root, file)
        try:
            check_name(root, file, name)
            size = file.stat().st_size
            if size > max_bytes:
                raise SkippedFile(name, f"is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit; skipped")
            raw = file.read_bytes()
        except SkippedFile as skipped:
            result.skipped.append(skipped)
            continue
        except OSError as exc:
            result.skipped.append(unreadable(name, exc))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if known and known(name, digest):
            result.known.append(name)
            continue
        to_read.append((name, raw))
        digests[name] = digest
    settled = len(found) - len(to_read)  # refused or known without reading them
    if done and settled:
        done(settled)
    read = (reader or InProcessReader()).read(to_read, ocr, done and (lambda n: done(settled + n)), page)
    for (name, _), extracted in zip(to_read, read, strict=True):
        if isinstance(extracted, SkippedFile):
            result.skipped.append(extracted)
            continue
        if extracted.note:
            result.notes.append(SkippedFile(name, extracted.note))
        result.documents.append(make_document(name, extracted.text, extracted.page_starts, extracted.page_names))
        result.digests[name] = digests[name]
    return result


def make_document(
    name: str, text: str, page_starts: tuple[int, ...] = (), page_names: tuple[str, ...] = ()
) -> Document:
    """Build the llama-index document for one file (id and metadata = its name).

    A paged document's ``page_starts`` (and its pages' names) travel into every chunk's
    metadata, so a citation can be given as page and line without another lookup; so does its
    title, where its text opens with one (``index.titles``), for the verifier.
    """
    from llama_index.core import Document

    metadata = {"file": name}
    if title := title_of(text):
        metadata["title"] = title
    if page_starts:
        metadata["page_starts"] = encode_starts(page_starts)
    if page_names:
        metadata["page_names"] = encode_names(page_names)
    return Document(
        text=text,
        id_=name,
        metadata=metadata,
        excluded_embed_metadata_keys=list(metadata),
        excluded_llm_metadata_keys=list(metadata),
    )


def hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
