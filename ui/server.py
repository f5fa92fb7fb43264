"""Serve the Gradio chat on one host and port."""

from __future__ import annotations

from ui.chat import ChatUI
from ui.viewer import CSS


def serve(app, host: str | None = None, port: int | None = None) -> None:
    """Block serving the chat for ``app`` (a ``rag.app.Groundline``)."""
    host = host or app.settings.host
    port = port or app.settings.port
    service = app.service  # load the models before the first visitor, not during their question
    demo = ChatUI(service, app.library).blocks()
    print(f"Groundline is serving on http://{host}:{port}", flush=True)
    demo.queue(default_concurrency_limit=1).launch(
        server_name=host, server_port=port, css=CSS, show_error=True, footer_links=[], quiet=True
    )
