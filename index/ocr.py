"""Text recognition (OCR) for pages that are pictures: a scanned PDF's pages, image files, and the
pictures inside Word, PowerPoint, Writer and Impress files.

Tesseract does the reading: the ``tesseract-ocr`` system package (Debian's,
with its English data; ``make run`` and ``make test`` install it), called
through pytesseract. PDF pages are drawn with pdfium (pypdfium2) at 300 dpi,
or less where a page is so large that it would pass ``MOST_PIXELS``. Without
Tesseract, ``available`` says why, and the readers say what was left unread.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

from index.errors import SkippedFile
from index.progress import reached

MOST_PIXELS = 40_000_000  # an A4 page at 600 dpi is 35 M; a page declaring more is drawn smaller
SMALLEST_SIDE = 120  # pixels: a picture narrower or shorter holds no line of print worth reading (an icon)
_WORD = re.compile(r"[^\W_]{2,}")  # a line of a picture's text needs a word: "| —" is a frame's edge read as print
WITHOUT = "install the tesseract-ocr package (make run does) to read it"


def available(languages: str = "eng") -> OCR | str:
    """An ``OCR`` for these Tesseract languages (``eng+deu``), or why there is none."""
    if shutil.which("tesseract") is None:
        return f"no text recognition here: {WITHOUT}"
    import pytesseract

    try:
        installed = set(pytesseract.get_languages())
    except (pytesseract.TesseractError, OSError) as exc:
        return f"no text recognition here: tesseract did not run ({exc})"
    if missing := [lang for lang in languages.split("+") if lang not in installed]:
        return f"no text recognition here: Tesseract has no data for {', '.join(missing)} (tesseract-ocr-LANG)"
    return OCR(languages)


@dataclass(frozen=True)
class OCR:
    """Reads the text of page images with Tesseract."""

    languages: str = "eng"
    dpi: int = 300
    page_timeout_s: float = 120

    def lines(self, image) -> list[str]:
        """The text of one page image (PIL), a line per printed line (Tesseract's blank lines between
        the blocks it finds are left out, so "line 3" is the third line of print)."""
        import pytesseract

        try:
            text = pytesseract.image_to_string(image.convert("RGB"), lang=self.languages, timeout=self.page_timeout_s)
        except RuntimeError as exc:  # pytesseract's timeout
            raise PageUnread(f"took over {self.page_timeout_s:.0f} s") from exc
        except pytesseract.TesseractError as exc:
            raise PageUnread(f"Tesseract failed ({exc.message.strip() or exc.status})") from exc
        return [line.rstrip() for line in text.splitlines() if line.strip()]

    def pdf_pages(self, data: bytes, numbers: list[int], name: str) -> Iterator[tuple[int, list[str] | str]]:
        """Each of these pages (0-based) of a PDF drawn and read: its lines, or why it could not be."""
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise SkippedFile(name, f"is not a readable PDF (pdfium: {exc}); skipped") from exc
        try:
            for done, number in enumerate(numbers):
                reached("page", done + 1, len(numbers))
                page = pdf[number]
                width, height = page.get_size()  # in points, 72 a inch
                scale = min(self.dpi / 72, (MOST_PIXELS / max(1.0, width * height)) ** 0.5)
                try:
                    yield number, self.lines(page.render(scale=scale).to_pil())
                except PageUnread as unread:
                    yield number, str(unread)
                finally:
                    page.close()
        finally:
            pdf.close()


@dataclass
class Pictures:
    """Reads the pictures inside one document (a scan pasted into a Word file, a screenshot on a
    slide, a scan attached to a message) with ``ocr``, keeping count for the note. Pictures too
    small to hold a line of print (icons, bullets, most logos) are left unread, and so is all past
    ``most`` pictures read (each page of a multi-page TIFF is one), with print or without."""

    ocr: OCR | None
    most: int = 100
    read: int = 0
    unread: int = 0
    skipped: int = 0
    tried: int = 0  # Tesseract runs, the cost ``most`` bounds: a mailbox of holiday photos has no print

    def lines(self, data: bytes) -> list[str]:
        """The printed lines in one picture's bytes (any format Pillow opens; each page of a TIFF);
        none where there is no text recognition, the picture is too small or too large, or it cannot
        be read."""
        from PIL import Image, ImageSequence, UnidentifiedImageError

        if self.ocr is None:
            return []
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:  # a drawing (EMF, WMF, SVG): lines and shapes, not a picture of print
            return []
        lines: list[str] = []
        try:
            for frame in ImageSequence.Iterator(image):
                if min(frame.size) < SMALLEST_SIDE:
                    continue
                if self.tried >= self.most:
                    self.skipped += 1
                    break
                self.tried += 1
                reached("picture", self.tried)  # seconds each: a report of pasted scans is read for minutes
                if frame.width * frame.height > MOST_PIXELS:  # checked before the pixels are decoded
                    raise ValueError(f"{frame.width} x {frame.height} pixels")
                lines += [line for line in self.ocr.lines(frame) if _WORD.search(line)]
        except (PageUnread, Image.DecompressionBombError, OSError, ValueError, EOFError):  # damaged, too large
            self.unread += 1
            return []
        self.read += bool(lines)
        return lines

    def note(self) -> str | None:
        """What the report says of the pictures read, or not, in this document."""
        said = []
        if self.read:
            said.append(f"text in {self.read} picture(s) read by text recognition (OCR); check what is cited from it")
        if self.unread:
            said.append(f"{self.unread} picture(s) could not be read by text recognition")
        if self.skipped:
            said.append(f"{self.skipped} picture(s) past the first {self.most} left unread")
        return "; ".join(said) or None


class PageUnread(Exception):
    """One page's text could not be recognized; the rest of the document goes on."""
