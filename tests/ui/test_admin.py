from pathlib import Path
from types import SimpleNamespace

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui.admin import LibraryAdmin
from ui.limits import TokenCheck


def admin_for(settings: Settings) -> tuple:
    app = fake_app(settings)
    return app, LibraryAdmin(app.ingestor, app.library, TokenCheck("s3cret"))


def no_progress(*args, **kwargs) -> None:
    pass


def test_upload_needs_the_token_then_ingests_with_progress(settings: Settings, tmp_path: Path) -> None:
    app, admin = admin_for(settings)
    upload = tmp_path / "note.md"
    upload.write_text("# Note\nThe depot opens at six.\n")
    assert "admin token" in admin.upload([str(upload)], "wrong", progress=no_progress)
    assert app.library.files() == []
    seen = []
    status = admin.upload([str(upload)], "s3cret", progress=lambda *a, **k: seen.append((a, k)))
    assert status.startswith("1 added")
    assert app.library.files() == ["note.md"]
    assert seen and seen[-1][0][0] == (1, 1)


def test_delete_needs_the_token(settings: Settings, news_dir: Path) -> None:
    app, admin = admin_for(settings)
    app.ingestor.ingest([news_dir])
    assert "admin token" in admin.delete(ARMS_FILE, "")
    assert admin.delete(ARMS_FILE, "s3cret") == f"Deleted {ARMS_FILE}."
    assert ARMS_FILE not in app.library.files()


def test_deleting_says_what_would_go_and_deletes_what_was_confirmed(settings: Settings, tmp_path: Path) -> None:
    app, admin = admin_for(settings)
    for name in ("north/2024/q3.txt", "north/q2.txt", "south/q3.txt", "a.txt"):
        (tmp_path / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / name).write_text(f"The report {name} says the depot opens at six.\n")
    app.ingestor.ingest([tmp_path / "docs"])
    assert "admin token" in admin.to_delete(["a.txt"], "wrong")[0]
    assert admin.to_delete([], "s3cret")[0] == "Choose the documents or folders to delete."
    said, row, doomed = admin.to_delete(["north/", "a.txt", "gone.txt"], "s3cret")
    assert said.startswith("Delete 3 document(s): north/ (2 document(s)), a.txt? ")
    assert row.visible is True and doomed == ["north/", "a.txt"]  # what names nothing is not asked about
    assert app.library.files() == ["a.txt", "north/2024/q3.txt", "north/q2.txt", "south/q3.txt"]  # not yet
    assert admin.delete(doomed, "s3cret") == "Deleted 3 document(s): north/2024/q3.txt, north/q2.txt, a.txt."
    assert app.library.files() == ["south/q3.txt"]
    said, row, doomed = admin.to_delete(["north/"], "s3cret")  # chosen on a page listed before the deletion
    assert (said, row.visible, doomed) == ("None of those is ingested now; nothing to delete.", False, [])
    assert admin.delete(["north/", "a.txt"], "s3cret") == "None of those was ingested."


def test_the_files_not_read_are_listed_for_the_admin_with_why(settings: Settings, tmp_path: Path) -> None:
    app, admin = admin_for(settings)
    assert "admin token" in admin.unread("wrong")
    assert admin.unread("s3cret") == "Every file ingestions found was read."
    uploads = [tmp_path / "scan.txt", tmp_path / "empty.md"]
    uploads[0].write_bytes(b"\x00\x01\x02")
    uploads[1].write_text("")
    admin.upload([str(path) for path in uploads], "s3cret", progress=no_progress)
    lines = admin.unread("s3cret").splitlines()
    assert lines[0] == "2 file(s) found and not read:"
    assert lines[1].startswith("empty.md has no text; skipped (20") and lines[2].startswith(
        "scan.txt looks like a binary"
    )


def element_ids(blocks) -> set[str]:
    return {c["props"].get("elem_id") for c in blocks.get_config_file()["components"]}


def test_the_admin_panel_exists_only_when_a_token_is_configured(settings: Settings) -> None:
    from ui.chat import ChatUI

    app, admin = admin_for(settings)
    assert "gl-upload" not in element_ids(ChatUI(app.service, app.library).blocks())
    with_admin = element_ids(ChatUI(app.service, app.library, admin).blocks())
    assert {"gl-upload", "gl-admin-token", "gl-delete"} <= with_admin
    assert "gl-upload" not in element_ids(ChatUI(app.service, app.library, admin).blocks(compact=True))


def test_wrong_tokens_have_a_budget_per_address_and_the_admin_spends_none(settings: Settings, news_dir: Path) -> None:
    # a short admin token could be found by trying: every guess was checked, as fast as they came
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    now = [0.0]
    tokens = TokenCheck("s3cret", clock=lambda: now[0])
    admin = LibraryAdmin(app.ingestor, app.library, tokens)
    guesser = SimpleNamespace(client=SimpleNamespace(host="10.0.0.9"))
    owner = SimpleNamespace(client=SimpleNamespace(host="10.0.0.1"))
    assert all(admin.refusal("s3cret", owner) is None for _ in range(20))  # right every time: nothing spent
    assert [admin.delete(ARMS_FILE, f"guess{n}", guesser) for n in range(10)] == [
        "⚠️ Wrong or missing admin token."
    ] * 10
    refused = admin.delete(ARMS_FILE, "s3cret", guesser)  # even the right one, from there, for now
    assert refused == "⚠️ Too many wrong admin tokens from this address; try again in 11 s."
    assert ARMS_FILE in app.library.files()
    assert admin.delete(ARMS_FILE, "s3cret", owner) == f"Deleted {ARMS_FILE}."  # another address is not held up
    now[0] = 10.0  # one wrong guess is forgiven every 10 s
    assert admin.refusal("s3cret", guesser) is None


def test_the_upload_box_opens_on_the_cookie_and_says_why_it_is_closed() -> None:
    def box(status):
        return LibraryAdmin.upload_box(status)[0]

    assert box(204).interactive
    assert not box(401).interactive and "enter the admin token" in box(401).label
    assert "too many wrong tokens" in box(429).label and not box(0).interactive
    # the backup link shows with it: the browser then holds the cookie its download is admitted by
    assert [LibraryAdmin.upload_box(status)[1].visible for status in (204, 401, 429)] == [True, False, False]


def test_the_admin_checks_the_store_from_the_page_failing_findings_first(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    admin = LibraryAdmin(app.ingestor, app.library, TokenCheck("s3cret"), app.findings)
    assert "admin token" in admin.check("wrong")
    assert "ok: consistency: every document has its chunks, and every chunk its document" in admin.check("s3cret")
    app.vector_store.client.delete(where={"file": ARMS_FILE})
    assert admin.check("s3cret").startswith(f"fail: consistency: 1 document(s) with no chunk ({ARMS_FILE})")
