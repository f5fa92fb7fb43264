"""Kill an ingestion with SIGKILL part-way; the index stays consistent and a rerun completes it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from index.store import DocStore
from rag.app import build
from rag.settings import Settings
from tests.conftest import ROOT
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.e2e


def consistent(data_dir: Path) -> dict[str, int]:
    """Check the invariants; return chunks per document."""
    app = build(Settings(data_dir=data_dir, _env_file=None))
    app.ingestor  # noqa: B018 -- opening the store repairs what the killed writer left
    assert not (data_dir / "ingest.journal.json").exists()
    docs = set(app.library.files())
    got = app.vector_store.client.get(include=["metadatas"])
    per_doc: dict[str, int] = {}
    for meta in got["metadatas"]:
        per_doc[meta["file"]] = per_doc.get(meta["file"], 0) + 1
    assert set(per_doc) == docs, "orphan chunks, or documents without chunks"
    for file in docs:  # fully present: exactly the chunks this document makes
        expected = len(list(app.ingestor.chunker.chunk(app.docstore.docstore.get_document(file))))
        assert per_doc[file] == expected, file
    keyword = app.retriever.keyword_retriever()  # the keyword index is built from the same store
    assert (keyword is None and not docs) or len(keyword.corpus) == sum(per_doc.values())
    return per_doc


def test_sigkill_mid_ingestion_then_rerun(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    articles = sorted((ROOT / "bench" / "squad-dev" / "docs").glob("*.txt"), key=lambda p: p.stat().st_size)
    for article in articles[:4]:  # the shortest: each still takes seconds to embed, one file per step
        shutil.copy(article, docs)
    data_dir = tmp_path / "data"
    env = {**os.environ, "GROUNDLINE_DATA_DIR": str(data_dir), "GROUNDLINE_INGEST_BATCH_FILES": "1"}
    proc = subprocess.Popen([str(BIN / "groundline"), "ingest", str(docs)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 300
    while not ((data_dir / "docstore.sqlite3").exists() and DocStore(data_dir).names()):  # first batch committed
        assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.7)  # into a later batch
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    partial = consistent(data_dir)
    total = len(list(docs.glob("*.txt")))
    assert 0 < len(partial) < total, "the kill should land part-way"

    rerun = subprocess.run([str(BIN / "groundline"), "ingest", str(docs)], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(partial)} unchanged" in rerun.stdout
    assert len(consistent(data_dir)) == total
    listed = subprocess.run([str(BIN / "groundline"), "list", "--json"], env=env, capture_output=True, text=True)
    assert len(json.loads(listed.stdout)) == total


def test_a_second_writer_is_refused_while_readers_answer(tmp_path: Path) -> None:
    from filelock import FileLock

    from index.serving import WriterBusy
    from tests.fakes import HashEmbedding, ScriptedLLM, word_count

    settings = Settings(data_dir=tmp_path, min_relevance=-1.0, _env_file=None)
    app = build(settings, embed_model=HashEmbedding(), token_counter=word_count, llm=ScriptedLLM(["Fine."]))
    app.ingestor.ingest([ROOT / "examples" / "news"])
    app.ingestor.lock.timeout = 0.2
    with FileLock(str(tmp_path / "write.lock")):  # another process is writing
        with pytest.raises(WriterBusy, match="Another ingestion"):
            app.ingestor.ingest([ROOT / "examples" / "news"])
        assert app.retriever.retrieve("arms deals")  # reading goes on
