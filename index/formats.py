"""Turn a file's bytes into text with lines, per format.

Citation coordinates per format: plain text (``.txt``, ``.md`` and the rest of
``PLAIN``) lines of the file as is; ``.csv``/``.tsv`` lines of the file, each row
labelled by the header (``index.tables``); ``.html`` lines of the visible text
(scripts, styles and markup dropped); ``.rtf`` a line per paragraph; ``.docx``
one line per paragraph or table row; pictures, lines of recognized text
(``index.ocr``); paged formats as page and line within the page
(``PAGE_WORDS``): ``.pdf`` lines of each page's extracted text, ``.pptx``
each slide's paragraphs, table rows and notes, ``.xlsx`` each sheet's rows
(line = row number; ``.xls`` as ``.xlsx``), OpenDocument's ``.odt``, ``.odp`` and ``.ods`` as those three
(``index.opendocument``), ``.epub`` each section's visible text, as HTML's, ``.mbox``
each message (``index.mail``; a lone ``.eml`` message is unpaged). This module
does not chunk.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from zipfile import BadZipFile, ZipFile

from index.errors import Encrypted, SkippedFile
from index.ocr import OCR, WITHOUT, Pictures
from index.tables import delimited_text, html_tables, markdown_tables, unicode_text_sheet

log = logging.getLogger(__name__)

# Read as they are: a line of the file is a line of the document (Markdown's tables labelled).
PLAIN = (".txt", ".md", ".rst", ".org", ".adoc", ".tex", ".log")
# Read by decoding alone: quick and bounded, so read where they are asked for (``index.isolation``).
DECODED = tuple(suffix for suffix in PLAIN if suffix != ".md")
# Of a Markdown file's text, what its tables are parsed in (markdown-it-py: ~1.6 s and ~130 MB a MB of
# table rows); a larger file's tables are read as they are, and its report says so.
MOST_MARKDOWN = 8 * 2**20
# Read as tables: each row under the header a line of labelled cells (``index.tables``).
DELIMITED = {".csv": None, ".tsv": "\t"}  # a CSV's own separator: a comma, or Excel's semicolon (index.tables)
OPEN_DOCUMENT = (".odt", ".ods", ".odp")
# Office files that may hold macros: read as their plain kind is (the macros are not run, nor read).
MACRO_ENABLED = {".docm": ".docx", ".pptm": ".pptx", ".xlsm": ".xlsx"}
# Pictures: read by text recognition alone (``index.ocr``).
IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")
# Transcripts and subtitles: a cue a line (``index.transcripts``).
TRANSCRIPTS = (".vtt", ".srt")
SUFFIXES = (*PLAIN, *DELIMITED, *TRANSCRIPTS, ".ics", ".vcf", ".html", ".htm", ".xhtml", ".mht", ".mhtml", ".rtf",
            ".pdf", ".docx", ".doc",
            ".pptx", ".ppt", ".xlsx", ".xls", *MACRO_ENABLED, *OPEN_DOCUMENT, ".epub", ".eml", ".mbox", ".msg",
            ".zip", *IMAGES)  # fmt: skip
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how every OLE compound file starts: Office 97-2003's, Outlook's .msg
NAME_CHARS = 60  # of a page's name, as citations show it: a sheet's name, a slide's title, a message's subject
# What an e-mail's attachments are read as files of their name (``index.mail``): the documents.
# Pictures are read as the pictures in a document are (``index.ocr.Pictures``: a logo is passed
# over), and attached messages by ``index.mail`` itself.
ATTACHMENTS = tuple(suffix for suffix in SUFFIXES if suffix not in (*IMAGES, ".eml", ".mbox", ".msg"))
# What a paged format's pages and their lines are, as a citation names them.
PAGE_WORDS = {
    ".pdf": ("page", "line"),
    ".pptx": ("slide", "line"),
    ".ppt": ("slide", "line"),
    ".xlsx": ("sheet", "row"),
    ".xls": ("sheet", "row"),
    ".odp": ("slide", "line"),
    ".ods": ("sheet", "row"),
    ".epub": ("section", "line"),
    ".mbox": ("message", "line"),
    ".zip": ("file", "line"),
}


@dataclass(frozen=True)
class Extracted:
    """Text and, for paged formats, the 1-based line on which each page starts."""

    text: str
    page_starts: tuple[int, ...] = ()
    note: str | None = None  # a non-fatal problem to report (e.g. replaced bytes)
    page_names: tuple[str, ...] = ()  # what a format calls its pages besides their numbers: a sheet's name

    @classmethod
    def paged(cls, pages: Iterable[Iterable[str]], note: str | None = None, names: Iterable[str] = ()) -> Extracted:
        """The text of pages given as their lines, with the line each page starts on (and the pages'
        ``names``, where they have their own: ``page_name``).

        >>> Extracted.paged([["a", "b"], [], ["c"]]).page_starts
        (1, 3, 3)
        """
        lines: list[str] = []
        starts: list[int] = []
        for page in pages:
            starts.append(len(lines) + 1)
            lines.extend(page)
        return cls("\n".join(lines), tuple(starts), note, tuple(names))


def noted(*notes: str | None) -> str | None:
    """A document's notes for its report as one, "; " between them; None if there are none.

    >>> noted("was not valid UTF-8", None, "row 3 was not parsed"), noted(None, "")
    ('was not valid UTF-8; row 3 was not parsed', None)
    """
    return "; ".join(note for note in notes if note) or None


# A line of a page header or footer that only numbers the page: "Page 2 of 9", "2/9", "- 2 -".
PAGE_NUMBER = re.compile(r"(page\s*)?\d+(\s*(of|/)\s*\d+)?|-\s*\d+\s*-", re.IGNORECASE)


def margin_lines(lines: Iterable[str], said: set[str]) -> Iterator[str]:
    """A page header's or footer's lines worth reading once: not empty, not in ``said`` (the lines of
    the headers or footers read before, which it grows), not a bare page number.

    >>> said = {"Harbour Authority"}
    >>> list(margin_lines(["Harbour Authority", "", "Page 2 of 9", "QA-SOP-012", "QA-SOP-012"], said))
    ['QA-SOP-012']
    """
    for line in lines:
        if line.strip() and line not in said and not PAGE_NUMBER.fullmatch(line.strip()):
            said.add(line)
            yield line


def counted(items: Sequence[str], shown: int) -> list[str]:
    """The first ``shown`` items, and how many more there are, for a message that names them.

    >>> counted(["a", "b", "c", "d"], 2), counted(["a"], 2)
    (['a', 'b', 'and 2 more'], ['a'])
    """
    return [*items[:shown], f"and {len(items) - shown} more"] if len(items) > shown else list(items)


# The encodings text was saved in before UTF-8, as Windows and older editors saved it, and what a
# user knows each as. Western European first: short text that any of them reads alike is read as it.
LEGACY_ENCODINGS = {
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8_r": "KOI8-R (Russian)",
    "koi8_u": "KOI8-U (Ukrainian)",
    "cp866": "DOS 866 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp1258": "Windows-1258 (Vietnamese)",
    "cp874": "Windows-874 (Thai)",
    "cp932": "Shift JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)",
    "gb18030": "GB18030 (Simplified Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "cp949": "EUC-KR (Korean)",
}


def legacy_encoding(data: bytes) -> str:
    """The encoding of text that is not UTF-8, of ``LEGACY_ENCODINGS``, as charset-normalizer finds
    it: the one it reads with the least noise and the most words of a language. Windows-1252 where it
    reads as well as the best (short Western text reads alike in several, and charset-normalizer
    cannot tell Turkish or Dutch from French by a few letters), or where nothing reads.

    >>> legacy_encoding("Президент заявил, что переговоры продолжатся.".encode("cp1251"))
    'cp1251'
    >>> legacy_encoding("東京で新しい会議が開かれ、首相は経済政策について話した。".encode("shift_jis"))
    'cp932'
    >>> legacy_encoding("café “olé”".encode("cp1252"))
    'cp1252'
    """
    from charset_normalizer import from_bytes

    found = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS))
    best = found.best()
    if best is None:
        return "cp1252"
    for match in found:
        western = "cp1252" in (match.encoding, *match.could_be_from_charset)
        if western and match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.05:
            return "cp1252"
    return best.encoding


def mostly_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 is UTF-8 with a few damaged bytes rather than text in
    another encoding: it holds more UTF-8 characters beyond ASCII than bytes UTF-8 does not allow (a
    Chinese or Japanese text's byte pairs make a UTF-8 character now and then, by chance).

    >>> mostly_utf8("café, naïve".encode() + b"\\xff"), mostly_utf8("北京今天召开了新的会议".encode("gbk"))
    (True, False)
    """
    read = data.decode("utf-8", errors="replace")
    damaged = read.count("\ufffd")
    return len(read) - len(read.encode("ascii", errors="ignore")) - damaged >= damaged


def decode_text(data: bytes, name: str) -> tuple[str, str | None]:
    """Text: UTF-8 (a UTF-8 or UTF-16 byte-order mark as it says: Excel's "Unicode Text", Notepad's
    "Unicode"); where it is not UTF-8 (``mostly_utf8``), the older encoding it was saved in
    (``legacy_encoding``: a CSV Excel saved on Windows, a note from an older editor, a Russian or
    Japanese text from before UTF-8), reported; a UTF-8 text with a few damaged bytes has
    them replaced, reported. Binary data is refused.

    >>> decode_text(b"caf\\xe9 \\x93ol\\xe9\\x94", "a.txt")[0], decode_text(b"caf\\xc3\\xa9 \\xff", "b.txt")
    ('café “olé”', ('café �', 'was not valid UTF-8 (first bad byte at 6); decoded with replacement characters'))
    >>> decode_text("Сегодня хорошая погода в Москве, и мы гуляем в парке.".encode("koi8_r"), "c.txt")[1]
    'was not UTF-8: read as KOI8-R (Russian); check its letters'
    """
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace"), None
    if b"\x00" in data:
        raise SkippedFile(name, "looks like a binary file (it contains NUL bytes); skipped")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if not mostly_utf8(data):
            encoding = legacy_encoding(data)
            note = f"was not UTF-8: read as {LEGACY_ENCODINGS.get(encoding, encoding)}; check its letters"
            return data.decode(encoding, errors="replace"), note
        note = f"was not valid UTF-8 (first bad byte at {exc.start}); decoded with replacement characters"
        return data.decode("utf-8-sig", errors="replace"), note


# What a page's declared charset is read as, as browsers read it (the HTML standard's table): Latin-1
# and ASCII are Windows-1252, whose 0x80-0x9F are curly quotes and dashes; a page that says UTF-16 in
# bytes a meta tag can be read in is not UTF-16.
AS_BROWSERS_READ = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "utf-16": "utf-8"}


def decode_html(data: bytes, name: str, declared: str | None = None) -> tuple[str, str | None]:
    """An HTML page's text, in the charset it declares (``declared``: what holds it says, as a saved
    page's part does; else its ``<meta charset>`` or XML declaration), as browsers read it; else, or
    where the name is unknown, as UTF-8 (``decode_text``). A page an older editor saved in
    Windows-1252 had every accented letter and curly quote replaced.

    >>> decode_html(b'<meta charset="windows-1252"><p>caf\\xe9 \\x93quoted\\x94</p>', "a.html")[0][-17:]
    'café “quoted”</p>'
    >>> decode_html(b"<p>caf\\xc3\\xa9</p>", "b.html"), decode_html(b"<p>x</p>", "c.html", "no-such-charset")
    (('<p>café</p>', None), ('<p>x</p>', None))
    >>> decode_html("<p>café</p>".encode("utf-16"), "d.html")
    ('<p>café</p>', None)
    """
    from bs4.dammit import EncodingDetector

    encoding = declared or EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        codec = codecs.lookup(encoding).name if encoding else "utf-8"
    except LookupError:
        codec = "utf-8"
    codec = AS_BROWSERS_READ.get(codec, codec)
    if codec.startswith("utf-8") or codec.startswith("utf-16") or b"\x00" in data:  # (a UTF-16 one has its mark)
        return decode_text(data, name)
    text = data.decode(codec, errors="replace")
    note = f"had bytes that are not {codec}; decoded with replacement characters" if "\ufffd" in text else None
    return text, note


def html_text(html: str) -> str:
    """Visible text of an HTML page, one block per line; a data table's rows one a line, labelled by
    its header row (``index.tables.html_tables``).

    >>> html_text("<p>Hi <b>there</b></p><script>x()</script><p>Bye</p>")
    'Hi there\\nBye'
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]):
        hidden.decompose()
    html_tables(soup)  # a data table's rows as labelled lines, as a sheet's
    blocks = "address article aside blockquote dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6"
    for block in soup.find_all([*blocks.split(), "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
                                "table", "tr", "ul", "br", "td", "th", "title"]):  # fmt: skip
        block.insert_before("\n")
        block.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def web_archive_text(data: bytes, name: str) -> Extracted:
    """A web page saved whole in one file (``.mht``, ``.mhtml``: a browser's "Save page as... single
    file", Word's "Single File Web Page"): a MIME message holding the page and what it shows. The
    page's visible text, as an ``.html``'s (its first HTML part: the page itself, before any frame
    it holds); its pictures, styles and scripts left out."""
    import email
    from email import policy

    message = email.message_from_bytes(data, policy=policy.default)
    page = next((part for part in message.walk() if part.get_content_type() == "text/html"), None)
    if page is None:
        raise SkippedFile(name, "is not a saved web page (it holds no HTML page); skipped")
    # Chrome names no charset on the part: the page's own <meta charset> says it
    text, note = decode_html(page.get_payload(decode=True) or b"", name, page.get_content_charset())
    return Extracted(html_text(text), note=note)


def pdf_text(data: bytes, name: str, ocr: OCR | None = None) -> Extracted:
    """Each page's text, a table's rows labelled by its header row (``index.pdf_tables``);
    ``page_starts`` maps lines back to pages. A page with no text layer (a scan) is read by
    ``ocr``, and the note says which were; without it, which were left empty. With it, so is a
    page whose only text is a stamp on a picture (a typed page number on a scan)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from index.pdf_outline import outline_names
    from index.pdf_tables import labelled_tables

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Encrypted(name, "PDF")
        pages = [[line.rstrip() for line in (page.extract_text() or "").splitlines()] for page in reader.pages]
        scans = [n for n, lines in enumerate(pages) if _scanned(lines, reader.pages[n] if ocr else None)]
    except SkippedFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SkippedFile(name, f"is not a readable PDF ({exc.__class__.__name__}); skipped") from exc
    pages, tables_note = labelled_tables(data, pages, skip=set(scans))  # a table's rows labelled by its header
    filled = {n: answers for n, page in enumerate(reader.pages) if (answers := _form_lines(page, name))}
    note = None
    if scans and ocr is None:
        if len(scans) == len(pages):
            raise SkippedFile(name, f"has no text layer (a scan?); {WITHOUT}")
        note = f"no text layer on {_pages(scans)} (scans?), left empty; {WITHOUT}"
    elif scans:
        unread = {}
        for number, read in ocr.pdf_pages(data, scans, name):
            if isinstance(read, str):
                unread[number] = read
            else:
                pages[number] = read
        read = [n for n in scans if n not in unread]
        them = "it" if len(read) == 1 else "them"
        notes = [f"{_pages(read)} read by text recognition (OCR); check what is cited from {them}"] if read else []
        notes += [f"page {n + 1} could not be read by text recognition: {why}" for n, why in unread.items()]
        note = noted(*notes)
    for number, answers in filled.items():  # a filled form's answers after its page's text
        pages[number] = pages[number] + answers
    return Extracted.paged(pages, noted(note, tables_note), names=outline_names(reader, len(pages)))


def _form_lines(page, name: str) -> list[str]:
    """A PDF page's filled form fields as lines (``index.pdf_forms``); none, and a log line, where
    its widgets cannot be read (the page's text is read all the same)."""
    from index.pdf_forms import form_lines

    try:
        return form_lines(page)
    except Exception:  # noqa: BLE001 -- pypdf raises what it likes on a malformed widget
        log.warning("the form fields on a page of %s could not be read", name, exc_info=True)
        return []


MOST_FRAMES = 1000  # pages of one TIFF: each is a Tesseract run (~1 s)


def image_text(data: bytes, name: str, ocr: OCR | None) -> Extracted:
    """The text in a picture (a scanned page, a photographed notice), read by ``ocr``; each frame of
    a multi-page TIFF is a page."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from index.ocr import MOST_PIXELS, PageUnread
    from index.progress import reached

    if ocr is None:
        raise SkippedFile(name, f"is an image; {WITHOUT}")
    pages: list[list[str]] = []
    try:
        image = Image.open(io.BytesIO(data))
        for number, frame in enumerate(ImageSequence.Iterator(image)):
            if number >= MOST_FRAMES:
                raise SkippedFile(name, f"has more than {MOST_FRAMES} pages; skipped")
            if frame.width * frame.height > MOST_PIXELS:  # checked before the pixels are decoded
                raise SkippedFile(
                    name, f"is {frame.width} x {frame.height} pixels, over the {MOST_PIXELS:,} allowed; skipped"
                )
            reached("page", number + 1, getattr(image, "n_frames", 1))
            pages.append(ocr.lines(frame))
    except PageUnread as unread:
        raise SkippedFile(name, f"could not be read by text recognition: {unread}; skipped") from unread
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, EOFError) as exc:
        raise SkippedFile(name, f"is not a readable image ({exc.__class__.__name__}); skipped") from exc
    note = "read by text recognition (OCR); check what is cited from it"
    return Extracted.paged(pages, note) if len(pages) > 1 else Extracted("\n".join(pages[0]), note=note)


MOST_STAMP_CHARS = 40  # a scan's typed page number, date stamp or file mark: not its text


def _scanned(lines: list[str], page=None) -> bool:
    """Whether a PDF page is a scan: no text at all; or (given the ``page``, to look for pictures)
    no more than a stamp's worth of text over a picture."""
    text = sum(len("".join(line.split())) for line in lines)
    if not text or page is None or text > MOST_STAMP_CHARS:
        return not text
    try:
        return len(page.images) > 0
    except Exception:  # noqa: BLE001 -- a picture pypdf cannot list is no reason to fail the file
        return False


def _pages(numbers: list[int]) -> str:
    """0-based page numbers as a reader counts them, runs shortened.

    >>> _pages([0]), _pages([0, 1, 2, 4, 6, 7])
    ('page 1', 'pages 1-3, 5, 7-8')
    """
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    said = ", ".join(f"{r[0] + 1}" if len(r) == 1 else f"{r[0] + 1}-{r[-1] + 1}" for r in runs)
    return f"page {said}" if len(numbers) == 1 else f"pages {said}"


def rtf_text(data: bytes, name: str) -> Extracted:
    """A Rich Text document's text (striprtf), a line per paragraph; a table row is a line of its
    cells, each followed by ``|``. Bytes its code page lacks are replaced, and noted."""
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise SkippedFile(name, "is not an RTF document (it does not start with {\\rtf); skipped")
    text = rtf_to_text(data.decode("cp1252", errors="replace"), errors="replace")
    note = "had bytes its code page lacks; decoded with replacement characters" if "\ufffd" in text else None
    return Extracted("\n".join(line.rstrip() for line in text.splitlines()), note=note)


# What a file was read with, where that changed: a file stored by an older reader is read again
# (its bytes alone would count it unchanged) and replaced if its text differs.
READERS = {
    # Formats whose pages have names moved once more when chunks came to carry those names
    # (``index.chunking.PAGES``): .pptx 5, .odp 5, .epub 4, .xlsx 6, .ods 5, .mbox 6 (with OCR
    # .pptx 6, .odp 6, .mbox 7), so that stored ones are read, and chunked, again.
    # 2: table rows too (1 read paragraphs only, and left every table out); 3: labelled rows;
    # 4 (here and below, wherever tables are read): a table's rows go on under its header past a spacer row;
    # then, wherever tables are read, each one past every number before it, with OCR or without (here .docx 7):
    # a headerless table after a spacer row is not labelled by the table above; 9 (and the Word files in
    # .doc and mail below, past each number before): list and heading numbers read (index.numbering);
    # 11 (likewise): a table cell's list numbers read, and a table holding a table read as blocks; 13: content
    # controls, tracked insertions, fields, text boxes, footnotes and endnotes read (index.word); 15: charts and
    # SmartArt read (index.graphics); 17: page headers first and footers last, each once; 19: reviewers' comments;
    # 21: list levels that restart only after a higher one (w:lvlRestart), and legal numbering (w:isLgl)
    ".docx": 21,
    # 2: a table's rows labelled by its header row (1: its cells joined by " | "); 3: titles kept;
    # 9 (past each number before, and .ppt, mail and archives below): numbered paragraphs' numbers read;
    # 11 (likewise): charts and SmartArt read (index.graphics); 13: reviewers' comments (index.slide_comments)
    ".pptx": 13,
    ".ppt": 6,  # 6: reviewers' comments, as .pptx 13
    # 8 (past each number before, and mail and archives below): list numbers and bullets read; 10: chapter numbers;
    # 12: a table holding a table read as blocks, and footnotes after what refers to them; 14: charts read;
    # 16: page headers and footers read; 18: list numbers in a table's cells; 20: reviewers' comments
    ".odt": 20,
    # 3: titles kept; 9: charts read; 11: reviewers' comments, as .pptx 13 (before: as bare lines); 13: list numbers
    ".odp": 13,
    # 2 (and past each number before, with OCR or without, wherever HTML is read: in e-books and mail too):
    # a data table's rows one a line, labelled by its header row (1: a cell a line)
    ".html": 4,  # 3: read in the charset the page declares (<meta charset>), not always as UTF-8
    ".htm": 4,
    ".xhtml": 4,
    # 2: without the navigation document (1 read its list of headings as a section); 3: headings kept;
    # 6: a section read in the charset its XML declaration names (else UTF-8, as before)
    ".epub": 7,
    # 2: rows labelled by the header row (1: CSV/TSV as plain text, sheets' cells joined by " | ")
    # 5 (and the plain text formats 2, Markdown 3, transcripts 2, HTML and mail within this session's
    # numbers): text that is not UTF-8 and holds no UTF-8 character read as Windows-1252, and UTF-16
    # with its byte-order mark read (before: replacement characters, and refused as binary); and a CSV's
    # cells separated by semicolons where its first line has more of them, or by its Excel "sep=" line's;
    # 6 (and the plain text formats 3, Markdown 4, HTML 4, e-books 7, mail and archives past each number
    # before): text that is not UTF-8 read in the older encoding charset-normalizer finds (Cyrillic,
    # Greek, Chinese, Japanese...), not always as Windows-1252
    ".csv": 6,
    ".md": 4,  # 2: a pipe table's rows labelled by its header row (1: as the file is)
    ".tsv": 6,
    **dict.fromkeys((".rst", ".org", ".adoc", ".tex", ".log", ".vtt", ".srt"), 3),
    ".txt": 4,  # 4: a sheet Excel saved as "Unicode Text" read as a TSV is, its rows labelled by its header
    # 3: a chart sheet counted as a (blank) sheet, as Excel's tabs count it; 4: sheet names kept; 8 (and .xls 3,
    # mail and archives): numbers as their number formats show them; 9 (and mail and archives): cell comments;
    # 10 (and .xls 4, mail and archives): numbers scaled by thousands ("#,##0,") and fractions ("# ?/?") shown;
    # 11 (and mail and archives): charts read (index.sheet_charts)
    ".xlsx": 11,
    ".xls": 4,
    ".ods": 7,  # 3: sheet names kept; 7: cell comments
    # then (past each number before, with OCR or without): a zip attached read, its files as attachments;
    # then a .doc attached read by msdoc2docx, as the .doc reader below; then Word's list numbers read;
    # then a deck's numbered paragraphs', then a Writer document's, then its chapter numbers, then Word's
    # and Writer's tables within tables, then what python-docx left out of Word's text, then charts and SmartArt,
    # then a PDF form's answers, then Markdown's tables and transcripts, then OpenDocument's charts,
    # then calendars attached, then Word's page headers and footers, then Writer's,
    # then sheets' number formats, then contact cards attached, then Writer's list numbers in cells, then
    # invitations sent as a body part (text/calendar), then saved web pages (.mht) attached, and HTML files
    # attached read in the charset they declare, then text not in UTF-8 read in the encoding it was saved in,
    # then Word's and Writer's comments, then Excel's, then Calc's, then PowerPoint's and Impress's, and sheets'
    # thousands and fractions, and Impress's list numbers, and Word's restarts and legal numbering, and Excel's charts
    ".eml": 62,  # 2: attachments read (1 named them only); 4: attached messages opened
    ".mbox": 64,  # 2: attachments read; 3: messages named by their subjects; 5: attached messages opened
    ".msg": 56,
    # 2: a .doc inside read by msdoc2docx; 4: Word's list numbers read; 6: a deck's; 8: Writer's; 10: its chapters';
    # 12: Word's and Writer's tables within tables; 14: Word's content controls, insertions, text boxes, notes;
    # 16: Word's and PowerPoint's charts and SmartArt; 18: a PDF form's answers;
    # 20: Markdown's tables labelled (a Notion or Obsidian export), transcripts read; 22: OpenDocument's charts;
    # 24: calendars read; 26: Word's page headers and footers; 28: Writer's; 30: number formats; 32: contacts;
    # 34: Writer's cells' lists; 36: saved web pages (.mht) read; 38: text not in UTF-8 in its own encoding;
    # 40: Word's and Writer's comments; 42: Excel's; 44: Calc's; 46: PowerPoint's and Impress's, and sheets'
    # thousands and fractions, and Impress's list numbers, and Word's restarts and legal numbering, and Excel's
    # charts
    ".zip": 46,
    # 2: converted to .docx by msdoc2docx and read as one (tables' rows labelled, empty paragraphs kept as
    # lines, the print in pictures read with OCR); 1: antiword's lines, now only where msdoc2docx fails;
    # 4: list numbers read; 6: a table holding a table read as blocks; 8: as .docx 13; 10: as .docx 15; 12: as .docx 17;
    # 14: as .docx 19; 16: as .docx 21
    ".doc": 16,
    # 3 (and past each number before, with OCR or without, here and in mail): a table's rows labelled;
    # 5: a table going on over a page without its header, under that header; 7: a filled form's answers read;
    # 9: pages named by the outline (names only: what holds a PDF does not move)
    ".pdf": 9,
}


# Where text recognition reads more: a PDF read without it, then with it, is read again. Each is
# past the version without it.
READERS_WITH_OCR = {
    ".pdf": 10,  # 2: pages with no text layer read by OCR (1 left them empty)
    ".docx": 22,  # 5: the print in pictures read (3 and before left pictures out); 6: in tables' pictures too
    ".pptx": 14,
    ".ppt": 7,
    ".odt": 21,  # 5: in tables' pictures too
    ".odp": 14,
    ".eml": 63,  # the print in pictures attached read (4 and before named them only)
    ".mbox": 65,
    ".msg": 57,
    ".zip": 47,
    ".doc": 17,
}


def reader_version(name: str, ocr: bool = False) -> int:
    """The version of the reader of ``name``'s format (1 for a format whose reader never changed),
    with text recognition or without.

    >>> reader_version("report.DOCX"), reader_version("notes.rtf"), reader_version("scan.pdf", ocr=True)
    (21, 1, 10)
    """
    suffix = format_of(name)
    return (ocr and READERS_WITH_OCR.get(suffix)) or READERS.get(suffix, 1)


def page_words(name: str) -> tuple[str, str]:
    """What the pages of ``name``'s format are called, and their lines.

    >>> page_words("deck.pptx"), page_words("book.xlsx"), page_words("r.pdf")
    (('slide', 'line'), ('sheet', 'row'), ('page', 'line'))
    """
    return PAGE_WORDS.get(format_of(name), ("page", "line"))


def suffix_of(name: str) -> str:
    """The lower-case suffix of a file name, with its dot ("" without one)."""
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def format_of(name: str) -> str:
    """The suffix of the format ``name`` is read as: its own, but a macro-enabled Office file's plain kind.

    >>> format_of("Budget.XLSM"), format_of("notes.txt")
    ('.xlsx', '.txt')
    """
    suffix = suffix_of(name)
    return MACRO_ENABLED.get(suffix, suffix)


def epub_text(data: bytes, name: str) -> Extracted:
    """An e-book's documents in reading order (its spine), each a section of visible text, one
    block per line as in ``html_text``; a document with no text is not a section, nor the
    navigation document (the table of contents: the headings again, which would outrank the
    chapters they name in a search)."""
    import ebooklib
    from ebooklib import epub
    from lxml.etree import LxmlError

    try:
        book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
        documents = [book.get_item_with_id(item_id) for item_id, linear in book.spine if linear != "no"]
        pages = [
            decode_html(item.get_content(), name)[0]  # its XML declaration's charset, else UTF-8
            for item in documents
            if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT and not isinstance(item, epub.EpubNav)
        ]
        sections = [(text, page) for page in pages if (text := html_text(page))]
    except (epub.EpubException, BadZipFile, LxmlError, KeyError, ValueError, IndexError) as exc:
        raise SkippedFile(name, f"is not a readable .epub file ({exc.__class__.__name__}); skipped") from exc
    return Extracted.paged((text.splitlines() for text, _ in sections), names=[heading(page) for _, page in sections])


def heading(html: str) -> str:
    """An HTML page's first heading (h1 to h3), on one line; empty without one.

    >>> heading("<p>Intro</p><h2>The <i>north</i>\\nlight</h2><h1>Later</h1>")
    'The north light'
    """
    from bs4 import BeautifulSoup

    found = BeautifulSoup(html, "html.parser").find(["h1", "h2", "h3"])
    return " ".join(found.get_text().split()) if found else ""


# Office files and e-books are zip archives of XML, which their readers unpack whole: a few MB can
# unpack to many GB (a "zip bomb"). No real document comes near this.
ZIPPED = (".docx", ".pptx", ".xlsx", *OPEN_DOCUMENT, ".epub", ".zip")
MOST_UNZIPPED = 256 * 2**20


def check_ole(data: bytes, name: str, kind: str) -> None:
    """Refuse a file of an OLE format (``kind``: "a Word 97-2003 document", "an Outlook message")
    that is no OLE compound file at all, before its reader is asked."""
    if not data.startswith(OLE):
        raise SkippedFile(name, f"is not {kind} (it is not an OLE compound file); skipped")


def check_unzipped(data: bytes, name: str) -> None:
    """Refuse a zipped document whose parts would unpack to more than ``MOST_UNZIPPED`` (by the sizes
    the archive declares, which bound what unpacking it reads)."""
    try:
        unpacked = sum(part.file_size for part in ZipFile(io.BytesIO(data)).infolist())
    except BadZipFile:
        return  # not a zip at all: its format's reader says it cannot read it
    if unpacked > MOST_UNZIPPED:
        raise SkippedFile(
            name, f"would unpack to {unpacked / 2**20:,.0f} MB, over the {MOST_UNZIPPED // 2**20} MB allowed; skipped"
        )


def extract(name: str, data: bytes, ocr: OCR | None = None) -> Extracted:
    """The text of one file, by its suffix (pictures and scanned pages read by ``ocr``); a file that
    cannot be read raises ``SkippedFile`` and nothing else, whatever a reader's library raised on it
    (that is logged)."""
    try:
        result = _extract(name, data, ocr)
    except SkippedFile:
        raise
    except Exception as exc:  # third-party parsers on untrusted bytes: one file must not end an ingestion
        log.exception("reading %s failed", name)
        raise SkippedFile(name, f"could not be read ({exc.__class__.__name__}); skipped") from exc
    if not result.text.strip():
        raise SkippedFile(name, "has no text; skipped")
    return result


def _extract(name: str, data: bytes, ocr: OCR | None) -> Extracted:
    from index.archives import zip_text
    from index.locks import check_not_locked
    from index.mail import eml_text, mbox_text, msg_text
    from index.office import doc_text, docx_text, ppt_text, pptx_text, xls_text, xlsx_text
    from index.opendocument import odf_text

    suffix = suffix_of(name)
    kind = format_of(name)
    if kind in ZIPPED:
        check_unzipped(data, name)  # first: the lock check below unpacks an e-book's or ODF file's manifest
    check_not_locked(data, name, kind)
    match kind:
        case ".md":
            text, note = decode_text(data, name)
            if len(text) > MOST_MARKDOWN:
                unlabelled = f"its tables were read as they are (over {MOST_MARKDOWN // 2**20} MB, not labelled)"
                result = Extracted(text, note=noted(note, unlabelled))
            else:
                result = Extracted(markdown_tables(text), note=note)
        case _ if suffix in PLAIN:
            text, note = decode_text(data, name)
            if suffix == ".txt" and unicode_text_sheet(data, text):  # Excel's "Unicode Text": a sheet, as a TSV
                text, unparsed = delimited_text(text, "\t")
                note = noted(note, unparsed)
            result = Extracted(text, note=note)
        case _ if suffix in TRANSCRIPTS:
            from index.transcripts import transcript_text

            result = transcript_text(data, name, suffix)
        case ".ics":
            from index.calendars import calendar_text

            result = calendar_text(data, name)
        case ".vcf":
            from index.contacts import contacts_text

            result = contacts_text(data, name)
        case _ if suffix in DELIMITED:
            text, note = decode_text(data, name)
            table, unparsed = delimited_text(text, DELIMITED[suffix])
            result = Extracted(table, note=noted(note, unparsed))
        case ".html" | ".htm" | ".xhtml":
            text, note = decode_html(data, name)
            result = Extracted(html_text(text), note=note)
        case ".mht" | ".mhtml":
            result = web_archive_text(data, name)
        case ".rtf":
            result = rtf_text(data, name)
        case ".pdf":
            result = pdf_text(data, name, ocr)
        case _ if suffix in IMAGES:
            result = image_text(data, name, ocr)
        case ".docx":
            result = docx_text(data, name, ocr, suffix)
        case ".doc":
            result = doc_text(data, name, ocr)
        case ".pptx":
            result = pptx_text(data, name, ocr, suffix)
        case ".ppt":
            result = ppt_text(data, name, ocr)
        case ".xlsx":
            result = xlsx_text(data, name, suffix)
        case ".xls":
            result = xls_text(data, name)
        case _ if suffix in OPEN_DOCUMENT:
            result = odf_text(data, name, suffix, ocr)
        case ".epub":
            result = epub_text(data, name)
        case ".eml" | ".mbox" | ".msg" | ".zip":  # mail's attachments, and an archive's files, read by format
            pictures = Pictures(ocr)  # one count for the whole file: a mailbox of photos is read up to its most
            read_all = {".eml": eml_text, ".mbox": mbox_text, ".msg": msg_text, ".zip": zip_text}[suffix]
            result = read_all(data, name, partial(_attachment, ocr=ocr, pictures=pictures))
            result = replace(result, note=noted(result.note, pictures.note()))
        case _:
            raise SkippedFile(name, NOT_READ.get(suffix, f"has an unsupported type; supported: {', '.join(SUFFIXES)}"))
    return result


# Documents people keep that no reader here reads, and what to do instead of reading the list of types.
_EXPORT = "; export it as PDF or Word to ingest it; skipped"
NOT_READ = {
    ".pages": "is an Apple Pages document (its text is in Apple's own format)" + _EXPORT,
    ".numbers": "is an Apple Numbers spreadsheet (its cells are in Apple's own format); export it as Excel or CSV "
    "to ingest it; skipped",
    ".key": "is an Apple Keynote presentation (its slides are in Apple's own format); export it as PDF or "
    "PowerPoint to ingest it; skipped",
    ".one": "is a OneNote section (OneNote's own format)" + _EXPORT,
    ".gdoc": "is a Google Drive shortcut, a link to the document and not its text; download it as Word or PDF "
    "(File → Download) to ingest it; skipped",
    ".gsheet": "is a Google Drive shortcut, a link to the spreadsheet and not its cells; download it as Excel or "
    "CSV to ingest it; skipped",
    ".gslides": "is a Google Drive shortcut, a link to the presentation and not its slides; download it as "
    "PowerPoint or PDF to ingest it; skipped",
    ".xps": "is an XPS document; print it to PDF to ingest it; skipped",
    ".oxps": "is an XPS document; print it to PDF to ingest it; skipped",
    ".wpd": "is a WordPerfect document" + _EXPORT,
    ".vsdx": "is a Visio drawing; export it as PDF to ingest it; skipped",
    ".heic": "is an iPhone photo (HEIC), which text recognition here cannot open; save it as JPEG to ingest it; "
    "skipped",
}


def _attachment(name: str, data: bytes, ocr: OCR | None, pictures: Pictures) -> Extracted | None:
    """An e-mail attachment's text (or a zip archive's file's), read as a file of its name would be; a
    picture's print read by ``pictures`` (a signature's logo is too small to be read); None for what
    is not read (a picture with no print, a mailbox)."""
    suffix = suffix_of(name)
    if suffix in IMAGES:
        lines = pictures.lines(data)
        return Extracted("\n".join(lines)) if lines else None
    if suffix not in ATTACHMENTS:
        return None
    return extract(name, data, ocr)


def page_of(page_starts: tuple[int, ...], line: int) -> tuple[int, int]:
    """``(page, line within page)`` for a line of a paged document, both 1-based.

    >>> page_of((1, 4, 9), 5), page_of((1, 4, 4, 9), 4)
    ((2, 2), (3, 1))
    """
    page = max(1, bisect_right(page_starts, line))  # the viewer asks for every line it shows
    return page, line - page_starts[page - 1] + 1


def encode_starts(starts: tuple[int, ...]) -> str:
    """Page starts as metadata (Chroma stores scalars only): ``'1,4,9'``."""
    return ",".join(map(str, starts))


def encode_names(names: Iterable[str]) -> str:
    """Page names as metadata (Chroma stores scalars only): a JSON list, each name on one line and
    at most ``NAME_CHARS`` long.

    >>> encode_names(["Lights", "Keepers\\n 1950s"])
    '["Lights", "Keepers 1950s"]'
    >>> json.loads(encode_names(["x" * 70]))[0] == "x" * 59 + "…"
    True
    """
    names = [" ".join(name.split()) for name in names]
    return json.dumps([n if len(n) <= NAME_CHARS else n[: NAME_CHARS - 1] + "…" for n in names], ensure_ascii=False)


def decode_names(value: str | None) -> tuple[str, ...]:
    """Inverse of ``encode_names``; empty for documents whose pages have no names."""
    return tuple(json.loads(value)) if value else ()


def page_name(names: tuple[str, ...], page: int) -> str | None:
    """Page ``page``'s own name (1-based), if it has one that says more than its number: a sheet
    left as "Sheet3" is sheet 3 already.

    >>> page_name(("Lights", "Sheet2", ""), 1), page_name(("Lights", "Sheet2", ""), 2), page_name((), 1)
    ('Lights', None, None)
    """
    name = names[page - 1] if 0 < page <= len(names) else ""
    return None if not name or name.replace(" ", "").lower() == f"sheet{page}" else name


def decode_starts(value: str | None) -> tuple[int, ...]:
    """Inverse of ``encode_starts``; empty for unpaged documents."""
    return tuple(int(v) for v in value.split(",")) if value else ()
