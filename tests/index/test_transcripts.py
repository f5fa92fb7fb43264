"""Meeting transcripts and subtitles, a cue a line (``index.transcripts``)."""

from __future__ import annotations

import pytest

from index.errors import SkippedFile
from index.formats import extract

MEETING = """WEBVTT

NOTE exported by the meeting's recorder

1
00:00:01.000 --> 00:00:04.500
<v Asa Lind>We should repaint the tower
before the winter.</v>

2
00:01:02.250 --> 00:01:05.000
<v.loud Ola Berg>Agreed. I'll order the paint &amp; brushes.

00:01:06.000 --> 00:01:08.000
[door closes]

1:02:03.000 --> 1:02:05.000
<v Asa Lind>That's all.
"""

TALK = """1
00:00:01,000 --> 00:00:04,500
The light was first lit
in <i>1851</i>.

2
00:00:05,000 --> 00:00:07,000
It was automated in 1987.
"""


def test_a_meetings_transcript_reads_a_cue_a_line_with_its_time_and_speaker() -> None:
    # Read as plain text (or not at all: .vtt was an unsupported type), a cue's words were split
    # over lines among its number and time span, and its speaker was markup.
    assert extract("meeting.vtt", MEETING.encode()).text.splitlines() == [
        "[00:00:01] Asa Lind: We should repaint the tower before the winter.",
        "[00:01:02] Ola Berg: Agreed. I'll order the paint & brushes.",
        "[00:01:06] [door closes]",
        "[01:02:03] Asa Lind: That's all.",
    ]


def test_subtitles_read_a_cue_a_line_without_their_markup() -> None:
    assert extract("talk.srt", TALK.encode()).text.splitlines() == [
        "[00:00:01] The light was first lit in 1851.",
        "[00:00:05] It was automated in 1987.",
    ]


@pytest.mark.parametrize("name, data", [("notes.vtt", b"Just some notes.\n"), ("notes.srt", b"1\nnot a time\nhello\n")])
def test_a_file_that_is_no_transcript_is_skipped_saying_so(name: str, data: bytes) -> None:
    with pytest.raises(SkippedFile, match=f"{name} (is not a readable|has no text)"):
        extract(name, data)


def test_bytes_that_are_not_utf8_are_replaced_and_noted() -> None:
    damaged = MEETING.replace("Agreed.", "Agr\udcffeed, Åsa.").encode("utf-8", "surrogateescape")  # UTF-8 gone bad
    got = extract("meeting.vtt", damaged)
    assert "[00:01:02] Ola Berg: Agr\ufffdeed, Åsa. I'll order the paint & brushes." in got.text.splitlines()
    assert got.note and "replacement characters" in got.note
    windows = extract("meeting.vtt", MEETING.replace("Agreed.", "Agreed, Åsa.").encode("cp1252"))  # not UTF-8 at all
    assert "[00:01:02] Ola Berg: Agreed, Åsa. I'll order the paint & brushes." in windows.text.splitlines()
    assert windows.note and "read as Windows-1252" in windows.note
