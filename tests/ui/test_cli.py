import json
from pathlib import Path

import pytest

from rag.decision import ASKED_AGAIN_NOTE
from rag.eval import METRICS
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app
from ui import cli


def printed_answer(settings: Settings, news_dir: Path, reply: str, question: str, as_json: bool, capsys) -> str:
    """What ``groundline ask`` prints over the sample corpus when the model replies ``reply``."""
    app = fake_app(settings, [reply] * 2)  # a second try (of a decline, or an unsupported answer) says the same
    app.ingestor.ingest([news_dir])
    assert cli.ask(app, question, as_json=as_json) == 0
    return capsys.readouterr().out


def test_ask_json_prints_one_object_with_the_promised_fields(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = "North Korea has denied that it supplies weapons to Russia."
    out = json.loads(printed_answer(settings, news_dir, reply, "who denied arms deals?", True, capsys))
    assert set(out) == {"answer", "abstained", "citations", "closest", "withheld_by", "note", "quoted", "sentences"}
    assert out["citations"][0]["file"] == ARMS_FILE and out["closest"] == []
    assert set(out["citations"][0]) == {"file", "start_line", "end_line", "quote"}


def test_an_abstention_prints_the_closest_passages_one_line_each(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = printed_answer(
        settings, news_dir, "The documents do not say.", "Who won the 1998 World Cup?", False, capsys
    )
    streamed, listed = printed.strip().split("\n\nClosest passages (they do not answer it):\n")
    assert streamed == "The documents do not say."  # held back as the model wrote it, the answer itself: said once
    rows = listed.splitlines()
    assert len(rows) == settings.top_k and all(len(row) < 240 for row in rows)  # a passage's lines on one line
    assert rows[0].startswith("[1] ") and ".txt:" in rows[0]


def test_ask_may_be_of_named_documents_alone(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = next(f.name for f in news_dir.iterdir() if f.name != ARMS_FILE)
    app = fake_app(settings, ["North Korea has denied that it supplies weapons to Russia."] * 2)
    app.ingestor.ingest([news_dir])
    assert cli.ask(app, "who denied arms deals?", True, [other]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {c["file"] for c in out["citations"] + out["closest"]} == {other}
    code = cli.main(["--data-dir", str(settings.data_dir), "ask", "who?", "--file", ARMS_FILE, "--file", "gone.txt"])
    assert code == 1 and "groundline: not ingested documents: 'gone.txt'" in capsys.readouterr().err
    code = cli.main(["--data-dir", str(settings.data_dir), "ask", "who?", "--file", "news/"])  # a folder: none
    assert code == 1 and "groundline: not ingested documents: 'news/' (no document in it)" in capsys.readouterr().err


def test_ingest_reports_skipped_files(settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (news_dir / "blob.txt").write_bytes(b"\x00\x01")
    assert cli.ingest(fake_app(settings), [news_dir]) == 0
    captured = capsys.readouterr()
    assert "skipped: blob.txt looks like a binary file" in captured.err
    assert "2 added" in captured.out


def test_list_counts_the_files_not_read_and_list_unread_names_them(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (news_dir / "blob.txt").write_bytes(b"\x00\x01")
    cli.ingest(fake_app(settings), [news_dir])
    capsys.readouterr()
    assert cli.main(["--data-dir", str(settings.data_dir), "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[-2:] == ["2 documents", "1 file(s) found and not read: groundline list --unread says which, and why"]
    assert cli.main(["--data-dir", str(settings.data_dir), "list", "--unread"]) == 0
    named = capsys.readouterr().out.splitlines()
    assert "  blob.txt looks like a binary file" in named[0] and named[-1] == "1 file(s) found and not read"
    assert cli.main(["--data-dir", str(settings.data_dir), "list", "--unread", "--json"]) == 0
    assert [file["path"] for file in json.loads(capsys.readouterr().out)] == ["blob.txt"]


def test_missing_path_is_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--data-dir", str(tmp_path / "d"), "ingest", str(tmp_path / "missing")])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_bad_setting_is_a_plain_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GROUNDLINE_RATE_LIMIT_PER_MINUTE", "lots")
    assert cli.main(["--data-dir", str(tmp_path / "d"), "list"]) == 1
    assert capsys.readouterr().err == (
        "groundline: GROUNDLINE_RATE_LIMIT_PER_MINUTE='lots': "
        "Input should be a valid integer, unable to parse string as an integer\n"
    )
    assert not (tmp_path / "d").exists()


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine's PyTorch sees a GPU")
def test_serve_refuses_at_start_a_gpu_this_pytorch_cannot_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GROUNDLINE_EMBED_BACKEND", "torch")
    monkeypatch.setenv("GROUNDLINE_EMBED_DEVICE", "cuda")
    monkeypatch.setenv("GROUNDLINE_PORT", "9")  # never reached: the check comes before the server starts
    assert cli.main(["--data-dir", str(tmp_path / "d"), "serve"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("groundline: embedding device cuda: this PyTorch (") and "sees no CUDA GPU" in err
    assert not (tmp_path / "d").exists()


def test_eval_refuses_at_start_a_records_file_it_cannot_write(
    tmp_path: Path, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"id": "1", "question": "Who?", "answers": [], "file": null, "line": null}\n')
    records = tmp_path / "typo" / "records.jsonl"
    args = ["eval", "--questions", str(questions), "--docs", str(news_dir), "--records", str(records)]
    assert cli.main(["--data-dir", str(tmp_path / "d"), *args]) == 1
    err = capsys.readouterr().err
    assert err == f"groundline: cannot write the records to {records}: No such file or directory\n"
    assert not (tmp_path / "d" / "eval").exists()  # nothing ingested, no question asked


def test_an_eval_stopped_part_way_prints_the_figures_of_the_questions_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rag.eval_run

    figures = dict.fromkeys(METRICS, 0.5) | {"n": 3}

    def interrupted(*args, **kwargs):
        raise rag.eval_run.EvalStopped(
            "stopped after 3 of 500 for ours: the figures are those questions'", {"ours": figures}
        )

    monkeypatch.setattr(rag.eval_run, "evaluate", interrupted)
    args = ["eval", "--questions", str(tmp_path / "q.jsonl"), "--json"]
    assert cli.main(["--data-dir", str(tmp_path / "d"), *args]) == 130
    out, err = capsys.readouterr()
    assert (
        json.loads(out) == figures
        and err == "groundline: stopped after 3 of 500 for ours: the figures are those questions'\n"
    )


def test_serve_refuses_at_start_a_folder_it_cannot_watch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    monkeypatch.setenv("GROUNDLINE_WATCH_DIRS", json.dumps([str(tmp_path / "docs")]))
    monkeypatch.setenv("GROUNDLINE_PORT", "9")  # never reached
    assert cli.main(["--data-dir", str(tmp_path / "d"), "serve", "--watch", str(tmp_path / "typo")]) == 1
    assert capsys.readouterr().err == f"groundline: cannot watch {tmp_path / 'typo'}: it is not a folder\n"
    assert not (tmp_path / "d").exists()


def test_list_json_and_delete(settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    assert cli.list_documents(app, as_json=True) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["path"] for e in listed] == [ARMS_FILE, "004_29e6f3c5e9546205.txt"]
    assert all(e["chunks"] > 0 and len(e["content_hash"]) == 64 for e in listed)
    assert cli.delete(app, [ARMS_FILE, "never.txt"]) == 0
    out = capsys.readouterr().out
    assert f"deleted: {ARMS_FILE}" in out and "not ingested, nothing to delete: never.txt" in out
    assert cli.delete(app, ["nowhere/"]) == 0
    assert capsys.readouterr().out == "no document in nowhere/: nothing deleted\n"
    assert cli.print_deleted(["north/"], ["north/a.txt", "north/b/c.txt"]) == 0
    assert capsys.readouterr().out == "deleted 2 document(s) in north/\n"
    cli.list_documents(app, as_json=False)
    assert capsys.readouterr().out.strip().endswith("1 documents")


def test_list_and_delete_load_no_model(settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Building the ingestor loaded the embedder and its tokenizer, so `groundline list` and `delete`
    # took ~4.5 s and ~540 MB, of which ~2.2 s went to an embedder they never use.
    fake_app(settings).ingestor.ingest([news_dir])
    app = fake_app(settings)  # another process, as each command is
    assert cli.list_documents(app, as_json=False) == 0 and cli.delete(app, [ARMS_FILE]) == 0
    assert "deleted: " + ARMS_FILE in capsys.readouterr().out
    assert not {"embed_model", "token_counter", "llm"} & set(vars(app))
    assert app.ingestor.ingest([news_dir]).added == [ARMS_FILE]  # ingesting loads them when it must
    assert {"embed_model", "token_counter"} <= set(vars(app))


def test_an_unchanged_ingestion_loads_no_model(settings: Settings, news_dir: Path) -> None:
    # The chunker loaded its tokenizer as it was built, for a signature that needs none: an
    # unchanged re-ingest took 5.0 s and 385 MB, of which 2.7 s went to the tokenizer.
    fake_app(settings).ingestor.ingest([news_dir])
    app = fake_app(settings)
    assert len(app.ingestor.ingest([news_dir]).unchanged) == 2
    assert not {"embed_model", "token_counter", "llm"} & set(vars(app))


def test_the_answer_is_printed_again_only_where_the_checks_changed_what_was_streamed(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = "North Korea has denied that it supplies weapons to Russia. [1]"  # as the checked answer has it
    printed = printed_answer(settings, news_dir, said, "who denied arms deals?", False, capsys)
    assert printed.startswith(said + "\n[1] " + ARMS_FILE + ":9-9  North Korea has repeatedly denied")
    assert printed.count("North Korea has denied") == 1

    unmarked = "North Korea has denied that it supplies weapons to Russia."  # the checks add where it cites
    printed = printed_answer(settings, news_dir, unmarked, "who denied arms deals?", False, capsys)
    assert printed.startswith(unmarked + "\n\n" + said + "\n[1] ")

    guessed = "The capital of Australia is Canberra."  # nothing in the news says so: withheld, asked again, withheld
    printed = printed_answer(settings, news_dir, guessed, "What is the capital of Australia?", False, capsys)
    assert printed.startswith(guessed + ASKED_AGAIN_NOTE + guessed + "\n\nThe documents do not say.\n")


def test_search_prints_each_passage_at_its_best_line_or_one_json_object(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    assert cli.search(app, "denied weapons supplies", [], 2, False) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith(f"[1] {ARMS_FILE}:9-9  North Korea has repeatedly denied")
    assert rows[1].startswith("    (passage: lines ") and rows[2].startswith("[2] ") and len(rows) == 4
    assert cli.search(app, "denied weapons supplies", [ARMS_FILE], 2, True) == 0
    out = json.loads(capsys.readouterr().out)
    assert {hit["file"] for hit in out["hits"]} == {ARMS_FILE}
    assert set(out["hits"][0]) == {"file", "start_line", "end_line", "quote", "passage"}
    assert cli.search(app, '"north korea"', [], 2, False) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("[1] ") and "North Korea" in rows[0] and rows[-1].startswith("(the first 2 places;")
    assert cli.search(app, '"no such words"', [], None, False) == 0
    assert capsys.readouterr().out == "Nowhere in the documents.\n"
    code = cli.main(["--data-dir", str(settings.data_dir), "search", "  "])
    assert code == 1 and "groundline: Please type what to search for." in capsys.readouterr().err


def test_check_prints_a_finding_a_line_and_fails_where_one_fails(
    settings: Settings, news_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = fake_app(settings)
    app.ingestor.ingest([news_dir])
    assert cli.check(app, as_json=False, repair=True) == 0
    captured = capsys.readouterr()
    assert captured.err == "nothing to repair\n"
    assert "ok    consistency       every document has its chunks, and every chunk its document\n" in captured.out
    app.vector_store.client.delete(where={"file": ARMS_FILE})
    assert cli.check(app, as_json=True, repair=False) == 1
    found = {f["what"]: f["level"] for f in json.loads(capsys.readouterr().out)}
    assert found["consistency"] == "fail" and found["language model"] == "ok"
