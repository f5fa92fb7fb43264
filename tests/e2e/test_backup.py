"""``groundline backup`` of a data directory a live server holds, and ``groundline restore`` of it into
a new one, as a user runs them: the real commands, models and Chroma on disk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ARMS_FILE
from tests.e2e.conftest import Server, groundline


def test_a_served_data_directory_is_backed_up_while_it_answers_and_restores_elsewhere(
    served: Server, tmp_path: Path
) -> None:
    made = groundline("backup", str(tmp_path / "groundline.tar.gz"), data_dir=served.data_dir)
    assert made.returncode == 0, made.stderr
    assert f"backed up to {tmp_path / 'groundline.tar.gz'}: 2 document(s), 6 chunk(s)" in made.stdout
    assert served.fetch_json("/healthz")["documents"] == 2  # the server went on, its documents untouched

    refused = groundline("restore", str(tmp_path / "groundline.tar.gz"), data_dir=served.data_dir)
    assert refused.returncode == 1 and "groundline serve is using" in refused.stderr

    # Restored elsewhere: another installation, with its own kept prompts. (Sharing the run's, its rollback
    # below, a delete and a restore in place of the sample articles, had every process forget the prompts
    # read over them: the served chat's next question was read anew, 25 s of the run.)
    elsewhere, own = tmp_path / "restored", {"GROUNDLINE_LLM_CACHE_DIR": str(tmp_path / "prompts")}
    done = groundline("restore", str(tmp_path / "groundline.tar.gz"), data_dir=elsewhere, **own)
    assert done.returncode == 0, done.stderr
    assert "restored from" in done.stdout and "2 document(s), 6 chunk(s)" in done.stdout
    found = groundline("search", "who denied arms deals?", "--json", data_dir=elsewhere, **own)
    assert found.returncode == 0, found.stderr
    best = json.loads(found.stdout)["hits"][0]
    assert (best["file"], best["start_line"]) == (ARMS_FILE, 9)

    # a rollback: a document deleted by mistake and a stray one ingested, then last night's backup in their place
    assert groundline("delete", ARMS_FILE, data_dir=elsewhere, **own).returncode == 0
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "draft.txt").write_text("A draft nobody meant to ingest.\n")
    assert groundline("ingest", str(tmp_path / "stray"), data_dir=elsewhere, **own).returncode == 0
    refused = groundline("restore", str(tmp_path / "groundline.tar.gz"), data_dir=elsewhere, **own)
    assert refused.returncode == 1 and "restore --replace" in refused.stderr
    rolled_back = groundline("restore", "--replace", str(tmp_path / "groundline.tar.gz"), data_dir=elsewhere, **own)
    assert rolled_back.returncode == 0, rolled_back.stderr
    assert "2 document(s), 6 chunk(s)" in rolled_back.stdout and "in place of the 2 document(s)" in rolled_back.stdout
    listed = [doc["path"] for doc in json.loads(groundline("list", "--json", data_dir=elsewhere, **own).stdout)]
    assert ARMS_FILE in listed and "draft.txt" not in listed and len(listed) == 2
