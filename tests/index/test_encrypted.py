"""Documents whose text is locked: Office files with a password (real ones, ``data/README.md``),
OpenDocument files with one and e-books under DRM (made here as those programs leave them), each
skipped with the same plain reason, whatever its reader would have failed with."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from index.errors import Encrypted, SkippedFile
from index.formats import extract
from tests.index.test_formats import make_epub, make_odt

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("suffix", "kind"),
    [
        (".docx", "Word document"),
        (".pptx", "PowerPoint presentation"),
        (".xlsx", "Excel workbook"),
        (".doc", "Word 97-2003 document"),
        (".ppt", "PowerPoint 97-2003 presentation"),
        (".xls", "Excel 97-2003 workbook"),
    ],
)
def test_a_locked_document_is_skipped_saying_so(suffix: str, kind: str) -> None:
    if suffix == ".doc":
        assert shutil.which("antiword"), "Debian's antiword is missing: run `make antiword`"
    with pytest.raises(Encrypted) as raised:
        extract(f"salaries{suffix}", (DATA / f"encrypted{suffix}").read_bytes())
    assert str(raised.value) == (
        f"salaries{suffix} is an encrypted {kind} (locked with a password); save an unencrypted copy to ingest it"
    )


def test_a_damaged_office_container_still_gets_its_readers_reason() -> None:
    with pytest.raises(SkippedFile, match=r"cut.docx is not a readable .docx file \(BadZipFile\)"):
        extract("cut.docx", (DATA / "encrypted.docx").read_bytes()[:1000])


def rewritten(archive: bytes, parts: dict[str, bytes]) -> bytes:
    """``archive`` with ``parts`` put in (replacing those of the same name), as a locking program leaves it."""
    source, out = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item.filename))
        for part, data in parts.items():
            target.writestr(part, data)
    return out.getvalue()


ODF_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="3120">
  <manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k"
      manifest:checksum="8bV2E1mKz0cX1C0uOa1X8Q==">
   <manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc"
       manifest:initialisation-vector="xQ9lH0zJ3kq1aW3N0b1Q2A=="/>
   <manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32"
       manifest:iteration-count="100000" manifest:salt="3u1mZ2Vb8N9aF0yQ2c4R5g=="/>
  </manifest:encryption-data>
 </manifest:file-entry>
</manifest:manifest>"""


def test_a_password_locked_opendocument_file_is_skipped_saying_so(tmp_path: Path) -> None:
    # As LibreOffice saves with a password: content.xml encrypted, its manifest entry saying how.
    plain = make_odt(tmp_path / "minutes.odt").read_bytes()
    locked = rewritten(plain, {"content.xml": os.urandom(3120), "META-INF/manifest.xml": ODF_MANIFEST})
    with pytest.raises(Encrypted, match=r"minutes.odt is an encrypted OpenDocument text \(locked with a password\)"):
        extract("minutes.odt", locked)
    assert extract("minutes.odt", plain).text  # its manifest without encryption data


def encryption_xml(*references: tuple[str, str]) -> bytes:
    listed = "".join(
        f'<enc:EncryptedData><enc:EncryptionMethod Algorithm="{algorithm}"/>'
        f'<enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData>'
        for algorithm, uri in references
    )
    return (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        f'xmlns:enc="http://www.w3.org/2001/04/xmlenc#">{listed}</encryption>'
    ).encode()


def test_an_e_book_under_drm_is_skipped_but_one_with_hidden_fonts_is_read(tmp_path: Path) -> None:
    book = make_epub(tmp_path / "lights.epub").read_bytes()
    fonts = encryption_xml(("http://www.idpf.org/2008/embedding", "EPUB/fonts/serif.otf"))
    assert "Maren Holt keeps it." in extract("lights.epub", rewritten(book, {"META-INF/encryption.xml": fonts})).text
    drm = encryption_xml(
        ("http://www.idpf.org/2008/embedding", "EPUB/fonts/serif.otf"),
        ("http://www.w3.org/2001/04/xmlenc#aes128-cbc", "EPUB/c1.xhtml"),  # as Adobe's DRM lists a chapter
    )
    locked = rewritten(book, {"META-INF/encryption.xml": drm, "EPUB/c1.xhtml": os.urandom(600)})
    with pytest.raises(Encrypted, match=r"lights.epub is an encrypted e-book \(protected by DRM\)"):
        extract("lights.epub", locked)


def test_a_manifest_that_would_unpack_too_large_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.formats
    import index.locks

    def unpacked_first(*args: object) -> None:
        raise AssertionError("the manifest was unpacked before the archive's size was checked")

    monkeypatch.setattr(index.formats, "MOST_UNZIPPED", 2**20)
    monkeypatch.setattr(index.locks, "check_not_locked", unpacked_first)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/manifest.xml", bytes(2 * 2**20))  # read by the lock check, were it first
    with pytest.raises(SkippedFile, match="would unpack to 2 MB, over the 1 MB allowed"):
        extract("bomb.odt", bomb.getvalue())
