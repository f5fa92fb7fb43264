"""The packaged MiniLM run by ONNX Runtime, exported on this machine (no download).

sentence-transformers' own ONNX backend needs ``optimum-onnx``, whose releases
pin transformers below 4.58 (we run 5.x), so the export is done here with
``torch.onnx.export`` and the int8 variant with ONNX Runtime's own dynamic
quantization. Vectors are those of sentence-transformers: mean pooling over the
attention mask, then L2 normalisation. The fp32 export gives the same vectors
as the PyTorch model (cosine 1.0); int8 differs slightly (measured in
``bench/results/ingest.md``).

The export runs once per models directory, under a lock, and is written
atomically, so concurrent first starts and a killed export are both safe.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

INPUTS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}  # ONNX: tokenizers


def export_onnx(model_dir: Path, target: Path, int8: bool) -> Path:
    """``target/model.onnx`` (fp32 or int8) exported from the model in ``model_dir``, made once."""
    done = target / "model.onnx"
    if done.exists():
        return done
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if done.exists():
            return done
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp, _quiet():
            work = Path(tmp)
            _export_fp32(model_dir, work / "fp32.onnx")
            if int8:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                quantize_dynamic(work / "fp32.onnx", work / "model.onnx", weight_type=QuantType.QInt8, per_channel=True)
            else:
                _single_file(work / "fp32.onnx", work / "model.onnx")
            staged = work / "out"
            staged.mkdir()
            os.replace(work / "model.onnx", staged / "model.onnx")
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staged, target)
    return done


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter and quantizer report steps on stdout and log advice as warnings; our stdout may be JSON."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)
        root.setLevel(level)  # the quantizer reconfigures the root logger (to DEBUG)
        root.handlers[:] = handlers


def _export_fp32(model_dir: Path, path: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from index.embedding import quiet_loading

    quiet_loading()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):  # the exporter wants positional tensors in, one tensor out
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    example = AutoTokenizer.from_pretrained(str(model_dir))(["an example", "a longer example text"], padding=True)
    args = tuple(torch.tensor(example[name]) for name in INPUTS)
    dims = {0: torch.export.Dim("batch", max=4096), 1: torch.export.Dim("tokens", max=512)}
    torch.onnx.export(
        LastHiddenState(),
        args,
        str(path),
        input_names=list(INPUTS),
        output_names=["last_hidden_state"],
        dynamic_shapes={name: dims for name in INPUTS},
        dynamo=True,
        verbose=False,
    )


def _single_file(source: Path, path: Path) -> None:
    """Re-save with the weights inside the one file (the exporter may write them beside it)."""
    import onnx

    onnx.save_model(onnx.load(str(source)), str(path), save_as_external_data=False)


class OnnxEmbedding(BaseEmbedding):
    """A sentence-transformers-compatible MiniLM embedder on ONNX Runtime."""

    max_length: int = 256
    run_batch: int = 32
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, model_file: Path, tokenizer, max_length: int = 256, threads: int | None = None):
        """``tokenizer``: a ``tokenizers.Tokenizer`` (``index.embedding.packaged_tokenizer``), copied
        here to pad each batch to its longest text and cut texts at ``max_length``."""
        # llama-index hands over up to embed_batch_size texts at once; they are sorted by length and
        # run run_batch at a time, so batches hold texts of similar length.
        super().__init__(model_name=str(model_file), embed_batch_size=512, max_length=max_length)
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._tokenizer = copy.deepcopy(tokenizer)
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.enable_padding()  # [PAD] (id 0) to the longest text of each batch

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit vectors; texts are batched by length so little compute goes to padding."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[Any] = [None] * len(texts)
        for start in range(0, len(order), self.run_batch):
            batch = order[start : start + self.run_batch]
            for i, vector in zip(batch, self._encode([texts[i] for i in batch]), strict=True):
                out[i] = vector.tolist()
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        enc = {name: np.array([getattr(e, field) for e in encoded], dtype=np.int64) for name, field in INPUTS.items()}
        hidden = self._session.run(None, enc)[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
