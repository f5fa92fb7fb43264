"""What an ingestion reports: its progress, and what it did file by file.

Apart from ``index.pipeline`` so that a command line sending files to a server elsewhere
(``ui.remote``) reads and prints reports without loading Chroma or llama-index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.errors import SkippedFile


@dataclass(frozen=True)
class IngestReport:
    """What one ingestion did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[SkippedFile] = field(default_factory=list)
    chunks: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any document was added, replaced or removed."""
        return bool(self.added or self.updated or self.removed)

    def plus(self, other: IngestReport) -> IngestReport:
        """This report and another, as one (a remote ingestion is one report per request)."""
        lists = {
            key: getattr(self, key) + getattr(other, key)
            for key in ("added", "updated", "unchanged", "skipped", "notes", "removed")
        }
        return IngestReport(**lists, chunks=self.chunks + other.chunks)

    def problems(self) -> list[str]:
        """One line per skipped file or note, for the CLI and the UI."""
        return [f"skipped: {s}" for s in self.skipped] + [f"note: {n}" for n in self.notes]

    def summary(self) -> str:
        """One line for the CLI and the UI."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
            + (f", {len(self.removed)} removed" if self.removed else "")
            + f"; {self.chunks} chunks embedded"
        )

    def to_json(self) -> dict:
        """The report as JSON data (a server sends it to the CLI that asked); ``from_json`` reads it back."""
        files = {key: getattr(self, key) for key in ("added", "updated", "unchanged", "removed")}
        troubles = {key: [[s.file, s.reason] for s in getattr(self, key)] for key in ("skipped", "notes")}
        return {**files, **troubles, "chunks": self.chunks}

    @classmethod
    def from_json(cls, data: dict) -> IngestReport:
        troubles = {key: [SkippedFile(file, reason) for file, reason in data[key]] for key in ("skipped", "notes")}
        removed = data.get("removed", [])  # a server from before sync sends none
        return cls(
            data["added"], data["updated"], data["unchanged"], **troubles, chunks=data["chunks"], removed=removed
        )


@dataclass(frozen=True)
class Progress:
    """Files read (and written, where they changed) out of those found, and chunks embedded; while a
    long file is read (a scan by text recognition, a mailbox), which file (``reading``) and how far
    (``at``: "page 12 of 300", ``index.progress``)."""

    files_done: int
    files_total: int
    chunks: int
    reading: str = ""
    at: str = ""

    @classmethod
    def from_json(cls, data: dict) -> Progress:
        """From its JSON (``dataclasses.asdict``); fields a newer server adds are left out, and an
        older server's page of pages is read as where it is.

        >>> Progress.from_json({"files_done": 1, "files_total": 2, "chunks": 3, "added_later": 4})
        Progress(files_done=1, files_total=2, chunks=3, reading='', at='')
        >>> Progress.from_json({"files_done": 0, "files_total": 1, "chunks": 0, "reading": "a.pdf", "page": 2,
        ...                     "pages": 9}).reading_note()
        'a.pdf: page 2 of 9'
        """
        if data.get("page") and "at" not in data:
            data = {**data, "at": f"page {data['page']:,} of {data.get('pages', 0):,}"}
        return cls(**{key: value for key, value in data.items() if key in cls.__dataclass_fields__})

    def reading_note(self) -> str:
        """What a bar says of the long file being read ("scan.pdf: page 12 of 300"), or ""."""
        return f"{self.reading}: {self.at}" if self.reading else ""
