"""LLM backends behind llama-index's ``LLM`` interface, chosen by one setting.

``local`` and ``local-small`` run a packaged Qwen2.5 GGUF in-process with
llama-cpp-python; ``openai`` talks to any OpenAI-compatible server (Ollama,
vLLM, llama.cpp server, a hosted API).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from llama_index.core.llms import LLM, ChatMessage, MessageRole

from index.checkup import Finding
from rag.errors import GroundlineError, ModelFileError, SettingsError
from rag.halting import halting_reads
from rag.models import QWEN_05B, QWEN_15B, PackagedModel, ensure_model, part_file
from rag.prompts import chatml, files_named
from rag.settings import Settings
from rag.verification import Judge, LlamaCppJudge, ReplyJudge

# Qwen2.5's end-of-turn markers; stop on them so no template text leaks out.
_STOP = ["<|im_end|>", "<|endoftext|>", "<|im_start|>"]
SAMPLING = {"stop": _STOP, "top_k": 1, "repeat_penalty": 1.05}  # with temperature 0: greedy


# How to build llama-cpp-python for an NVIDIA GPU, for the refusal below (README: GROUNDLINE_LLM_GPU_LAYERS).
GPU_BUILD = 'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python==0.3.36'


def llama_options(settings: Settings) -> dict:
    """The ``llama_cpp.Llama`` options the local model is loaded with (bench.llm_options tries others).
    Batches of 128 prompt tokens: a reader who went is noticed before each (``rag.halting``), ~1.5 s
    apart on 2 cores; the same answers and verdicts as batches of 512, at the same speed
    (``bench/results/llm-options/``)."""
    return {
        "n_threads": settings.llm_threads,
        "n_batch": 128,
        "n_ubatch": 128,
        "n_gpu_layers": settings.llm_gpu_layers,
    }


def check_gpu_offload(settings: Settings) -> None:
    """Refuse GPU layers that this llama-cpp-python cannot run: pip's build runs on the CPU alone,
    and llama.cpp would quietly run every layer there."""
    import llama_cpp

    if settings.llm_gpu_layers and not llama_cpp.llama_supports_gpu_offload():
        raise SettingsError(
            f"GROUNDLINE_LLM_GPU_LAYERS={settings.llm_gpu_layers}: this llama-cpp-python runs on the CPU alone; "
            f"build it with GPU support first, for an NVIDIA GPU: {GPU_BUILD}"
        )


def build_llm(settings: Settings) -> LLM:
    """The LLM named by ``settings.llm``."""
    match settings.llm:
        case "local":
            return _local(settings, QWEN_15B)
        case "local-small":
            return _local(settings, QWEN_05B)
        case "openai":
            return _openai(settings)


def model_finding(settings: Settings) -> Finding:
    """The language model's check for ``groundline check`` (``index.checkup``), without loading it: the
    packaged model joined and checked, or its parts installed to be joined at the first question; or the
    OpenAI-compatible server answering with the model named."""
    if settings.llm == "openai":
        return _server_finding(settings)
    model = QWEN_15B if settings.llm == "local" else QWEN_05B
    target = settings.model_files_dir / model.filename
    stamp = target.with_suffix(".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().split() == [model.sha256, str(target.stat().st_size)]:
        return Finding("ok", "language model", f"{model.name}, joined and checked (SHA-256) in {target.parent}")
    try:
        for index in range(1, model.parts + 1):
            part_file(model, index)
    except ModelFileError as exc:
        return Finding("fail", "language model", str(exc))
    return Finding(
        "ok",
        "language model",
        f"{model.name}: its {model.parts} parts are installed, to be joined at the first question",
    )


def _server_finding(settings: Settings) -> Finding:
    import httpx

    url = f"{(settings.llm_base_url or '').rstrip('/')}/models"
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    try:
        reply = httpx.get(url, headers=headers, timeout=10)
        reply.raise_for_status()
        served = [str(m.get("id")) for m in reply.json().get("data", []) if isinstance(m, dict)]
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        return Finding(
            "fail", "language model", f"the server at {url} does not answer ({exc.__class__.__name__}: {exc})"
        )
    if settings.llm_model not in served:
        return Finding(
            "fail",
            "language model",
            f"the server at {url} serves {', '.join(served) or 'no model'}, not {settings.llm_model}",
        )
    return Finding("ok", "language model", f"{settings.llm_model}, served at {settings.llm_base_url}")


def _local(settings: Settings, model: PackagedModel) -> LLM:
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:
        raise GroundlineError("The local LLM needs llama-cpp-python: pip install llama-index-llms-llama-cpp") from exc
    check_gpu_offload(settings)
    path = ensure_model(model, settings.model_files_dir)
    llm = LlamaCPP(
        model_path=str(path),
        temperature=0.0,
        max_new_tokens=settings.max_answer_tokens,
        context_window=settings.context_window,
        generate_kwargs=dict(SAMPLING),
        model_kwargs=llama_options(settings),
        messages_to_prompt=chatml,
        completion_to_prompt=lambda text: chatml([ChatMessage(role=MessageRole.USER, content=text)]),
        verbose=False,
    )
    halting_reads(llm._model)  # first: read_alike's parts are cut into the batches llama.cpp reads
    read_alike(llm._model)
    if settings.llm_cache_mb:
        llm._model.set_cache(prompt_cache(settings, path, llm._model))
    return llm


def read_alike(llama) -> None:
    """Have ``llama`` (a ``llama_cpp.Llama``) read every prompt's last token in a batch of its own, as it
    does when it resumes a kept prompt: llama-cpp-python reads that token again, alone, for its logits.

    A token read alone comes out a little different from one read among others, so the same question
    asked again (its prompt resumed from the prompt cache, ~2 s) got other logits than the first time (read
    in full): the same words for 14 office questions, and every verifier verdict moved, by up to 0.02 (one
    near a threshold could withhold the answer once and give it the next time). Now the two agree to the
    last digit (``bench.read_alike``), at no measured cost. A prompt resumed part-way from another (the
    same passages, another question) still reads its new part in one batch, and its verdicts may still
    differ a little from the same prompt read in full (``bench/results/read-alike/``)."""
    read = llama.eval

    def eval_(tokens: Sequence[int]) -> None:
        if len(tokens) > 1:
            read(tokens[:-1])
            tokens = tokens[-1:]
        read(tokens)

    llama.eval = eval_


def prompt_cache(settings: Settings, model_file: Path, llama):
    """The local model's prompt cache (``rag.prompt_cache``), on disk too where ``llm_cache_dir`` is set;
    each state knows the documents its prompt's passages came from, read from the prompt's source tags."""
    from rag.prompt_cache import PromptCache
    from rag.prompt_store import PromptStore, folder_for

    def files_of(tokens: Sequence[int]) -> frozenset[str] | None:
        return files_named(llama.detokenize(list(tokens)).decode("utf-8", errors="replace"))

    capacity = settings.llm_cache_mb << 20
    store = None
    if settings.llm_cache_dir is not None:
        store = PromptStore(folder_for(settings.llm_cache_dir, model_file, settings.context_window), capacity)
    return PromptCache(capacity, store, files_of)


def _prompt_cache(llm: LLM | None):
    """The prompt cache ``prompt_cache`` gave the local model, if ``llm`` is it and keeps one."""
    cache = getattr(getattr(llm, "_model", None), "cache", None)
    if cache is None:
        return None
    from rag.prompt_cache import PromptCache

    return cache if isinstance(cache, PromptCache) else None


def prompt_reading(llm: LLM) -> Callable[[], None] | None:
    """What the answering service calls as it chooses a prompt's passages, where ``llm`` is the local
    model keeping prompt states (``PromptCache.reading``); None for any other."""
    cache = _prompt_cache(llm)
    return cache.reading if cache is not None else None


def prompt_keeping(llm: LLM) -> Callable[[], None] | None:
    """What the answering service calls where it stopped the local model's reply before its end (a
    summary's sentences enough, a reader's stop), where ``llm`` is the local model keeping prompt states:
    the state read so far kept, as the end of a reply keeps it. llama-cpp-python keeps a streamed prompt's
    state only once the stream has run to its end, so every summary's prompts were read again in full
    (~700 tokens a document, ~8 s on 2 cores). None for any other model."""
    cache = _prompt_cache(llm)
    if cache is None:
        return None
    model = llm._model

    def keep() -> None:
        if model.n_tokens:  # keyed by the tokens read (``input_ids`` holds the context's every place)
            cache[model.input_ids[: model.n_tokens].tolist()] = model.save_state()

    return keep


def forget_prompts(llm: LLM | None, cache_dir: Path | None, files: Collection[str]) -> None:
    """Drop the prompt states kept by the local model that hold passages of ``files`` (or of documents
    not known): in ``llm``'s memory, where it is the local model and loaded, and on disk under
    ``cache_dir``, every model's."""
    cache = _prompt_cache(llm)
    if cache is not None:
        cache.forget(files)
    if cache_dir is not None:
        from rag.prompt_store import forget

        forget(cache_dir, files)


def _openai(settings: Settings) -> LLM:
    if not settings.llm_base_url or not settings.llm_model:
        raise GroundlineError(
            "GROUNDLINE_LLM=openai needs GROUNDLINE_LLM_BASE_URL (for example "
            "http://127.0.0.1:11434/v1) and GROUNDLINE_LLM_MODEL"
        )
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.context_window,
        max_tokens=settings.max_answer_tokens,
        temperature=0.0,
        timeout=settings.llm_timeout_s,
        max_retries=1,
    )


def build_judge(llm: LLM, local: bool) -> Judge:
    """The verifier's judge: the local model gives its probability of yes, read from its
    logits (llama-index's wrapper keeps the ``llama_cpp.Llama`` in ``_model``); any other
    LLM gives its written yes or no."""
    return LlamaCppJudge(llm._model) if local else ReplyJudge(llm)
