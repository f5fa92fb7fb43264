"""The one typed settings object, read from ``GROUNDLINE_*`` variables.

Values come, highest first, from explicit arguments, the environment, then an
optional ``.env`` file in the working directory (path overridable with
``GROUNDLINE_ENV_FILE``). Every field is documented in the README.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as UnparsedSetting

from index.embedding import EmbedBackend
from rag.errors import SettingsError

LLMBackend = Literal["local", "local-small", "openai"]


class Settings(BaseSettings):
    """Everything a deployment can configure."""

    model_config = SettingsConfigDict(
        env_prefix="GROUNDLINE_",
        env_file=os.environ.get("GROUNDLINE_ENV_FILE", ".env"),
        extra="ignore",
    )

    data_dir: Path = Field(Path(".groundline"), description="Chroma, docstore and joined model files.")
    models_dir: Path | None = Field(None, description="Where joined model files live (default: DATA_DIR/models).")
    chroma_server: str | None = Field(
        None, description="host:port of a Chroma server (`chroma run`); unset = embedded Chroma in DATA_DIR."
    )
    llm: LLMBackend = Field("local", description="local (Qwen2.5 1.5B), local-small (0.5B) or openai.")
    llm_base_url: str | None = Field(None, description="openai backend: server URL, e.g. http://127.0.0.1:11434/v1")
    llm_model: str | None = Field(None, description="openai backend: model name the server knows.")
    llm_api_key: str | None = Field(None, description="openai backend: API key, if the server wants one.")
    llm_timeout_s: float = Field(120.0, gt=0, description="Seconds to wait for the LLM before giving up.")
    llm_threads: int = Field(max(1, os.cpu_count() or 1), ge=1, description="CPU threads for the local LLM.")
    llm_gpu_layers: int = Field(
        0,
        ge=-1,
        description="Layers of the local LLM run on a GPU (-1: all; 0: none, the CPU alone). Needs llama-cpp-python "
        "built with GPU support in place of pip's CPU build (refused otherwise when the model loads).",
    )
    context_window: int = Field(4096, ge=512, description="Local LLM context size in tokens.")
    max_answer_tokens: int = Field(256, ge=16, description="Longest answer the LLM may write, in tokens.")
    llm_cache_mb: int = Field(
        1024,
        ge=0,
        description="Local LLM: memory for evaluated prompts kept for reuse, so a question asked again over "
        "unchanged passages skips reading them (~10x faster on 2 cores); 0 = off.",
    )
    llm_cache_dir: Path | None = Field(
        None,
        description="Local LLM: also keep those states on disk here, up to GROUNDLINE_LLM_CACHE_MB, so a "
        "restarted server or the command line resumes them too. They hold the questions and passages read "
        "(owner-only files), until a document is replaced or removed; unset = memory only.",
    )
    embed_backend: EmbedBackend = Field(
        "onnx",
        description="MiniLM runtime: onnx (ONNX Runtime, exported locally on first use; same vectors as torch, "
        "~2x faster), onnx-int8 (quantized, ~3x faster, slightly different vectors: re-embeds on switch) or torch.",
    )
    embed_device: str = Field(
        "cpu",
        description="torch backend: where MiniLM runs: cpu, cuda (an NVIDIA GPU; needs a CUDA build of PyTorch), "
        "cuda:N or mps (Apple). The same vectors as the CPU's, so a switch re-embeds nothing.",
    )
    top_k: int = Field(4, ge=1, le=20, description="Passages retrieved and shown to the LLM per question.")
    summary_passages: int = Field(
        8,
        ge=1,
        le=20,
        description='A request for a summary ("what are these documents about?"): passages shown to the LLM, '
        "shared among the documents asked within (at most this many documents), spread through each.",
    )
    retrieval: Literal["hybrid", "vector"] = Field(
        "hybrid", description="hybrid: BM25 + vector fused by reciprocal rank; vector: embeddings only."
    )
    fusion_candidates: int = Field(40, ge=1, le=200, description="hybrid: hits each retriever contributes to fusion.")
    keep_keyword_index: bool = Field(
        True,
        description="hybrid: keep the BM25 index built in DATA_DIR/keyword-index/, with its chunks' tokens "
        "(about 3.6 times the chunks' text), so the next process to open an unchanged store loads it instead "
        "of building it, and after a write reads only the chunks written.",
    )
    keyword_wait_s: float = Field(
        2.0,
        ge=0,
        le=60,
        description="hybrid, served: how long a question that finds the BM25 index older than the store (another "
        "process wrote) waits for its rebuild before searching it as it is (a rebuild after a write reads only the "
        "chunks written: 0.1 s at 1,568 chunks, 1.4 s at 27,256); 0 never waits.",
    )
    keyword_weight: float = Field(
        1.6, ge=0, description="hybrid: weight of BM25's ranking against the vector ranking's 1 in the fusion."
    )
    rrf_k: int = Field(5, ge=0, description="hybrid: reciprocal-rank constant; a hit at rank r scores w / (k + r).")
    min_relevance: float = Field(
        0.2, ge=-1, le=1, description="Abstain without asking the LLM when no passage's cosine reaches this."
    )
    min_sentence_relevance: float = Field(
        0.4,
        ge=-1,
        le=1,
        description="Ask the LLM all the same where a sentence of a passage reaches this cosine with the question: "
        "a question about one sentence of a long passage is far from the passage as a whole.",
    )
    chunk_tokens: int = Field(200, ge=32, le=254, description="Chunk budget in embedder tokens (MiniLM reads 256).")
    chunk_overlap: int = Field(1, ge=0, description="Lines (or sentences) repeated between neighbouring chunks.")
    min_support: float = Field(
        0.5, ge=0, le=1, description="Least attribution score for a sentence to count as supported."
    )
    verify: bool = Field(
        True,
        description="Ask the LLM once more whether the cited sentences answer the question (~0.5 s on 2 cores); "
        "the check behind min_verified.",
    )
    second_try: bool = Field(
        True,
        description="Where the model declines, ask it again of the one passage holding the sentence nearest the "
        "question (the 1.5B model, shown four passages, declines some that one of them answers); the second "
        "answer goes through the same checks.",
    )
    min_verified: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Abstain when the verifier's probability that the cited sentences answer the question is "
        "below this (the local model gives a probability, other LLMs a yes (1) or no (0)).",
    )
    second_look_from: float = Field(
        0.3,
        ge=0,
        le=1,
        description="A verdict from this up to min_verified is asked again, each cited sentence shown after the "
        "sentence before it in its passage (what it may lean on: 'Pyongyang could offer ammunition' answers 'what "
        "could Pyongyang offer Putin?' only after 'Kim is ready to conclude an arms deal with Putin'); one LLM call "
        "more for those answers.",
    )
    min_second_look: float = Field(
        0.7, ge=0, le=1, description="The second look lets the answer through where its verdict reaches this."
    )
    min_yes: float = Field(
        0.82,
        ge=0,
        le=1,
        description="An answer that opens with 'yes' has its cited sentences asked the question alone (one LLM "
        "call more); its yes is shown unsupported where their probability of 'yes' is below this.",
    )
    min_says_no: float = Field(
        0.5,
        ge=0,
        le=1.01,
        description="Where an answer to a question asked yes or no is withheld (the 1.5B model declines most whose "
        "answer is no), the line nearest the question is quoted in its place where it says no to it and matches "
        "the question at least this well (attribution's score, as min_support reads an answer sentence's); "
        "1.01: never.",
    )
    min_not_yes: float = Field(
        0.5,
        ge=0,
        le=1.01,
        description="Where an answer is withheld for its opening yes alone (the lines it cites answer the question, "
        "by the verifier, and do not say yes, by min_yes), the line its yes sentence cites is quoted in its place "
        "where that sentence matches it at least this well; 1.01: never.",
    )
    min_misread: float = Field(
        0.5,
        ge=0,
        le=1.01,
        description="Where an answer is withheld because it states a number the line it is cited to does not "
        "(the model read the line and changed the number), that line is quoted in its place where it is the line "
        "nearest the question and matches it at least this well; 1.01: never.",
    )
    ocr: bool = Field(
        True,
        description="Read scanned PDF pages and images with Tesseract (the tesseract-ocr package), where it is "
        "installed.",
    )
    ocr_languages: str = Field(
        "eng", description="Tesseract's languages for text recognition, e.g. eng+deu (tesseract-ocr-deu installed)."
    )
    ingest_batch_files: int = Field(8, ge=1, description="Files read, checked and written per ingestion step.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are skipped at ingestion.")
    read_workers: int = Field(
        2,
        ge=0,
        description="Worker processes that turn files other than plain text into text, side by side, each file "
        "within read_timeout_s and read_memory_mb; 0 reads them in the ingesting process, without limits.",
    )
    read_timeout_s: float = Field(
        1800.0,
        gt=0,
        description="A file still being turned into text after this long is skipped, saying so (a hostile or "
        "pathological file). Text recognition reads about 12 dense pages a minute on 2 cores, so a scan of over "
        "~350 pages needs more.",
    )
    read_memory_mb: int = Field(
        2048, ge=256, description="The memory a worker may take to read one file; a file that needs more is skipped."
    )
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")
    admin_token: str | None = Field(
        None, description="Enables upload and delete in the UI for whoever gives this token; unset = off."
    )
    chat_token: str | None = Field(
        None, description="If set, chat and API need it (Bearer token; password on the chat's login page)."
    )
    rate_limit_per_minute: int = Field(30, ge=0, description="Questions per minute per client address; 0 = no limit.")
    views_per_minute: int = Field(
        240,
        ge=0,
        description="Documents and citations opened, and pages turned, in the chat per minute per client "
        "address (bursts of a sixth of that); 0 = no limit.",
    )
    max_pending: int = Field(8, ge=1, description="Questions running or waiting at once; more get 503.")
    max_pending_per_client: int = Field(
        4, ge=0, description="Of those, the most one client address may hold over the API (more get 429); 0 = any."
    )
    list_refresh_s: float = Field(
        10.0,
        gt=0,
        description="How often an open chat page looks for documents added or deleted elsewhere (the command line, "
        "the HTTP API, a watched folder); each look lists the library.",
    )
    host: str = Field("127.0.0.1", description="Address `groundline serve` listens on.")
    embed_origins: list[str] = Field(
        ["http://localhost:*", "http://127.0.0.1:*"],
        description="Origins (scheme://host[:port], ':*' = any port) allowed to embed the chat or call the "
        "API from a browser, besides the server's own. JSON list in the environment.",
    )
    watch_dirs: list[Path] = Field(
        [],
        description="Folders `groundline serve` keeps ingested as files are added, changed or deleted in them "
        "(JSON list in the environment; `serve --watch DIR` adds one).",
    )
    port: int = Field(7860, ge=1, le=65535, description="Port `groundline serve` listens on.")
    root_path: str = Field(
        "",
        description="The path a reverse proxy serves Groundline under, e.g. /groundline (the proxy may pass "
        "requests on with it or without it); the pages and the links the API gives are made under it. "
        "Empty: at the root.",
    )
    feedback_log: bool = Field(
        False,
        description="Keep each answer a reader rates in the chat (thumbs up or down), with its question and the "
        "lines it cited, in DATA_DIR/feedback.jsonl (readable by its owner only; the page says so). Off: ratings "
        "are only counted (GET /metrics), and nothing a reader asked is kept.",
    )
    shutdown_grace_s: float = Field(
        5.0,
        ge=0,
        description="On SIGTERM or Ctrl-C, seconds `groundline serve` lets open requests finish; "
        "then it closes them (an open browser tab holds a stream that would otherwise keep it up for ever).",
    )

    @field_validator("embed_device")
    @classmethod
    def _device_name(cls, device: str) -> str:
        if not re.fullmatch(r"cpu|cuda(:[0-9]+)?|mps", device):
            raise ValueError("use cpu, cuda, cuda:N (the Nth NVIDIA GPU) or mps")
        return device

    @field_validator("root_path")
    @classmethod
    def _url_path(cls, path: str) -> str:
        path = path.rstrip("/")
        if path and not re.fullmatch(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+", path):
            raise ValueError("use a path such as /groundline: a slash, then the path's own characters")
        return path

    @model_validator(mode="after")
    def _device_needs_torch(self) -> Settings:
        if self.embed_device != "cpu" and self.embed_backend != "torch":
            raise ValueError(
                f"GROUNDLINE_EMBED_DEVICE={self.embed_device} needs GROUNDLINE_EMBED_BACKEND=torch: "
                f"the {self.embed_backend} backend runs on the CPU only"
            )
        return self

    @property
    def uploads_dir(self) -> Path:
        """Where documents uploaded on the page or over HTTP are kept, by their bare file names."""
        return self.data_dir / "uploads"

    @property
    def model_files_dir(self) -> Path:
        """Where the packaged GGUF files are joined to."""
        return self.models_dir or self.data_dir / "models"


def read_settings(**overrides) -> Settings:
    """The settings from the environment and ``.env``, with a bad value said plainly, by its variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError("; ".join(_problem(e) for e in exc.errors(include_url=False))) from None
    except UnparsedSetting as exc:  # a list or mapping that is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"GROUNDLINE_{field.group(1).upper()}" if field else "a GROUNDLINE_* setting"
        raise SettingsError(f"{name} is not valid JSON ({exc.__cause__ or exc})") from None


def _problem(error) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:
        return message
    name = "GROUNDLINE_" + "_".join(str(part) for part in error["loc"]).upper()
    return f"{name}={error['input']!r}: {message}" if isinstance(error["input"], str) else f"{name}: {message}"
