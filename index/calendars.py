"""Calendars (``.ics``): a meeting invite, an exported team calendar, as a line an event.

An iCalendar file folds its lines at 75 octets, escapes commas and line breaks, and writes
times as "20240701T090000" beside their time zone's name: read as text, "when is the lighthouse
inspection?" would meet "DTSTART;TZID=Europe/Dublin:20240701T090000" several lines from its
summary. Each event (and each task, ``VTODO``) is read as one line of labelled fields, as a
table's rows are (``index.tables``): "Event: Lighthouse inspection; Starts: 2024-07-01 09:00
(Europe/Dublin); Ends: 2024-07-01 10:00 (Europe/Dublin); Where: Kestrel Bay; ...", in the file's
order. icalendar parses the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from index.errors import SkippedFile
from index.formats import Extracted
from index.tables import labelled

MOST_EVENTS = 200_000  # a busy calendar over years has thousands
KINDS = {"VEVENT": "Event", "VTODO": "Task", "VJOURNAL": "Journal entry"}
# What each field is called on its line, in the order written, after the title (labelled by the kind).
FIELDS = (("DTSTART", "Starts"), ("DTEND", "Ends"), ("DUE", "Due"), ("LOCATION", "Where"),
          ("ORGANIZER", "Organizer"), ("ATTENDEE", "Attendees"), ("RRULE", "Repeats"), ("STATUS", "Status"),
          ("DESCRIPTION", "Details"), ("URL", "Link"))  # fmt: skip


def calendar_text(data: bytes, name: str) -> Extracted:
    """An ``.ics`` file's events and tasks, one a line (the module's docstring); a file that is not
    a calendar is skipped, saying so."""
    lines = []
    for calendar in parsed(data, name, "is not a readable .ics calendar"):
        for component in calendar.walk():
            if component.name in KINDS:
                if len(lines) >= MOST_EVENTS:
                    raise SkippedFile(name, f"has more than {MOST_EVENTS:,} events; skipped")
                lines.append(event_line(component))
    return Extracted("\n".join(lines))


def parsed(data: bytes, name: str, unreadable: str) -> list:
    """The components (a calendar, a contact card) of an iCalendar or vCard file, as icalendar parses
    them; a file it cannot parse is skipped, ``unreadable`` saying what it is not (with the parser's
    error class, not its message, which quotes the file's bytes)."""
    from icalendar import Component

    try:
        return Component.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise SkippedFile(name, f"{unreadable} ({exc.__class__.__name__}); skipped") from exc


def fields_line(component, fields, shown: Callable[[str, object], str], head: list[tuple[str, str]]) -> str:
    """A component as one line of labelled fields (``index.tables.labelled``): ``head``'s (label,
    text) pairs, then each of ``fields`` (key, label) it has, as ``shown(key, value)`` writes it; a
    field it lacks, or that shows nothing, left out."""
    header, cells = [label for label, _ in head], [text for _, text in head]
    for key, label in fields:
        value = component.get(key)
        if value is not None and (text := shown(key, value)):
            header.append(label)
            cells.append(text)
    return labelled(header, cells)


def event_line(component) -> str:
    """One event or task as a line of labelled fields, its title first; a field it lacks left out."""
    kind = KINDS[component.name]
    if "SUMMARY" not in component:
        head = [(kind, "(no title)")]
    else:
        head = [(kind, title)] if (title := _shown("SUMMARY", component["SUMMARY"])) else []
    return fields_line(component, FIELDS, _shown, head)


def _shown(key: str, value) -> str:
    values = value if isinstance(value, list) else [value]
    if key in ("DTSTART", "DTEND", "DUE"):
        return _when(values[0])
    if key in ("ORGANIZER", "ATTENDEE"):
        return ", ".join(filter(None, (_person(v) for v in values)))
    if key == "RRULE":
        return values[0].to_ical().decode()
    if key == "STATUS":
        return str(values[0]).lower()
    return " ".join(" ".join(str(v).split()) for v in values)


def _when(prop) -> str:
    """A start, end or due time as a reader writes it: a date, or a date and time with its zone."""
    moment = prop.dt
    if isinstance(moment, datetime):
        zone = prop.params.get("TZID") or (moment.tzname() if moment.tzinfo else None)
        return moment.strftime("%Y-%m-%d %H:%M") + (f" ({zone})" if zone else "")
    if isinstance(moment, date):
        return moment.isoformat()
    return str(moment)


def _person(address) -> str:
    """An organizer or attendee: the name the invite gives, else the address without "mailto:"."""
    shown = " ".join(str(address.params.get("CN", "")).split()) if hasattr(address, "params") else ""
    return shown or str(address).removeprefix("mailto:").removeprefix("MAILTO:")
