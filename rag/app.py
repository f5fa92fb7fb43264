"""The composition root: every component is built here and passed down.

``Groundline`` builds its parts on first use, so ``groundline ingest`` never
loads the LLM and ``groundline ask`` never re-chunks. Tests pass a fake
embedder, token counter or LLM through the constructor.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import LLM

from index.backup import Backups
from index.checkup import Checkup, Finding
from index.chunking import LineChunker, TokenCounter, sentence_model
from index.embedding import check_device, embedding_id, packaged_embedder, packaged_token_counter
from index.isolation import IsolatedReader
from index.journal import FileJournal, ServerJournal
from index.lease import ServerLease
from index.library import Library
from index.ocr import OCR, available
from index.pipeline import Ingestor
from index.reports import IngestReport
from index.serving import hold_for_server
from index.store import DocStore, chroma_vector_store
from index.uploads import UploadShelf
from rag.answering import AnswerService
from rag.attribution import Attributor
from rag.decision import Decider
from rag.keyword_cache import KeywordCache
from rag.llm import build_judge, build_llm, forget_prompts, model_finding, prompt_keeping, prompt_reading
from rag.overview import Overviewer
from rag.retrieval import Fusion, Retriever
from rag.search import Searcher
from rag.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.verification import Verifier

log = logging.getLogger(__name__)


class Groundline:
    """One deployment's ingestor, library and answering service."""

    def __init__(
        self,
        settings: Settings,
        embed_model: BaseEmbedding | None = None,
        token_counter: TokenCounter | None = None,
        llm: LLM | None = None,
    ) -> None:
        self.settings = settings
        self._embed_model = embed_model
        self._token_counter = token_counter
        self._llm = llm

    @cached_property
    def embed_model(self) -> BaseEmbedding:
        s = self.settings
        return self._embed_model or packaged_embedder(s.embed_backend, s.model_files_dir, s.embed_device)

    @cached_property
    def token_counter(self) -> TokenCounter:
        return self._token_counter or packaged_token_counter()

    @cached_property
    def llm(self) -> LLM:
        return self._llm or build_llm(self.settings)

    @cached_property
    def ocr(self) -> OCR | None:
        """Text recognition for scans and pictures, where Tesseract is installed (and not turned off)."""
        if not self.settings.ocr:
            return None
        found = available(self.settings.ocr_languages)
        if isinstance(found, str):
            log.warning("%s; scanned pages and images are skipped", found)
            return None
        return found

    @cached_property
    def vector_store(self):
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return chroma_vector_store(self.settings.data_dir, self.settings.chroma_server)

    @cached_property
    def docstore(self) -> DocStore:
        return DocStore(self.settings.data_dir, self.settings.chroma_server)

    @cached_property
    def library(self) -> Library:
        self.repaired()
        return Library(self.docstore, self.vector_store)

    def chunker(self) -> LineChunker:
        """A line chunker of the configured size (the ingestor asks for one when it first ingests).
        Its tokenizer loads when it first counts (2.7 s): an ingestion that finds every file
        unchanged needs only the chunker's signature."""
        return LineChunker(
            lambda text: self.token_counter(text),
            max_tokens=self.settings.chunk_tokens,
            overlap=self.settings.chunk_overlap,
        )

    @cached_property
    def ingestor(self) -> Ingestor:
        s = self.settings
        local_journal = FileJournal(s.data_dir / "ingest.journal.json")
        ingestor = Ingestor(
            self.vector_store,
            lambda: self.embed_model,  # models load on the first ingestion: `groundline list` needs none
            self.chunker,
            self.docstore,
            s.data_dir,
            max_bytes=int(s.max_file_mb * 1024 * 1024),
            batch_files=s.ingest_batch_files,
            embedding_id=embedding_id(s.embed_backend) if self._embed_model is None else self._embed_model.class_name(),
            shared_store=s.chroma_server is not None,
            uploads=UploadShelf(s.uploads_dir),
            ocr=self.ocr,
            lease=ServerLease(self.docstore.shared_collection) if s.chroma_server else None,
            reader=IsolatedReader(s.read_timeout_s, s.read_memory_mb, s.read_workers) if s.read_workers else None,
            journal=ServerJournal(self.docstore.shared_collection, local_journal) if s.chroma_server else local_journal,
        )
        ingestor.recover_if_idle()  # a killed writer's partial documents go before anyone reads them
        ingestor.observe(self._forget_prompts)
        return ingestor

    def backups(self, carried: list[str]) -> Backups:
        """Backups of the stored documents and their restore; ``carried``: the names of the server's own
        files in the data directory that go with them (``index.backup``)."""
        s = self.settings
        return Backups(self.ingestor, self.docstore, s.data_dir, s.uploads_dir, carried)

    def checkup(self) -> Checkup:
        """The store's checks for ``groundline check`` (``index.checkup``)."""
        s = self.settings
        store = f"the Chroma server at {s.chroma_server}" if s.chroma_server else f"embedded Chroma in {s.data_dir}"
        found = available(s.ocr_languages) if s.ocr else "turned off (GROUNDLINE_OCR)"
        return Checkup(self.ingestor, self.docstore, s.data_dir, store, found if isinstance(found, str) else None)

    def findings(self) -> list[Finding]:
        """Everything ``groundline check`` says: the store's checks, then the language model's."""
        return [*self.checkup().findings(), model_finding(self.settings)]

    def _forget_prompts(self, report: IngestReport) -> None:
        """A replaced or removed document's text goes from the local model's kept prompt states too (they
        hold the passages read), not only from the index: in this process's model, if loaded, and on disk.
        States of prompts over other documents stay."""
        if gone := report.updated + report.removed:
            forget_prompts(self.__dict__.get("llm"), self.settings.llm_cache_dir, gone)  # (a cached_property's)

    @cached_property
    def retriever(self) -> Retriever:
        self.repaired()
        s = self.settings
        store = self.vector_store.client
        return Retriever(
            self.vector_store,
            self.embed_model,
            s.top_k,
            hybrid=s.retrieval == "hybrid",
            fusion=Fusion(s.fusion_candidates, s.keyword_weight, s.rrf_k),
            version=lambda: (store.count(), self.docstore.version()),  # another process's writes count too
            keyword_cache=KeywordCache(s.data_dir / "keyword-index") if s.keep_keyword_index else None,
            hashes=self.docstore.hashes,  # a write's chunks alone are read and tokenized again
        )

    def check_embedder(self) -> None:
        """Refuse at start, not at the first question or upload, a GPU this machine's PyTorch cannot use."""
        if self._embed_model is None and self.settings.embed_backend == "torch":
            check_device(self.settings.embed_device)

    def hold_for_server(self) -> None:
        """Keep other processes from writing to an embedded store while this one serves it."""
        if self.settings.chroma_server is None:
            hold_for_server(self.settings.data_dir)

    def repaired(self) -> None:
        """Readers open the store only after a killed writer's partial documents are gone."""
        self.ingestor  # noqa: B018 -- building the ingestor runs the repair

    @property
    def local_llm(self) -> bool:
        """Whether the LLM is the packaged model running in this process."""
        return self._llm is None and self.settings.llm != "openai"

    @cached_property
    def service(self) -> AnswerService:
        s = self.settings
        # The local model's file loads in llama.cpp, which lets go of Python's lock while it reads, so it
        # loads beside the sentence splitter's import and the retriever's set-up, not after them (2.2 s of
        # 7.0 s on 2 cores). Attribution's splitter loads with the models, not on the first answer.
        with ThreadPoolExecutor(1, thread_name_prefix="llm-load") as loading:
            llm = loading.submit(lambda: self.llm)
            sentence_model()
            retriever = self.retriever
        return AnswerService(
            retriever=retriever,
            llm=llm.result(),
            attributor=self.attributor,
            decider=Decider.from_settings(s),
            max_question_chars=s.max_question_chars,
            llm_guard=threading.Lock() if self.local_llm else None,
            verifier=Verifier(build_judge(self.llm, self.local_llm)) if s.verify else None,
            second_try=s.second_try,
            reading=prompt_reading(self.llm),
            keeping=prompt_keeping(self.llm),
            overviews=Overviewer(self.vector_store.client, self.library.files, s.summary_passages),
            documents=self.library.files,
        )

    @cached_property
    def searcher(self) -> Searcher:
        """Search: the service's retrieval and attribution, without its model (none is loaded)."""
        return Searcher(self.retriever, self.attributor, self.settings.max_question_chars)

    @cached_property
    def attributor(self) -> Attributor:
        return Attributor(self.embed_model, sources=SentenceVectors(self.embed_model))


def build(settings: Settings | None = None, **overrides) -> Groundline:
    """Build Groundline from settings (read from the environment if omitted)."""
    return Groundline(settings or Settings(), **overrides)
