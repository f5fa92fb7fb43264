"""The ``groundline`` command: ingest, ask, serve.

A caller only: it parses arguments, builds the app once from settings and
prints what the services return. Errors meant for users are printed plainly
with exit status 1; ``ask --json`` prints exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

from rag.errors import GroundlineError
from ui.text import shorter


def parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the CLI in the README)."""
    p = argparse.ArgumentParser(prog="groundline", description="Grounded chat over your documents.")
    p.add_argument(
        "--data-dir", type=Path, help="where the index lives (env GROUNDLINE_DATA_DIR; default ./.groundline)"
    )
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser(
        "ingest",
        help="add or update files and folders (text, Markdown, CSV, HTML, RTF, PDF, Word, PowerPoint, Excel, "
        "OpenDocument, EPUB, e-mail, scans and pictures)",
    )
    ing.add_argument("paths", nargs="+", metavar="PATH", help="a file, a folder, or a web address (https://...)")
    ing.add_argument(
        "--sync",
        action="store_true",
        help="then remove every other document, uploads too, so the index holds exactly these files "
        "(a file found but skipped keeps what was stored; finding no file removes nothing)",
    )
    lst = sub.add_parser("list", help="list ingested documents with content hash and chunk count")
    lst.add_argument("--json", action="store_true", help="print one JSON array")
    lst.add_argument(
        "--unread", action="store_true", help="list the files ingestions found and could not read, and why, instead"
    )
    dele = sub.add_parser(
        "delete", help="remove documents from the index (by their listed path; a folder's with NAME/: all in it)"
    )
    dele.add_argument("paths", nargs="+")
    ask = sub.add_parser("ask", help="ask one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    within(ask, "answer from")
    find = sub.add_parser(
        "search",
        help='find the passages about something, without asking the model; "quoted words": every place they appear',
    )
    find.add_argument("query")
    find.add_argument("--json", action="store_true", help="print one JSON object")
    find.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="hits to show: passages, best first (default 10, at most 20), or "
        "a quoted search's places (default 100, at most 200)",
    )
    within(find, "search")
    bak = sub.add_parser(
        "backup",
        help="copy every document (chunks, vectors, texts), the kept uploads and the chats' key into a new "
        "folder, or a DEST.tar.gz; questions go on being answered meanwhile",
    )
    bak.add_argument("dest", type=Path)
    res = sub.add_parser(
        "restore",
        help="bring a backup (folder or .tar.gz) back into this data directory, which must hold no document "
        "(or --replace)",
    )
    res.add_argument("backup", type=Path)
    res.add_argument(
        "--replace",
        action="store_true",
        help="delete the documents this data directory holds first (a rollback); killed part-way, it is left empty",
    )
    chk = sub.add_parser(
        "check", help="check the data directory, the store, its consistency, the models and readers' tools"
    )
    chk.add_argument("--json", action="store_true", help="print one JSON array of findings")
    chk.add_argument(
        "--repair", action="store_true", help="first remove chunks of no document and documents with no chunks"
    )
    for command in (ing, lst, dele, ask, find, bak, chk):
        command.add_argument(
            "--server",
            metavar="URL",
            help="a groundline serve on another machine: its HTTP API, with GROUNDLINE_ADMIN_TOKEN "
            "(GROUNDLINE_CHAT_TOKEN to ask or list)",
        )
    ev = sub.add_parser("eval", help="measure retrieval, citations, answers and abstention on a question set")
    ev.add_argument("--questions", type=Path, required=True, help="questions.jsonl (SQuAD-style)")
    ev.add_argument("--docs", type=Path, help="the corpus folder (default: docs/ beside the questions)")
    ev.add_argument("--limit", type=int, help="a fixed random sample of this many questions (20%% unanswerable)")
    ev.add_argument("--seed", type=int, default=0, help="sample seed (default 0)")
    ev.add_argument("--baseline", action="store_true", help="also run the plain llama-index recipe")
    ev.add_argument("--retrieval-only", action="store_true", help="skip the LLM: retrieval metrics only")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument(
        "--records",
        type=Path,
        metavar="FILE",
        help="also write each question's outcome to FILE, one JSON line a question and system: the answer, "
        "its citations, how it was judged, and what it was decided from",
    )
    srv = sub.add_parser("serve", help="serve the chat in the browser")
    srv.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=int, help="port to listen on (default 7860)")
    srv.add_argument(
        "--watch",
        action="append",
        type=Path,
        metavar="DIR",
        help="keep this folder ingested while serving: files added, changed or deleted in it are too "
        "(repeatable; env GROUNDLINE_WATCH_DIRS adds more)",
    )
    return p


def within(command: argparse.ArgumentParser, verb: str) -> None:
    """``--file NAME`` (repeatable) on ``command``: the documents it is to ``verb`` alone."""
    command.add_argument(
        "--file",
        action="append",
        default=[],
        dest="files",
        metavar="NAME",
        help=f"{verb} this document alone (as `list` names it), or a folder's (NAME/); repeat for several",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``groundline`` console script."""
    args = parser().parse_args(argv)
    # Belt and braces for an offline product: never reach a model hub or analytics.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from rag.settings import read_settings

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    try:
        settings = read_settings(**overrides)
        if args.command != "ingest":
            return run(args, settings)
        with targets(args.paths, settings) as (args.paths, args.fetch_skipped):  # web addresses fetched first
            return run(args, settings)
    except GroundlineError as exc:
        print(f"groundline: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"groundline: {exc}", file=sys.stderr)
        return 1


@contextmanager
def targets(given: list[str], settings) -> Iterator[tuple[list[Path], list]]:
    """``ingest``'s paths, and a temporary folder holding what its web addresses fetched
    (``index.fetch``), for as long as the ingestion runs; what could not be fetched, and why."""
    from index.fetch import fetch, is_address

    addresses = [target for target in given if is_address(target)]
    paths = [Path(target) for target in given if not is_address(target)]
    if not addresses:
        yield paths, []
        return
    with tempfile.TemporaryDirectory(prefix="groundline-fetched-") as folder:
        said = partial(print, "fetching", file=sys.stderr)
        skipped = fetch(addresses, Path(folder), int(settings.max_file_mb * 2**20), said)
        yield [*paths, Path(folder)], skipped


def run(args, settings) -> int:
    """The command, on ``settings``: on a server elsewhere, handed to this data dir's server, or here."""
    if getattr(args, "server", None):  # nothing of this machine's data dir is opened, nor the models loaded
        return remote(settings, args)
    if args.command in ("ingest", "delete") and (served := receiver(settings)):
        return handed(served, args)  # nor here: a server holds the data dir, and it writes
    from rag.app import build

    if getattr(args, "watch", None):
        settings = settings.model_copy(update={"watch_dirs": [*settings.watch_dirs, *args.watch]})
    app = build(settings)
    match args.command:
        case "ingest":
            return ingest(app, args.paths, args.sync, args.fetch_skipped)
        case "ask":
            return ask(app, args.question, args.json, args.files)
        case "search":
            return search(app, args.query, args.files, args.limit, args.json)
        case "list":
            return list_documents(app, args.json, args.unread)
        case "delete":
            return delete(app, args.paths)
        case "eval":
            return evaluate(app.settings, args)
        case "backup" | "restore":
            return backup_or_restore(app, args)
        case "check":
            return check(app, args.json, args.repair)
        case "serve":
            from ui.server import serve

            serve(app, host=args.host, port=args.port)
            return 0
    return 2


def ingest(app, paths: list[Path], sync: bool = False, fetch_skipped: list | None = None) -> int:
    return print_ingestion(lambda progress: app.ingestor.ingest(paths, progress, sync), fetch_skipped)


def handed(served, args) -> int:
    """``ingest`` or ``delete`` done by the server that holds the data dir (``ui.handoff``)."""
    from ui import handoff

    if args.command == "ingest":
        return print_ingestion(
            lambda progress: handoff.ingest_via(served, args.paths, progress, args.sync), args.fetch_skipped
        )
    return print_deleted(args.paths, handoff.delete_via(served, args.paths))


def print_ingestion(run, fetch_skipped: list | None = None) -> int:
    """Run an ingestion (``run(progress)``) with a progress bar, then print its report, with the web
    addresses that could not be fetched (``fetch_skipped``) among the files skipped."""
    from tqdm import tqdm

    bar = None

    def progress(p) -> None:
        nonlocal bar
        bar = bar or tqdm(total=p.files_total, unit="file", desc="ingesting", file=sys.stderr, disable=None)
        bar.update(p.files_done - bar.n)
        bar.set_postfix_str(f"chunks={p.chunks}" + (f", {p.reading_note()}" if p.reading else ""))

    try:
        report = run(progress)
    finally:
        if bar is not None:
            bar.close()
    report = replace(report, skipped=[*(fetch_skipped or []), *report.skipped])
    for problem in report.problems():
        print(problem, file=sys.stderr)
    print(report.summary())
    return 0


def remote(settings, args) -> int:
    """``ingest``, ``list``, ``delete`` or ``ask`` done by the server at ``--server`` (``ui.remote``)."""
    from ui.remote import Remote

    server = Remote(args.server, settings.admin_token, settings.chat_token)
    match args.command:
        case "ingest":
            most_bytes = int(settings.max_file_mb * 2**20)  # the server's default limit a request
            return print_ingestion(
                lambda progress: server.ingest(args.paths, most_bytes, progress, args.sync), args.fetch_skipped
            )
        case "list" if args.unread:
            return print_unread(server.unread(), args.json)
        case "list":
            return print_entries(server.entries(), args.json, len(server.unread()))
        case "ask" if args.json:
            print(json.dumps(server.ask(args.question, args.files), ensure_ascii=False))
        case "search":
            return print_found(server.search(args.query, args.files, args.limit), args.json)
        case "check":
            return print_findings(server.check(), args.json)
        case "backup":
            with bar("downloading", "B") as progress:
                size = server.backup(args.dest, progress)
            print(f"backed up {args.server} to {args.dest}: {size:,} bytes")
        case "ask":
            streamed = []
            for piece in server.stream(args.question, args.files):
                if isinstance(piece, str):
                    streamed.append(piece)
                    print(piece, end="", flush=True)
                else:
                    print_answer(piece, "".join(streamed))
        case _:
            return print_deleted(args.paths, server.delete(args.paths))
    return 0


def receiver(settings):
    """The server this process's writes go through, if one holds the data dir (``ui.handoff``)."""
    from ui import handoff

    served = handoff.receiver(settings.data_dir, shared_store=settings.chroma_server is not None)
    if served:
        print(f"{settings.data_dir} is open in groundline serve at {served.url}; it makes the change.", file=sys.stderr)
    return served


def list_documents(app, as_json: bool, unread: bool = False) -> int:
    if unread:
        return print_unread([asdict(file) for file in app.library.unread()], as_json)
    return print_entries([asdict(e) for e in app.library.entries()], as_json, len(app.library.unread()))


def print_entries(entries: list[dict], as_json: bool, unread: int = 0) -> int:
    """The documents, as ``path``, ``content_hash``, ``chunks`` and ``written`` (when, UTC) each; and,
    as text, how many files were found and not read (``print_unread`` names them)."""
    if as_json:
        print(json.dumps(entries))
        return 0
    for e in entries:
        written = (e.get("written") or "")[:16].replace("T", " ") or "-"  # a server from before sends none
        print(f"{e['chunks']:>6} chunks  {e['content_hash'][:12]}  {written:<16}  {e['path']}")
    print(f"{len(entries)} documents")
    if unread:
        print(f"{unread} file(s) found and not read: groundline list --unread says which, and why")
    return 0


def print_unread(files: list[dict], as_json: bool) -> int:
    """The files ingestions found and could not read, as ``path``, ``reason`` and ``time`` each."""
    if as_json:
        print(json.dumps(files, ensure_ascii=False))
        return 0
    for file in files:
        print(f"{file['time']}  {file['path']} {file['reason']}")
    print(f"{len(files)} file(s) found and not read")
    return 0


def check(app, as_json: bool, repair: bool) -> int:
    """``check``: each finding a line (``ok``, ``warn``, ``fail``); 1 where any fails."""
    if repair:
        removed = app.checkup().repair()
        print(f"removed {len(removed)}: {', '.join(removed)}" if removed else "nothing to repair", file=sys.stderr)
    return print_findings([f.to_json() for f in app.findings()], as_json)


def print_findings(findings: list[dict], as_json: bool) -> int:
    """``check``'s findings (``Finding.to_json``'s, as a server sends them too), as JSON or a line each;
    1 where any fails."""
    if as_json:
        print(json.dumps(findings, ensure_ascii=False))
    else:
        print("\n".join(f"{f['level']:<5} {f['what']:<17} {f['said']}" for f in findings))
    return int(any(f["level"] == "fail" for f in findings))


def backup_or_restore(app, args) -> int:
    """``backup DEST`` or ``restore BACKUP``, with a progress bar over the chunks copied."""
    from ui.admin_api import CARRIED

    backups = app.backups(carried=CARRIED)
    with bar("backing up" if args.command == "backup" else "restoring", "chunk") as progress:
        if args.command == "backup":
            done = backups.backup(args.dest, progress).summary("backed up to")
        else:
            done = backups.restore(args.backup, progress, replacing=args.replace).summary("restored from")
    print(done)
    return 0


@contextmanager
def bar(desc: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar, told ``(done, total)`` as the work goes (bytes scaled as kB, MB)."""
    from tqdm import tqdm

    with tqdm(desc=desc, unit=unit, unit_scale=unit == "B", file=sys.stderr, disable=None) as shown:

        def progress(done: int, total: int) -> None:
            shown.total = total or None
            shown.update(done - shown.n)

        yield progress


def delete(app, paths: list[str]) -> int:
    return print_deleted(paths, app.ingestor.delete(paths))


def print_deleted(paths: list[str], removed: list[str]) -> int:
    """A line for each path given: deleted, or not there; for a folder (``north/``), how many of its
    documents were deleted."""
    for path in paths:
        if path.endswith("/"):
            inside = [name for name in removed if name.startswith(path)]
            print(
                f"deleted {len(inside)} document(s) in {path}" if inside else f"no document in {path}: nothing deleted"
            )
        else:
            print(f"{'deleted' if path in removed else 'not ingested, nothing to delete'}: {path}")
    return 0


def evaluate(settings, args) -> int:
    from tqdm import tqdm

    from rag.eval_run import EvalStopped
    from rag.eval_run import evaluate as run_eval

    if args.records is not None:
        try:  # a path it cannot write fails now, not after every question was asked
            args.records.open("w").close()
        except OSError as exc:
            raise GroundlineError(f"cannot write the records to {args.records}: {exc.strerror}") from exc
    try:
        report = run_eval(
            settings,
            args.questions,
            args.docs,
            limit=args.limit,
            seed=args.seed,
            baseline=args.baseline,
            with_answers=not args.retrieval_only,
            progress=lambda items: tqdm(items, desc="questions", file=sys.stderr, disable=None),
            records=args.records,
        )
    except EvalStopped as stopped:  # Ctrl-C part-way: the figures of the questions asked, and what they are
        print_report(stopped.report, args.json)
        print(f"groundline: {stopped}", file=sys.stderr)
        return 130
    print_report(report, args.json)
    return 0


def print_report(report: dict, as_json: bool) -> None:
    """The eval's figures: one JSON object (ours, the baseline's under ``baseline``), or a table."""
    from rag.eval import METRICS

    if as_json:
        out = dict(report["ours"])
        if "baseline" in report:
            out["baseline"] = report["baseline"]
        print(json.dumps(out))
        return
    systems = list(report)
    print(f"{'metric':<24}" + "".join(f"{s:>12}" for s in systems))
    for metric in METRICS:
        cells = "".join(f"{'-' if report[s][metric] is None else report[s][metric]:>12}" for s in systems)
        print(f"{metric:<24}{cells}")


def ask(app, question: str, as_json: bool, files: list[str] | None = None) -> int:
    from rag.answering import check_question

    question = check_question(question, app.settings.max_question_chars)  # before any model loads
    files = app.library.within(files or [])
    if as_json:
        print(json.dumps(app.service.ask(question, files=files).to_json(), ensure_ascii=False))
        return 0
    from rag.types import Answer, Token

    streamed = []
    for event in app.service.stream(question, files=files):
        if isinstance(event, Token):
            streamed.append(event.text)
            print(event.text, end="", flush=True)
        elif isinstance(event, Answer):
            print_answer(event.to_json(), "".join(streamed))
    return 0


def search(app, query: str, files: list[str], limit: int | None, as_json: bool) -> int:
    from rag.answering import check_question

    query = check_question(query, app.settings.max_question_chars, "search")  # before the embedder loads
    return print_found(app.searcher.search(query, app.library.within(files), limit).to_json(), as_json)


def print_answer(answer: dict, streamed: str = "") -> None:
    """What ``ask`` prints after the ``streamed`` text (the model's words as it wrote them), given the
    answer (an ``ask --json`` object): the answer where the checks changed it (an abstention, a
    sentence marked unsupported; it was printed already otherwise), then its sources, or an
    abstention's closest passages under a heading that says they do not answer it; asked of a
    server, each with the link that opens its chat page at those lines."""
    from rag.types import CLOSEST

    changed = answer["answer"].split() != streamed.split()
    print("\n\n" + answer["answer"] if changed else "")  # the sources go under the answer
    shown = answer["closest"] if answer["abstained"] else answer["citations"]
    if shown and answer["abstained"]:
        print(f"\n{CLOSEST}:")
    for n, c in enumerate(shown, start=1):
        # a passage runs to many lines; a sentence of a wrapped paragraph to a few, printed on one
        quote = shorter(c["quote"]) if answer["abstained"] else " ".join(c["quote"].split())
        print(f"[{n}] {c['file']}:{c['start_line']}-{c['end_line']}  {quote}")
        if c.get("link"):
            print(f"    {c['link']}")
    if answer.get("note"):  # what the reader should know of how it was written (Answer.note)
        print(f"\n({answer['note']})")


def print_found(found: dict, as_json: bool) -> int:
    """A search's ``--json`` object (``rag.search.Found``'s, as a server sends it too): as it is, or
    each hit under its place (a ranked hit's best-matching sentence, a quoted search's line around
    the words), the passage's lines beside it and its link where a server gave one."""
    if as_json:
        print(json.dumps(found, ensure_ascii=False))
        return 0
    hits = found["hits"]
    if not hits:
        print("Nowhere in the documents." if found["exact"] else "Nothing found.")
    for n, hit in enumerate(hits, start=1):
        passage = hit["passage"]
        print(
            f"[{n}] {hit['file']}:{hit['start_line']}-{hit['end_line']}  {shorter(hit.get('context') or hit['quote'])}"
        )
        print(f"    (passage: lines {passage['start_line']}-{passage['end_line']})")
        if hit.get("link"):
            print(f"    {hit['link']}")
    if found["more"]:
        print(f"(the first {len(hits)} places; there are more: --limit up to 200, or --file to narrow it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
