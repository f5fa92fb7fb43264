"""Library administration in the UI: upload documents, delete documents and folders (asked to be
confirmed, with what they hold), see which files could not be read, and download a backup.

Off unless an admin token is configured (``GROUNDLINE_ADMIN_TOKEN``); every
action checks the token (with a budget of wrong guesses per address), and the
upload box opens only once it is entered (which also gets the browser the
cookie Gradio's upload route asks for).
Uploaded files are ingested with a progress bar, and those ingested are kept
under ``DATA_DIR/uploads`` by their bare file names (``index.uploads``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import gradio as gr
from fastapi import HTTPException

from index.checkup import Finding
from index.formats import counted
from index.library import Library, folders_of, under
from index.pipeline import Ingestor
from index.reports import Progress
from rag.errors import GroundlineError
from ui.limits import BACKUP_PATH, TokenCheck, client_address
from ui.uploads import SET_COOKIE_JS

SHOWN_UNREAD = 50  # of the files not read, those the page lists
SHOWN_DELETED = 50  # of the documents a deletion removed, those the page names
# Shown once the token is entered: the browser then holds the cookie the backup route takes (ui.admin_api).
# Relative, so that it is the server's under a proxy's path too; the download starts once it is written.
BACKUP_LINK = (
    f'<a href="{BACKUP_PATH[1:]}" download id="gl-backup-link">Download a backup</a> '
    "<small>(a .tar.gz of every document, its chunks, vectors and text, and the kept uploads, "
    "that <code>groundline restore</code> brings back; it starts once written)</small>"
)


class LibraryAdmin:
    """Upload and delete, for holders of the admin token."""

    def __init__(
        self,
        ingestor: Ingestor,
        library: Library,
        tokens: TokenCheck,
        findings: Callable[[], list[Finding]] | None = None,
    ) -> None:
        self.ingestor = ingestor
        self.library = library
        self.tokens = tokens  # the admin token, with a budget of wrong guesses per address
        self.findings = findings  # groundline check's (index.checkup); None: no "Check" button

    def refusal(self, token: str | None, request: gr.Request | None) -> str | None:
        """None for the admin token; else why not, for the user."""
        try:
            self.tokens.verify(token, client_address(request) if request else "local")
        except HTTPException as exc:
            return f"⚠️ {exc.detail}"
        return None

    # Gradio passes the request, and injects a live progress bar into a parameter whose default is gr.Progress().
    def upload(
        self,
        files: list[str] | None,
        token: str,
        request: gr.Request | None = None,
        progress=gr.Progress(),  # noqa: B008
    ) -> str:
        """Copy the uploaded files in and ingest them; a report for the user."""
        if refused := self.refusal(token, request):
            return refused
        if not files:
            return "Choose one or more files first."

        def report(p: Progress) -> None:
            reading = f"; reading {p.reading_note()}" if p.reading else ""
            progress(
                (p.files_done, p.files_total), desc=f"Ingesting: {p.chunks} chunks embedded{reading}", unit="files"
            )

        try:
            with ExitStack() as opened:  # Gradio's copies, under the client's bare file names
                uploads = [(Path(f).name, opened.enter_context(open(f, "rb"))) for f in files]
                result = self.ingestor.ingest_uploads(uploads, progress=report)
        except GroundlineError as exc:
            return f"⚠️ {exc}"
        return "\n".join([result.summary(), *result.problems()])

    @staticmethod
    def upload_box(status: float | None) -> tuple[gr.File, gr.HTML]:
        """The upload box, open once the browser holds the upload cookie (``status`` 204: only the
        gate checks the cookie), or why it is closed; and the backup link, shown with it open."""
        if status == 204:
            return gr.File(interactive=True, label="Upload"), gr.HTML(visible=True)
        why = "too many wrong tokens from here; wait a minute" if status == 429 else "enter the admin token first"
        return gr.File(interactive=False, label=f"Upload ({why})"), gr.HTML(visible=False)

    def unread(self, token: str, request: gr.Request | None = None) -> str:
        """The files ingestions found and could not read, one a line with why (the first ``SHOWN_UNREAD``)."""
        if refused := self.refusal(token, request):
            return refused
        try:
            files = self.library.unread()
        except GroundlineError as exc:
            return f"⚠️ {exc}"
        if not files:
            return "Every file ingestions found was read."
        lines = [f"{file.path} {file.reason} ({file.time})" for file in files[:SHOWN_UNREAD]]
        more = [f"... and {len(files) - SHOWN_UNREAD:,} more: groundline list --unread, or GET /api/unread"]
        return "\n".join(
            [f"{len(files):,} file(s) found and not read:", *lines, *(more if len(files) > SHOWN_UNREAD else [])]
        )

    def check(self, token: str, request: gr.Request | None = None) -> str:
        """``groundline check``'s findings, a line each, the failing ones first."""
        if refused := self.refusal(token, request):
            return refused
        try:
            found = self.findings() if self.findings else []
        except GroundlineError as exc:
            return f"⚠️ {exc}"
        order = {"fail": 0, "warn": 1, "ok": 2}
        return "\n".join(f"{f.level}: {f.what}: {f.said}" for f in sorted(found, key=lambda f: order[f.level]))

    def to_delete(self, chosen: list[str] | str | None, token: str, request: gr.Request | None = None) -> tuple:
        """The first of a deletion's two clicks: what the documents and folders ``chosen`` hold, asked to
        be confirmed; the status, the confirmation's row (shown where there is something to delete) and
        the names the confirmation will delete (``delete``), as chosen now."""
        if refused := self.refusal(token, request):
            return refused, gr.Row(visible=False), []
        chosen = listed(chosen)
        if not chosen:
            return "Choose the documents or folders to delete.", gr.Row(visible=False), []
        try:
            names = self.library.files()
        except GroundlineError as exc:
            return f"⚠️ {exc}", gr.Row(visible=False), []
        held = {name: under(names, name) if name.endswith("/") else [name] * (name in names) for name in chosen}
        documents = {doc for docs in held.values() for doc in docs}
        if not documents:
            return "None of those is ingested now; nothing to delete.", gr.Row(visible=False), []
        what = ", ".join(
            f"{name} ({len(docs):,} document(s))" if name.endswith("/") else name for name, docs in held.items() if docs
        )
        asked = (
            f"Delete {len(documents):,} document(s): {what}? Their chunks, text and kept uploads go, and come back "
            "only by ingesting them again. Confirm, or choose again."
        )
        return asked, gr.Row(visible=True), [name for name, docs in held.items() if docs]

    def delete(self, chosen: list[str] | str | None, token: str, request: gr.Request | None = None) -> str:
        """Delete the documents and folders ``chosen`` (the second click: ``to_delete`` asked first)."""
        if refused := self.refusal(token, request):
            return refused
        chosen = listed(chosen)
        if not chosen:
            return "Choose the documents or folders to delete."
        try:
            removed = self.ingestor.delete(chosen)
        except GroundlineError as exc:
            return f"⚠️ {exc}"
        if chosen == removed == chosen[:1]:
            return f"Deleted {removed[0]}."
        if not removed:
            return f"{chosen[0]} was not ingested." if len(chosen) == 1 else "None of those was ingested."
        return f"Deleted {len(removed):,} document(s): {', '.join(counted(removed, SHOWN_DELETED))}."

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
            names = self.library.files()
            doc = gr.Dropdown(
                choices=folders_of(names) + names, multiselect=True, label="Documents and folders to delete",
                elem_id="gl-delete-choice",
            )  # fmt: skip
            delete = gr.Button("Delete...", variant="stop", elem_id="gl-delete")
            with gr.Row(visible=False) as confirming:  # the second click, once what goes is said
                confirm = gr.Button("Confirm delete", variant="stop", size="sm", elem_id="gl-delete-confirm")
                cancel = gr.Button("Cancel", size="sm", elem_id="gl-delete-cancel")
            with gr.Row():
                unread = gr.Button("Files not read", size="sm", elem_id="gl-unread")
                check = gr.Button("Check the store", size="sm", elem_id="gl-check", visible=self.findings is not None)
            backup = gr.HTML(BACKUP_LINK, visible=False, elem_id="gl-backup")
            status = gr.Textbox(label="Status", interactive=False, elem_id="gl-admin-status", lines=3)
            session = gr.Number(visible=False)  # the status of the page's request for the upload cookie
        # The browser asks for the upload cookie (ui.uploads) once typing pauses, so a token typed
        # key by key spends no wrong guesses; the box opens if it got the cookie.
        token.change(None, token, session, js=SET_COOKIE_JS, show_progress="hidden", trigger_mode="multiple").then(
            self.upload_box, session, [files, backup], show_progress="hidden", api_visibility="private"
        )
        unread.click(self.unread, token, status, concurrency_limit=None)
        check.click(self.check, token, status, concurrency_limit=None)
        # What the confirmation deletes is what the first click named: not the list as chosen by then
        doomed = gr.State([])
        delete.click(self.to_delete, [doc, token], [status, confirming, doomed], concurrency_limit=None)
        for changed in (doc.input, cancel.click):
            changed(lambda: (gr.Row(visible=False), []), None, [confirming, doomed], show_progress="hidden")
        deleted = confirm.click(lambda: gr.Row(visible=False), None, confirming, show_progress="hidden").then(
            self.delete, [doomed, token], status
        )
        return doc, [upload.click(self.upload, [files, token], status), deleted]


def listed(chosen: list[str] | str | None) -> list[str]:
    """What a list of documents has chosen, as names: one (a single choice), several, or none.

    >>> listed("a.txt"), listed(["north/", "a.txt"]), listed(None)
    (['a.txt'], ['north/', 'a.txt'], [])
    """
    return [chosen] if isinstance(chosen, str) else list(chosen or [])
