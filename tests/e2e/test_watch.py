"""A folder `groundline serve` watches: files dropped in are answered from; deleted, they go."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_handoff import NOTE

pytestmark = pytest.mark.e2e


def documents_become(served: Server, count: int, within_s: float = 120) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if served.fetch_json("/healthz")["documents"] == count:
            return True
        time.sleep(0.5)
    return False


def test_a_file_dropped_in_a_watched_folder_is_answered_from_and_goes_when_deleted(served: Server) -> None:
    dropped = served.watched / "harbour" / "lighthouse.txt"
    dropped.parent.mkdir()
    dropped.write_text(NOTE)
    try:
        assert documents_become(served, 3), served.log.read_text()[-2000:]
        # asked within it, as a reader picks a new document: the model reads its one passage, not the
        # articles' too (how a document the server wrote is found among the others: test_handoff)
        asked = {"question": "Who keeps the lighthouse on Skerry Point?", "files": ["harbour/"]}
        reply = served.fetch_json("/api/ask", asked)
        assert "Maren Holt" in reply["answer"], reply
        assert [(c["file"], c["start_line"]) for c in reply["citations"]] == [("harbour/lighthouse.txt", 3)]
    finally:
        dropped.unlink()
    assert documents_become(served, 2), served.log.read_text()[-2000:]
    log = served.log.read_text()
    assert f"groundline: watching {served.watched}" in log
    assert f"groundline: {served.watched}: 1 added, 0 updated, 0 unchanged, 0 skipped; 1 chunks embedded" in log
    assert f"groundline: {served.watched}: 0 added, 0 updated, 0 unchanged, 0 skipped, 1 removed" in log
