"""Word's list and heading numbers ("1.", "2.3", "b)", "IV.", "•"), which a Word file keeps as
numbering definitions beside the text, not in it: python-docx reads a paragraph's text without
them, so "step 3" or "section 2.1" named nothing a passage said, and a procedure's steps lost
their order. ``Numbering`` counts them as Word does, paragraph by paragraph in document order.

Each list (a ``w:num``) counts on its own; a paragraph at one level starts every deeper level of
its list again; a level's number is shown in its format (decimal, letters, roman numerals, a
bullet) where its label text (``w:lvlText``, "%1.%2.") names it. A list restarted with a start
override starts there. A level whose ``w:lvlRestart`` says so starts again only after a level that
high (figures numbered on across chapters: never), and a legal level (``w:isLgl``: "Section 1.01"
under "Article I") shows every number in its label as a decimal. Not followed: lists whose counts
Word shares between lists of one definition; they are rare. PowerPoint's
numbered paragraphs likewise (``slide_labels``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BULLET = "•"
DECIMALS = ("decimal", "decimalZero")  # what a legal level's numbers may stay as
LEVELS = 9  # Word's levels, 0-8


@dataclass(frozen=True)
class Level:
    start: int
    format: str  # w:numFmt: decimal, lowerLetter, upperRoman, bullet, none, ...
    text: str  # w:lvlText: "%1.", "%1.%2", "(%3)", a bullet's character
    restart: int | None = None  # w:lvlRestart: starts again only after a level (0-based) below it; 0: never
    legal: bool = False  # w:isLgl: the label's numbers all decimals


class Numbering:
    """The numbers of one Word document's numbered paragraphs, given in document order."""

    def __init__(self, document) -> None:
        """``document``: python-docx's ``Document``."""
        self._styles = document.styles
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # python-docx's way of saying the file has none
            root = None
        abstract = {
            node.get(W + "abstractNumId"): {
                whole_number(lvl.get(W + "ilvl"), 0): _level(lvl) for lvl in node.iter(W + "lvl")
            }
            for node in (root.iter(W + "abstractNum") if root is not None else ())
        }
        self._lists: dict[str, dict[int, Level]] = {}
        for num in root.iter(W + "num") if root is not None else ():
            ref = num.find(W + "abstractNumId")
            levels = dict(abstract.get(ref.get(W + "val") if ref is not None else None, {}))
            for override in num.iter(W + "lvlOverride"):
                ilvl = whole_number(override.get(W + "ilvl"), 0)
                if (start := override.find(W + "startOverride")) is not None and ilvl in levels:
                    levels[ilvl] = replace(levels[ilvl], start=whole_number(start.get(W + "val"), 1))
            self._lists[num.get(W + "numId")] = levels
        self._counts: dict[str, list[int | None]] = {}

    def label(self, paragraph) -> str:
        """The number (and a space) a numbered paragraph shows before its text, counting it; "" for
        one that is not numbered."""
        from docx.exceptions import InvalidXmlError

        try:
            found = self._numbered(paragraph)
        except (ValueError, InvalidXmlError):  # a malformed number: the paragraph reads without one
            return ""
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self._lists.get(num_id, {})
        if ilvl not in levels:
            return ""
        counts = self._counts.setdefault(num_id, [None] * LEVELS)
        deeper = counts[ilvl + 1 :]
        count_one(counts, ilvl, levels[ilvl].start)
        for level in range(ilvl + 1, LEVELS):  # a deeper level that starts again only after a higher one
            restart = levels[level].restart if level in levels else None
            if restart is not None and ilvl >= restart:
                counts[level] = deeper[level - ilvl - 1]
        text = levels[ilvl].text
        if levels[ilvl].format == "bullet" or any("\uf000" <= ch <= "\uf0ff" for ch in text):  # Symbol font
            text = BULLET
        elif levels[ilvl].format == "none":
            text = ""
        for level in range(ilvl, -1, -1):  # %10 is not a level: Word has nine
            if f"%{level + 1}" in text:
                known = levels.get(level, Level(1, "decimal", ""))
                shown = counts[level] if counts[level] is not None else known.start
                shown_as = "decimal" if levels[ilvl].legal and known.format not in DECIMALS else known.format
                text = text.replace(f"%{level + 1}", formatted(shown, shown_as))
        return f"{text} " if text.strip() else ""

    def _numbered(self, paragraph) -> tuple[str, int] | None:
        """The list and level of a paragraph: its own, else its style's (headings numbered by their
        style), following the styles it is based on; None where neither numbers it."""
        ppr = paragraph._p.pPr
        own = ppr.numPr if ppr is not None else None
        num_id = ilvl = None
        if own is not None:
            num_id = own.numId.val if own.numId is not None else None
            ilvl = own.ilvl.val if own.ilvl is not None else None
        style = paragraph.style
        seen = 0
        while num_id is None and style is not None and seen < 20:  # a loop of based-on styles ends too
            spr = style.element.pPr
            numpr = spr.numPr if spr is not None else None
            if numpr is not None:
                num_id = numpr.numId.val if numpr.numId is not None else None
                if ilvl is None and numpr.ilvl is not None:
                    ilvl = numpr.ilvl.val
            style, seen = style.base_style, seen + 1
        if num_id is None or str(num_id) == "0":  # list 0: numbering taken off
            return None
        return str(num_id), min(int(ilvl or 0), LEVELS - 1)


def _level(lvl) -> Level:
    def value(tag: str, default: str) -> str:
        node = lvl.find(W + tag)
        return node.get(W + "val", default) if node is not None else default

    restart = lvl.find(W + "lvlRestart")
    legal = lvl.find(W + "isLgl")
    return Level(
        whole_number(value("start", "1"), 1),
        value("numFmt", "decimal"),
        value("lvlText", ""),
        whole_number(restart.get(W + "val"), 0) if restart is not None else None,
        legal is not None and legal.get(W + "val", "true") not in ("0", "false", "off"),
    )


def whole_number(text: str | None, default: int) -> int:
    """An attribute's whole number, or ``default`` where it has none or a malformed one."""
    try:
        return int(text or "")
    except ValueError:
        return default


def count_one(counts: list[int | None], level: int, start: int, restart: int | None = None) -> None:
    """Count one more item at ``level`` of a list's ``counts`` (each level's number so far; None: not
    begun): ``start`` for the level's first, ``restart`` where the item starts it again; every
    deeper level begins again."""
    counts[level] = restart if restart is not None else start if counts[level] is None else counts[level] + 1
    counts[level + 1 :] = [None] * (len(counts) - level - 1)


def formatted(n: int, format: str) -> str:
    """``n`` in a Word number format.

    >>> [formatted(n, f) for n, f in [(3, "decimal"), (3, "lowerLetter"), (28, "upperLetter"), (14, "lowerRoman")]]
    ['3', 'c', 'BB', 'xiv']
    >>> formatted(4, "upperRoman"), formatted(7, "decimalZero"), formatted(2, "ordinal")
    ('IV', '07', '2nd')
    """
    match format:
        case "lowerLetter" | "upperLetter":
            letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)
            return letter.upper() if format == "upperLetter" else letter
        case "lowerRoman" | "upperRoman":
            roman = _roman(n) if 0 < n < 4000 else str(n)
            return roman.upper() if format == "upperRoman" else roman
        case "decimalZero":
            return f"{n:02d}"
        case "ordinal":
            suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            return f"{n}{suffix}"
        case _:
            return str(n)


def _roman(n: int) -> str:
    digits = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
              (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip
    out = ""
    for value, letters in digits:
        while n >= value:
            out, n = out + letters, n - value
    return out


A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# PowerPoint's numbering schemes (``a:buAutoNum/@type``): how the number is written, then around it
SCHEMES = {"arabic": "decimal", "alphaLc": "lowerLetter", "alphaUc": "upperLetter",
           "romanLc": "lowerRoman", "romanUc": "upperRoman"}  # fmt: skip
PUNCTUATION = {"Period": "{}.", "ParenR": "{})", "ParenBoth": "({})", "Plain": "{}"}


def slide_labels(paragraphs) -> list[str]:
    """The number or bullet (and a space) each paragraph of one PowerPoint text frame shows where
    the paragraph sets its own (``a:buAutoNum``, "1.", "b)", "(iv)"; ``a:buChar``), else "". A
    numbered paragraph goes on from the one before at its level, unless an unnumbered one at that
    level, or a number in another scheme, came between; a shallower one starts deeper levels again.
    Bullets a placeholder takes from its slide's layout are not followed (most slides' bullets)."""
    counts: dict[int, tuple[str, int]] = {}  # level -> (scheme, number last shown)
    labels = []
    for paragraph in paragraphs:
        level = paragraph.level
        ppr = paragraph._p.pPr
        auto = ppr.find(A + "buAutoNum") if ppr is not None else None
        char = ppr.find(A + "buChar") if ppr is not None else None
        for deeper in [known for known in counts if known > level]:
            del counts[deeper]
        if auto is None:
            counts.pop(level, None)
            labels.append(f"{char.get('char')} " if char is not None and (char.get("char") or "").strip() else "")
            continue
        scheme = auto.get("type", "arabicPeriod")
        previous = counts.get(level)
        number = previous[1] + 1 if previous and previous[0] == scheme else whole_number(auto.get("startAt"), 1)
        counts[level] = (scheme, number)
        labels.append(_scheme_label(scheme, number) + " ")
    return labels


def _scheme_label(scheme: str, number: int) -> str:
    """``number`` as PowerPoint writes it in ``scheme``; an unusual scheme (circled, Asian) as "1."

    >>> _scheme_label("arabicPeriod", 3), _scheme_label("alphaLcParenR", 2), _scheme_label("romanUcParenBoth", 4)
    ('3.', 'b)', '(IV)')
    """
    for prefix, number_format in SCHEMES.items():
        for suffix, around in PUNCTUATION.items():
            if scheme == prefix + suffix:
                return around.format(formatted(number, number_format))
    return f"{number}."
