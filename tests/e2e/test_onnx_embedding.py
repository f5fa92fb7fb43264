"""The locally exported ONNX embedder against the packaged PyTorch model."""

import os
from pathlib import Path

import numpy as np
import pytest

from index.embedding import packaged_embedder
from tests.conftest import NEWS

pytestmark = pytest.mark.e2e

TEXTS = [line for line in (NEWS / "000_c3c639a3a8103260.txt").read_text().splitlines() if line.strip()][:12]


def vectors(embedder) -> np.ndarray:
    return np.array(embedder.get_text_embedding_batch(TEXTS + ["who denied arms deals?"]))


def test_onnx_gives_the_torch_vectors_and_int8_stays_close(capfd: pytest.CaptureFixture) -> None:
    models = Path(os.environ["GROUNDLINE_MODELS_DIR"])
    torch_v = vectors(packaged_embedder("torch"))
    fp32_v = vectors(packaged_embedder("onnx", models))
    capfd.readouterr()
    int8_v = vectors(packaged_embedder("onnx-int8", models))
    assert capfd.readouterr().out == ""  # the export's chatter stays off stdout (`ask --json` prints there)
    assert np.allclose(np.linalg.norm(fp32_v, axis=1), 1.0, atol=1e-4)
    assert (fp32_v * torch_v).sum(axis=1).min() > 0.9999
    assert (int8_v * torch_v).sum(axis=1).min() > 0.97
    # the same passage ranks first for the sample question with every runtime
    assert len({int(np.argmax(v[:-1] @ v[-1])) for v in (torch_v, fp32_v, int8_v)}) == 1


def test_the_export_is_made_once_per_models_dir() -> None:
    models = Path(os.environ["GROUNDLINE_MODELS_DIR"])
    packaged_embedder("onnx", models)
    model_file = models / "minilm-onnx" / "model.onnx"
    made = model_file.stat().st_mtime_ns
    packaged_embedder("onnx", models)
    assert model_file.stat().st_mtime_ns == made
    assert not [p for p in models.iterdir() if p.name.startswith("tmp")]  # no export left half-written
