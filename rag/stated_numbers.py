"""The numbers a text states, to tell an answer's numbers that no source shown holds.

This module does not compare sentences otherwise (``rag.attribution`` does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A number an answer states that no passage shown holds was not read there: the model changed it
# ("There are 231 seats in the debating chamber." against "There are 131 seats ...", matched at 0.84)
# or took it from a question that assumed it ("... until the 16th century work of" where the source says
# 17th). Numbers compared as digits: "6,500" as 6500, "17th" as 17, and two to ninety-nine in words as
# digits ("one" is a pronoun as often as a number); a decade or century ("the 1980s", "the late 80's",
# "the early 1200s") is read in any year of it ("1218").
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:['’]?s\b)?")
_UNITS = "two three four five six seven eight nine".split()
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        [*_UNITS, *"ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()], 2
    )
}
# the tens, and a ten joined to a unit ("twenty-five" is 25, not 20 and 5); "a dozen" is 12 and "half a dozen" 6
# ("dozens" is no number): "Receipts must be uploaded within a dozen working days" is what "within 12 working
# days" reads
_TENS = {w: n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_NUMBER_WORDS |= {w: str(10 * n) for w, n in _TENS.items()}
_ONES = {w: n for n, w in enumerate(["one", *_UNITS], 1)}  # a ten's unit: "one" too ("twenty-one")
_COMPOUND = re.compile(rf"\b({'|'.join(_TENS)})[- ]({'|'.join(_ONES)})\b")
_DOZEN = re.compile(r"\b(half )?an? dozen\b")
# and the ordinals from fourth to twentieth, as "17th" is read: "the twentieth century" is "the 20th century",
# "the Eleventh Doctor" "the 11th Doctor" ("first", "second" and "third" are read as often otherwise: "at first",
# "a second", "a third of")
_NUMBER_WORDS |= {
    w: str(n)
    for n, w in enumerate(
        "fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth"
        " seventeenth eighteenth nineteenth twentieth".split(),
        4,
    )
}
_WORDS = re.compile(r"[a-z]+")
# A date's month is a number written as a word: "1 February 2027" against "1 January 2027". Capitalised only
# ("march" is a verb), and "May" beside a number only ("May I ...?", "May 2025", "15 May").
_MONTH = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
    r"|\bMay\b(?=,?\s+\d)|(?<=\d )May\b"
)
# and a month abbreviated, beside a number ("Sept. 5, 2019", "5 Sept 2019"; "Jan" alone is a name), as its name
_SHORT = r"(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
_SHORT_MONTH = re.compile(rf"\b{_SHORT}\.?(?=,?\s+\d)|(?<=\d ){_SHORT}\b")
_MONTHS = "January February March April May June July August September October November December".split()
# an ISO date ("2026-09-11", "2026-09"): its month by name, and its day as a number ("03" is 3)
_ISO_DATE = re.compile(r"\b\d{4}-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?\b")


def numbers(text: str) -> set[str]:
    """The numbers in ``text``, as digits (a decade or century with its "s", and without), and the months
    of its dates, by name.

    >>> sorted(numbers("About 6,500 paintings, seven rooms, the 17th century, 2.5 km, the late 80's"))
    ['17', '2.5', '6500', '7', '80', '80s']
    >>> sorted(numbers("From 1 January to 15 May, as in May 2025. May I march in March?"))
    ['1', '15', '2025', 'January', 'March', 'May']
    >>> sorted(numbers("On Sept. 5, 2019 and 7 Oct 2020, Jan wrote of the twentieth century, at first."))
    ['20', '2019', '2020', '5', '7', 'October', 'September']
    >>> sorted(numbers("Spent 650.00 on 2026-09-03, booked 2026-10."))
    ['03', '09', '10', '2026', '3', '650', '650.00', 'October', 'September']
    >>> sorted(numbers("Twenty-five of forty, fifteen, a dozen or half a dozen; dozens of them, at one time."))
    ['12', '15', '25', '40', '6']
    """
    digits = {n.replace(",", "").replace("'", "").replace("’", "") for n in _NUMBER.findall(text)}
    digits |= {n.removesuffix("s") for n in digits}  # and as a number: "Psalm 67's prayer"
    digits |= {whole for n in digits if (whole := re.sub(r"\.0+$", "", n)) != n}  # "650.00" is 650
    digits |= set(_MONTH.findall(text))
    shortened = (found.group(1) or found.group(2) for found in _SHORT_MONTH.finditer(text))
    digits |= {next(name for name in _MONTHS if name.startswith(short)) for short in shortened}
    for found in _ISO_DATE.finditer(text):
        digits |= {_MONTHS[int(found.group(1)) - 1], *([str(int(found.group(2)))] if found.group(2) else [])}
    words = text.lower()
    for found in _COMPOUND.finditer(words):
        digits.add(str(10 * _TENS[found.group(1)] + _ONES[found.group(2)]))
    digits |= {"6" if found.group(1) else "12" for found in _DOZEN.finditer(words)}
    words = _DOZEN.sub(" ", _COMPOUND.sub(" ", words))
    return digits | {_NUMBER_WORDS[w] for w in _WORDS.findall(words) if w in _NUMBER_WORDS}


def number_terms(terms: set[str]) -> set[str]:
    """The numbers among stemmed terms (``rag.wording.Wording.terms`` keeps digits as they are).

    >>> sorted(number_terms({"rent", "1", "150", "euro"}))
    ['1', '150']
    """
    return {t for t in terms if t[0].isdigit()}


def magnitude(number: str) -> list[int]:
    """A key that orders ``numbers``'s numbers by size: 5 before 17 before 231."""
    return [int(d) for d in re.findall(r"\d+", number)]


def unread_numbers(said: set[str], shown: set[str]) -> set[str]:
    """Those of the numbers ``said`` that are not among the numbers ``shown`` (``numbers``'s), a decade
    or century read in any year of it.

    >>> said = numbers("In the 1200s, the 80's, the 1990s: 231 and 131.")
    >>> sorted(unread_numbers(said, {"1218", "1987", "131", "1990"}))
    ['231']
    >>> sorted(unread_numbers(numbers("3.3 and 2.0 billion"), {"3"}))  # not "2" apart from "2.0"
    ['2.0', '3.3']
    >>> unread_numbers({"650"}, numbers("650.00"))
    set()
    """
    years = {n for n in shown if len(n) == 4 and n.isdigit()}

    def read(n: str) -> bool:
        base = n.removesuffix("s")
        if n in shown or base in shown or any(f"{n}.{zeros}" in said for zeros in ("0", "00")):
            return True  # (a whole "650" of "650.00" said is read as that: not said apart)
        if base == n:
            return False
        if len(base) == 4:  # the 1980s: 1980-1989; the 1200s: 1200-1299
            return any(year.startswith(base.rstrip("0")) for year in years)
        return len(base) == 2 and any(year[2] == base[0] for year in years)  # the 80s: 1980-1989, 1880-1889

    return {n for n in said if not read(n) and n + "s" not in said}  # "the 80's" is a decade, not 80


def in_words(items: Sequence[str]) -> str:
    """Items as a sentence lists them.

    >>> in_words(["231"]), in_words(["17", "231"]), in_words(["5", "17", "231"])
    ('231', '17 and 231', '5, 17 and 231')
    """
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
