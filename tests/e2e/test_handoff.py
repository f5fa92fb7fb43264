"""`groundline ingest` and `delete` beside a live `groundline serve` on an embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Server, groundline

pytestmark = pytest.mark.e2e

NOTE = (
    "Harbour notes, spring edition.\n"
    "The old lighthouse on Skerry Point was repainted red and white in April.\n"
    "Maren Holt has kept the lighthouse on Skerry Point for twenty-two years.\n"
)


def test_the_command_line_writes_through_the_server_and_it_answers_from_that(served: Server, tmp_path: Path) -> None:
    # An embedded store is the serving process's alone, so `groundline ingest` beside it was
    # refused: add documents on the page, or stop the server. The server now does the writing,
    # and its own vector index and BM25 see what it wrote.
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "lighthouse.txt").write_text(NOTE)
    try:
        done = groundline("ingest", str(tmp_path / "notes"), data_dir=served.data_dir)
        assert done.returncode == 0, done.stderr
        assert "1 added" in done.stdout and f"open in groundline serve at {served.url}" in done.stderr
        assert served.fetch_json("/healthz")["documents"] == 3
        reply = served.fetch_json("/api/ask", {"question": "Who keeps the lighthouse on Skerry Point?"})
        assert "Maren Holt" in reply["answer"], reply
        assert [(c["file"], c["start_line"]) for c in reply["citations"]] == [("lighthouse.txt", 3)]
    finally:
        gone = groundline("delete", "lighthouse.txt", data_dir=served.data_dir)  # the sample corpus again
    assert gone.returncode == 0 and "deleted: lighthouse.txt" in gone.stdout, gone.stderr
    assert served.fetch_json("/healthz")["documents"] == 2
