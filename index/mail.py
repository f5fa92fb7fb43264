"""Readers of e-mail: one message (``.eml``) or a mailbox of them (``.mbox``), with
Python's own ``email`` and ``mailbox`` packages.

A message reads as its headers (From, To, Cc, Date, Subject; one line each),
then its body: the plain-text part, or the HTML part's visible text where a
message has no plain one, then a line naming each attachment (attachments are
not read). In a mailbox each message is a page (``index.formats.PAGE_WORDS``:
"message 3, line 5"). This module reads; it neither decides what a format is
nor chunks.
"""

from __future__ import annotations

import email
import mailbox
import re
import tempfile
from email import policy
from email.errors import MessageError
from email.message import EmailMessage
from pathlib import Path

from index.errors import SkippedFile
from index.formats import Extracted, html_text

HEADERS = ("From", "To", "Cc", "Date", "Subject")
# A mailbox escapes a body line that starts "From " as ">From " (and ">From " as ">>From ").
_ESCAPED_FROM = re.compile(r"^>(>*From )")


def eml_text(data: bytes, name: str) -> Extracted:
    """One message, as its header lines, then its body's."""
    message = email.message_from_bytes(data, policy=policy.default)
    if not any(message[header] for header in HEADERS):
        raise SkippedFile(
            name, "is not an e-mail message (it has none of the headers From, To, Date, Subject); skipped"
        )
    lines, note = message_lines(message)
    return Extracted("\n".join(lines), note=note)


def mbox_text(data: bytes, name: str) -> Extracted:
    """A mailbox's messages, in the order stored, each a page of ``message_lines``."""
    if not data.startswith(b"From "):
        raise SkippedFile(name, 'is not an mbox mailbox (it does not start with a "From " line); skipped')
    with tempfile.TemporaryDirectory() as folder:  # mailbox reads files only
        path = Path(folder) / "mailbox"
        path.write_bytes(data)
        box = mailbox.mbox(
            path, factory=lambda f: email.message_from_binary_file(f, policy=policy.default), create=False
        )
        try:
            messages = list(box)
        finally:
            box.close()
    pages, notes = [], 0
    for message in messages:
        message_text, note = message_lines(message)
        pages.append([_ESCAPED_FROM.sub(r"\1", line) for line in message_text])
        notes += note is not None
    note = f"{notes} of its {len(messages)} messages had parts that were not valid text" if notes else None
    return Extracted.paged(pages, note)


def message_lines(message: EmailMessage) -> tuple[list[str], str | None]:
    """A message's header lines, body lines and attachment lines; and a note if a part's text had to
    be decoded with replacement characters."""
    lines = [f"{header}: {' '.join(str(message[header]).split())}" for header in HEADERS if message[header]]
    note = None
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, MessageError):
        body = None
    if body is not None:
        text, note = _part_text(body)
        lines.append("")
        lines.extend(line.rstrip() for line in text.splitlines())
    for part in message.iter_attachments():
        lines.append(f"Attachment: {part.get_filename() or part.get_content_type()}")
    return lines, note


def _part_text(part: EmailMessage) -> tuple[str, str | None]:
    """A text part's text (an HTML part's visible text), decoded by its declared charset."""
    try:
        text, note = part.get_content(), None
    except (LookupError, UnicodeError, ValueError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        text, note = payload.decode("utf-8", errors="replace"), "had a part that was not valid text"
    if not isinstance(text, str):
        return "", note
    return (html_text(text) if part.get_content_type() == "text/html" else text), note
