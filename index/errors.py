"""The root of Groundline's error hierarchy and the ingestion errors.

Messages are shown to users as they are: say what went wrong and what to do.
``rag.errors`` adds the answering-side children of ``GroundlineError``.
"""


class GroundlineError(Exception):
    """Base class of every error Groundline reports to a user."""


class SkippedFile(GroundlineError):
    """One file could not be ingested; the rest of the batch goes on."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file} {reason}")
        self.file = file
        self.reason = reason


class Encrypted(SkippedFile):
    """A file locked with a password (or DRM): no reader can open it, and the user can save an open copy."""

    def __init__(self, file: str, kind: str, lock: str = "locked with a password") -> None:
        super().__init__(file, f"is an encrypted {kind} ({lock}); save an unencrypted copy to ingest it")


class DocumentNotFound(GroundlineError):
    """A document that is not in the ingested corpus was asked for."""


class NothingFound(GroundlineError):
    """A sync found no files, so it would have removed every document."""

    def __init__(self, paths: list, stored: int) -> None:
        where = ", ".join(str(p) for p in paths)
        super().__init__(
            f"No files were found under {where}; syncing would remove every stored document ({stored}), "
            "so nothing was changed."
        )


class EmbedderUnavailable(GroundlineError):
    """The embedder cannot run as configured (a GPU that this machine's PyTorch does not see)."""


class StoreUnavailable(GroundlineError):
    """The Chroma server the settings name cannot be reached."""
