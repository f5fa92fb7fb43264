"""Where a long file's reading has got to: told from inside the readers, nested parts named."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

import index.progress
from index.formats import extract
from index.progress import listening, part, reached
from tests.index.test_archives import zipped
from tests.index.test_formats import make_message


@pytest.fixture
def every_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.progress, "EVERY_S", 0.0)


def test_a_place_within_a_part_names_the_part(every_place: None) -> None:
    heard: list[str] = []
    with listening(heard.append), part("file", 2, 3, "scans/log.pdf"):
        reached("page", 1, 2)
        with part("attachment", 1, 1):
            reached("picture", 4)
    reached("page", 9, 9)  # after the file: no one listens
    assert heard == [
        "file 2 of 3 (scans/log.pdf)",
        "file 2 of 3 (scans/log.pdf), page 1 of 2",
        "file 2 of 3 (scans/log.pdf), attachment 1 of 1",
        "file 2 of 3 (scans/log.pdf), attachment 1 of 1, picture 4",
    ]


def test_a_file_tells_its_first_place_at_once_then_at_most_one_every_half_second() -> None:
    heard: list[str] = []
    with listening(heard.append):
        for n in range(1, 5001):
            reached("message", n, 5000)
    assert heard == ["message 1 of 5,000"]  # microseconds each: a bar updated 5,000 times would crawl
    with listening(heard.append):  # the next file's first place is told at once too
        reached("page", 1, 2)
    assert heard[-1] == "page 1 of 2"


def test_a_mailbox_tells_each_message_and_each_attachment(every_place: None, tmp_path: Path) -> None:
    written = mailbox.mbox(tmp_path / "box.mbox")
    written.add(make_message("maren@example.org", "Lamp", "See notes.\n", attach={"notes.txt": b"LED since May.\n"}))
    written.add(make_message("asa@example.org", "Fog", "Fog horn tested.\n"))
    written.close()
    heard: list[str] = []
    with listening(heard.append):
        extract("box.mbox", (tmp_path / "box.mbox").read_bytes())
    assert heard == ["message 1 of 2", "message 1 of 2, attachment 1 of 1 (notes.txt)", "message 2 of 2"]


def test_an_archive_tells_each_file_it_reads(every_place: None) -> None:
    archive = zipped({"b/minutes.md": b"Fog horn tested.\n", "a.txt": b"LED since May.\n", "c.zip": b"PK"})
    heard: list[str] = []
    with listening(heard.append):
        extract("export.zip", archive)
    assert heard == ["file 1 of 3 (a.txt)", "file 2 of 3 (b/minutes.md)"]  # an archive inside is not read
