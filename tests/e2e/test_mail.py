"""An e-mail with the facts in an attached PDF, through the real command line, server and 1.5B."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Server, groundline
from tests.e2e.test_handoff import NOTE
from tests.index.test_formats import make_message, make_pdf

pytestmark = pytest.mark.e2e


def test_an_attached_pdf_is_answered_from_and_cited_as_lines_of_its_message(served: Server, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "harbour-notes.pdf", [NOTE.splitlines()])
    message = make_message(
        "port@example.org", "Notes for the board", "The spring notes are attached.\n",
        attach={"harbour-notes.pdf": pdf.read_bytes()},
    )  # fmt: skip
    mail = tmp_path / "board.eml"
    mail.write_bytes(message.as_bytes())
    try:
        done = groundline("ingest", str(mail), data_dir=served.data_dir)
        assert done.returncode == 0, done.stderr
        assert "1 added" in done.stdout
        lines = served.fetch_json("/api/documents/board.eml")["lines"]  # as the citation viewer shows it
        keeper = lines.index(NOTE.splitlines()[2]) + 1
        assert lines[keeper - 5 : keeper] == ["", "Attachment: harbour-notes.pdf", *NOTE.splitlines()]
        # asked of the message alone: how its attachment is read, not how it ranks among the news
        reply = served.fetch_json(
            "/api/ask", {"question": "Who keeps the lighthouse on Skerry Point?", "files": ["board.eml"]}
        )
        assert "Maren Holt" in reply["answer"], reply
        assert [(c["file"], c["start_line"]) for c in reply["citations"]] == [("board.eml", keeper)], reply
    finally:
        groundline("delete", "board.eml", data_dir=served.data_dir)
