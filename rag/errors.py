"""Answering-side errors. Messages are shown to users as they are."""

from index.errors import DocumentNotFound, EmbedderUnavailable, GroundlineError, SkippedFile, StoreUnavailable

__all__ = [
    "Abandoned",
    "DocumentNotFound",
    "EmbedderUnavailable",
    "GroundlineError",
    "LLMUnavailable",
    "ModelFileError",
    "QuestionError",
    "SettingsError",
    "SkippedFile",
    "StoreUnavailable",
]


class ModelFileError(GroundlineError):
    """A packaged model is missing or corrupted; the message names the package."""


class QuestionError(GroundlineError):
    """The question cannot be answered as asked (empty, too long)."""


class Abandoned(GroundlineError):
    """The asker went before the answer was finished (``AnswerService.ask``'s ``gone``); the model stopped."""


class LLMUnavailable(GroundlineError):
    """The configured LLM backend could not be reached or failed."""


class SettingsError(GroundlineError):
    """A GROUNDLINE_* setting has a value Groundline cannot use; the message names it."""
