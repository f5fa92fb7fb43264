"""Office documents locked with a password: real ones (``data/README.md``), each skipped with the same
plain reason, whatever its reader would have failed with (a .docx is then no zip at all)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.errors import Encrypted
from index.formats import extract

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
    from index.errors import SkippedFile

    with pytest.raises(SkippedFile, match=r"cut.docx is not a readable .docx file \(BadZipFile\)"):
        extract("cut.docx", (DATA / "encrypted.docx").read_bytes()[:1000])
