"""Web pages and files to ingest by their addresses: ``groundline ingest https://host/path``.

Each address is fetched (httpx: redirects followed, at most ``MOST_REDIRECTS``; within a time limit;
at most the ingestion's size limit a file, counted as it arrives, so a server that sends more is cut
off) into a folder laid out by address, ``host/path``, which is then ingested as any folder is: the
document is named ``example.org/news/harbour.html`` and cited by it, and fetching it again later
finds it unchanged, or replaces it. A name lacking a suffix Groundline reads takes the one of the type
the server says it sent (``text/html``: ``.html``), so a page at ``/news/harbour`` is read as HTML; a
query string is kept in the name as a short digest (``search-04311ea9.html``), so two queries of one
page are two documents. What cannot be fetched (no answer, an error status, a type no reader reads,
too large) is skipped with the reason, as an unreadable file is.

Only the command line fetches: the server's HTTP API takes files, not addresses, so no request can make
the server reach into its own network.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from index.errors import SkippedFile
from index.formats import SUFFIXES
from index.uploads import upload_name

ADDRESS = re.compile(r"^https?://", re.IGNORECASE)
MOST_REDIRECTS = 5
TIMEOUT_S = 30.0
# What a server says it sent, as the suffix the reader of that type goes by.
TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".xhtml",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "text/calendar": ".ics",
    "text/vcard": ".vcf",
    "text/vtt": ".vtt",
    "application/pdf": ".pdf",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/epub+zip": ".epub",
    "message/rfc822": ".eml",
    "multipart/related": ".mht",
    "application/zip": ".zip",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tiff",
    "image/webp": ".webp",
}


def is_address(target: str) -> bool:
    """Whether a command-line target is a web address rather than a path.

    >>> is_address("https://example.org/a.pdf"), is_address("HTTP://example.org"), is_address("reports/")
    (True, True, False)
    """
    return bool(ADDRESS.match(target))


def document_path(url: str, content_type: str = "") -> str:
    """The name (a path, ``host/path``) the document fetched from ``url`` is kept and cited by; its
    suffix the one of ``content_type`` where the address's own is not one Groundline reads.

    >>> document_path("https://example.org/news/harbour", "text/html; charset=utf-8")
    'example.org/news/harbour.html'
    >>> document_path("https://example.org/"), document_path("https://example.org/r/q3.pdf", "application/octet-stream")
    ('example.org/index.html', 'example.org/r/q3.pdf')
    >>> document_path("https://example.org:8443/search?q=light", "text/html")
    'example.org_8443/search-04311ea9.html'
    >>> document_path("https://example.org/a/../../etc/.secret", "text/plain")
    'example.org/etc/secret.txt'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "unknown").lower() + (f"_{parts.port}" if parts.port else "")
    segments = [s.lstrip(".") for s in posixpath.normpath("/" + unquote(parts.path)).split("/") if s.strip(".")]
    path = "/".join(segment.replace("\\", "_") for segment in segments) or "index.html"
    stem, suffix = posixpath.splitext(path)
    if suffix.lower() not in SUFFIXES:
        stem, suffix = path, TYPES.get(content_type.split(";")[0].strip().lower(), suffix or ".html")
    if parts.query:
        stem += "-" + hashlib.sha256(parts.query.encode()).hexdigest()[:8]
    return f"{host}/{stem}{suffix}"


def fetch(
    urls: list[str], folder: Path, max_bytes: int, said: Callable[[str], None] = lambda _: None, http=None
) -> list[SkippedFile]:
    """Fetch each address into ``folder`` at its ``document_path``; what could not be fetched, and why
    (``said`` hears each address as it is fetched). ``http``: an ``httpx.Client`` (tests pass one)."""
    import httpx

    client = http or httpx.Client(follow_redirects=True, max_redirects=MOST_REDIRECTS, timeout=TIMEOUT_S)
    skipped = []
    try:
        for url in urls:
            said(url)
            try:
                _fetch_one(client, url, folder, max_bytes)
            except SkippedFile as refused:
                skipped.append(refused)
            except httpx.HTTPError as exc:
                skipped.append(SkippedFile(url, f"could not be fetched ({exc.__class__.__name__}: {exc}); skipped"))
            except OSError as exc:  # a name too long for the file system, a full disk
                skipped.append(SkippedFile(url, f"could not be kept to read ({exc.strerror}); skipped"))
    finally:
        if http is None:  # this one's own
            client.close()
    return skipped


def _fetch_one(client, url: str, folder: Path, max_bytes: int) -> None:
    with client.stream("GET", url) as reply:
        if reply.status_code != 200:
            raise SkippedFile(url, f"answered HTTP {reply.status_code} {reply.reason_phrase}; skipped")
        kind = reply.headers.get("content-type", "")
        try:
            name = upload_name(document_path(str(reply.url), kind))  # where it was found, after redirects
        except SkippedFile as refused:  # told by the address, not the name made of it
            raise SkippedFile(url, refused.reason) from None
        if posixpath.splitext(name)[1].lower() not in SUFFIXES:
            raise SkippedFile(url, f"is {kind or 'of no type the server names'}, which no reader here reads; skipped")
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        with target.open("wb") as out:
            for piece in reply.iter_bytes():
                size += len(piece)
                if size > max_bytes:
                    out.close()
                    target.unlink()
                    raise SkippedFile(url, f"is larger than {max_bytes / 2**20:g} MB (GROUNDLINE_MAX_FILE_MB); skipped")
                out.write(piece)
