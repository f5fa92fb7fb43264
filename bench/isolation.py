"""Reading files in worker processes (``index.isolation``) against reading them in the ingesting
process, in one process, alternating rounds: what the time and memory limits cost, and what reading a
batch's files side by side on two workers buys.

    python -m bench.isolation [--files 24] [--rounds 3]

The files are squad-dev articles written as PDFs (fpdf2) and Word files (python-docx), half each,
read in batches of 8 as an ingestion reads them (``load_files``; the known-file check off). Prints one
JSON line per round, then one with each variant's median seconds and its ratio to reading in process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.copies import ARTICLES
from index.isolation import InProcessReader, IsolatedReader
from index.loaders import load_files

BATCH = 8


def write_files(folder: Path, count: int) -> list[tuple[Path, Path]]:
    """``count`` files, PDFs and Word files in turn, each one squad-dev article; as ``discover`` gives them."""
    import docx
    from fpdf import FPDF

    articles = sorted(ARTICLES.glob("*.txt"))
    for n in range(count):
        text = articles[n % len(articles)].read_text()
        if n % 2 == 0:
            pdf = FPDF()
            pdf.set_font("Helvetica", size=10)
            pdf.add_page()
            for line in text.splitlines():
                pdf.multi_cell(0, 5, line.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
            pdf.output(str(folder / f"{n:03d}.pdf"))
        else:
            document = docx.Document()
            for line in text.splitlines():
                document.add_paragraph(line)
            document.save(str(folder / f"{n:03d}.docx"))
    return [(folder, file) for file in sorted(folder.iterdir())]


def timed(found: list[tuple[Path, Path]], reader) -> float:
    start = time.perf_counter()
    for at in range(0, len(found), BATCH):
        loaded = load_files(found[at : at + BATCH], reader=reader)
        assert not loaded.skipped, loaded.skipped
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    variants = {
        "in_process": InProcessReader(),
        "workers_1": IsolatedReader(timeout_s=600, memory_mb=2048, workers=1),
        "workers_2": IsolatedReader(timeout_s=600, memory_mb=2048, workers=2),
    }
    with tempfile.TemporaryDirectory() as folder:
        found = write_files(Path(folder), args.files)
        for reader in variants.values():
            timed(found[:2], reader)  # warm: imports here, the fork server and its workers there
        times: dict[str, list[float]] = {name: [] for name in variants}
        for round_ in range(args.rounds):
            row = {name: round(timed(found, reader), 3) for name, reader in variants.items()}
            for name, seconds in row.items():
                times[name].append(seconds)
            print(json.dumps({"round": round_, **row}), flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["in_process"]
    print(json.dumps({
        "files": args.files,
        **{f"{name}_s": round(seconds, 3) for name, seconds in medians.items()},
        **{f"{name}_ratio": round(seconds / base, 3) for name, seconds in medians.items() if name != "in_process"},
    }))  # fmt: skip
    for reader in variants.values():
        if isinstance(reader, IsolatedReader):
            reader.close()


if __name__ == "__main__":
    main()
