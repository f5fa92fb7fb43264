"""Backup and restore: how long ``groundline backup`` and ``restore`` take as the store grows.

    python -m bench.backup [--documents 100 1000] [--chunks 20] [--kb 8]

For each size, fills an embedded data directory with that many documents of ``--kb`` KB of text and
``--chunks`` chunks each (384-number vectors, as MiniLM's, drawn at random; chunk metadata as an
ingestion writes it), then times a backup to a folder, a backup to a ``.tar.gz``, and a restore of the
folder into an empty data directory. Baseline, in the same process on the same data directory: copying
its files (``shutil.copytree``), what a user could do with the server stopped. Prints one JSON line per
size, with the ratios of each to it.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from llama_index.core import Document
from llama_index.core.embeddings import MockEmbedding

from rag.app import build
from rag.settings import Settings

WORDS = "harbour light keeper range tower county built height nautical miles lens signal coast".split()
DIMENSIONS = 384
PAGE = 1000


def filled(data_dir: Path, documents: int, chunks: int, kb: int, rng: random.Random):
    """A Groundline on ``data_dir`` holding ``documents`` documents of ``chunks`` chunks each."""
    app = build(Settings(data_dir=data_dir, _env_file=None), embed_model=MockEmbedding(embed_dim=DIMENSIONS))
    collection = app.vector_store.client
    line = lambda: " ".join(rng.choices(WORDS, k=12)) + "\n"  # noqa: E731 -- ~80 bytes
    rows: list[tuple[str, str, dict, list[float]]] = []
    docs = []
    for n in range(documents):
        name = f"doc{n:06d}.txt"
        text = "".join(line() for _ in range(kb * 1024 // 80))
        docs.append(Document(text=text, id_=name))
        size = len(text) // chunks
        for c in range(chunks):
            meta = {
                "file": name,
                "ref_doc_id": name,
                "document_id": name,
                "start_line": c * 5 + 1,
                "end_line": c * 5 + 5,
            }
            rows.append(
                (f"{name}#{c}", text[c * size : (c + 1) * size], meta, [rng.gauss(0, 1) for _ in range(DIMENSIONS)])
            )
    for start in range(0, len(rows), PAGE):
        page = rows[start : start + PAGE]
        collection.add(
            ids=[r[0] for r in page], documents=[r[1] for r in page], metadatas=[r[2] for r in page],
            embeddings=[r[3] for r in page],
        )  # fmt: skip
    app.docstore.docstore.add_documents(docs)
    app.docstore.save()
    return app


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(documents: int, chunks: int, kb: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as work:
        root = Path(work)
        app = filled(root / "data", documents, chunks, kb, random.Random(documents))
        backups = app.backups(carried=[])
        copy_s = timed(lambda: shutil.copytree(root / "data", root / "copied"))
        folder_s = timed(lambda: backups.backup(root / "backup"))
        archive_s = timed(lambda: backups.backup(root / "backup.tar.gz"))
        target = build(
            Settings(data_dir=root / "restored", _env_file=None), embed_model=MockEmbedding(embed_dim=DIMENSIONS)
        )
        restore_s = timed(lambda: target.backups(carried=[]).restore(root / "backup"))
        assert target.vector_store.client.count() == documents * chunks
        size = lambda path: sum(p.stat().st_size for p in path.rglob("*") if p.is_file())  # noqa: E731
        return {
            "documents": documents,
            "chunks": documents * chunks,
            "data_dir_mb": round(size(root / "data") / 2**20, 1),
            "backup_mb": round(size(root / "backup") / 2**20, 1),
            "archive_mb": round((root / "backup.tar.gz").stat().st_size / 2**20, 1),
            "file_copy_s": round(copy_s, 3),
            "backup_s": round(folder_s, 3),
            "backup_tar_gz_s": round(archive_s, 3),
            "restore_s": round(restore_s, 3),
            "backup_vs_copy": round(folder_s / copy_s, 1),
            "backup_tar_gz_vs_copy": round(archive_s / copy_s, 1),
            "restore_vs_copy": round(restore_s / copy_s, 1),
            "chunks_per_s_backup": round(documents * chunks / folder_s),
        }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--documents", type=int, nargs="+", default=[100, 1000])
    p.add_argument("--chunks", type=int, default=20)
    p.add_argument("--kb", type=int, default=8)
    args = p.parse_args()
    for documents in args.documents:
        print(json.dumps(measure(documents, args.chunks, args.kb)), flush=True)


if __name__ == "__main__":
    main()
