"""A PDF form's filled-in fields, as lines of the page they are on.

A filled form (an application, a claim, a contract with its blanks filled) shows its answers in
widgets drawn over the page, not in the page's text, so pypdf, pdfplumber and pdfium all read
"Name of applicant:" and leave out "Asa Lind". Each page's filled fields are read from its
widgets and written after the page's text, top to bottom, left to right, a line each:
"Name of applicant: Asa Lind". The label is the text printed just left of the field on its line
(what a reader sees beside the box), else the field's tooltip (its accessible name), else its
name in the form. A ticked box reads "yes", a radio group its chosen option; empty fields,
unticked boxes and push buttons are left out. An XFA form's data (a dynamic form) is not read.
"""

from __future__ import annotations

from dataclasses import dataclass

MOST_FIELDS = 2_000  # read on one page: a form's page has tens; more is a hostile file
RADIO, PUSH = 1 << 15, 1 << 16  # /Ff bits of a button field
LINE_SLACK = 4.0  # points a label's baseline may sit below its box's bottom


@dataclass(frozen=True)
class Field:
    label: str  # the tooltip, else the name; the printed label replaces it where one is found
    value: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the page's space (y up)


def form_lines(page) -> list[str]:
    """The filled fields of a pypdf ``page``, a line each (the module's docstring); none where it has
    no widgets."""
    fields = page_fields(page)
    if not fields:
        return []
    printed = _printed(page)
    lines = []
    for field in sorted(fields, key=lambda f: (-f.box[3], f.box[0])):
        label = _label_beside(field, fields, printed) or field.label
        lines.append(f"{label}: {field.value}" if label else field.value)
    return lines


def page_fields(page) -> list[Field]:
    """The filled fields whose widgets are on ``page``, each once (a radio group's many widgets, or
    a field shown twice on the page)."""
    found: dict[int, Field] = {}
    for annotation in (page.get("/Annots") or [])[:MOST_FIELDS]:
        widget = annotation.get_object()
        if not hasattr(widget, "get") or widget.get("/Subtype") != "/Widget":
            continue
        field = widget if "/T" in widget or "/Parent" not in widget else widget["/Parent"].get_object()
        value = _value(field, widget)
        rect = widget.get("/Rect")
        if not value or rect is None or len(rect) != 4 or id(field) in found:
            continue
        x0, y0, x1, y1 = (float(n) for n in rect)
        name = _text(field.get("/TU")) or _text(field.get("/T"))
        found[id(field)] = Field(name, value, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return list(found.values())


def _inherited(field, key: str):
    """``key`` of a field, or of the field it is part of (a form's fields nest; values inherit)."""
    seen = 0
    while field is not None and seen < 50:
        if key in field:
            return field[key]
        parent = field.get("/Parent")
        field, seen = (parent.get_object() if parent is not None else None), seen + 1
    return None


def _value(field, widget) -> str:
    """What a filled field shows, as text; "" for an empty one, an unticked box or a push button."""
    kind = _inherited(field, "/FT")
    value = _inherited(field, "/V")
    if value is None:
        return ""
    if kind == "/Btn":
        flags = int(_inherited(field, "/Ff") or 0)
        if flags & PUSH or str(value) in ("/Off", ""):
            return ""
        return _text(str(value).lstrip("/")) if flags & RADIO else "yes"
    if isinstance(value, list):  # a list box's choices
        return ", ".join(filter(None, (_text(v) for v in value)))
    return _text(value)


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


@dataclass(frozen=True)
class Printed:
    text: str
    x: float
    y: float  # the baseline, in the page's space


def _printed(page) -> list[Printed]:
    """The page's text as pypdf draws it, piece by piece, with where each piece starts."""
    pieces: list[Printed] = []

    def visit(text: str, cm, tm, font, size) -> None:
        if text.strip():
            m = _times(tm, cm)
            pieces.append(Printed(" ".join(text.split()), m[4], m[5]))

    page.extract_text(visitor_text=visit)
    return pieces


def _times(m, n) -> list[float]:
    """The product of two PDF matrices (a, b, c, d, e, f)."""
    return [
        m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
    ]  # fmt: skip


def _label_beside(field: Field, fields: list[Field], printed: list[Printed]) -> str:
    """The text printed left of ``field`` on its line, after any other field there, its closing
    colon dropped; "" where none is."""
    x0, y0, _, y1 = field.box
    start = max((f.box[2] for f in fields if f is not field and f.box[2] <= x0 and f.box[1] < y1 and f.box[3] > y0),
                default=float("-inf"))  # fmt: skip
    beside = sorted((p for p in printed if start <= p.x < x0 and y0 - LINE_SLACK <= p.y <= y1), key=lambda p: p.x)
    return " ".join(p.text for p in beside).rstrip(" :")
