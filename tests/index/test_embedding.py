from pathlib import Path

import pytest
import torch

from index.embedding import check_device, packaged_embedder
from index.errors import EmbedderUnavailable


def test_the_cpu_is_always_there() -> None:
    check_device("cpu")


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="this machine has an Apple GPU")
def test_an_apple_gpu_that_is_not_there_is_said_plainly() -> None:
    with pytest.raises(EmbedderUnavailable, match="^embedding device mps: this PyTorch sees no Apple GPU; use cpu$"):
        check_device("mps")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_number_past_the_last_is_said_plainly() -> None:
    last = torch.cuda.device_count() - 1
    with pytest.raises(EmbedderUnavailable, match=rf"has {last + 1} GPU\(s\), cuda:0 to cuda:{last}$"):
        check_device(f"cuda:{last + 1}")


def test_the_onnx_embedder_is_not_put_on_a_gpu(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match="^the onnx embedder runs on the CPU only; cuda needs the torch"):
        packaged_embedder("onnx", tmp_path, "cuda")
    assert list(tmp_path.iterdir()) == []  # refused before any export
