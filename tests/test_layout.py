"""The folder layout is the architecture: data flows ui -> rag -> index only."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"index": {"rag", "ui"}, "rag": {"ui"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_packages(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_no_model_hub_ids_or_downloads_in_code() -> None:
    """Nothing may fetch weights at run time: models load from installed packages."""
    for package in ("index", "rag", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            for needle in ("hf_hub_download", "snapshot_download", "sentence-transformers/", "model_url="):
                assert needle not in text, f"{path.relative_to(ROOT)} mentions {needle}"
