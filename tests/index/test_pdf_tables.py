"""A PDF's tables as labelled rows: real PDFs written by fpdf2, read by pypdf and pdfplumber."""

from __future__ import annotations

from pathlib import Path

import index.pdf_tables
from index.formats import extract
from index.pdf_tables import labelled_tables

HEADER = ["Light", "County", "Built", "Height (m)"]
ROWS = [
    ["Skerry Point", "Cork", "1851", "22"],
    ["Hallo Head", "Kerry", "1902", "31"],
    ["Gull Rock", "Clare", "1877", "18"],
]


def report(path: Path, rows: list[list[str]], widths: tuple[int, ...] | None = None, repeat: bool = True) -> bytes:
    """A PDF as a report prints one: a paragraph, a ruled table (its header row repeated on each
    page, unless not to ``repeat`` it), a paragraph after it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 10, "Lights of the south coast, as surveyed.", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=widths, repeat_headings=int(repeat)) as table:
        for cells in [HEADER, *rows]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.cell(0, 10, "Surveyed in 2024.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path.read_bytes()


def test_a_pdf_tables_rows_are_labelled_by_its_header_row_on_their_own_lines(tmp_path: Path) -> None:
    # pypdf read each row as its words run together: "Skerry Point Cork 1851 22"
    got = extract("lights.pdf", report(tmp_path / "lights.pdf", ROWS))
    assert got.text.splitlines() == [
        "Lights of the south coast, as surveyed.",
        "Light | County | Built | Height (m)",
        "Light: Skerry Point; County: Cork; Built: 1851; Height (m): 22",
        "Light: Hallo Head; County: Kerry; Built: 1902; Height (m): 31",
        "Light: Gull Rock; County: Clare; Built: 1877; Height (m): 18",
        "Surveyed in 2024.",
    ]


def test_a_table_over_pages_is_labelled_on_each_and_no_line_moves(tmp_path: Path, monkeypatch) -> None:
    rows = [[f"Light {n}", "Cork", str(1800 + n), str(10 + n % 40)] for n in range(90)]
    data = report(tmp_path / "long.pdf", rows)
    got = extract("long.pdf", data)
    monkeypatch.setattr(index.pdf_tables, "_label", lambda lines, rows: None)  # as pypdf alone read it
    plain = extract("long.pdf", data)
    assert len(got.page_starts) > 1 and got.page_starts == plain.page_starts  # the same lines, pages and all
    lines = got.text.splitlines()
    assert len(lines) == len(plain.text.splitlines())
    assert lines[got.page_starts[1] - 1] == "Light | County | Built | Height (m)"  # the header, repeated
    assert "Light: Light 89; County: Cork; Built: 1889; Height (m): 19" in lines


def test_a_table_going_on_over_a_page_without_its_header_goes_on_under_it(tmp_path: Path) -> None:
    rows = [[f"Light {n}", "Cork", str(1800 + n), str(10 + n % 40)] for n in range(90)]
    got = extract("long.pdf", report(tmp_path / "long.pdf", rows, repeat=False))
    lines = got.text.splitlines()
    assert len(got.page_starts) > 1 and "Light | County | Built | Height (m)" not in lines[got.page_starts[1] - 1 :]
    assert lines[got.page_starts[1] - 1].startswith("Light: Light ")  # the next page's first row, labelled
    assert "Light: Light 89; County: Cork; Built: 1889; Height (m): 19" in lines


def test_a_row_pypdf_read_over_several_lines_is_labelled_on_the_first_and_the_rest_left_empty(tmp_path: Path) -> None:
    rows = [*ROWS[:2], ["Black Ness, the old light on the point below the harbour wall", "Cork", "1790", "12"]]
    lines = extract("wrapped.pdf", report(tmp_path / "wrapped.pdf", rows, widths=(20, 10, 10, 10))).text.splitlines()
    assert lines[3:] == [
        "Light: Hallo Head; County: Kerry; Built: 1902; Height (m): 31",
        # pypdf: "Black Ness, the old light on the point below the" / "harbour wall" / "Cork 1790 12"
        "Light: Black Ness, the old light on the point below the harbour wall; County: Cork; Built: 1790; "
        "Height (m): 12",
        "",
        "",
        "Surveyed in 2024.",
    ]


def test_pages_left_out_and_a_pdf_pdfplumber_cannot_open_keep_pypdfs_lines(tmp_path: Path) -> None:
    data = report(tmp_path / "lights.pdf", ROWS)
    read = [["Lights of the south coast, as surveyed.", "Light County Built Height (m)", "Skerry Point Cork 1851 22"]]
    assert labelled_tables(data, read, skip={0}) == (read, None)  # a scan's page: OCR reads it instead
    assert labelled_tables(b"%PDF-1.4 not really", read) == (read, None)
    assert labelled_tables(data, read)[0][0][2] == "Light: Skerry Point; County: Cork; Built: 1851; Height (m): 22"


def test_only_so_many_ruled_pages_are_laid_out_and_the_rest_are_noted(tmp_path: Path, monkeypatch) -> None:
    rows = [[f"Light {n}", "Cork", str(1800 + n), str(10 + n % 40)] for n in range(90)]
    monkeypatch.setattr(index.pdf_tables, "MOST_PAGES", 1)
    got = extract("long.pdf", report(tmp_path / "long.pdf", rows))
    lines = got.text.splitlines()
    assert "Light: Light 0; County: Cork; Built: 1800; Height (m): 10" in lines  # page 1: labelled
    assert "Light 89 Cork 1889 19" in lines  # the last page: as pypdf read it
    assert got.note == "tables on its ruled pages after the first 1 (from page 2) not labelled"
