"""Outlook messages (.msg): real files written by msgforge, read as an .eml reads."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from index.errors import SkippedFile
from index.formats import extract
from tests.index.test_formats import make_message

SENT = datetime(2024, 9, 3, 9, 15)


def outlook(subject: str, body: str, attach: dict[str, bytes] | None = None, **people) -> bytes:
    """A sent Outlook message's bytes, as Outlook would save one (msgforge writes MS-OXMSG)."""
    from msgforge import Message

    message = Message(subject=subject, text_body=body, sent=SENT, **people)
    for filename, data in (attach or {}).items():
        message.attach_bytes(filename, data)
    return message.as_bytes()


def test_an_outlook_message_reads_as_an_email_its_attachments_and_attached_messages_in_their_place() -> None:
    forwarded = outlook(
        "Fog horn", "Tested on Friday.", {"hours.txt": b"1450 h\n"}, sender=("asa@example.org", "Åsa Berg")
    )
    data = outlook(
        "Skerry light: lamp replaced — über alles",
        "The lamp was replaced on Monday.\r\nIt burns 1450 hours a year.",
        {
            "lights.csv": b"Light,County,Built\nSkerry Point,Cork,1851\n",
            "logo.bin": b"\x00\x01 not a document: named only",
            "fwd.msg": forwarded,
        },
        sender=("maren@example.org", "Maren Holt"),
        to=[("harbour@example.org", "Harbour Office"), "port@example.org"],
        cc=[("asa@example.org", "Åsa Berg")],
    )
    got = extract("lamp.msg", data)
    assert got.text.splitlines() == [
        "From: Maren Holt <maren@example.org>",
        "To: Harbour Office <harbour@example.org>, port@example.org",
        "Cc: Åsa Berg <asa@example.org>",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Skerry light: lamp replaced — über alles",
        "",
        "The lamp was replaced on Monday.",
        "It burns 1450 hours a year.",
        "",
        "Attachment: lights.csv",
        "Light | County | Built",
        "Light: Skerry Point; County: Cork; Built: 1851",  # an attached table reads as a file of it does
        "Attachment: logo.bin",
        "",
        "Attachment: fwd.msg",  # an attached Outlook message, opened in its place
        "From: Åsa Berg <asa@example.org>",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Fog horn",
        "",
        "Tested on Friday.",
        "",
        "Attachment: hours.txt",  # with its own attachments
        "1450 h",
    ]
    assert got.page_starts == () and got.note is None


def test_an_outlook_message_attached_to_an_email_is_opened_in_its_place() -> None:
    report = outlook("Fog horn", "Tested on Friday.", sender="asa@example.org")
    message = make_message("maren@example.org", "Fwd", "See attached.\n", attach={"report.msg": report})
    assert extract("fwd.eml", message.as_bytes()).text.splitlines()[-6:] == [
        "Attachment: report.msg",
        "From: asa@example.org",
        "Date: Tue, 03 Sep 2024 09:15:00 +0000",
        "Subject: Fog horn",
        "",
        "Tested on Friday.",
    ]


def test_what_is_not_an_outlook_message_or_holds_no_text_is_skipped_with_the_reason() -> None:
    import xlwt

    with pytest.raises(SkippedFile, match=r"notes.msg is not an Outlook message \(it is not an OLE compound file\)"):
        extract("notes.msg", b"Subject: hi\n\nsome notes\n")
    book = xlwt.Workbook()
    book.add_sheet("Lights").write(0, 0, "Skerry")
    sheet = io.BytesIO()
    book.save(sheet)  # an OLE compound file too, but a workbook's
    with pytest.raises(SkippedFile, match=r"book.msg is not a readable .msg file \(KeyError\)"):
        extract("book.msg", sheet.getvalue())
    with pytest.raises(SkippedFile, match="cut.msg is not a readable .msg file"):
        extract("cut.msg", outlook("Fog horn", "Tested.")[:1536])
    from msgforge import Message

    with pytest.raises(SkippedFile, match="empty.msg has no text"):  # a draft with nothing in it
        extract("empty.msg", Message(subject="").as_bytes())
    broken = outlook("Fog horn", "Tested.", {"broken.docx": b"PK not a zip"})
    got = extract("broken.msg", broken)
    assert got.text.splitlines()[-1] == "Attachment: broken.docx"
    assert got.note == "has an attachment that was not read: broken.docx is not a readable .docx file (BadZipFile)"


@dataclass
class FakeProperties:
    ints: dict[int, int] = field(default_factory=dict)

    def int_prop_value(self, pid: int) -> int | None:
        return self.ints.get(pid)


@dataclass
class FakeAttachment:
    file_name: str | None
    file_bytes: bytes | None
    properties: FakeProperties


@dataclass
class FakeOutlook:
    """What python-oxmsg gives of a message that msgforge cannot write: one whose body is HTML alone,
    with an item dragged into it (stored as a message inside it) and a file attached by reference."""

    sender: str = "maren@example.org"
    subject: str = "Cranes"
    sent_date: datetime | None = None
    recipients: tuple = ()
    body: str | None = None
    html_body: str | None = "<p>Cranes were <i>idle</i>.</p><script>alert(1)</script>"
    attachments: tuple = (
        FakeAttachment(None, None, FakeProperties({0x3705: 5})),  # an embedded message
        FakeAttachment("plan.pdf", None, FakeProperties({0x3705: 2})),  # by reference: a path, no bytes
    )


def test_an_html_body_reads_as_its_visible_text_and_an_embedded_item_is_named_and_noted(monkeypatch) -> None:
    import oxmsg

    monkeypatch.setattr(oxmsg.Message, "load", classmethod(lambda cls, data: FakeOutlook()))
    got = extract("cranes.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a compound file")
    assert got.text.splitlines() == [
        "From: maren@example.org",
        "Subject: Cranes",
        "",
        "Cranes were idle.",
        "Attachment: Outlook item",
        "Attachment: plan.pdf",
    ]
    assert got.note == "has an Outlook item attached (Outlook item) that was named, not opened"


def test_a_folder_of_saved_outlook_messages_is_loaded_and_a_bad_one_skipped(tmp_path) -> None:
    from index.loaders import load_paths

    (tmp_path / "lamp.msg").write_bytes(outlook("Lamp", "Replaced on Monday.", sender="maren@example.org"))
    (tmp_path / "junk.msg").write_bytes(b"\x00\x01 not a message")
    result = load_paths([tmp_path])
    assert [d.id_ for d in result.documents] == ["lamp.msg"]
    assert result.documents[0].text.splitlines()[-1] == "Replaced on Monday."
    assert [s.file for s in result.skipped] == ["junk.msg"]
