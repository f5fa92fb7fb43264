"""Start-up: how long a process takes to have its answering service ready (``groundline serve`` and
``groundline ask`` both build it before anything else), with the local model's file loading beside
the rest (shipped) against one thing after another (the baseline: the model built first).

    python -m bench.startup [--rounds 5] [--data-dir D]

Each round starts a fresh Python process per variant, alternately, over one data dir holding the
sample corpus; a process times only the service's build (imports are the same for both). Prints
one JSON line: each variant's median seconds and shipped / baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "examples" / "news"

# What each variant's process runs: build the app, then time the service (the baseline's model first).
BUILD = """
import json, sys, time
from rag.app import build
from rag.settings import Settings
app = build(Settings(data_dir=sys.argv[1]))
start = time.perf_counter()
if sys.argv[2] == "baseline":
    app.llm
app.service
print(json.dumps({"s": time.perf_counter() - start}))
"""


def timed(variant: str, data_dir: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(data_dir), variant], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["s"])


def summary(times: dict[str, list[float]]) -> dict:
    """Each variant's median seconds and the ratio of the shipped one to the baseline.

    >>> summary({"shipped": [1.0, 3.0, 2.0], "baseline": [4.0, 4.0, 5.0]})
    {'shipped_s': 2.0, 'baseline_s': 4.0, 'ratio': 0.5, 'rounds': 3}
    """
    shipped, baseline = statistics.median(times["shipped"]), statistics.median(times["baseline"])
    return {
        "shipped_s": shipped,
        "baseline_s": baseline,
        "ratio": round(shipped / baseline, 3),
        "rounds": len(times["shipped"]),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--data-dir", type=Path, help="a data dir to ingest the sample corpus into (default: a new one)")
    args = p.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="groundline-startup-"))
    from rag.app import build
    from rag.settings import Settings

    build(Settings(data_dir=data_dir)).ingestor.ingest([NEWS])
    timed("shipped", data_dir)  # the model file and libraries read once into the page cache, for both
    times: dict[str, list[float]] = {"shipped": [], "baseline": []}
    for round_ in range(args.rounds):
        for variant in ("shipped", "baseline") if round_ % 2 == 0 else ("baseline", "shipped"):
            times[variant].append(timed(variant, data_dir))
    print(json.dumps(summary(times) | {"seconds": times}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
