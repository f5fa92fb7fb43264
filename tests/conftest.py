"""Shared fixtures: settings on a temporary data dir, fake models, the sample corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.app import Groundline, build
from rag.settings import Settings
from tests.fakes import HashEmbedding, ScriptedLLM, word_count

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "examples" / "news"
ARMS_FILE = "000_c3c639a3a8103260.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data dir, independent of the environment's.

    The relevance gate is off: its threshold is calibrated for MiniLM cosines,
    and the fake embedder's scale differs (the gate has its own tests).
    """
    return Settings(data_dir=tmp_path / "data", min_relevance=-1.0, _env_file=None)


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    """A private copy of the sample corpus that a test may modify."""
    target = tmp_path / "news"
    shutil.copytree(NEWS, target)
    return target


def fake_app(settings: Settings, replies: list[str] | None = None) -> Groundline:
    """Groundline with the deterministic embedder, word counter and scripted LLM."""
    return build(
        settings,
        embed_model=HashEmbedding(),
        token_counter=word_count,
        llm=ScriptedLLM(replies or []),
    )
