"""Calendars, an event a line (``index.calendars``)."""

from __future__ import annotations

import pytest

from index.errors import SkippedFile
from index.formats import extract

INVITE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Harbour//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1@harbour\r\nDTSTAMP:20240601T080000Z\r\n"
    "SUMMARY:Lighthouse inspection\\, Kestrel Bay\r\n"
    "DTSTART;TZID=Europe/Dublin:20240701T090000\r\nDTEND;TZID=Europe/Dublin:20240701T103000\r\n"
    "LOCATION:Kestrel Bay light\r\n"
    "ORGANIZER;CN=Asa Lind:mailto:asa@example.org\r\n"
    "ATTENDEE;CN=Ola Berg:mailto:ola@example.org\r\nATTENDEE:mailto:keeper@example.org\r\n"
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=1\r\n"
    "DESCRIPTION:Bring the lens cloth.\\nCheck the fog horn too; it was slow in \r\n"
    " May.\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2@harbour\r\nDTSTAMP:20240601T080000Z\r\nSUMMARY:Harbour day\r\n"
    "DTSTART;VALUE=DATE:20240815\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
    "BEGIN:VTODO\r\nUID:3@harbour\r\nDTSTAMP:20240601T080000Z\r\nSUMMARY:Order paint\r\n"
    "DUE:20240620T170000Z\r\nEND:VTODO\r\n"
    "END:VCALENDAR\r\n"
)


def test_each_event_and_task_is_a_line_of_labelled_fields() -> None:
    # An .ics was refused as an unsupported type; read as text, its summary, times and place lay on
    # folded lines of "DTSTART;TZID=Europe/Dublin:20240701T090000".
    assert extract("harbour.ics", INVITE.encode()).text.splitlines() == [
        "Event: Lighthouse inspection, Kestrel Bay; Starts: 2024-07-01 09:00 (Europe/Dublin); "
        "Ends: 2024-07-01 10:30 (Europe/Dublin); Where: Kestrel Bay light; Organizer: Asa Lind; "
        "Attendees: Ola Berg, keeper@example.org; Repeats: FREQ=MONTHLY;BYMONTHDAY=1; "
        "Details: Bring the lens cloth. Check the fog horn too; it was slow in May.",
        "Event: Harbour day; Starts: 2024-08-15; Status: cancelled",
        "Task: Order paint; Due: 2024-06-20 17:00 (UTC)",
    ]


@pytest.mark.parametrize("data", [b"Just some notes.\n", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"])
def test_a_file_that_is_no_calendar_is_skipped_saying_so(data: bytes) -> None:
    with pytest.raises(SkippedFile, match="notes.ics (is not a readable .ics calendar|has no text)"):
        extract("notes.ics", data)


def test_a_meeting_invitation_sent_with_a_message_is_read_after_its_body() -> None:
    # Outlook sends an invitation's time and place as a text/calendar part beside the text body, not
    # as a file: the message read as its description alone.
    from email.message import EmailMessage

    invitation = EmailMessage()
    invitation["From"], invitation["Subject"] = "asa@example.org", "Lighthouse inspection"
    invitation.set_content("Please bring the lens cloth.\n")
    invitation.add_alternative(INVITE.encode(), maintype="text", subtype="calendar")
    forward = EmailMessage()
    forward["From"], forward["Subject"] = "ola@example.org", "Fwd: Lighthouse inspection"
    forward.set_content("See below.\n")
    forward.add_attachment(invitation)  # an attached message: its invitation read in its place, once
    lines = extract("invite.eml", invitation.as_bytes()).text.splitlines()
    assert lines[2:6] == ["", "Please bring the lens cloth.", "", "Invitation:"]
    assert lines[6].startswith("Event: Lighthouse inspection, Kestrel Bay; Starts: 2024-07-01 09:00 (Europe/Dublin)")
    assert lines[7:] == [
        "Event: Harbour day; Starts: 2024-08-15; Status: cancelled",
        "Task: Order paint; Due: 2024-06-20 17:00 (UTC)",
    ]
    forwarded = extract("forward.eml", forward.as_bytes()).text.splitlines()
    assert sum(line == "Invitation:" for line in forwarded) == 1
