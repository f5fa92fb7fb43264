"""Answering-side errors. Messages are shown to users as they are."""

from index.errors import DocumentNotFound, GroundlineError, SkippedFile

__all__ = [
    "DocumentNotFound",
    "GroundlineError",
    "LLMUnavailable",
    "ModelFileError",
    "QuestionError",
    "SkippedFile",
]


class ModelFileError(GroundlineError):
    """A packaged model is missing or corrupted; the message names the package."""


class QuestionError(GroundlineError):
    """The question cannot be answered as asked (empty, too long)."""


class LLMUnavailable(GroundlineError):
    """The configured LLM backend could not be reached or failed."""
