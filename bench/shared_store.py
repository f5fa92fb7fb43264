"""The document store on a Chroma server (shared by machines) against the one in the data dir.

    python -m bench.shared_store [--documents 200 1000] [--kb 20] [--batch 8] [--repeat 3]

Starts a ``chroma run`` on localhost. For each size, fills both stores with the same documents of
``--kb`` KB (texts, hashes, fingerprints, as ``Ingestor`` writes them), then measures, on each, in
the same process: writing and saving one batch of ``--batch`` new documents; another process (on
another machine, for the server) listing the names and opening one; and looking up every stored
document's fingerprint and hash, as re-ingesting a folder of unchanged files does once a file.
Baseline: the SQLite store in the data dir. Prints one JSON line per size, with ratios.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench.docstore import documents, store_arguments, timed, write
from index.store import DocStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_run(path: Path) -> tuple[subprocess.Popen, str]:
    """A ``chroma run`` on a free local port, ready; its process and ``host:port``."""
    port = free_port()
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def lookups(store: DocStore) -> int:
    """What re-ingesting unchanged files asks of the store, once a file (``Ingestor._known``)."""
    names = store.names()
    for name in names:
        store.fingerprint(name)
        store.docstore.get_document_hash(name)
    return len(names)


def run(count: int, kb: int, batch: int, repeat: int, work: Path, server: str) -> dict:
    rng = random.Random(count)
    stored = documents(0, count, kb, rng)
    server_dir = work / "north"  # the machine that writes; "south" reads, with its own data dir
    stores = {"sqlite": (DocStore(work / "local"), lambda: DocStore(work / "local"))}
    stores["server"] = (DocStore(server_dir, server), lambda: DocStore(work / "south", server))
    times: dict[str, dict[str, list[float]]] = {name: {"save": [], "seen": [], "lookups": []} for name in stores}
    for store, _ in stores.values():
        write(store.docstore, store.set_fingerprint, stored)
        store.save()
    for r in range(repeat):
        new = documents(count + r * batch, batch, kb, rng)
        for name, (store, elsewhere) in stores.items():  # the same batch into each, in turn

            def save(store: DocStore = store, new: list = new) -> None:
                write(store.docstore, store.set_fingerprint, new)
                store.save()

            def seen(elsewhere: Callable[[], DocStore] = elsewhere, new: list = new) -> tuple[int, str]:
                other = elsewhere()
                return len(other.names()), other.docstore.get_document(new[0].id_).get_content()

            times[name]["save"].append(timed(save)[0])
            seconds, (listed, text) = timed(seen)
            assert listed == count + (r + 1) * batch and text == new[0].text, name
            times[name]["seen"].append(seconds)
            seconds, looked_up = timed(lambda store=store: lookups(store))
            times[name]["lookups"].append(seconds / looked_up)
    median = {name: {op: statistics.median(t) for op, t in ops.items()} for name, ops in times.items()}
    row: dict = {"documents": count, "kb": kb, "batch": batch}
    for op in ("save", "seen", "lookups"):
        unit = "_s_a_file" if op == "lookups" else "_s"
        row[f"sqlite_{op}{unit}"] = round(median["sqlite"][op], 5)
        row[f"server_{op}{unit}"] = round(median["server"][op], 5)
        row[f"{op}_ratio"] = round(median["server"][op] / median["sqlite"][op], 2)
    return row


def main(argv: list[str] | None = None) -> list[dict]:
    args = store_arguments(__doc__, [200, 1000]).parse_args(argv)
    rows = []
    for count in args.documents:
        with tempfile.TemporaryDirectory() as work:
            proc, server = chroma_run(Path(work) / "chroma-server")
            try:
                rows.append(run(count, args.kb, args.batch, args.repeat, Path(work), server))
            finally:
                proc.terminate()
                proc.wait(10)
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    main()
