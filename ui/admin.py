"""Library administration in the UI: upload and delete documents.

Off unless an admin token is configured (``GROUNDLINE_ADMIN_TOKEN``); every
action checks the token, and the upload box opens only once it is entered
(which also gets the browser the cookie Gradio's upload route asks for).
Uploaded files are copied under ``DATA_DIR/uploads`` by their bare file name
and ingested with a progress bar.
"""

from __future__ import annotations

import hmac
import shutil
from pathlib import Path

import gradio as gr

from index.library import Library
from index.pipeline import Ingestor, Progress
from rag.errors import GroundlineError
from ui.uploads import SET_COOKIE_JS


class LibraryAdmin:
    """Upload and delete, for holders of the admin token."""

    def __init__(self, ingestor: Ingestor, library: Library, uploads_dir: Path, admin_token: str) -> None:
        self.ingestor = ingestor
        self.library = library
        self.uploads_dir = uploads_dir
        self.admin_token = admin_token

    def allowed(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.admin_token.encode())

    # Gradio injects a live progress bar into a parameter whose default is gr.Progress().
    def upload(self, files: list[str] | None, token: str, progress=gr.Progress()) -> str:  # noqa: B008
        """Copy the uploaded files in and ingest them; a report for the user."""
        if not self.allowed(token):
            return "⚠️ Wrong or missing admin token."
        if not files:
            return "Choose one or more files first."
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        targets = []
        for upload in files:
            name = Path(upload).name  # bare name: no directories from the client
            target = self.uploads_dir / name
            shutil.copyfile(upload, target)
            targets.append(target)

        def report(p: Progress) -> None:
            progress((p.files_done, p.files_total), desc=f"Ingesting: {p.chunks} chunks embedded", unit="files")

        try:
            result = self.ingestor.ingest(targets, progress=report)
        except GroundlineError as exc:
            return f"⚠️ {exc}"
        return "\n".join([result.summary(), *result.problems()])

    def upload_box(self, token: str) -> gr.File:
        """The upload box, open only to the right token."""
        allowed = self.allowed(token)
        return gr.File(interactive=allowed, label="Upload" if allowed else "Upload (enter the admin token first)")

    def delete(self, file: str | None, token: str) -> str:
        if not self.allowed(token):
            return "⚠️ Wrong or missing admin token."
        if not file:
            return "Choose a document to delete."
        try:
            removed = self.ingestor.delete([file])
        except GroundlineError as exc:
            return f"⚠️ {exc}"
        return f"Deleted {file}." if removed else f"{file} was not ingested."

    def panel(self) -> tuple[gr.Dropdown, list]:
        """The admin accordion, inside the caller's Blocks: its document list, and the events
        after which the caller's lists of documents are out of date."""
        with gr.Accordion("Manage documents (admin)", open=False):
            token = gr.Textbox(label="Admin token", type="password", elem_id="gl-admin-token")
            files = gr.File(
                label="Upload (enter the admin token first)", file_count="multiple", type="filepath",
                elem_id="gl-upload", interactive=False,
            )  # fmt: skip
            upload = gr.Button("Ingest uploaded files", elem_id="gl-ingest")
            doc = gr.Dropdown(choices=self.library.files(), label="Document", elem_id="gl-delete-choice")
            delete = gr.Button("Delete document", variant="stop", elem_id="gl-delete")
            status = gr.Textbox(label="Status", interactive=False, elem_id="gl-admin-status", lines=3)
        # the browser gets the upload cookie (ui.uploads) first; then the box opens for the right token
        token.change(None, token, None, js=SET_COOKIE_JS, show_progress="hidden").then(
            self.upload_box, token, files, show_progress="hidden", api_visibility="private"
        )
        return doc, [upload.click(self.upload, [files, token], status), delete.click(self.delete, [doc, token], status)]
