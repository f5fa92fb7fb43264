from pathlib import Path

from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui.admin import LibraryAdmin


def admin_for(settings: Settings) -> tuple:
    app = fake_app(settings)
    return app, LibraryAdmin(app.ingestor, app.library, settings.data_dir / "uploads", "s3cret")


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


def element_ids(blocks) -> set[str]:
    return {c["props"].get("elem_id") for c in blocks.get_config_file()["components"]}


def test_the_admin_panel_exists_only_when_a_token_is_configured(settings: Settings) -> None:
    from ui.chat import ChatUI

    app, admin = admin_for(settings)
    assert "gl-upload" not in element_ids(ChatUI(app.service, app.library).blocks())
    with_admin = element_ids(ChatUI(app.service, app.library, admin).blocks())
    assert {"gl-upload", "gl-admin-token", "gl-delete"} <= with_admin
    assert "gl-upload" not in element_ids(ChatUI(app.service, app.library, admin).blocks(compact=True))
