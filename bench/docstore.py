"""Document store: what one ingestion batch costs to save, and another process to see, as it grows.

    python -m bench.docstore [--documents 500 2000 8000] [--kb 20] [--batch 8] [--repeat 3]

For each size, fills a store with that many documents of ``--kb`` KB each, then writes and saves
one batch of ``--batch`` new documents (texts, hashes and fingerprints, as ``Ingestor`` writes
them; the SQLite store does its work as it writes, the JSON one as it saves) and has
a second store, as another process, list the names and open one document. Baseline, in the same
process on the same documents: llama-index's ``SimpleDocumentStore`` persisted whole as JSON, as
Groundline kept it before (written to a temporary file and renamed; read again in full by every
other process after each save). Prints one JSON line per size, with ratios of ours to it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from llama_index.core import Document
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.core.storage.docstore.keyval_docstore import KVDocumentStore
from llama_index.core.storage.kvstore import SimpleKVStore

from index.store import DOCUMENTS, FINGERPRINTS, DocStore

WORDS = "harbour light keeper range tower county built height nautical miles lens signal coast".split()


def documents(start: int, count: int, kb: int, rng: random.Random) -> list[Document]:
    line = lambda: " ".join(rng.choices(WORDS, k=12)) + "\n"  # noqa: E731 -- ~80 bytes
    return [
        Document(text="".join(line() for _ in range(kb * 1024 // 80)), id_=f"doc{n:06d}.txt", metadata={"file": n})
        for n in range(start, start + count)
    ]


def saved(store: JsonStore | SQLiteStore, docs: list[Document]) -> None:
    write(store.store, store.put_fingerprint, docs)
    store.save()


def write(store: KVDocumentStore, put_fingerprint: Callable[[str, dict], None], docs: list[Document]) -> None:
    store.add_documents(docs)
    for doc in docs:
        store.set_document_hash(doc.id_, doc.hash)
        put_fingerprint(doc.id_, {"sha256": doc.hash, "signature": "bench", "reader": 1})


class JsonStore:
    """The baseline: the store as one JSON file, rewritten whole on save, read whole when it changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kv = SimpleKVStore()
        self.store = SimpleDocumentStore(self.kv)

    def put_fingerprint(self, name: str, fingerprint: dict) -> None:
        self.kv.put(name, fingerprint, collection=FINGERPRINTS)

    def save(self) -> None:
        tmp = self.path.with_suffix(".json.tmp")
        self.store.persist(str(tmp))
        tmp.replace(self.path)

    def seen_elsewhere(self, name: str) -> tuple[int, str]:
        kv = SimpleKVStore.from_persist_path(str(self.path))
        return len(kv.get_all(collection=DOCUMENTS)), SimpleDocumentStore(kv).get_document(name).get_content()


class SQLiteStore:
    """Ours: ``index.store.DocStore``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.docs = DocStore(data_dir)
        self.store = self.docs.docstore

    def put_fingerprint(self, name: str, fingerprint: dict) -> None:
        self.docs.set_fingerprint(name, fingerprint)

    def save(self) -> None:
        self.docs.save()

    def seen_elsewhere(self, name: str) -> tuple[int, str]:
        other = DocStore(self.data_dir)  # a process that has had the store open
        return len(other.names()), other.docstore.get_document(name).get_content()


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def run(count: int, kb: int, batch: int, repeat: int, work: Path) -> dict:
    rng = random.Random(count)
    stored = documents(0, count, kb, rng)
    stores = {"json": JsonStore(work / "docstore.json"), "sqlite": SQLiteStore(work / "sqlite")}
    times: dict[str, dict[str, list[float]]] = {name: {"save": [], "seen": []} for name in stores}
    for store in stores.values():
        write(store.store, store.put_fingerprint, stored)
        store.save()
    for r in range(repeat):
        new = documents(count + r * batch, batch, kb, rng)
        for name, store in stores.items():  # the same batch into each, in turn
            seconds, _ = timed(partial(saved, store, new))
            times[name]["save"].append(seconds)
            seconds, (listed, text) = timed(partial(store.seen_elsewhere, new[0].id_))
            assert listed == count + (r + 1) * batch and text == new[0].text, name
            times[name]["seen"].append(seconds)
    median = {name: {op: statistics.median(t) for op, t in ops.items()} for name, ops in times.items()}
    return {
        "documents": count,
        "stored_mb": round((work / "docstore.json").stat().st_size / 1e6, 1),
        "batch": batch,
        "json_save_s": round(median["json"]["save"], 4),
        "sqlite_save_s": round(median["sqlite"]["save"], 4),
        "save_ratio": round(median["sqlite"]["save"] / median["json"]["save"], 4),
        "json_seen_s": round(median["json"]["seen"], 4),
        "sqlite_seen_s": round(median["sqlite"]["seen"], 4),
        "seen_ratio": round(median["sqlite"]["seen"] / median["json"]["seen"], 4),
    }


def store_arguments(doc: str | None, documents: list[int]) -> argparse.ArgumentParser:
    """The options of a bench of document stores (this one's, ``bench.shared_store``'s)."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=documents)
    parser.add_argument("--kb", type=int, default=20, help="size of each document's text")
    parser.add_argument("--batch", type=int, default=8, help="documents a save adds (GROUNDLINE_INGEST_BATCH_FILES)")
    parser.add_argument("--repeat", type=int, default=3, help="batches saved per size; medians are printed")
    return parser


def main(argv: list[str] | None = None) -> list[dict]:
    args = store_arguments(__doc__, [500, 2000, 8000]).parse_args(argv)
    rows = []
    for count in args.documents:
        with tempfile.TemporaryDirectory() as work:
            rows.append(run(count, args.kb, args.batch, args.repeat, Path(work)))
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    main()
