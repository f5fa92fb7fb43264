"""Transcripts and subtitles (``.vtt``, ``.srt``) as lines: a meeting's record, a talk's captions.

A WebVTT file (what Teams, Zoom and Meet export as a meeting's transcript) or a SubRip file
holds cues: a number, a time span, one to a few lines of text, and in WebVTT often the speaker
(``<v Asa Lind>``). Read as plain text, a cue's words were split over lines among numbers and
"00:01:02.250 --> 00:01:05.000", and the speaker was markup. Each cue is read as one line,
"[00:01:02] Asa Lind: We should repaint the tower before the winter.": when, who (where the
file says), and what, so that "what did Asa say about the tower?" finds it and a citation shows
the moment. webvtt-py parses both formats.
"""

from __future__ import annotations

import html
import io

from index.errors import SkippedFile
from index.formats import Extracted, decode_text

FORMATS = {".vtt": "vtt", ".srt": "srt"}
MOST_CUES = 1_000_000  # ~10 hours of captions a few seconds each is 10,000; more is a hostile file


def transcript_text(data: bytes, name: str, suffix: str) -> Extracted:
    """A ``.vtt`` or ``.srt`` file's cues, one a line (the module's docstring); a file that is not
    one is skipped, saying so; bytes that are not UTF-8 are replaced and noted."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text, note = decode_text(data, name)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=FORMATS[suffix]).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise SkippedFile(name, f"is not a readable {suffix} file ({exc.__class__.__name__}); skipped") from exc
    if len(captions) > MOST_CUES:
        raise SkippedFile(name, f"has more than {MOST_CUES:,} cues; skipped")
    lines = [cue_line(c.start, c.voice, c.text) for c in captions]
    return Extracted("\n".join(line for line in lines if line), note=note)


def cue_line(start: str, voice: str | None, text: str) -> str:
    """One cue as a line: its start to the second, its speaker where named, its words on one line;
    "" for a cue with no words.

    >>> cue_line("00:01:02.250", "Asa Lind", "We should repaint\\nthe tower &amp; mast.")
    '[00:01:02] Asa Lind: We should repaint the tower & mast.'
    >>> cue_line("01:02.250", None, "Agreed."), cue_line("00:00:03,000", None, " ")
    ('[00:01:02] Agreed.', '')
    """
    words = " ".join(html.unescape(text).split())
    if not words:
        return ""
    when = start.replace(",", ".").split(".")[0]
    when = when if when.count(":") == 2 else f"00:{when}"
    who = " ".join(html.unescape(voice or "").split())
    return f"[{when}] {who}: {words}" if who else f"[{when}] {words}"
