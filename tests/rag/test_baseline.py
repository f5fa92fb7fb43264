"""The plain llama-index recipe the eval compares against, on fakes: it must run offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# a fresh process: llama-index's nltk helper reads NLTK_DATA when the splitter first needs it
SCRIPT = """
import json, sys
from pathlib import Path
from rag.baseline import PlainLlamaIndex
from tests.fakes import HashEmbedding, ScriptedLLM

docs, data = Path(sys.argv[1]), Path(sys.argv[2])
plain = PlainLlamaIndex(docs, data, HashEmbedding(), ScriptedLLM(["North Korea denied it."]))
reply = plain.answer("Who denied arms deals?")
print(json.dumps({"text": reply.text, "abstained": reply.abstained,
                  "cited": [[c.file, c.start, c.end] for c in reply.citations]}))
"""


def test_the_baseline_runs_offline_when_nltk_data_names_a_folder_without_its_data(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    # longer than one 1024-token chunk: only then does the splitter cut sentences with nltk
    day = "Day {} of the report was dry and mild in the south. It rained in the north.\n"
    weather = "".join(day.format(n) for n in range(150))
    (docs / "arms.txt").write_text("North Korea denied arms deals. Mr. Kim spoke.\n" + weather)
    nltk_data = tmp_path / "nltk_data"
    nltk_data.mkdir()
    env = {**os.environ, "NLTK_DATA": str(nltk_data), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(docs), str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "nltk_data" not in out.stderr  # nltk's downloader reports every attempt under that tag
    assert list(nltk_data.iterdir()) == []  # nothing fetched into it
    reply = json.loads(out.stdout.strip().splitlines()[-1])
    assert reply["text"] == "North Korea denied it." and not reply["abstained"]
    assert reply["cited"][0][:2] == ["arms.txt", 1] and len(reply["cited"]) == 2  # top-2 chunks, the first from line 1
