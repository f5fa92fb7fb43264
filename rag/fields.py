"""The fields a labelled row states ("model: Kestrel Road 2; type: road; colour: red", as a CSV's or a sheet's
rows are read), and whether an answer sentence gives one of them a value another row gives it instead
(``Fields.miscast``), or names in the row's first field's word a thing the row is not (``Fields.misnamed``), and
whether the question asks of another row (``Fields.unasked``).

Asked "What colour is the Kestrel Road 2?" of a bike shop's stock list, the 1.5B model answered "The Kestrel
Road 2 is green.", cited to the Kestrel Road 2's row, which says "colour: red": three of the sentence's four
words are on the row, which word overlap and MiniLM score high, and the verifier, shown the question and the
row, rightly says the row answers it. "green" is another row's colour.

This module does not score or cite (``rag.attribution`` does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from rag.stated_numbers import numbers
from rag.wording import WORD, Wording

# "label: value" pairs, set apart by ";": a row has two or more (one is a list item's field, "Owner: Dana")
_FIELD = re.compile(r"(?:^|;)\s*(?P<label>[^:;]{1,60}?)\s*:\s*(?P<value>[^;]*?)\s*(?=;|$)")

# what a text states: its terms and its numbers
Words = tuple[frozenset[str], frozenset[str]]


class Row(NamedTuple):
    """A labelled row's fields, label to value, each value with what it states (``Fields.row``)."""

    fields: dict[str, str]
    said: dict[str, Words]

    @property
    def key(self) -> str:
        """Its first field's label: what names the row (a CSV's first column)."""
        return next(iter(self.fields))


class Fields:
    """Reads labelled rows, by a ``Wording``'s terms."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording

    def words(self, text: str) -> Words:
        """What a text states: its terms and numbers."""
        return frozenset(self.wording.terms(text)), frozenset(numbers(text))

    def row(self, quote: str) -> Row | None:
        """A sentence's fields, where it is a row of two or more ("" values left out); else None.

        >>> Fields(Wording()).row("model: Kestrel Road 2; type: road; stock: 6; colour: red").fields
        {'model': 'Kestrel Road 2', 'type': 'road', 'stock': '6', 'colour': 'red'}
        >>> Fields(Wording()).row("Owner: Dana Weiss"), Fields(Wording()).row("Note: a; b, c.")
        (None, None)
        """
        text = quote.rstrip(". ")
        found = list(_FIELD.finditer(text))
        if len(found) < 2 or found[-1].end() < len(text):
            return None
        fields = {f.group("label"): f.group("value") for f in found if f.group("value")}
        return Row(fields, {label: self.words(value) for label, value in fields.items()}) if fields else None

    @staticmethod
    def says(words: Words, value: Words) -> bool:
        """Whether a text that states ``words`` states a value: every term and number of it (a value of neither
        says nothing)."""
        return bool(value[0] or value[1]) and value[0] <= words[0] and value[1] <= words[1]

    def miscast(self, sentence: Words, row: Row | None, rows: Sequence[Row | None]) -> str:
        """The field of a row to which an answer sentence (what it states: ``words``) about the row gives the
        value another row of ``rows`` (every row shown) gives it, and not the row's own, in the row's words
        ("colour: red"); "" where it gives none so. A sentence is about a row that it names by its first field
        (a CSV's first column names its rows: "model: Kestrel Road 2"); a value of a row it names too is that
        row's ("The Trail 3 is green, the Kestrel Road 2 red."), and the names' own words state no other
        field's value (the 3 of "Trail 3" is no stock of 3).

        >>> f = Fields(Wording())
        >>> rows = [f.row("model: Kestrel Road 2; colour: red"), f.row("model: Trail 3; colour: green")]
        >>> said = ("The Kestrel Road 2 is green.", "The Kestrel Road 2 is red.")
        >>> [f.miscast(f.words(s), rows[0], rows) for s in said]
        ['colour: red', '']
        >>> f.miscast(f.words("The Trail 3 is green, the Kestrel Road 2 blue."), rows[0], rows)  # the Trail's green
        ''
        >>> f.miscast(f.words("The Trail 3 is red."), rows[0], rows)  # not about the Kestrel Road 2
        ''
        >>> stock = [f.row("model: Trail 3; stock: 4"), f.row("model: Citybug E; stock: 3")]
        >>> f.miscast(f.words("The Trail 3 is a mountain bike."), stock[0], stock)
        ''
        """
        if row is None or not self.says(sentence, row.said[row.key]):
            return ""
        others = [other for other in rows if other is not None and other is not row]
        named = [other for other in others if self.says(sentence, other.said[other.key])]
        terms, stated = sentence
        for name in (row, *named):  # the names' own words
            terms, stated = terms - name.said[name.key][0], stated - name.said[name.key][1]
        for label, own in row.fields.items():
            if self.says(sentence, row.said[label]):
                continue
            given = {other.fields[label]: other.said[label] for other in others if label in other.fields}
            theirs = {other.fields.get(label) for other in named}
            if any(self.says((terms, stated), words) for value, words in given.items() if value not in {own} | theirs):
                return f"{label}: {own}"
        return ""

    def unasked(self, question: Words, row: Row | None, rows: Sequence[Row | None]) -> str:
        """The field of a row whose value the question (what it states: ``words``) does not say, where it says
        the value another row of ``rows`` gives that field instead, in the row's words ("category: travel");
        "" where there is none: the question asks of another row. Asked "Did anyone approve Ravi Menon's meal
        expense?" of an expense sheet, the 1.5B model answered yes of his travel row ("approved_by: Julia
        Brandt"), whose line was quoted for it; his meals row has no approver.

        >>> f = Fields(Wording())
        >>> rows = [f.row("employee: Ravi; category: travel; by: Julia"), f.row("employee: Ravi; category: meals")]
        >>> asked = f.words("Did anyone approve Ravi's meal expense?")
        >>> f.unasked(asked, rows[0], rows), f.unasked(asked, rows[1], rows)
        ('category: travel', '')
        >>> f.unasked(f.words("Were Ravi's travel and meal expenses approved?"), rows[0], rows)
        ''
        """
        if row is None:
            return ""
        for label, own in row.fields.items():
            if self.says(question, row.said[label]):
                continue
            given = {other.fields[label]: other.said[label] for other in rows if other and label in other.fields}
            if any(self.says(question, words) for value, words in given.items() if value != own):
                return f"{label}: {own}"
        return ""

    def misnamed(self, sentence: str, row: Row | None) -> str:
        """A row's first field, in its words ("Plan: Business"), where an answer sentence cited to it names
        another in that field's word: a name before the word that the row's value does not hold ("The
        Enterprise plan costs 99 euros per month." of "Plan: Business; Price per month: 99 euros; ..."); ""
        where it names none so. Asked "How much does the Enterprise plan cost?" of a price table with no such
        plan, the 1.5B model answered from the Business row, and the verifier let it through.

        >>> f = Fields(Wording())
        >>> row = f.row("Plan: Business; Price per month: 99 euros; Storage: 2 TB")
        >>> [f.misnamed(s, row) for s in ("The Enterprise plan costs 99 euros.", "The Business plan costs 99 euros.")]
        ['Plan: Business', '']
        >>> f.misnamed("The most expensive plan costs 99 euros.", row)  # no name: what it says is checked elsewhere
        ''
        """
        if row is None or not (label := frozenset(self.wording.terms(row.key))):
            return ""
        words = WORD.findall(sentence)
        for before, word in zip(words, words[1:], strict=False):
            named = frozenset(self.wording.terms(before))
            if before[0].isupper() and named and frozenset(self.wording.terms(word)) == label:
                if not named <= row.said[row.key][0]:
                    return f"{row.key}: {row.fields[row.key]}"
        return ""
