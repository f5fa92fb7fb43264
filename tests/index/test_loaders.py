from pathlib import Path

import pytest

from index.errors import SkippedFile
from index.loaders import decode_text, load_paths


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
        ("latin.txt", "caf\u00e9".encode("latin-1"), "not valid UTF-8"),
        ("empty.txt", b"   \n", "empty"),
        ("image.png", b"whatever", "unsupported type"),
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
    assert decode_text("\ufeffhi".encode("utf-8"), "a.txt") == "hi"
    with pytest.raises(SkippedFile):
        decode_text(b"", "a.txt")
