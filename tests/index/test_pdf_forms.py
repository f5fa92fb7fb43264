"""A filled PDF form's answers, read from its widgets (``index.pdf_forms``)."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from index.formats import extract


def name(value: str) -> NameObject:
    return NameObject(value)


def form(printed: list[tuple[float, float, str]], fields: list[dict]) -> bytes:
    """A one-page PDF printing ``printed`` (x, y, text) in Helvetica, with ``fields``: each a widget's
    ``rect`` and its field's entries (``/FT``, ``/V``, ``/T``, ...); a ``kids`` list makes a field of
    several widgets (a radio group)."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = writer._add_object(
        DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    page[name("/Resources")] = DictionaryObject({name("/Font"): DictionaryObject({name("/F1"): font})})
    content = DecodedStreamObject()
    content.set_data(b"".join(f"BT /F1 11 Tf {x} {y} Td ({text}) Tj ET\n".encode() for x, y, text in printed))
    page[name("/Contents")] = writer._add_object(content)
    annotations, top = ArrayObject(), ArrayObject()

    def widget(rect, entries: dict) -> DictionaryObject:
        made = DictionaryObject({name("/Type"): name("/Annot"), name("/Subtype"): name("/Widget")})
        made[name("/Rect")] = ArrayObject(FloatObject(n) for n in rect)
        made.update(entries)
        return made

    for field in fields:
        entries = {name(k): v for k, v in field.items() if k not in ("rect", "kids")}
        if "kids" not in field:
            ref = writer._add_object(widget(field["rect"], entries))
            annotations.append(ref)
            top.append(ref)
            continue
        parent = writer._add_object(DictionaryObject(entries))
        kids = ArrayObject()
        for rect, state in field["kids"]:
            kid = writer._add_object(widget(rect, {name("/Parent"): parent, name("/AS"): name(state)}))
            kids.append(kid)
            annotations.append(kid)
        parent.get_object()[name("/Kids")] = kids
        top.append(parent)
    page[name("/Annots")] = annotations
    writer._root_object[name("/AcroForm")] = writer._add_object(DictionaryObject({name("/Fields"): top}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text(value: str) -> TextStringObject:
    return TextStringObject(value)


def test_a_filled_forms_answers_follow_the_pages_text_labelled_as_the_page_shows_them() -> None:
    # pypdf reads a page's text, not the widgets drawn over it: "Name of applicant:" was read and
    # "Asa Lind" was not.
    printed = [(72, 720, "Application for a post"), (72, 680, "Name of applicant:"), (72, 640, "City:"),
               (300, 640, "Postcode:"), (72, 600, "Married"), (72, 560, "Post applied for")]  # fmt: skip
    fields = [
        {"rect": (200, 676, 400, 696), "/FT": name("/Tx"), "/T": text("f1_01"), "/V": text("Asa  Lind")},
        {"rect": (110, 636, 280, 656), "/FT": name("/Tx"), "/T": text("f1_02"), "/V": text("Cobh")},
        {"rect": (360, 636, 450, 656), "/FT": name("/Tx"), "/T": text("f1_03"), "/V": text("P24 X9")},
        {"rect": (150, 596, 164, 610), "/FT": name("/Btn"), "/T": text("married"), "/V": name("/Yes")},
        {"rect": (170, 596, 184, 610), "/FT": name("/Btn"), "/T": text("divorced"), "/V": name("/Off")},
        {
            "/FT": name("/Btn"),
            "/Ff": NumberObject(1 << 15),
            "/T": text("post"),
            "/V": name("/Principal keeper"),
            "kids": [((200, 556, 214, 570), "/Off"), ((300, 556, 314, 570), "/Principal keeper")],
        },
        {
            "rect": (72, 500, 400, 520),
            "/FT": name("/Tx"),
            "/T": text("f1_09"),
            "/TU": text("Years at sea"),
            "/V": text("12"),
        },  # no printed label beside it: its tooltip names it
        {"rect": (72, 460, 400, 480), "/FT": name("/Tx"), "/T": text("referee"), "/V": text("Ola Berg")},
        {"rect": (72, 420, 400, 440), "/FT": name("/Tx"), "/T": text("notes"), "/V": text("")},  # empty: left out
    ]
    lines = extract("application.pdf", form(printed, fields)).text.splitlines()
    assert lines == [
        "Application for a post",
        "Name of applicant:",
        "City: Postcode:",
        "Married",
        "Post applied for",
        "Name of applicant: Asa Lind",
        "City: Cobh",  # each field labelled by the text just left of it on its line
        "Postcode: P24 X9",
        "Married: yes",  # a ticked box; the unticked one left out
        "Post applied for: Principal keeper",  # the radio group's choice, once
        "Years at sea: 12",
        "referee: Ola Berg",  # no label nor tooltip: the field's name
    ]


def test_a_malformed_widget_leaves_the_pages_text_read() -> None:
    broken = {"/FT": name("/Tx"), "/T": text("f1"), "/V": text("Asa Lind"), "rect": (72, 680, 200, 700)}
    data = form([(72, 720, "Application for a post")], [broken])
    data = data.replace(b"/Rect [ 72 680 200 700 ]", b"/Rect [ /a /b /c /d ]")
    assert b"/Rect [ /a /b /c /d ]" in data
    got = extract("application.pdf", data)
    assert got.text.splitlines() == ["Application for a post"]
