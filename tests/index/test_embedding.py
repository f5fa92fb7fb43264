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


TEXTS = ["", "Who denied arms deals?", "Ünïcödé façade — naïve 東京 🙂", "word " * 400, "[CLS] [SEP] [PAD] [MASK]"]


def test_the_tokenizer_gives_transformers_ids_without_loading_transformers() -> None:
    from transformers import AutoTokenizer

    from index.embedding import MAX_SEQ_TOKENS, packaged_model_path, packaged_token_counter, packaged_tokenizer

    reference = AutoTokenizer.from_pretrained(str(packaged_model_path()))
    count = packaged_token_counter()
    assert [count(t) for t in TEXTS] == [len(reference(t, truncation=False)["input_ids"]) for t in TEXTS]
    assert count(TEXTS[3]) == 402  # not cut at the 128 its tokenizer.json says, nor padded to it

    batched = packaged_tokenizer()
    batched.enable_truncation(MAX_SEQ_TOKENS)
    batched.enable_padding()  # as index.onnx_embedding pads a batch
    ours = batched.encode_batch(TEXTS)
    theirs = reference(TEXTS, padding=True, truncation=True, max_length=MAX_SEQ_TOKENS)
    assert [e.ids for e in ours] == theirs["input_ids"]
    assert [e.attention_mask for e in ours] == theirs["attention_mask"]
    assert [e.type_ids for e in ours] == theirs["token_type_ids"]
