"""The command line against a server on another machine: ``--server URL``.

``groundline ingest --server URL PATH...`` reads the files here and sends
them to the server's documents API (``ui.documents_api``) with the admin
token this machine's ``GROUNDLINE_ADMIN_TOKEN`` holds. Each file is named as a
local ingestion names it (relative to the folder given, subfolders kept), and
checked here as it would be there (hidden files left out, links out of the
folder refused); the server checks the rest. Files go a few at a time, each
request one ingestion on the server, whose progress it streams back to the
bar (``ui.streamed``); a request the server finds too large is split, down to
a lone file, which is reported skipped with the server's reason. ``delete``, ``list`` and ``ask``
take the same option (``ask`` and ``list`` with ``GROUNDLINE_CHAT_TOKEN``, if
the server sets one).

This module only carries requests; the server does the work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, urljoin

import httpx

from index.errors import GroundlineError, NothingFound, SkippedFile
from index.loaders import check_name, discover, document_name, unreadable
from index.reports import IngestReport, Progress
from ui import streamed
from ui.limits import ASK_PATH, BACKUP_PATH, CHECK_PATH, DOCUMENTS_PATH, SEARCH_PATH, UNREAD_PATH

MOST_FILES = 50  # a request (the server takes at most 1,000)
MOST_BYTES = 8 * 2**20  # a request: each is one ingestion, and a failure loses at most one request's upload
# The longest silence: the server streams an upload's progress as it embeds (as it does the handoff's).
TIMEOUT = httpx.Timeout(600, connect=10)


class RemoteError(GroundlineError):
    """The server could not be reached, or refused the work."""


@dataclass(frozen=True)
class Outgoing:
    """A file to send: the name the server will know it by, where it is here, and its size."""

    name: str
    file: Path
    size: int


class Remote:
    """The documents API of the server at ``url``, called with the admin (or chat) token."""

    def __init__(
        self, url: str, admin_token: str | None, chat_token: str | None = None, http: httpx.Client | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.admin_token = admin_token
        self.chat_token = chat_token
        self.http = http or httpx.Client(base_url=self.url, timeout=TIMEOUT)

    def ingest(
        self,
        paths: list[Path],
        most_bytes: int,
        progress: Callable[[Progress], None] | None = None,
        sync: bool = False,
    ) -> IngestReport:
        """Send the files under ``paths``, at most ``MOST_FILES`` and ``most_bytes`` (or ``MOST_BYTES``,
        if less) a request, reporting the server's progress as it goes; the server's reports as one.
        With ``sync``, then delete the server's documents that were not found here (as a local sync)."""
        found = discover(paths)
        if sync and not found and (stored := self.entries()):
            raise NothingFound(paths, len(stored))
        files: list[Outgoing] = []
        skipped: list[SkippedFile] = []
        for root, file in found:
            name = document_name(root, file)
            try:
                check_name(root, file, name)
                files.append(Outgoing(name, file, file.stat().st_size))
            except SkippedFile as refused:
                skipped.append(refused)
            except OSError as exc:
                skipped.append(unreadable(name, exc))
        report, sent, shown = IngestReport(skipped=skipped), 0, 0

        def step(within: Progress) -> None:  # a request's own progress, as part of the whole
            nonlocal shown
            shown = max(shown, len(skipped) + sent + within.files_done)  # a split request starts again
            if progress:
                paging = (within.reading, within.at)
                progress(Progress(shown, len(found), report.chunks + within.chunks, *paging))

        step(Progress(0, 0, 0))
        for batch in batches(files, min(most_bytes, MOST_BYTES)):
            try:
                report = report.plus(self._send(batch, step))
            except RemoteError as exc:
                raise RemoteError(
                    f"{exc} ({sent} of {len(files)} files were sent; run it again for the rest)"
                ) from None
            sent += len(batch)
            step(Progress(0, 0, 0))
        if sync:
            here = {document_name(root, file) for root, file in found}
            report = replace(report, removed=self.delete([e["path"] for e in self.entries() if e["path"] not in here]))
        return report

    def _send(self, batch: list[Outgoing], step: Callable[[Progress], None]) -> IngestReport:
        """One request of files, its progress followed as the server streams it; split in two if
        the server finds it too large."""
        with ExitStack() as opened:
            form, sent, unread = [], [], []
            for outgoing in batch:
                try:
                    form.append(("files", (outgoing.name, opened.enter_context(outgoing.file.open("rb")))))
                    sent.append(outgoing)
                except OSError as exc:
                    unread.append(unreadable(outgoing.name, exc))
            if not form:
                return IngestReport(skipped=unread)
            headers = {**bearer(self.admin_token), "Accept": streamed.MEDIA_TYPE}
            try:
                with self.http.stream("POST", DOCUMENTS_PATH, files=form, headers=headers) as reply:
                    if reply.status_code == 413:
                        reply.read()
                        too_large = detail(reply)
                    elif not reply.is_success:
                        reply.read()
                        raise self._refused(reply)
                    else:
                        return self._followed(reply, step).plus(IngestReport(skipped=unread))
            except httpx.TransportError as exc:
                raise self._unreachable(exc) from None
        if len(sent) > 1:
            report = self._send(sent[: len(sent) // 2], step).plus(self._send(sent[len(sent) // 2 :], step))
        else:
            report = IngestReport(skipped=[SkippedFile(sent[0].name, f"was refused by the server: {too_large}")])
        return report.plus(IngestReport(skipped=unread))

    def _followed(self, reply: httpx.Response, step: Callable[[Progress], None]) -> IngestReport:
        def failed(message: str) -> RemoteError:
            return RemoteError(f"The server at {self.url} could not ingest them: {message}")

        report = streamed.followed(reply.iter_lines(), step, failed)
        if report is None:
            raise RemoteError(f"The server at {self.url} stopped before the ingestion finished")
        return report

    def delete(self, names: list[str]) -> list[str]:
        """Delete documents by name (a name ending in "/": every document in that folder); those that
        were there (a server from before 2026-12-05 names none of a folder's, and deletes only files)."""
        path, removed = DOCUMENTS_PATH + "/{}", []
        for name in names:
            reply = self._request("DELETE", path.format(quote(name)), self.admin_token).json()
            removed.extend(reply.get("removed", [name] if reply["deleted"] else []))
        return removed

    def entries(self) -> list[dict]:
        """What ``groundline list --json`` prints, as the server lists it."""
        return self._request("GET", DOCUMENTS_PATH, self.chat_token).json()

    def unread(self) -> list[dict]:
        """What ``groundline list --unread --json`` prints, as the server lists it."""
        return self._request("GET", UNREAD_PATH, self.chat_token).json()

    def ask(self, question: str, files: Sequence[str] = ()) -> dict:
        """The ``ask --json`` object the server answers with (from ``files`` alone, where given)."""
        body = {"question": question, "files": list(files)}
        return self._linked(self._request("POST", ASK_PATH, self.chat_token, json=body).json())

    def search(self, query: str, files: Sequence[str] = (), limit: int | None = None) -> dict:
        """The ``search --json`` object the server finds (in ``files`` alone, where given)."""
        body = {"query": query, "files": list(files), "limit": limit}
        return self._linked(self._request("POST", SEARCH_PATH, self.chat_token, json=body).json())

    def stream(self, question: str, files: Sequence[str] = ()) -> Iterator[str | dict]:
        """The server's answer as it comes: each piece of the model's text, then the ``ask --json``
        object (from ``files`` alone, where given)."""
        body = {"question": question, "stream": True, "files": list(files)}
        try:
            with self.http.stream("POST", ASK_PATH, json=body, headers=bearer(self.chat_token)) as reply:
                if not reply.is_success:
                    reply.read()
                    raise self._refused(reply)
                event = None
                for line in reply.iter_lines():  # server-sent events: "event: name", then "data: {...}"
                    if line.startswith("event: "):
                        event = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        data = json.loads(line.removeprefix("data: "))
                        if event == "error":
                            raise RemoteError(f"The server at {self.url} could not answer: {data['error']}")
                        yield data["text"] if event == "token" else self._linked(data)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None

    def check(self) -> list[dict]:
        """``groundline check``'s findings, as the server finds them."""
        return self._request("GET", CHECK_PATH, self.admin_token).json()

    def backup(self, dest: Path, progress: Callable[[int, int], None] | None = None) -> int:
        """Fetch the server's backup (``ui.admin_api``) into the new file ``dest`` (a ``.tar.gz``): written
        beside it under a hidden name and renamed once whole; its size. ``progress``: bytes so far, of how
        many (0 until the server has written the backup and starts sending it)."""
        from index.backup import ARCHIVES  # with Chroma: not for the other commands, which load none

        if not dest.name.endswith(ARCHIVES):
            raise RemoteError(f"A server's backup comes as a .tar.gz: name it {dest.name}.tar.gz")
        if dest.exists():
            raise RemoteError(f"{dest} already exists; give the backup a new name (nothing was written)")
        part = dest.with_name(f".{dest.name}.part")
        try:
            with self.http.stream("GET", BACKUP_PATH, headers=bearer(self.admin_token)) as reply:
                if not reply.is_success:
                    reply.read()
                    raise self._refused(reply)
                total = int(reply.headers.get("content-length", 0))
                with part.open("wb") as out:
                    for piece in reply.iter_bytes():
                        out.write(piece)
                        if progress:
                            progress(reply.num_bytes_downloaded, total)
            part.chmod(0o600)  # every document's text, and the chats' key
            part.replace(dest)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        except OSError as exc:
            raise RemoteError(f"Could not write {dest} ({exc.strerror or exc})") from exc
        finally:
            part.unlink(missing_ok=True)
        return dest.stat().st_size

    def _linked(self, answer: dict) -> dict:
        """``answer`` (or a search's hits) with each citation's ``link`` whole: resolved against this
        server's address, as a browser would (a server behind a proxy under /groundline gives
        /groundline/?file=...)."""
        for citation in [*answer.get("citations", []), *answer.get("closest", []), *answer.get("hits", [])]:
            if isinstance(citation.get("link"), str) and citation["link"].startswith("/"):
                citation["link"] = urljoin(self.url + "/", citation["link"])
        return answer

    def _request(self, method: str, path: str, token: str | None, **kw) -> httpx.Response:
        """The server's reply, or a ``RemoteError`` that says why there is none."""
        try:
            reply = self.http.request(method, path, headers=bearer(token), **kw)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        if not reply.is_success:
            raise self._refused(reply)
        return reply

    def _unreachable(self, exc: httpx.TransportError) -> RemoteError:
        return RemoteError(f"Could not reach the server at {self.url} ({exc or type(exc).__name__})")

    def _refused(self, reply: httpx.Response) -> RemoteError:
        hint = {
            401: "; set GROUNDLINE_ADMIN_TOKEN (GROUNDLINE_CHAT_TOKEN to ask or list) to the server's token",
            404: "; is it a Groundline server?",
        }.get(reply.status_code, "")
        return RemoteError(f"The server at {self.url} refused: {detail(reply)}{hint}")


def bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def detail(reply: httpx.Response) -> str:
    """The reason a Groundline server gave (``detail``, or ``error`` as /api/ask says it), or the HTTP status."""
    try:
        body = reply.json()
        said = body.get("detail") or body.get("error")
    except (ValueError, AttributeError):  # not JSON, or not an object
        said = None
    return str(said) if said else f"HTTP {reply.status_code} {reply.reason_phrase}"


def batches(files: list[Outgoing], most_bytes: int) -> Iterator[list[Outgoing]]:
    """Files in requests of at most ``MOST_FILES`` files and ``most_bytes`` (a larger file alone).

    >>> sizes = {"a": 6, "b": 3, "c": 20, "d": 1}
    >>> [[o.name for o in b] for b in batches([Outgoing(n, Path(n), s) for n, s in sizes.items()], 10)]
    [['a', 'b'], ['c'], ['d']]
    """
    batch: list[Outgoing] = []
    size = 0
    for outgoing in files:
        if batch and (len(batch) == MOST_FILES or size + outgoing.size > most_bytes):
            yield batch
            batch, size = [], 0
        batch.append(outgoing)
        size += outgoing.size
    if batch:
        yield batch
