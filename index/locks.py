"""What locks a document's text, told before its reader fails on it: a password (Office, old and new,
and OpenDocument files) or DRM (an e-book). Each reader would only have found a file it could not
parse ("not a zip", "malformed XML") or, for an e-book, read its encrypted chapters as garbage; the
user is told instead that the file is locked and what to do. PDF, .doc, .ppt and .xls say so through
their own readers (``index.formats``, ``index.office``). This module reads nothing else.
"""

from __future__ import annotations

import io
from zipfile import BadZipFile, ZipFile

from lxml import etree

from index.errors import Encrypted
from index.formats import OLE

# What each format is called in the message, by the suffix it is read as.
KINDS = {
    ".docx": "Word document",
    ".pptx": "PowerPoint presentation",
    ".xlsx": "Excel workbook",
    ".odt": "OpenDocument text",
    ".ods": "OpenDocument spreadsheet",
    ".odp": "OpenDocument presentation",
    ".epub": "e-book",
}
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
XMLENC = "{http://www.w3.org/2001/04/xmlenc#}"
# How an e-book may hide its fonts (so that they are not copied out) without hiding any text: the
# IDPF's obfuscation and Adobe's.
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def check_not_locked(data: bytes, name: str, kind: str) -> None:
    """Raise ``Encrypted`` for a file of format ``kind`` (a suffix) whose text is locked; nothing for
    one that is not, or is too damaged to tell (its reader then says why it cannot read it)."""
    if kind not in KINDS:
        return
    try:
        locked = _office_locked(data) if kind in (".docx", ".pptx", ".xlsx") else _zip_locked(data, kind)
    except Exception:  # noqa: BLE001 -- a damaged container: the format's reader gives the reason
        return
    if locked:
        raise Encrypted(name, KINDS[kind], "protected by DRM" if kind == ".epub" else "locked with a password")


def _office_locked(data: bytes) -> bool:
    """Office keeps a document saved with a password as the ``EncryptedPackage`` stream of an OLE
    compound file (MS-OFFCRYPTO 2.3.4.4), not as a zip."""
    import olefile

    if not data.startswith(OLE):
        return False
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return bool(ole.exists("EncryptedPackage") and ole.exists("EncryptionInfo"))


def _zip_locked(data: bytes, kind: str) -> bool:
    """An OpenDocument file's manifest gives encryption data for its ``content.xml`` (ODF 1.2, part 3,
    3.8); an e-book's ``META-INF/encryption.xml`` lists resources encrypted otherwise than by a
    font's obfuscation."""
    try:
        archive = ZipFile(io.BytesIO(data))
    except BadZipFile:
        return False
    with archive:
        names = set(archive.namelist())
        if kind == ".epub":
            if "META-INF/encryption.xml" not in names:
                return False
            listed = etree.fromstring(archive.read("META-INF/encryption.xml"), PARSER)
            methods = listed.iter(f"{XMLENC}EncryptionMethod")
            return any(method.get("Algorithm") not in FONT_OBFUSCATION for method in methods)
        if "META-INF/manifest.xml" not in names:
            return False
        manifest = etree.fromstring(archive.read("META-INF/manifest.xml"), PARSER)
        return any(
            entry.get(f"{MANIFEST}full-path") == "content.xml" and entry.find(f"{MANIFEST}encryption-data") is not None
            for entry in manifest.iter(f"{MANIFEST}file-entry")
        )
