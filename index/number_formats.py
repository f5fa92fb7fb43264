"""A spreadsheet number as its cell shows it, by the cell's number format ("0%", "#,##0.00 €").

A workbook stores 0.25 and shows "25%"; stores 1234.5 and shows "€1,234.50". Read as stored, a
share of a quarter said "0.25" where every reader of the sheet sees 25%, and a cost lost its
currency. openpyxl and xlrd give the format code and leave the showing to the caller; no kept
library renders Excel's codes, so the common parts are rendered here: the section for positive
or negative numbers, decimal places, the thousands separator, percentages, scientific notation,
and the literal text around the number (a currency symbol, quoted words, ``[$€-407]``), a number
scaled by thousands (``#,##0,`` shows 1,234,567 as "1,235": a sheet "in thousands"), and fractions
(``# ?/?`` shows 1.5 as "1 1/2"; ``# ?/8`` in eighths). Colours, conditions, padding and fill
characters are dropped. A code this does not render (dates, which the readers turn into dates
themselves, "General") gives the number as Excel's General shows it: up to 15 significant digits,
no trailing ".0".
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

PLACEHOLDERS = "0#?"
CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[^\]]*)?\]")


def shown(value: float, code: str | None) -> str:
    """``value`` as a cell of number format ``code`` shows it.

    >>> shown(0.25, "0%"), shown(0.1234, "0.0%"), shown(1234.5, '"€"#,##0.00'), shown(1234.5, "#,##0")
    ('25%', '12.3%', '€1,234.50', '1,235')
    >>> shown(-1234.5, "#,##0.00;[Red](#,##0.00)"), shown(1234.5, "[$€-407] #,##0.00"), shown(12, '0" t"')
    ('(1,234.50)', '€ 1,234.50', '12 t')
    >>> shown(12345.678, "0.00E+00"), shown(0.30000000000000004, "General"), shown(3.0, None)
    ('1.23E+04', '0.3', '3')
    >>> shown(-3, "0.0"), shown(1234567, "#,##0,"), shown(1234567, '0.0,,"M"')
    ('-3.0', '1,235', '1.2M')
    >>> shown(1.5, "# ?/?"), shown(0.3333, "# ??/??"), shown(2.0, "# ?/?"), shown(-1.25, "?/?"), shown(0.37, "# ?/8")
    ('1 1/2', '1/3', '2', '-5/4', '3/8')
    """
    sections = _parsed(code or "")
    if not math.isfinite(value) or not sections or sections[0] is None:
        return general(value)
    pieces = sections[0]
    if value < 0 and len(sections) > 1 and sections[1]:
        pieces, value = sections[1], -value  # its own sign or parentheses are in its literals
    number = "".join(text for kind, text in pieces if kind == "number")
    if not number or not any(ch in PLACEHOLDERS for ch in number):
        return general(value)
    if "/" in number:
        return _fraction(value, pieces) or general(value)
    scaled = value * 100 ** sum(text == "%" for kind, text in pieces if kind == "literal")
    rendered = _number(scaled, number)
    if rendered is None:
        return general(value)
    out, placed = [], False
    for kind, text in pieces:
        if kind == "literal":
            out.append(text)
        elif not placed:
            out.append(rendered)
            placed = True
    return "".join(out).strip()


def general(value: float) -> str:
    """A number as Excel's General format shows it: 15 significant digits, a whole one without ".0"."""
    return format(value, ".15g")


@lru_cache(maxsize=1024)
def _parsed(code: str) -> tuple[tuple[tuple[str, str], ...] | None, ...]:
    """A format code's sections as their pieces (``_pieces``), parsed once a code (a sheet has a
    few codes and thousands of cells); None for a General section, () for an empty one."""
    return tuple(
        None if section.strip().lower() in ("", "general") and i == 0 else tuple(_pieces(section))
        for i, section in enumerate(_sections(code))
    )


def _sections(code: str) -> list[str]:
    """A format code's sections (positive; negative; zero; text), split at ";" outside quotes."""
    sections, current, quoted = [], [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    return [*sections, "".join(current)]


def _pieces(section: str) -> list[tuple[str, str]]:
    """A section as ("literal", text) and ("number", placeholders) pieces, in order."""
    section = CURRENCY.sub(lambda m: f'"{m.group(1)}"', section)
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            pieces.append(("literal", section[i + 1 : end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            pieces.append(("literal", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):  # padding as wide as the next character; a fill
            i += 2
        elif ch == "[":  # a colour or a condition
            end = section.find("]", i)
            i = len(section) if end < 0 else end + 1
        elif ch in PLACEHOLDERS or ch in ".,/" or (ch in "Ee" and section[i + 1 : i + 2] in ("+", "-")):
            taken = section[i : i + 2] if ch in "Ee" else ch
            if pieces and pieces[-1][0] == "number":
                pieces[-1] = ("number", pieces[-1][1] + taken)
            else:
                pieces.append(("number", taken))
            i += len(taken)
        else:
            pieces.append(("literal", ch))
            i += 1
    return pieces


def _number(value: float, placeholders: str) -> str | None:
    """``value`` written by a run of placeholders ("#,##0.00", "0.0E+00"), rounded half away from
    zero as Excel rounds (1234.5 by "#,##0" is "1,235"); None where the run is not one this renders.

    >>> _number(2.675, "0.00"), _number(-0.5, "0"), _number(1500, "#,##0,"), _number(2500000, "0.0,,")
    ('2.68', '-1', '2', '2.5')
    """
    exponent = re.search(r"[Ee][+-]", placeholders)
    if exponent:
        decimals = sum(ch in PLACEHOLDERS for ch in placeholders[: exponent.start()].partition(".")[2])
        return f"{value:.{decimals}E}"
    if scale := len(placeholders) - len(placeholders.rstrip(",")):  # each comma after the digits: / 1,000
        value, placeholders = value / 1000**scale, placeholders.rstrip(",")
    whole, _, fraction = placeholders.partition(".")
    decimals = sum(ch in PLACEHOLDERS for ch in fraction)
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,f}" if "," in whole else f"{rounded:f}"


def _fraction(value: float, pieces: tuple[tuple[str, str], ...]) -> str | None:
    """``value`` as a fraction code writes it: a whole number where the code has one before the
    fraction ("# ?/?"), and a proper fraction; else an improper one ("?/?"). The denominator has at
    most as many digits as its placeholders ("??": up to 99), or is the one the code names ("?/8").
    Zero parts are left out, as Excel leaves them blank; the code's other text is not shown. None for
    a code this does not read."""
    at = next(i for i, (kind, text) in enumerate(pieces) if kind == "number" and "/" in text)
    denominator = pieces[at][1].partition("/")[2]
    if not denominator:  # "?/8": the digits after the slash are the denominator
        after = pieces[at + 1][1] if at + 1 < len(pieces) else ""
        denominator = after[: len(after) - len(after.lstrip("0123456789"))]
        if not denominator or not int(denominator):
            return None
    whole_part = any(kind == "number" for kind, _ in pieces[:at])
    sign, value = ("-" if value < 0 else ""), abs(value)
    whole = math.floor(value) if whole_part else 0
    if denominator.isdigit():
        top, bottom = round((value - whole) * int(denominator)), int(denominator)
    else:
        part = Fraction(value - whole).limit_denominator(10 ** len(denominator) - 1)
        top, bottom = part.numerator, part.denominator
    if whole_part and top >= bottom:  # rounded up to the next whole
        whole, top = whole + top // bottom, top % bottom
    said = " ".join(filter(None, (str(whole) if whole else "", f"{top}/{bottom}" if top else "")))
    return sign + (said or "0")
