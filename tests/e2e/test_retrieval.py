"""Hybrid retrieval with the real MiniLM embedder: what BM25 adds."""

from pathlib import Path

import pytest

from rag.app import build
from rag.settings import Settings
from tests.fakes import ScriptedLLM

pytestmark = pytest.mark.e2e

NAMES = ["Wojciechowski", "Abernathy", "Nakagawa", "Okonkwo", "Szczepanski", "Villanueva", "Rautiainen",
         "Gallagher", "Lindqvist", "Przybylski"]  # fmt: skip
TASKS = ["repaired the cooling pump", "inspected the cooling pump", "replaced the pump seal", "tested the backup pump",
         "cleaned the pump filter", "calibrated the pump sensor", "logged the pump pressure", "ordered a new pump",
         "painted the pump housing", "checked the pump wiring"]  # fmt: skip


def test_bm25_finds_an_exact_name_that_vector_search_misses(tmp_path: Path) -> None:
    """MiniLM puts 'Szczepanski' closest to 'Przybylski'; the keyword match decides."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, (name, task) in enumerate(zip(NAMES, TASKS, strict=True)):
        (docs / f"{i:02d}.txt").write_text(f"Technician {name} {task} on the night shift.\n")
    question = "What did Przybylski do?"
    top = {}
    for mode in ("vector", "hybrid"):
        app = build(Settings(data_dir=tmp_path / mode, retrieval=mode, top_k=1, _env_file=None), llm=ScriptedLLM())
        app.ingestor.ingest([docs])
        top[mode] = app.retriever.retrieve(question)[0].file
    assert top == {"vector": "04.txt", "hybrid": "09.txt"}
