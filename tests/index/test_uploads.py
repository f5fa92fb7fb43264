"""Uploads are kept only once ingested, whole, and never over a good copy by a bad one."""

import io

from index.loaders import discover
from index.uploads import STAGING_PREFIX
from rag.settings import Settings
from tests.conftest import fake_app

NOTE = b"The lighthouse on Skerry Point is kept by Maren Holt.\n"


def upload(name: str, content: bytes) -> tuple[str, io.BytesIO]:
    return name, io.BytesIO(content)


def kept_names(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.uploads_dir.iterdir())


def test_an_ingested_upload_is_kept_by_its_name(settings: Settings) -> None:
    app = fake_app(settings)
    report = app.ingestor.ingest_uploads([upload("lighthouse.txt", NOTE)])
    assert report.added == ["lighthouse.txt"]
    assert (settings.uploads_dir / "lighthouse.txt").read_bytes() == NOTE
    assert kept_names(settings) == ["lighthouse.txt"]  # no staging folder left behind
    assert app.library.text("lighthouse.txt") == NOTE.decode()
    # it belongs to the uploads folder, where it is kept, not to the staging folder it was read from
    assert app.docstore.fingerprint("lighthouse.txt")["root"] == str(settings.uploads_dir.absolute())


def test_a_skipped_upload_leaves_nothing_and_keeps_the_good_copy(settings: Settings) -> None:
    # Before, every upload was copied in first: a binary file named like a document replaced its
    # good copy on disk, and a skipped one stayed on the server with no document to delete it by.
    app = fake_app(settings)
    app.ingestor.ingest_uploads([upload("lighthouse.txt", NOTE)])
    report = app.ingestor.ingest_uploads([upload("lighthouse.txt", b"\x00\x01\x02"), upload("photo.png", b"\x89PNG")])
    assert sorted(s.file for s in report.skipped) == ["lighthouse.txt", "photo.png"]
    assert kept_names(settings) == ["lighthouse.txt"]
    assert (settings.uploads_dir / "lighthouse.txt").read_bytes() == NOTE
    assert app.library.text("lighthouse.txt") == NOTE.decode()  # the document stored before stays too


def test_hidden_and_repeated_names_are_refused_with_a_reason(settings: Settings) -> None:
    app = fake_app(settings)
    report = app.ingestor.ingest_uploads(
        [upload(".env", b"GROUNDLINE_ADMIN_TOKEN=x\n"), upload("a.txt", NOTE), upload("a.txt", b"Another.\n")]
    )
    assert report.added == ["a.txt"]
    reasons = {s.file: s.reason for s in report.skipped}
    assert "hidden file" in reasons[".env"] and "twice" in reasons["a.txt"]
    assert report.summary().startswith("1 added, 0 updated, 0 unchanged, 2 skipped")
    assert kept_names(settings) == ["a.txt"] and (settings.uploads_dir / "a.txt").read_bytes() == NOTE
    assert app.library.files() == ["a.txt"]


def test_a_name_with_control_characters_is_refused_and_the_rest_goes_on(settings: Settings) -> None:
    # A NUL in an uploaded file's name raised out of the whole upload (HTTP 500).
    app = fake_app(settings)
    report = app.ingestor.ingest_uploads([upload("a\x00.txt", NOTE), upload("b\x1b.txt", NOTE), upload("ok.txt", NOTE)])
    assert report.added == ["ok.txt"]
    assert [s.reason for s in report.skipped] == ["has control characters in its name; rename it to ingest it"] * 2
    assert kept_names(settings) == ["ok.txt"]


def test_a_writer_killed_while_staging_leaves_nothing_for_long(settings: Settings) -> None:
    app = fake_app(settings)
    leftover = settings.uploads_dir / f"{STAGING_PREFIX}killed"
    leftover.mkdir(parents=True)
    (leftover / "half.txt").write_bytes(NOTE[:10])
    app.ingestor.ingest_uploads([upload("lighthouse.txt", NOTE)])
    assert kept_names(settings) == ["lighthouse.txt"]


def test_a_copy_that_cannot_be_kept_is_skipped_and_the_rest_goes_on(settings: Settings) -> None:
    app = fake_app(settings)
    report = app.ingestor.ingest_uploads([upload("x" * 300 + ".txt", NOTE), upload("lighthouse.txt", NOTE)])
    assert report.added == ["lighthouse.txt"]
    (skipped,) = report.skipped
    assert skipped.reason == "could not be kept (File name too long); skipped"
    assert kept_names(settings) == ["lighthouse.txt"]


def test_a_folder_ingestion_of_the_shelf_would_not_see_a_staged_file(settings: Settings) -> None:
    # Staging folders are hidden, so even ingesting DATA_DIR/uploads as a folder leaves them out.
    staging = settings.uploads_dir / f"{STAGING_PREFIX}x"
    staging.mkdir(parents=True)
    (staging / "a.txt").write_bytes(NOTE)
    assert discover([settings.uploads_dir]) == []


def test_a_name_with_folders_is_kept_in_them_and_its_delete_leaves_no_empty_folder(settings: Settings) -> None:
    # A folder sent from another machine (`groundline ingest --server`) keeps its subfolders'
    # names, as a local folder ingestion names its files: two q3.txt in two folders stay two.
    app = fake_app(settings)
    report = app.ingestor.ingest_uploads(
        [upload("north/q3.txt", NOTE), upload("south\\q3.txt", b"The south light is red.\n"), upload("a.txt", NOTE)]
    )
    assert report.added == ["a.txt", "north/q3.txt", "south/q3.txt"] and not report.skipped
    assert (settings.uploads_dir / "south" / "q3.txt").read_bytes() == b"The south light is red.\n"
    assert app.library.text("north/q3.txt") == NOTE.decode()
    app.ingestor.delete(["south/q3.txt", "north/q3.txt"])
    assert kept_names(settings) == ["a.txt"]  # the folders they leave empty go too


def test_a_name_that_reaches_out_or_hides_is_refused_and_the_rest_goes_on(settings: Settings) -> None:
    app = fake_app(settings)
    names = ["../x.txt", "/etc/x.txt", "C:\\docs\\x.txt", "a//x.txt", "a/./x.txt", "a/.git/x.txt"]
    report = app.ingestor.ingest_uploads([upload(name, NOTE) for name in names] + [upload("ok.txt", NOTE)])
    assert report.added == ["ok.txt"]
    reasons = {s.file: s.reason for s in report.skipped}
    assert list(reasons) == names
    assert "absolute" in reasons["/etc/x.txt"] and "absolute" in reasons["C:\\docs\\x.txt"]
    assert "'..'" in reasons["../x.txt"] and "hidden" in reasons["a/.git/x.txt"]
    assert kept_names(settings) == ["ok.txt"]
    assert sorted(str(p.relative_to(settings.uploads_dir)) for p in settings.uploads_dir.rglob("*")) == ["ok.txt"]


def test_a_document_whose_copy_cannot_be_kept_is_ingested_and_says_so(settings: Settings) -> None:
    app = fake_app(settings)
    app.ingestor.ingest_uploads([upload("a.txt", NOTE)])
    report = app.ingestor.ingest_uploads([upload("a.txt/b.txt", b"The keeper rows out.\n")])  # a kept file in the way
    assert report.added == ["a.txt/b.txt"]
    (note,) = report.notes
    assert note.file == "a.txt/b.txt" and note.reason.startswith("was ingested, but no copy of it could be kept")
    assert (settings.uploads_dir / "a.txt").read_bytes() == NOTE
