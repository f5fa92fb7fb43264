"""Questions whose answer depends on which sheet a row is on, asked through the chat's own service
with the real models.

    python -m bench.sheets [--json OUT]

Writes a workbook of two sheets named by year, "2023" and "2024", with the same harbours in the
same rows and different numbers ("Harbour: Skerry; Tonnage (t): 1200; Ships: 14" on one, 1450 and
16 on the other), ingests it into a temporary data dir, and asks the 12 questions of the form
"What tonnage did Skerry handle in 2024?". A row read without its sheet's name cannot answer it.
Prints each answer, then one JSON line: right (the year's number in the answer, cited on that
year's sheet), right_elsewhere (the number, cited on another sheet), wrong_year (the other
year's number), abstained (or neither number), n.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from rag.app import build
from rag.settings import Settings

YEARS = {
    "2023": [("Skerry", 1200, 14), ("Hallo", 860, 9), ("Kestrel Bay", 2310, 21)],
    "2024": [("Skerry", 1450, 16), ("Hallo", 910, 8), ("Kestrel Bay", 2105, 19)],
}


def workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for number, (year, rows) in enumerate(YEARS.items()):
        sheet = book.active if number == 0 else book.create_sheet()
        sheet.title = year
        sheet.append(["Harbour", "Tonnage (t)", "Ships"])
        for row in rows:
            sheet.append(list(row))
    book.save(path)


def questions() -> list[tuple[str, str, int, int]]:
    """(question, year, the year's number, the other year's number)."""
    asked = []
    for year, rows in YEARS.items():
        other = YEARS["2024" if year == "2023" else "2023"]
        for (harbour, tonnage, ships), (_, other_tonnage, other_ships) in zip(rows, other, strict=True):
            asked.append((f"What tonnage did {harbour} handle in {year}?", year, tonnage, other_tonnage))
            asked.append((f"How many ships called at {harbour} in {year}?", year, ships, other_ships))
    return asked


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write each answer, one JSON line each, here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "docs").mkdir()
        workbook(Path(work) / "docs" / "harbours.xlsx")
        app = build(Settings(data_dir=Path(work) / "data"))
        app.ingestor.ingest([Path(work) / "docs"])
        counts = {"right": 0, "right_elsewhere": 0, "wrong_year": 0, "abstained": 0}
        records = []
        for question, year, right, wrong in questions():
            answer = app.service.ask(question)
            text = answer.text.replace(",", "")
            sheets = {c.page_name for c in answer.citations}
            if answer.abstained or str(right) not in text and str(wrong) not in text:
                verdict = "abstained"
            elif str(right) in text:
                verdict = "right" if sheets == {year} else "right_elsewhere"
            else:
                verdict = "wrong_year"
            counts[verdict] += 1
            cited = [c.where() for c in answer.citations]
            records.append({"question": question, "answer": answer.text, "cited": cited, "verdict": verdict})
            print(f"{verdict:>15}  {question} -> {answer.text[:80]} {cited}", flush=True)
    if args.json:
        args.json.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = {**counts, "n": len(records)}
    print(json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
