"""Contacts (``.vcf``: an address book exported from a phone, Outlook or Google) as a line a card.

A vCard writes a person over many folded, escaped lines ("TEL;TYPE=CELL:+353 87 ...",
"ADR;TYPE=WORK:;;1 Quay Street;Cobh;..."), so read as text "what is the harbour master's
phone number?" would meet her number lines away from her name and title. Each card is read as
one line of labelled fields, as a table's rows are (``index.tables``): "Contact: Asa Lind;
Organization: Harbour Authority, Lights; Title: Principal keeper; Phone: +353 87 123 4567
(cell); ...". icalendar, which reads the calendars (``index.calendars``), parses the cards too.
"""

from __future__ import annotations

import re

from index.calendars import fields_line, parsed
from index.errors import SkippedFile
from index.formats import Extracted

MOST_CARDS = 200_000
ESCAPED = re.compile(r"\\([\\,;:nN])")  # RFC 6350's escapes in a text value
# What each field is called on its line, in the order written.
FIELDS = (("ORG", "Organization"), ("TITLE", "Title"), ("ROLE", "Role"), ("EMAIL", "Email"), ("TEL", "Phone"),
          ("ADR", "Address"), ("URL", "Website"), ("BDAY", "Birthday"), ("NOTE", "Note"))  # fmt: skip


def contacts_text(data: bytes, name: str) -> Extracted:
    """A ``.vcf`` file's cards, one a line (the module's docstring); a file that holds no card is
    skipped, saying so."""
    cards = [card for card in parsed(data, name, "is not a readable .vcf file") if card.name == "VCARD"]
    if len(cards) > MOST_CARDS:
        raise SkippedFile(name, f"has more than {MOST_CARDS:,} contacts; skipped")
    return Extracted("\n".join(card_line(card) for card in cards))


def card_line(card) -> str:
    """One card as a line: its name, then each field it has, a field given more than once (two
    phones) listed with the kind of each ("work", "cell") where the card says."""
    return fields_line(card, FIELDS, _shown, [("Contact", _name(card))])


def _shown(key: str, value) -> str:
    """A field's values (one, or a list of them), each with its kinds, joined."""
    values = value if isinstance(value, list) else [value]
    return ", ".join(text for text in (_typed(key, v) for v in values) if text)


def _name(card) -> str:
    """The card's formatted name, else its structured name's parts, else "(no name)"."""
    if card.get("FN") is not None:
        return _text(card["FN"]) or "(no name)"
    if (parts := getattr(card.get("N"), "fields", None)) is not None:
        shown = " ".join(p for p in (parts.prefix, parts.given, parts.additional, parts.family, parts.suffix) if p)
        return " ".join(shown.split()) or "(no name)"
    return "(no name)"


def _typed(key: str, value) -> str:
    """A field's value, and its kinds in brackets where the card gives them ("+353 ... (cell)")."""
    if key == "ADR" and (fields := getattr(value, "fields", None)) is not None:
        text = ", ".join(p for p in (fields.po_box, fields.extended, fields.street, fields.locality,
                                     fields.region, fields.postal_code, fields.country) if p)  # fmt: skip
    elif key == "ORG" and isinstance(getattr(value, "ical_value", None), tuple):
        text = ", ".join(part for part in value.ical_value if part)
    else:
        text = _text(value).removeprefix("tel:").removeprefix("mailto:")
    kinds = value.params.get("TYPE") if hasattr(value, "params") else None
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    kinds = [k.lower() for k in kinds if k.lower() not in ("internet", "pref", "x400")]
    text = " ".join(text.split())
    return f"{text} ({', '.join(kinds)})" if text and kinds else text


def _text(value) -> str:
    """A property's text on one line, its escapes undone (icalendar leaves a vCard's unknown-typed
    fields as they are written).

    >>> from icalendar.prop import vUnknown
    >>> _text(vUnknown("On call\\, weekends\\nand nights"))
    'On call, weekends and nights'
    """
    raw = value.to_ical() if hasattr(value, "to_ical") else value
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(ESCAPED.sub(lambda m: " " if m.group(1) in "nN" else m.group(1), text).split())
