"""Contacts, a card a line (``index.contacts``)."""

from __future__ import annotations

import pytest

from index.errors import SkippedFile
from index.formats import extract

CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Asa Lind\r\nN:Lind;Asa;;;\r\nORG:Harbour Authority;Lights\r\n"
    "TITLE:Principal keeper\r\nEMAIL;TYPE=INTERNET,WORK:asa@example.org\r\nTEL;TYPE=CELL:+353 87 123 4567\r\n"
    "TEL;TYPE=WORK,VOICE:+353 21 765 4321\r\nADR;TYPE=WORK:;;1 Quay Street;Cobh;Cork;P24 X9;Ireland\r\n"
    "NOTE:Keeps the Kestrel Bay light\\, on call at week\r\n ends.\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Berg;Ola;;Dr.;\r\nTEL;VALUE=uri:tel:+353-1-555-0100\r\nEND:VCARD\r\n"
)


def test_each_contact_card_is_a_line_of_labelled_fields() -> None:
    # A .vcf was refused as an unsupported type; read as text, a number lay lines away from its
    # owner's name, folded and escaped.
    assert extract("keepers.vcf", CARDS.encode()).text.splitlines() == [
        "Contact: Asa Lind; Organization: Harbour Authority, Lights; Title: Principal keeper; "
        "Email: asa@example.org (work); Phone: +353 87 123 4567 (cell), +353 21 765 4321 (work, voice); "
        "Address: 1 Quay Street, Cobh, Cork, P24 X9, Ireland (work); "
        "Note: Keeps the Kestrel Bay light, on call at weekends.",
        "Contact: Dr. Ola Berg; Phone: +353-1-555-0100",  # no FN: the structured name's parts
    ]


@pytest.mark.parametrize("data", [b"Just some notes.\n", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"])
def test_a_file_that_holds_no_card_is_skipped_saying_so(data: bytes) -> None:
    with pytest.raises(SkippedFile, match="notes.vcf (is not a readable .vcf file|has no text)"):
        extract("notes.vcf", data)
