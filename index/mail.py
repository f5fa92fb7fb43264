"""Readers of e-mail: one message (``.eml``) or a mailbox of them (``.mbox``), with
Python's own ``email`` and ``mailbox`` packages.

A message reads as its headers (From, To, Cc, Date, Subject; one line each),
then its body: the plain-text part, or the HTML part's visible text where a
message has no plain one, then a line naming each attachment, followed by the
attachment's text where the reader given for attachments reads it (a PDF, a
Word file, a scan: ``index.formats`` decides which). An attached message (a
forward sent "as attachment", an attached ``.eml``) reads the same way in its
place, down to ``MOST_NESTED`` messages deep. In a mailbox each message is a page
(``index.formats.PAGE_WORDS``: "message 3, line 5"). This module reads; it
neither decides what a format is nor chunks.
"""

from __future__ import annotations

import email
import mailbox
import re
import tempfile
from collections.abc import Callable
from email import policy
from email.errors import MessageError
from email.message import EmailMessage
from pathlib import Path

from index.errors import SkippedFile
from index.formats import Extracted, counted, html_text, noted

HEADERS = ("From", "To", "Cc", "Date", "Subject")
# Reads an attachment (its file name, its bytes) into text, or returns None for one it does not read.
AttachmentReader = Callable[[str, bytes], Extracted | None]
NOTES_SHOWN = 3  # a mailbox's notes in its ingestion report; the rest are counted
# Messages attached within messages that are opened: a forward of a forward of a forward. Deeper
# ones are named only (mail can nest without end, and each level is one more parse).
MOST_NESTED = 3
# A mailbox escapes a body line that starts "From " as ">From " (and ">From " as ">>From ").
_ESCAPED_FROM = re.compile(r"^>(>*From )")


def eml_text(data: bytes, name: str, read: AttachmentReader | None = None) -> Extracted:
    """One message, as its header lines, then its body's, then its attachments'."""
    message = email.message_from_bytes(data, policy=policy.default)
    if not any(message[header] for header in HEADERS):
        raise SkippedFile(
            name, "is not an e-mail message (it has none of the headers From, To, Date, Subject); skipped"
        )
    lines, notes = message_lines(message, read)
    return Extracted("\n".join(lines), note=noted(*notes))


def mbox_text(data: bytes, name: str, read: AttachmentReader | None = None) -> Extracted:
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
    pages, notes = [], []
    subjects = [str(message["Subject"] or "") for message in messages]  # "message 3 (Fog horn), line 5"
    for number, message in enumerate(messages, start=1):
        message_text, message_notes = message_lines(message, read)
        pages.append([_ESCAPED_FROM.sub(r"\1", line) for line in message_text])
        notes += [f"message {number} {note}" for note in message_notes]
    return Extracted.paged(pages, noted(*counted(notes, NOTES_SHOWN)), names=subjects)


def message_lines(
    message: EmailMessage, read: AttachmentReader | None = None, depth: int = 0
) -> tuple[list[str], list[str]]:
    """A message's header lines, body lines and attachment lines (each attachment's name, then the
    text ``read`` gives of it, or an attached message's own lines); and notes: a part's text decoded
    with replacement characters, an attachment that could not be read. ``depth``: how many messages
    this one is attached within."""
    lines = [f"{header}: {_one_line(str(message[header]))}" for header in HEADERS if message[header]]
    notes = []
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, MessageError):
        body = None
    if body is not None:
        text, note = _part_text(body)
        notes += [note] if note else []
        lines.append("")
        lines.extend(line.rstrip() for line in text.splitlines())
    for part in message.iter_attachments():
        filename = _one_line(part.get_filename() or "")
        header = f"Attachment: {filename or part.get_content_type()}"
        attached = _attached_message(part, filename)
        if attached is not None:
            if depth >= MOST_NESTED:
                lines.append(header)
                notes.append(f"has a message attached more than {MOST_NESTED} deep that was named, not opened")
                continue
            inner, inner_notes = message_lines(attached, read, depth + 1)
            lines.extend(["", header, *inner])
            within = f"attached message {filename}: " if filename else "attached message: "
            notes += [note if note.startswith("attached message") else within + note for note in inner_notes]
            continue
        try:
            payload = part.get_payload(decode=True) if read and filename else None
            extracted = read(filename, payload) if read and payload else None
        except SkippedFile as skipped:
            notes.append(f"has an attachment that was not read: {str(skipped).removesuffix('; skipped')}")
            extracted = None
        if extracted is None:
            lines.append(header)
        else:
            lines.extend(["", header, *(line.rstrip() for line in extracted.text.splitlines())])
            notes += [f"attachment {filename}: {extracted.note}"] if extracted.note else []  # an OCR'd page, say
    return lines, notes


def _attached_message(part: EmailMessage, filename: str) -> EmailMessage | None:
    """The message a part holds: a ``message/rfc822`` part's, or an attached ``.eml`` file's where it
    has a message's headers; None for any other part."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner if isinstance(inner, EmailMessage) else None
    if not filename.lower().endswith(".eml"):
        return None
    inner = email.message_from_bytes(part.get_payload(decode=True) or b"", policy=policy.default)
    return inner if any(inner[header] for header in HEADERS) else None


def _one_line(text: str) -> str:
    """A header's text on one line, control characters and all runs of blanks made single spaces."""
    return " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text).split())


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
