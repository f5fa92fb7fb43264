from pathlib import Path

import pytest

from index.errors import SkippedFile
from index.formats import decode_text
from index.loaders import load_paths


def test_names_are_relative_to_the_ingested_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("alpha\n")
    (tmp_path / "sub" / "b.md").write_text("# beta\n")
    result = load_paths([tmp_path])
    assert [d.id_ for d in result.documents] == ["a.txt", "sub/b.md"]
    assert result.documents[1].metadata == {"file": "sub/b.md"}
    assert result.documents[1].text == "# beta\n"  # kept exactly: offsets index into it


def test_a_file_given_directly_is_named_by_its_file_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("alpha\n")
    assert [d.id_ for d in load_paths([tmp_path / "a.txt"]).documents] == ["a.txt"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bin.txt", b"\x89PNG\x00\x00\x01", "binary"),
        ("empty.txt", b"   \n", "no text"),
        ("archive.zip", b"PK\x03\x04", "not a readable .zip file"),
        ("program.exe", b"MZ\x90\x00", "unsupported type"),
        ("image.png", b"whatever", "is an image; install the tesseract-ocr package"),  # read with ocr only
    ],
)
def test_bad_files_are_skipped_with_a_reason_and_the_rest_loads(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    (tmp_path / "good.txt").write_text("fine\n")
    (tmp_path / name).write_bytes(data)
    result = load_paths([tmp_path])
    assert [d.id_ for d in result.documents] == ["good.txt"]
    assert [s.file for s in result.skipped] == [name]
    assert reason in str(result.skipped[0])


def test_hidden_files_and_folders_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("ref\n")
    (tmp_path / "a.txt").write_text("alpha\n")
    assert [d.id_ for d in load_paths([tmp_path]).documents] == ["a.txt"]


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_paths([tmp_path / "nope"])


def test_decode_strips_a_bom() -> None:
    assert decode_text("\ufeffhi".encode("utf-8"), "a.txt") == ("hi", None)
    with pytest.raises(SkippedFile):
        decode_text(b"a\x00b", "a.txt")


def test_text_that_is_not_utf8_is_read_as_windows_1252_and_reported_and_damaged_utf8_replaced(tmp_path: Path) -> None:
    # A CSV Excel saves on Windows, a note from an older editor: "café" read as "caf\ufffd".
    (tmp_path / "latin.txt").write_bytes("caf\u00e9 ol\u00e9 \u201cquoted\u201d\n".encode("cp1252"))
    (tmp_path / "damaged.txt").write_bytes("caf\u00e9 ".encode() + b"\xff\n")  # UTF-8, one byte gone bad
    (tmp_path / "unicode.txt").write_bytes("Ren\u00e9e\tZ\u00fcrich\n".encode("utf-16"))  # Excel's "Unicode Text"
    result = load_paths([tmp_path])
    texts = {doc.id_: doc.text for doc in result.documents}
    assert texts == {"latin.txt": "caf\u00e9 ol\u00e9 \u201cquoted\u201d\n", "damaged.txt": "caf\u00e9 \ufffd\n",
                     "unicode.txt": "Ren\u00e9e\tZ\u00fcrich\n"}  # fmt: skip
    notes = {note.file: note.reason for note in result.notes}
    assert notes["latin.txt"].startswith("was not UTF-8: read as Windows-1252") and "unicode.txt" not in notes
    assert notes["damaged.txt"].startswith("was not valid UTF-8 (first bad byte at 6)")


def test_a_sheet_excel_saved_as_unicode_text_reads_as_labelled_rows(tmp_path: Path) -> None:
    # Excel's "Save as: Unicode Text" writes a .txt: UTF-16, cells between tabs. Read as plain text, a
    # row was "Renée Ahl\tZürich\t1234.5", no header naming what each number is.
    sheet = 'Name\tCity\tAmount\r\nRenée Ahl\tZürich\t1234.5\r\nJosé Núñez\t"Málaga, Spain"\t99\r\n'
    (tmp_path / "export.txt").write_bytes(sheet.encode("utf-16"))
    letter = "Dear Renée,\r\n\tthe figures\tfollow.\r\nBest\r\n"  # tabs, but not a sheet's
    (tmp_path / "letter.txt").write_bytes(letter.encode("utf-16"))
    texts = {doc.id_: doc.text for doc in load_paths([tmp_path]).documents}
    assert texts["export.txt"].splitlines() == [
        "Name | City | Amount",
        "Name: Renée Ahl; City: Zürich; Amount: 1234.5",
        "Name: José Núñez; City: Málaga, Spain; Amount: 99",
    ]
    assert texts["letter.txt"] == letter


def test_text_saved_in_an_older_cyrillic_or_east_asian_encoding_is_read_in_it_and_reported(tmp_path: Path) -> None:
    # A Russian note saved on Windows, a Chinese export from Excel, a Japanese text file: read as
    # Windows-1252 each was mojibake ("Ïðåçèäåíò"), and a Chinese one "UTF-8 with damaged bytes".
    russian = "Президент России заявил, что переговоры продолжатся на следующей неделе в Москве.\n"
    chinese = "城市,人口,备注\n北京,2189万,首都\n上海,2487万,最大的经济中心\n"
    japanese = "東京で新しい会議が開かれ、首相は経済政策について話した。\n"
    (tmp_path / "russian.txt").write_bytes(russian.encode("cp1251"))
    (tmp_path / "cities.csv").write_bytes(chinese.encode("gb18030"))
    (tmp_path / "japanese.txt").write_bytes(japanese.encode("shift_jis"))
    result = load_paths([tmp_path])
    texts = {doc.id_: doc.text for doc in result.documents}
    assert texts["russian.txt"] == russian and texts["japanese.txt"] == japanese
    assert "城市: 上海; 人口: 2487万; 备注: 最大的经济中心" in texts["cities.csv"]
    notes = {note.file: note.reason for note in result.notes}
    assert notes == {
        "russian.txt": "was not UTF-8: read as Windows-1251 (Cyrillic); check its letters",
        "cities.csv": "was not UTF-8: read as GB18030 (Simplified Chinese); check its letters",
        "japanese.txt": "was not UTF-8: read as Shift JIS (Japanese); check its letters",
    }


def test_files_over_the_size_limit_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 2000)
    (tmp_path / "small.txt").write_text("ok\n")
    result = load_paths([tmp_path], max_bytes=1000)
    assert [d.id_ for d in result.documents] == ["small.txt"]
    assert "over the" in str(result.skipped[0])


def test_hostile_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "bell\x07.txt").write_text("ding\n")
    outside = tmp_path.parent / "secret.txt"
    outside.write_text("top secret\n")
    (tmp_path / "link.txt").symlink_to(outside)
    (tmp_path / "fine.txt").write_text("fine\n")
    result = load_paths([tmp_path])
    assert [d.id_ for d in result.documents] == ["fine.txt"]
    reasons = " ".join(str(s) for s in result.skipped)
    assert "control characters" in reasons and "outside the ingested folder" in reasons
    assert "top secret" not in " ".join(d.text for d in result.documents)
