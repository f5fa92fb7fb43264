"""The fields a labelled row states ("model: Kestrel Road 2; type: road; colour: red", as a CSV's or a sheet's
rows are read), and whether an answer sentence gives one of them a value another row gives it instead
(``Fields.miscast``).

Asked "What colour is the Kestrel Road 2?" of a bike shop's stock list, the 1.5B model answered "The Kestrel
Road 2 is green.", cited to the Kestrel Road 2's row, which says "colour: red": three of the sentence's four
words are on the row, which word overlap and MiniLM score high, and the verifier, shown the question and the
row, rightly says the row answers it. "green" is another row's colour.

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rag.stated_numbers import numbers
from rag.wording import Wording

# "label: value" pairs, set apart by ";": a row has two or more (one is a list item's field, "Owner: Dana")
_FIELD = re.compile(r"(?:^|;)\s*(?P<label>[^:;]{1,60}?)\s*:\s*(?P<value>[^;]*?)\s*(?=;|$)")


class Fields:
    """Reads labelled rows, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording

    def fields(self, quote: str) -> dict[str, str]:
        """A row's fields, label to value, where the sentence is a row of two or more ("" values left out);
        else none.

        >>> Fields(Wording()).fields("model: Kestrel Road 2; type: road; stock: 6; colour: red")
        {'model': 'Kestrel Road 2', 'type': 'road', 'stock': '6', 'colour': 'red'}
        >>> Fields(Wording()).fields("Owner: Dana Weiss"), Fields(Wording()).fields("Note: a; b, c.")
        ({}, {})
        """
        found = list(_FIELD.finditer(quote.rstrip(". ")))
        if len(found) < 2 or found[-1].end() < len(quote.rstrip(". ")):
            return {}
        return {f.group("label"): f.group("value") for f in found if f.group("value")}

    def says(self, sentence: str, value: str, words: tuple[set[str], set[str]] | None = None) -> bool:
        """Whether a sentence states a value: every term and number of it (a value of neither says nothing);
        ``words``: the sentence's terms and numbers, where the caller has them."""
        terms, stated = words or (self.wording.terms(sentence), numbers(sentence))
        wanted, figures = self.wording.terms(value), numbers(value)
        return bool(wanted or figures) and wanted <= terms and figures <= stated

    def miscast(self, sentence: str, row: Mapping[str, str], rows: Sequence[Mapping[str, str]]) -> str:
        """The field of a row (``fields``'s) to which an answer sentence about the row gives the value another
        row of ``rows`` (every row shown) gives it, and not the row's own, in the row's words ("colour: red");
        "" where it gives none so. A sentence is about a row that it names by its first field (a CSV's first
        column names its rows: "model: Kestrel Road 2"); a value of a row it names too is that row's ("The
        Trail 3 is green, the Kestrel Road 2 red."), and the names' own words state no other field's value
        (the 3 of "Trail 3" is no stock of 3).

        >>> f = Fields(Wording())
        >>> rows = [f.fields("model: Kestrel Road 2; colour: red"), f.fields("model: Trail 3; colour: green")]
        >>> [f.miscast(s, rows[0], rows) for s in ("The Kestrel Road 2 is green.", "The Kestrel Road 2 is red.")]
        ['colour: red', '']
        >>> f.miscast("The Trail 3 is green, the Kestrel Road 2 blue.", rows[0], rows)  # its green is the Trail's
        ''
        >>> f.miscast("The Trail 3 is red.", rows[0], rows)  # not about the Kestrel Road 2
        ''
        >>> stock = [f.fields("model: Trail 3; stock: 4"), f.fields("model: Citybug E; stock: 3")]
        >>> f.miscast("The Trail 3 is a mountain bike.", stock[0], stock)
        ''
        """
        if not row or not self.says(sentence, _key(row)):
            return ""
        named = [other for other in rows if other and other is not row and self.says(sentence, _key(other))]
        terms, stated = self.wording.terms(sentence), numbers(sentence)
        for name in (_key(row), *map(_key, named)):
            terms, stated = terms - self.wording.terms(name), stated - numbers(name)
        for label, own in row.items():
            if self.says(sentence, own):
                continue
            given = {other.get(label) for other in rows if other is not row} - {own, None}
            if any(
                self.says(sentence, value, (terms, stated))
                for value in given
                if all(n.get(label) != value for n in named)
            ):
                return f"{label}: {own}"
        return ""


def _key(row: Mapping[str, str]) -> str:
    """A row's first field's value: what names it."""
    return next(iter(row.values()))
