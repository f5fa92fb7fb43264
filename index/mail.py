"""Readers of e-mail: one message (``.eml``) or a mailbox of them (``.mbox``), with
Python's own ``email`` and ``mailbox`` packages, and an Outlook message (``.msg``), read
by python-oxmsg into the same ``EmailMessage`` so that all three read alike.

A message reads as its headers (From, To, Cc, Date, Subject; one line each),
then its body: the plain-text part, or the HTML part's visible text where a
message has no plain one, and a meeting invitation sent with it (a ``text/calendar``
part: its event's time and place), then a line naming each attachment, followed by the
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
import struct
import tempfile
from collections.abc import Callable
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from index import progress
from index.errors import SkippedFile
from index.formats import Extracted, check_ole, counted, decode_html, decode_text, html_text, noted

HEADERS = ("From", "To", "Cc", "Date", "Subject")
# Reads an attachment (its file name, its bytes) into text, or returns None for one it does not read.
AttachmentReader = Callable[[str, bytes], Extracted | None]
NOTES_SHOWN = 3  # a mailbox's notes in its ingestion report; the rest are counted
# Messages attached within messages that are opened: a forward of a forward of a forward. Deeper
# ones are named only (mail can nest without end, and each level is one more parse).
MOST_NESTED = 3
# What a meeting invitation sent as part of a message's body is read as (``index.calendars``, by name).
INVITATION = "invitation.ics"
# A mailbox escapes a body line that starts "From " as ">From " (and ">From " as ">>From ").
_ESCAPED_FROM = re.compile(r"^>(>*From )")
# MAPI's recipient types (PidTagRecipientType) and attachment methods (PidTagAttachMethod) in a .msg
_RECIPIENT_TYPE, _TO, _CC = 0x0C15, 1, 2
_ATTACH_METHOD, _EMBEDDED_MESSAGE = 0x3705, 5


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
        pages, notes, subjects = [], [], []  # subjects name the pages: "message 3 (Fog horn), line 5"
        try:
            keys = box.keys()  # where each message starts (a quick scan): each is parsed as it is read
            for number, key in enumerate(keys, start=1):
                with progress.part("message", number, len(keys)):  # an exported mailbox holds thousands
                    message = box[key]
                    message_text, message_notes = message_lines(message, read)
                subjects.append(str(message["Subject"] or ""))
                pages.append([_ESCAPED_FROM.sub(r"\1", line) for line in message_text])
                notes += [f"message {number} {note}" for note in message_notes]
        finally:
            box.close()
    return Extracted.paged(pages, noted(*counted(notes, NOTES_SHOWN)), names=subjects)


def msg_text(data: bytes, name: str, read: AttachmentReader | None = None) -> Extracted:
    """An Outlook message (``.msg``), as an ``.eml`` reads: its header lines, body and attachments."""
    message, unopened = outlook_message(data, name)
    lines, notes = message_lines(message, read)
    return Extracted("\n".join(lines), note=noted(*notes, *unopened))


def outlook_message(data: bytes, name: str) -> tuple[EmailMessage, list[str]]:
    """An Outlook message (python-oxmsg reads it) as an ``EmailMessage``: From, To, Cc, Date and
    Subject; the plain-text body, else the HTML one; each attachment with its name and bytes, which
    ``message_lines`` reads as an ``.eml``'s. And a note for each item dragged into the message,
    which Outlook stores as a message inside it that python-oxmsg does not open: named only."""
    from oxmsg import Message
    from oxmsg.domain.model import UnrecognizedCodePageError

    check_ole(data, name, "an Outlook message")
    try:
        outlook = Message.load(data)
        addressed = {_TO: [], _CC: []}
        for recipient in outlook.recipients:
            kind = recipient.properties.int_prop_value(_RECIPIENT_TYPE)
            addressed.get(kind, []).append(_person(recipient.name, recipient.email_address))
        message = EmailMessage(policy=policy.default)
        sent, sender = outlook.sent_date, outlook.sender or ""
        name, address = parseaddr(sender)
        for header, value in (
            ("From", _person(name, address) if address else sender),
            ("To", ", ".join(addressed[_TO])),
            ("Cc", ", ".join(addressed[_CC])),
            ("Date", format_datetime(sent) if isinstance(sent, datetime) else None),  # a damaged one: a number
            ("Subject", outlook.subject),
        ):
            if value and (value := _one_line(value)):
                message[header] = value
        body, html = outlook.body, None if outlook.body else outlook.html_body
        if body or html:
            message.set_content(body or html, subtype="plain" if body else "html")
        unopened = []
        for attachment in outlook.attachments:  # by their names: the reader goes by a file's name, not its type
            filename = _one_line(attachment.file_name or "")
            if attachment.properties.int_prop_value(_ATTACH_METHOD) == _EMBEDDED_MESSAGE:
                filename = filename or "Outlook item"
                unopened.append(f"has an Outlook item attached ({filename}) that was named, not opened")
                payload = b""
            else:
                payload = attachment.file_bytes or b""  # none where it is attached by reference (a link)
            message.add_attachment(payload, maintype="application", subtype="octet-stream", filename=filename or None)
        if not message.is_multipart() and not (body or html):
            message.set_content("")  # an empty message's body is empty, not missing
    except (
        OSError,  # olefile's errors on a damaged container among them
        ValueError,
        KeyError,
        IndexError,
        LookupError,
        OverflowError,
        AssertionError,
        struct.error,
        UnrecognizedCodePageError,
    ) as exc:
        raise SkippedFile(name, f"is not a readable .msg file ({exc.__class__.__name__}); skipped") from exc
    return message, unopened


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
    for invitation in _invitations(message) if read else ():
        try:
            payload = invitation.get_payload(decode=True)
            extracted = read(INVITATION, payload) if payload else None
        except SkippedFile as skipped:
            notes.append(f"has an invitation that was not read: {str(skipped).removesuffix('; skipped')}")
            extracted = None
        if extracted is not None:
            lines.extend(["", "Invitation:", *(line.rstrip() for line in extracted.text.splitlines())])
    attachments = list(message.iter_attachments())
    for number, attachment in enumerate(attachments, start=1):
        filename = _one_line(attachment.get_filename() or "")
        with progress.part("attachment", number, len(attachments), filename):  # a scan's pages are read by OCR
            attached_lines, attached_notes = _attachment_lines(attachment, filename, read, depth)
        lines += attached_lines
        notes += attached_notes
    return lines, notes


def _attachment_lines(
    attachment: EmailMessage, filename: str, read: AttachmentReader | None, depth: int
) -> tuple[list[str], list[str]]:
    """One attachment's lines in its message (``message_lines``): its name, then the text ``read``
    gives of it, or an attached message's own lines; and notes."""
    header = f"Attachment: {filename or attachment.get_content_type()}"
    attached = _attached_message(attachment, filename)
    if attached is not None:
        if depth >= MOST_NESTED:
            return [header], [f"has a message attached more than {MOST_NESTED} deep that was named, not opened"]
        inner, inner_notes = message_lines(attached, read, depth + 1)
        within = f"attached message {filename}: " if filename else "attached message: "
        return ["", header, *inner], [n if n.startswith("attached message") else within + n for n in inner_notes]
    try:
        payload = attachment.get_payload(decode=True) if read and filename else None
        extracted = read(filename, payload) if read and payload else None
    except SkippedFile as skipped:
        return [header], [f"has an attachment that was not read: {str(skipped).removesuffix('; skipped')}"]
    if extracted is None:
        return [header], []
    noted_here = [f"attachment {filename}: {extracted.note}"] if extracted.note else []  # an OCR'd page, say
    return ["", header, *(line.rstrip() for line in extracted.text.splitlines())], noted_here


def _invitations(part: EmailMessage) -> list[EmailMessage]:
    """A message's meeting invitations that are part of its body rather than attached files: the
    ``text/calendar`` alternative Outlook and others send beside the text, which holds the meeting's
    time and place (a named ``.ics`` is an attachment, read as one); not those of attached messages,
    which are read in their place."""
    if part.is_multipart():
        return [
            found
            for inner in part.get_payload()
            if isinstance(inner, EmailMessage) and inner.get_content_type() != "message/rfc822"
            for found in _invitations(inner)
        ]
    return [part] if part.get_content_type() == "text/calendar" and not part.get_filename() else []


def _attached_message(part: EmailMessage, filename: str) -> EmailMessage | None:
    """The message a part holds: a ``message/rfc822`` part's, an attached ``.eml`` file's where it
    has a message's headers, or an attached Outlook ``.msg`` file's; None for any other part."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner if isinstance(inner, EmailMessage) else None
    if filename.lower().endswith(".msg"):
        try:
            return outlook_message(part.get_payload(decode=True) or b"", filename)[0]
        except SkippedFile:
            return None  # named, as any attachment no reader opens
    if not filename.lower().endswith(".eml"):
        return None
    inner = email.message_from_bytes(part.get_payload(decode=True) or b"", policy=policy.default)
    return inner if any(inner[header] for header in HEADERS) else None


def _person(name: str, address: str) -> str:
    """Someone as a header names them: ``"Name" <address>``, or the address alone where there is no
    other name (Outlook often gives the address as the name).

    >>> _person("Maren Holt", "maren@example.org"), _person("asa@example.org", "asa@example.org")
    ('"Maren Holt" <maren@example.org>', 'asa@example.org')
    """
    name, address = _one_line(name).replace('"', "'"), _one_line(address)
    return f'"{name}" <{address}>' if name and address and name != address else address or name


def _one_line(text: str) -> str:
    """A header's text on one line, control characters and all runs of blanks made single spaces."""
    return " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text).split())


def _part_text(part: EmailMessage) -> tuple[str, str | None]:
    """A text part's text (an HTML part's visible text), decoded by its declared charset; a part that
    declares none, or one its bytes are not in (an older mail program's Windows-1251 sent as
    "us-ascii"), read as a text file is (``decode_text``: the encoding its letters are in), and said.

    >>> part = EmailMessage()
    >>> part.set_payload("Привет из Москвы, погода сегодня хорошая.".encode("cp1251"))
    >>> part["Content-Type"] = "text/plain"
    >>> _part_text(part)[0], _part_text(part)[1][:62]
    ('Привет из Москвы, погода сегодня хорошая.', 'had a part that was not UTF-8: read as Windows-1251 (Cyrillic)')
    """
    payload, declared = part.get_payload(decode=True) or b"", part.get_content_charset()
    html = part.get_content_type() == "text/html"
    try:
        if html:  # its meta tag may say what the header does not
            text, note = decode_html(payload, "", declared)
        else:
            try:
                return payload.decode(declared or "utf-8"), None
            except (LookupError, UnicodeError):  # none declared, an unknown or lying charset
                text, note = decode_text(payload, "")
    except SkippedFile:  # NUL bytes
        text, note = payload.decode("utf-8", errors="replace"), "was not valid text"
    return (html_text(text) if html else text), note and f"had a part that {note}"
