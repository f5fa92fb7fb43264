"""The one server: FastAPI with the JSON API, the OpenAI-compatible endpoint,
the widget script, the command line's writes (``ui.handoff``), and the Gradio
chat mounted at ``/`` (compact at ``/embed``).

``create_app`` is the web composition root: it takes a built
``rag.app.Groundline`` and wires its service and library into every route.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse

from index.watch import FolderWatch
from ui import admin_api, api, documents_api, feedback, handoff, metrics, openai_api, root_path, security
from ui.admin import LibraryAdmin
from ui.background import Coalescing, Periodic
from ui.chat import ChatUI
from ui.feedback import FeedbackLog
from ui.limits import MULTIPART_SLACK, Admission, BodyLimit, Drained, Guard, QueueShares, RateLimiter, TokenCheck
from ui.private import chat_key
from ui.uploads import UploadGate, session_router
from ui.viewer import CSS

WIDGET = Path(__file__).parent / "widget" / "widget.js"
REPAIR_EVERY_S = 15.0  # how often a server on a shared Chroma server looks for a dead writer's leftovers
# Gradio's web-component loader ships in the wheel; served here so that
# <gradio-app> works offline (its relative import resolves to our /assets/).
GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


def stale_keywords(ingestor, keyword_index: Coalescing) -> Callable[[], bool]:
    """What a question that finds the keyword index stale calls: while this server ingests, nothing (its
    own writes are rebuilt for once they are done, and the question need not wait for that); else a
    rebuild now, which the question may wait for (another process wrote)."""

    def ask() -> bool:
        if ingestor.busy:
            return False
        keyword_index.ask()
        return True

    return ask


def create_app(groundline, served: handoff.Served | None = None, watch: FolderWatch | None = None) -> FastAPI:
    """The ASGI app for one ``Groundline``; models load here, before any visitor. With ``served``,
    it also takes the command line's writes to its data directory (``ui.handoff``); with ``watch``,
    it keeps those folders ingested while it runs (``index.watch``)."""
    service, library = groundline.service, groundline.library
    settings = groundline.settings
    # The keyword index is built now, with the models, and again in the background after writes, so
    # neither a question nor the write's report waits for it (it reads every chunk: 19 s for 100,000).
    # Meanwhile questions use it as it was, once they have waited keyword_wait_s for it. Another process's
    # writes are noticed by the next question; this process's own are rebuilt for once they are done, not
    # once per batch while under way (a question meanwhile does not wait).
    groundline.retriever.refresh()
    keyword_index = Coalescing(groundline.retriever.refresh, "keyword-index")
    groundline.ingestor.after_writes(keyword_index.ask)
    groundline.retriever.when_stale(stale_keywords(groundline.ingestor, keyword_index), settings.keyword_wait_s)
    # With a Chroma server, a machine that died writing left its half-written documents answerable on
    # every machine until the next write or start anywhere; each server now looks every REPAIR_EVERY_S
    # and repairs them once no one writes (the dead machine's lease runs out after 60 s).
    repairs = None
    if settings.chroma_server:
        repairs = Periodic(groundline.ingestor.recover_if_idle, REPAIR_EVERY_S, "repair")
    app = FastAPI(
        title="Groundline", docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json",
        lifespan=lifespan(settings.data_dir, served, watch, repairs),
    )  # fmt: skip
    app.state.keyword_index = keyword_index
    tokens = TokenCheck(settings.admin_token) if settings.admin_token else None  # one budget of wrong guesses
    app.add_middleware(UploadGate, tokens=tokens)
    security.install(app, list(settings.embed_origins))
    max_file_bytes = int(settings.max_file_mb * 2**20)
    app.add_middleware(BodyLimit, upload_bytes=max_file_bytes)
    # each address's share of the places for answers, the API's and the chat's queue's together; a place
    # a cancelled question never gave back is given back once no question could still be waiting with it
    shares = QueueShares(settings.max_pending_per_client, expire_s=settings.max_pending * settings.llm_timeout_s)
    guard = Guard(
        RateLimiter(settings.rate_limit_per_minute), Admission(settings.max_pending, shares), settings.chat_token
    )
    app.include_router(documents_api.router(groundline.ingestor, library, guard, tokens))
    app.include_router(admin_api.router(groundline.backups(admin_api.CARRIED), groundline.findings, tokens))
    app.include_router(api.router(service, library, guard, groundline.searcher))
    app.include_router(openai_api.router(service, library, guard))
    counted = metrics.Metrics(library)
    service.observe(counted)
    groundline.searcher.observe(counted.searched)
    groundline.ingestor.observe(counted.ingested)
    app.include_router(metrics.router(counted, tokens, guard))
    if served:
        app.include_router(handoff.router(groundline.ingestor, served))

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(WIDGET, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_web_component() -> FileResponse:
        return FileResponse(GRADIO_JS, media_type="text/javascript")

    admin = None
    if tokens:
        admin = LibraryAdmin(groundline.ingestor, library, tokens, groundline.findings)
        app.include_router(session_router(tokens))
    views = RateLimiter(settings.views_per_minute)
    kept = FeedbackLog(settings.data_dir) if settings.feedback_log else None
    raters = [counted.rated] + ([kept] if kept is not None else [])
    app.include_router(feedback.router(kept, tokens))
    chat = ChatUI(
        service, library, admin, guard.limiter, chat_key(settings.data_dir), views, shares, settings.list_refresh_s,
        raters, ratings_kept=kept is not None, searcher=groundline.searcher,
    )  # fmt: skip
    # With a chat token, the browser chat asks for it on Gradio's login page (any user name).
    auth = (lambda _user, password: hmac.compare_digest(password, settings.chat_token)) if settings.chat_token else None
    # Order matters: "/" catches every path not matched before it.
    for path, blocks in (("/embed", chat.blocks(compact=True)), ("/", chat.blocks())):
        blocks.queue(default_concurrency_limit=1, max_size=settings.max_pending)
        gr.mount_gradio_app(
            app, blocks, path=path, css=CSS, footer_links=[], auth=auth, max_file_size=max_file_bytes,
            root_path=settings.root_path + path.rstrip("/") if settings.root_path else None,  # under a proxy's path
        )  # fmt: skip
    root_path.check(settings.root_path, app.routes)
    # before any middleware or route that may answer early: a refused upload is read to its end
    app.add_middleware(Drained, most=2 * (max_file_bytes + MULTIPART_SLACK))
    app.add_middleware(root_path.PassedOn)  # added last, so first to see a request: before the limits' routes
    return app


def lifespan(data_dir: Path, served: handoff.Served | None, watch: FolderWatch | None, repairs: Periodic | None = None):
    """While the server runs: announced to the command line (``served``), watching folders, and
    repairing what a machine that died left half written on a shared Chroma server (``repairs``)."""

    @asynccontextmanager
    async def running(app) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if served:
                await stack.enter_async_context(handoff.announced(data_dir, served)(app))
            for job in (watch, repairs):
                if job:
                    job.start()
                    stack.callback(job.stop)
            yield

    return running


class _QuietCancelledStreams(logging.Filter):
    """Drops the traceback uvicorn logs for each stream it cancels when the shutdown grace runs out
    (its own "Cancel N running task(s)" line stays)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


def serve(groundline, host: str | None = None, port: int | None = None) -> None:
    """Serve until interrupted; on SIGTERM or Ctrl-C, open requests get ``shutdown_grace_s`` to finish."""
    import uvicorn

    logging.getLogger("uvicorn.error").addFilter(_QuietCancelledStreams())

    host = host or groundline.settings.host
    port = port or groundline.settings.port
    groundline.check_embedder()
    settings = groundline.settings
    folders = FolderWatch.checked(settings.watch_dirs, settings.data_dir)
    groundline.hold_for_server()  # before the store opens: no other process writes beside it
    # An embedded store is this process's alone: other processes' writes come through it.
    served = None if settings.chroma_server else handoff.Served.fresh(host, port)
    watch = FolderWatch(groundline.ingestor, folders, told) if folders else None
    app = create_app(groundline, served, watch)
    under = f" (under {settings.root_path} behind a proxy)" if settings.root_path else ""
    print(f"Groundline is serving on http://{host}:{port}{under}", flush=True)
    uvicorn.run(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=settings.shutdown_grace_s,
        root_path=settings.root_path,  # each request's root_path: the links the API gives start with it
    )  # fmt: skip


def told(line: str) -> None:
    """What a folder watch says, on the server's console."""
    print(f"groundline: {line}", file=sys.stderr, flush=True)
