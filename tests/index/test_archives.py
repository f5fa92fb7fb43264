"""Zip archives: one document whose pages are its files, each read as a file of its name is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import index.archives
from index.errors import SkippedFile
from index.formats import extract, page_of, page_words
from tests.index.test_formats import make_message, make_pdf


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()


def locked(archive: bytes, path: str) -> bytes:
    """``archive`` with ``path`` marked encrypted (the general purpose flag's bit 0), as a zip made with a
    password marks it: zipfile writes no encrypted archive of its own."""
    data = bytearray(archive)
    name = path.encode()
    for signature, flags, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = data.index(signature)
        while data[at + name_at : at + name_at + len(name)] != name:
            at = data.index(signature, at + 1)
        data[at + flags] |= 1
    return bytes(data)


def test_an_archives_files_are_its_pages_in_the_order_of_their_paths(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Keeper: Maren Holt.")
    saved = io.BytesIO()
    document.save(saved)
    export = zipped(
        {
            "Lights/south.md": b"# South light\nLit in 1902.\n",
            "Lights/North.md": b"# North light\nFog horn tested.\n",
            "rota.docx": saved.getvalue(),
            "report.pdf": make_pdf(tmp_path / "report.pdf", [["Lamp hours: 1450."], ["Lens: cleaned."]]).read_bytes(),
            "keepers.csv": b"Light,Keeper\nSkerry,Ann\n",
            "Lights/": b"",  # a folder's own entry
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
            "__MACOSX/Lights/._south.md": b"\x00\x05\x16\x07 attributes",
            "tool.exe": b"MZ\x90\x00",
            "broken.docx": b"PK not a zip",
            "older.zip": zipped({"a.txt": b"Inside."}),
        }
    )
    got = extract("handbook.zip", export)
    assert got.page_names == ("keepers.csv", "Lights/North.md", "Lights/south.md", "report.pdf", "rota.docx")
    lines = got.text.splitlines()
    assert lines == [
        "Light | Keeper",
        "Light: Skerry; Keeper: Ann",
        "# North light",
        "Fog horn tested.",
        "# South light",
        "Lit in 1902.",
        "Lamp hours: 1450.",  # a PDF's pages are lines of its page
        "Lens: cleaned.",
        "Keeper: Maren Holt.",
    ]
    assert page_words("handbook.zip") == ("file", "line")
    assert page_of(got.page_starts, lines.index("Lit in 1902.") + 1) == (3, 2)  # file 3, line 2
    assert got.note == (
        "2 file(s) not read: broken.docx (is not a readable .docx file (BadZipFile)), "
        "older.zip (not opened inside an archive); 1 file(s) with no text or of a type not read"
    )


def test_what_an_archive_holds_that_cannot_be_unpacked_is_noted() -> None:
    export = locked(zipped({"open.txt": b"Open notes.", "secret.txt": b"Locked notes."}), "secret.txt")
    got = extract("notes.zip", export)
    assert got.text == "Open notes." and got.page_names == ("open.txt",)
    assert got.note == "1 file(s) not read: secret.txt (it is encrypted)"


def test_an_archive_with_nothing_to_read_is_skipped_saying_why() -> None:
    with pytest.raises(SkippedFile, match=r"empty.zip has no file that could be read \(it is empty\); skipped"):
        extract("empty.zip", zipped({}))
    with pytest.raises(SkippedFile, match=r"tools.zip has no file that could be read \(1 file\(s\) with no text"):
        extract("tools.zip", zipped({"tool.exe": b"MZ\x90\x00"}))
    with pytest.raises(SkippedFile, match=r"broken.zip is not a readable .zip file \(BadZipFile\); skipped"):
        extract("broken.zip", b"PK\x03\x04 nope")


def test_only_the_first_files_of_a_huge_archive_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.archives, "MOST_FILES", 2)
    got = extract("many.zip", zipped({f"{n}.txt": f"Note {n}.".encode() for n in range(5)}))
    assert got.text.splitlines() == ["Note 0.", "Note 1."]
    assert got.note == "only its first 2 files were read, 3 left out"


def test_a_long_path_names_its_page_by_the_file_alone() -> None:
    deep = "Notion export 5f3a/Team space 0c1d/Projects 9e8f/Lighthouse refit 77aa/Minutes 2026-03-02 1b2c.md"
    got = extract("notion.zip", zipped({deep: b"Refit starts in May."}))
    assert got.page_names == ("…/Minutes 2026-03-02 1b2c.md",)


def test_a_zip_attached_to_a_message_is_read_as_its_files() -> None:
    attached = zipped({"minutes.txt": b"Refit starts in May.", "mail.eml": b"From: a@example.org\n\nHi."})
    message = make_message("maren@example.org", "Minutes", "Zipped.\n", attach={"minutes.zip": attached})
    lines = extract("minutes.eml", message.as_bytes()).text.splitlines()
    assert lines[-2:] == ["Attachment: minutes.zip", "Refit starts in May."]  # mail inside is not opened
