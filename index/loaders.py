"""Read text files into llama-index ``Document`` objects that keep exact lines.

Each document's id and ``file`` metadata is its path relative to the ingested
root, with forward slashes, so citations name files the way users see them.
The text is kept byte-for-byte as decoded (no markdown parsing, no whitespace
clean-up): citation line numbers and character offsets index into it.

This module does not chunk, embed or store anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core import Document

from index.errors import SkippedFile

SUPPORTED_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class LoadResult:
    """Documents that loaded, and the files skipped with the reason for each."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 text, refusing binary or undecodable content.

    >>> decode_text(b"hello", "a.txt")
    'hello'
    """
    if b"\x00" in data:
        raise SkippedFile(name, "looks like a binary file (it contains NUL bytes); skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkippedFile(
            name, f"is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8"
        ) from exc
    if not text.strip():
        raise SkippedFile(name, "is empty; skipped")
    return text


def discover(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Expand files and folders into ``(root, file)`` pairs, sorted by path.

    A folder's files are named relative to that folder; a file given directly is
    named by its bare file name.
    """
    pairs: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and not _hidden(file.relative_to(path)):
                    pairs.append((path, file))
        elif path.is_file():
            pairs.append((path.parent, path))
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return pairs


def load_paths(paths: list[Path]) -> LoadResult:
    """Load every supported file under ``paths``; skip (and report) the rest."""
    result = LoadResult()
    for root, file in discover(paths):
        name = file.relative_to(root).as_posix()
        if file.suffix.lower() not in SUPPORTED_SUFFIXES:
            result.skipped.append(
                SkippedFile(name, f"has an unsupported type; supported: {', '.join(SUPPORTED_SUFFIXES)}")
            )
            continue
        try:
            text = decode_text(file.read_bytes(), name)
        except SkippedFile as skipped:
            result.skipped.append(skipped)
            continue
        except OSError as exc:
            result.skipped.append(SkippedFile(name, f"could not be read ({exc.strerror})"))
            continue
        result.documents.append(make_document(name, text))
    return result


def make_document(name: str, text: str) -> Document:
    """Build the llama-index document for one file (id and metadata = its name)."""
    return Document(
        text=text,
        id_=name,
        metadata={"file": name},
        excluded_embed_metadata_keys=["file"],
        excluded_llm_metadata_keys=["file"],
    )


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
