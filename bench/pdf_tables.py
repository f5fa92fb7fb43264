"""What labelling a PDF's table rows costs in reading PDFs: with pdfplumber's tables against pypdf alone.

    python -m bench.pdf_tables [--rounds 3] [--articles 23]

Prints the 23 squad-dev articles as PDFs (text pages, as most reports are; fpdf2, before the clock
starts), plus the lighthouse table of ``bench.tables`` (240 rows over 6 pages), and reads them all
with ``index.formats.extract`` in one process: as shipped, and with the table step left out (the
reading before it), the two alternating for ``--rounds``. Ends with one JSON line: pages, each
variant's median seconds over all files, and the ratio (shipped / pypdf alone).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import index.pdf_tables
from bench.tables import lighthouses, pdf_document
from index.formats import extract

DOCS = Path(__file__).parent / "squad-dev" / "docs"


def article_pdf(text: str, path: Path) -> None:
    """An article as a PDF, a paragraph a block, wrapped to the page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for paragraph in text.splitlines():
        if paragraph.strip():
            pdf.multi_cell(0, 6, paragraph.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN")
            pdf.ln(2)
    pdf.output(str(path))


def read_all(files: list[Path]) -> tuple[float, int]:
    start, pages = time.perf_counter(), 0
    for path in files:
        pages += len(extract(path.name, path.read_bytes()).page_starts)
    return time.perf_counter() - start, pages


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--articles", type=int, default=23)
    args = p.parse_args(argv)
    shipped = index.pdf_tables.labelled_tables
    times: dict[str, list[float]] = {"shipped": [], "pypdf alone": []}
    with tempfile.TemporaryDirectory() as work:
        files = []
        for article in sorted(DOCS.glob("*.txt"))[: args.articles]:
            files.append(Path(work) / f"{article.stem}.pdf")
            article_pdf(article.read_text(), files[-1])
        files.append(Path(work) / "lighthouses.pdf")
        pdf_document(lighthouses(240, random.Random(0)), files[-1])
        read_all(files)  # warm: imports, the page cache
        for round_ in range(args.rounds):
            for variant in times if round_ % 2 == 0 else reversed(list(times)):
                alone = lambda data, pages, skip=frozenset(): (pages, None)  # noqa: E731 - pdfplumber never opened
                index.pdf_tables.labelled_tables = shipped if variant == "shipped" else alone
                seconds, pages = read_all(files)
                times[variant].append(seconds)
                print(f"round {round_ + 1} {variant}: {seconds:.2f} s, {pages} pages", file=sys.stderr)
        index.pdf_tables.labelled_tables = shipped
    medians = {variant: statistics.median(seconds) for variant, seconds in times.items()}
    print(json.dumps({
        "files": len(files), "pages": pages, "shipped_s": round(medians["shipped"], 2),
        "pypdf_alone_s": round(medians["pypdf alone"], 2),
        "ratio": round(medians["shipped"] / medians["pypdf alone"], 2),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
