"""Questions about a spreadsheet's rows, asked through the chat's own service with the real models.

    python -m bench.tables [--rows 240] [--questions 24] [--seed 0] [--format csv|html|pdf] [--json OUT]

Writes a CSV of lighthouses (name, county, keeper, year lit, height, range)
with fixed random values (or, with ``--format html``, a web page holding the
same table; with ``--format pdf``, a PDF, as a report prints one), ingests it
into a temporary data dir (model files shared with the default data dir), and
asks about the numbers in rows far from
the header line ("How tall is the Skerry Point light, in metres?"): in a row
like "Skerry Point | Cork | Maren Holt | 1851 | 22 | 18" the numbers mean
nothing without the column names. Prints each question's verdict, then one
JSON line: answer_accuracy (the gold value in the answer, as a whole number),
citation_row_accuracy (a citation covers the gold row), abstained, n.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import random
import re
import sys
import tempfile
from pathlib import Path

from rag.app import build
from rag.settings import Settings

FIRST = "Skerry Hallo Black Grey Tarn Gull Seal Heron Raven Otter Kestrel Curlew Dunlin Puffin Gannet Fulmar".split()
SECOND = "Point Head Rock Ness Sound Bay Skerry Holm Cape Reef Bank Isle Light Strand Spit Mouth".split()
COUNTIES = "Cork Kerry Clare Galway Mayo Sligo Donegal Antrim Down Wexford".split()
KEEPERS = "Maren Holt|Asa Lind|Eoin Ward|Brid Kane|Oskar Dahl|Nuala Byrne|Tomas Reid|Ines Vale".split("|")
HEADER = ["Light", "County", "Keeper", "Year lit", "Height (m)", "Range (nmi)"]
ASKED = {  # column -> how the question asks for it
    "Year lit": "In what year was the {light} light first lit?",
    "Height (m)": "How tall is the {light} light, in metres?",
    "Range (nmi)": "What is the range of the {light} light, in nautical miles?",
}


def lighthouses(rows: int, rng: random.Random) -> list[list[str]]:
    names = rng.sample([f"{a} {b}" for a in FIRST for b in SECOND], rows)
    return [
        [name, rng.choice(COUNTIES), rng.choice(KEEPERS), str(rng.randint(1780, 1950)), str(rng.randint(10, 60)),
         str(rng.randint(5, 30))]
        for name in names
    ]  # fmt: skip


def web_page(table: list[list[str]]) -> str:
    """The table on a web page, under a heading and a paragraph, its header row in ``th`` cells."""

    def row(cells: list[str], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>\n"

    rows = row(HEADER, "th") + "".join(row(cells, "td") for cells in table)
    return f"<html><body><h1>Lighthouses</h1><p>The lights of the coast.</p>\n<table>\n{rows}</table></body></html>\n"


def pdf_document(table: list[list[str]], path: Path) -> None:
    """The table in a PDF (fpdf2), under a heading, its header row repeated on each page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf.cell(0, 10, "Lighthouses of the coast", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(repeat_headings=1) as drawn:
        for cells in [HEADER, *table]:
            row = drawn.row()
            for cell in cells:
                row.cell(cell)
    pdf.output(str(path))


def gold_line(lines: list[str], row: list[str], column: str) -> int:
    """The line of the document's text that holds ``row``'s value in ``column``: the row's own line
    where a row is a line (labelled, or a PDF's words), else the line of that cell (a cell a line, as
    web pages were once read)."""
    own = (f"{HEADER[0]}: {row[0]};", f"{row[0]} ")  # "Light: Skerry Point; County: ...", "Skerry Point Cork ..."
    first = next(n for n, text in enumerate(lines, start=1) if text.strip() == row[0] or text.startswith(own))
    return first + HEADER.index(column) if lines[first - 1].strip() == row[0] else first


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=240)
    p.add_argument("--questions", type=int, default=24)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=("csv", "html", "pdf"), default="csv", help="a CSV file, a web page or a PDF")
    p.add_argument("--json", type=Path, help="also write each question's record here")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    table = lighthouses(args.rows, rng)
    defaults = Settings()
    verdicts = []
    with tempfile.TemporaryDirectory() as work:
        docs = Path(work) / "docs"
        docs.mkdir()
        name = f"lighthouses.{args.format}"
        if args.format == "csv":
            with (docs / name).open("w", newline="") as f:
                csv.writer(f).writerows([HEADER, *table])
        elif args.format == "html":
            (docs / name).write_text(web_page(table))
        else:
            pdf_document(table, docs / name)
        settings = defaults.model_copy(update={"data_dir": Path(work) / "data", "models_dir": defaults.model_files_dir})
        app = build(settings)
        app.ingestor.ingest([docs])
        far = list(range(args.rows // 10, args.rows))  # rows well past the header's chunk
        for n, index in enumerate(rng.sample(far, args.questions)):
            column = list(ASKED)[n % len(ASKED)]
            row = table[index]
            gold = row[HEADER.index(column)]
            line = gold_line(app.library.lines(name), row, column) if args.format != "csv" else index + 2
            answer = app.service.ask(ASKED[column].format(light=row[0]))
            right = re.search(rf"(?<!\d){gold}(?!\d)", answer.text) is not None
            cited = any(c.file == name and c.start_line <= line <= c.end_line for c in answer.citations)
            question = ASKED[column].format(light=row[0])
            verdicts.append(
                {"question": question, "gold": gold, "line": line, "answer": answer.text, "right": right,
                 "cited": cited, "abstained": answer.abstained}
            )  # fmt: skip
            said = f"{'RIGHT' if right else 'wrong'} {'cited' if cited else '-----'} {question} gold {gold}"
            print(f"{said}: {answer.text!r}", file=sys.stderr)
    if args.json:
        args.json.write_text("".join(json.dumps(v) + "\n" for v in verdicts))
    n = len(verdicts)
    print(json.dumps({
        "answer_accuracy": round(sum(v["right"] for v in verdicts) / n, 3),
        "citation_row_accuracy": round(sum(v["cited"] for v in verdicts) / n, 3),
        "abstained": round(sum(v["abstained"] for v in verdicts) / n, 3),
        "n": n,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
