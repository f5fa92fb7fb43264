"""What the server has answered and ingested, for Prometheus: ``GET /metrics``.

Every question asked through the service (the chat, the widget, ``/api/ask``, the OpenAI route)
is counted by how it ended: answered, abstained (and which check withheld the answer: the
retrieval gate, the model, attribution or the verifier), failed or cancelled; with its
time (in all, to its first word, and by stage), its answer's sentences cited or shown
unsupported, and the verifier's probability of yes. Searches (no model) are counted apart, by
whether they found anything, with their time.
Together they show an operator how often the documents are found silent and why, and so whether
the thresholds suit their documents (``bench/results/eval-notes.md`` on what each one trades).
The files this server's writes added, updated, left unchanged, skipped (a file no one can ask
about) or removed are counted; the documents and chunks stored, and the process's memory and CPU,
are read when scraped.

With an admin token set, the route asks for it (``Authorization: Bearer``, as Prometheus's
``authorization`` scrape setting sends it); else the chat token, where one is set; else it is open
like ``/healthz``. Scrapes are not held to the questions' rate limit. Nothing a question or a
document says is exported: counts and times only.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from index.library import Library
from index.reports import IngestReport
from rag.answering import Stopwatch
from rag.decision import QUOTED_FOR, WITHHELD_BY
from rag.types import Answer
from ui.feedback import Rating
from ui.limits import Guard, TokenCheck, bearer, client_address

disable_created_metrics()  # no *_created series beside each counter: a timestamp no dashboard reads

PATH = "/metrics"
SECONDS = (1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300)  # an answer: ~1 s resumed, ~10-20 s on 2 cores
STAGE_SECONDS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60)  # retrieval in ms, the model in seconds
TENTHS = tuple(round(0.1 * n, 1) for n in range(1, 11))
FILE_RESULTS = ("added", "updated", "unchanged", "skipped", "removed")  # an IngestReport's lists


class Metrics:
    """The server's counters (an ``rag.answering.AnswerObserver``), in a registry of its own."""

    def __init__(self, library: Library) -> None:
        self.registry = CollectorRegistry()
        self.answers = Counter(
            "groundline_answers",
            "Questions by how they ended: answered, abstained (withheld_by: no_documents, relevance, model, "
            "attribution, verifier), quoted (a line of the documents quoted in place of the model's withheld answer: "
            "one that says no to a yes-or-no question, whose number the model changed, or that the model's withheld "
            "yes cites; withheld_by model, "
            "attribution, verifier), replied (a greeting, thanks, a request for "
            "help: not asked of the documents), failed, cancelled.",
            ["outcome", "withheld_by"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "groundline_answer_seconds",
            "Seconds from a question to its answer or abstention (rewriting a follow-up, retrieval, the model, "
            "attribution and the verifier).",
            buckets=SECONDS,
            registry=self.registry,
        )
        self.first_token = Histogram(
            "groundline_first_token_seconds",
            "Seconds from a question to the first word of its answer, where the model was asked (what a reader "
            "waits before the answer starts to stream).",
            buckets=SECONDS,
            registry=self.registry,
        )
        self.stages = Histogram(
            "groundline_stage_seconds",
            "Seconds each stage of an answer took: rewrite (a follow-up made standalone), retrieval, model (the "
            "answer written; most of it reading the passages), check (attribution and the verifier).",
            ["stage"],
            buckets=STAGE_SECONDS,
            registry=self.registry,
        )
        self.sentences = Counter(
            "groundline_answer_sentences",
            "Sentences of the answers given, cited or shown marked unsupported.",
            ["cited"],
            registry=self.registry,
        )
        self.verified = Histogram(
            "groundline_verifier_yes",
            "The verifier's probability that an answer's cited sentences answer its question "
            "(GROUNDLINE_MIN_VERIFIED withholds those under it).",
            buckets=TENTHS,
            registry=self.registry,
        )
        self.files = Counter(
            "groundline_ingested_files",
            "Files by what this server's ingestions and deletions did with them (uploads, the command "
            "line's writes it does, watched folders): added, updated, unchanged, skipped, removed.",
            ["result"],
            registry=self.registry,
        )
        self.chunks_written = Counter(
            "groundline_ingested_chunks",
            "Chunks embedded and stored by this server's ingestions.",
            registry=self.registry,
        )
        self.searches = Counter(
            "groundline_searches",
            "Searches made (the page's search box, /api/search; no model), by whether any passage was found.",
            ["found"],
            registry=self.registry,
        )
        self.search_seconds = Histogram(
            "groundline_search_seconds",
            "Seconds a search took: retrieval and scoring the passages' sentences against it.",
            buckets=STAGE_SECONDS,
            registry=self.registry,
        )
        self.ratings = Counter(
            "groundline_ratings",
            "Readers' thumbs up and down in the chat, by rating (up, down) and answer (answered, abstained: "
            "a thumbs down there is a false abstention, as the reader sees it).",
            ["rating", "answer"],
            registry=self.registry,
        )
        # every series there from the start, at 0, so that a rate over the first ones is whole
        for outcome, withheld_by in [
            ("answered", ""),
            ("replied", ""),
            *(("abstained", w) for w in WITHHELD_BY),
            *(("quoted", w) for w in QUOTED_FOR),
        ]:
            self.answers.labels(outcome, withheld_by)
        for outcome in ("failed", "cancelled"):
            self.answers.labels(outcome, "")
        for cited in ("yes", "no"):
            self.sentences.labels(cited)
        for result in FILE_RESULTS:
            self.files.labels(result)
        for rating in ("up", "down"):
            for answer in ("answered", "abstained"):
                self.ratings.labels(rating, answer)
        for found in ("yes", "no"):
            self.searches.labels(found)
        self.registry.register(Stored(library))
        ProcessCollector(registry=self.registry)

    def answered(self, answer: Answer, timed: Stopwatch) -> None:
        outcome = (
            "abstained"
            if answer.abstained
            else "replied"
            if answer.replied
            else "quoted"
            if answer.quoted
            else "answered"
        )
        self.answers.labels(outcome, answer.withheld_by or answer.quoted).inc()
        self.seconds.observe(timed.total)
        if timed.first_token is not None:
            self.first_token.observe(timed.first_token)
        for stage, seconds in timed.stages.items():
            self.stages.labels(stage).observe(seconds)
        for sentence in answer.sentences:
            self.sentences.labels("yes" if sentence.citations else "no").inc()
        evidence = answer.evidence
        for tried in (evidence, evidence.retry) if evidence is not None else ():  # a declined first try has none
            if tried is not None and tried.verified is not None:
                self.verified.observe(tried.verified)

    def unanswered(self, outcome: str, seconds: float) -> None:
        self.answers.labels(outcome, "").inc()

    def ingested(self, report: IngestReport) -> None:
        """An ``index.pipeline.Ingestor`` observer: one write's report."""
        for result in FILE_RESULTS:
            self.files.labels(result).inc(len(getattr(report, result)))
        self.chunks_written.inc(report.chunks)

    def searched(self, hits: int, seconds: float) -> None:
        """A ``rag.search.Searcher`` observer: one search's hits and time."""
        self.searches.labels("yes" if hits else "no").inc()
        self.search_seconds.observe(seconds)

    def rated(self, rating: Rating) -> None:
        """A ``ui.feedback`` rater: one reader's thumbs up or down."""
        self.ratings.labels("up" if rating.liked else "down", "abstained" if rating.abstained else "answered").inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)


class Stored:
    """A collector: the documents and chunks stored, and the files not read, read when scraped."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def collect(self) -> Iterator[GaugeMetricFamily]:
        documents, chunks = self.library.counts()
        yield GaugeMetricFamily("groundline_documents", "Documents ingested.", value=documents)
        yield GaugeMetricFamily("groundline_chunks", "Chunks stored (passages retrieval chooses from).", value=chunks)
        yield GaugeMetricFamily(
            "groundline_unread_files",
            "Files ingestions found and could not read, as GET /api/unread lists them (until read, deleted or gone).",
            value=len(self.library.unread()),
        )


def router(metrics: Metrics, tokens: TokenCheck | None, guard: Guard) -> APIRouter:
    """``GET /metrics``: the admin token's, where one is set; else the chat token's, if any."""
    api = APIRouter()

    @api.get(PATH, include_in_schema=False)
    def scrape(http: Request) -> Response:
        if tokens is not None:
            tokens.verify(bearer(http), client_address(http))
        else:
            guard.check_token(http)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return api
