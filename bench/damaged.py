"""Damaged files: what the readers of Office 97-2003 formats (in the server's process) do with real
test documents changed at random, byte by byte and cut short: each must give its text or a skip
with the reason (``SkippedFile``), never anything else, in bounded time.

    python -m bench.damaged [--format doc|ppt] [--files 1500] [--seed 1]

Changes 1 to 64 bytes past the 512-byte header (a damaged header is refused before any reader
runs), and cuts a fifth of the files short. Prints one JSON line: how many gave text, how many were
skipped, the slowest file's seconds and the process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from collections import Counter
from pathlib import Path

from index.errors import SkippedFile
from index.formats import extract

DATA = Path(__file__).resolve().parent.parent / "tests" / "index" / "data"
FIXTURES = {"doc": ["harmless-clean.doc", "wps-table.doc"], "ppt": ["two-slides.ppt", "table.ppt"]}
HEADER = 512


def damaged(original: bytes, rng: random.Random) -> bytes:
    """``original`` with 1 to 64 bytes past its header changed, and one time in five cut short."""
    data = bytearray(original)
    for _ in range(rng.choice([1, 4, 16, 64])):
        data[rng.randrange(HEADER, len(data))] = rng.randrange(256)
    if rng.random() < 0.2:
        data = data[: rng.randrange(HEADER, len(data))]
    return bytes(data)


def run(kind: str, files: int, seed: int) -> dict:
    rng = random.Random(seed)
    originals = [(DATA / name).read_bytes() for name in FIXTURES[kind]]
    outcomes: Counter[str] = Counter()
    slowest = 0.0
    for _ in range(files):
        data = damaged(rng.choice(originals), rng)
        start = time.perf_counter()
        try:
            extract(f"damaged.{kind}", data)
            outcomes["text"] += 1
        except SkippedFile:
            outcomes["skipped"] += 1
        slowest = max(slowest, time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"format": kind, "files": files, **outcomes, "slowest_s": round(slowest, 3), "peak_mb": round(peak_mb)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=sorted(FIXTURES), default="doc")
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.format, args.files, args.seed)))


if __name__ == "__main__":
    main()
