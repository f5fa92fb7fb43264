"""The Gradio chat: streamed answers, numbered citations, a source viewer.

A caller only: it asks ``AnswerService`` for answers and ``Library`` for
document text, and renders them. Clicking a citation opens its document in
the viewer with the cited lines highlighted and scrolled into view.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import asdict

import gradio as gr
from llama_index.core.llms import ChatMessage, MessageRole

from index.formats import counted, page_words
from index.library import Library, folders_of
from rag.answering import AnswerService
from rag.errors import Abandoned, GroundlineError
from rag.search import Found, Hit, Searcher
from rag.types import CLOSEST, SOURCES, Answer, Citation, Token
from ui.admin import LibraryAdmin
from ui.ending import Writing, ended_elsewhere
from ui.feedback import Rating, rating_of
from ui.limits import (
    MAX_SCOPE_FILES,
    TOO_MANY,
    TOO_MANY_VIEWS,
    QueueShares,
    RateLimiter,
    client_address,
    whole_seconds,
)
from ui.links import asked_within, linked_citation
from ui.text import shorter
from ui.viewer import SCROLL_JS, Pages, Window, placeholder, render_view, turned

LISTS = f"\n\n(?:{re.escape(SOURCES)}|{re.escape(CLOSEST)}):\n"  # what answer_message appends
STOP_WAIT_S = 3.0  # how long Stop's mark waits at most for the answer it stops to settle (``ChatUI.stop_marked``)
STOPPED = "(Stopped before it was finished: not checked against the documents, and no sources.)"
SAVED_TURNS = 40  # the most chat messages (questions and answers) a browser keeps across reloads
# what a kept citation's fields must be (``restored``)
CITATION_TYPES = {
    "file": str, "start_line": int, "end_line": int, "quote": str, "start_char": int, "end_char": int,
    "page": (int, type(None)), "page_line": (int, type(None)), "page_name": (str, type(None)),
}  # fmt: skip
OPTIONAL = {"page_name": None}  # fields a browser may have kept a citation without (kept before they were)
EXAMPLES = ["who denied arms deals?", "When will Putin arrive in Pyongyang?"]
SEARCH_INTRO = " To look rather than ask, search them: the passages at once, each opened at its best line."
RATINGS_KEPT = "Rating an answer (thumbs up or down) keeps it, with its question, on this server for its admins."


def citation_label(number: int, c: Citation) -> str:
    """Button text: ``[1] file.txt · line 9`` (``Citation.where``)."""
    return f"[{number}] {c.file} · {c.where()}"


def hit_label(number: int, hit: Hit) -> str:
    """Button text of a search's hit: where it opens, and the start of its sentence (or a quoted
    search's line around the words).

    >>> hit_label(2, Hit(Citation("a.txt", 1, 3, "", 0, 9), Citation("a.txt", 2, 2, "Fog horns sound.", 4, 20)))
    '2. a.txt · line 2: Fog horns sound.'
    """
    return f"{number}. {hit.match.file} · {hit.match.where()}: " + shorter(hit.shown or hit.match.quote, 92)


def found_note(found: Found) -> str:
    """What the note under the search box says of what it found ("" for ranked hits).

    >>> found_note(Found([], exact=True)), found_note(Found()), found_note(Found([object()] * 3, exact=True))
    ('Nowhere in the documents.', 'Nothing found.', '3 places, in the order of the documents.')
    >>> found_note(Found([object()] * 100, exact=True, more=True))
    'The first 100 places, in the order of the documents; there are more: choose some under Ask within.'
    """
    if not found.hits:
        return "Nowhere in the documents." if found.exact else "Nothing found."
    if not found.exact:
        return ""
    count = len(found.hits)
    if found.more:
        return f"The first {count} places, in the order of the documents; there are more: choose some under Ask within."
    return f"{count} place{'s' if count > 1 else ''}, in the order of the documents."


def summary_request(file: str | None) -> str:
    """What the Summarize button asks of the document the viewer shows: its name, which the
    question is then asked of (``rag.naming``), in the words of a summary (``rag.overview``).

    >>> summary_request("north/q3 report.pdf")
    'Summarize north/q3 report.pdf.'
    """
    return f"Summarize {file}." if file else ""


def answer_message(answer: Answer) -> str:
    """The final chat message (plain text): the answer, then the list its buttons open."""
    heading, shown = answer.references()
    refs = "\n".join(citation_label(n, c) for n, c in enumerate(shown, start=1))
    message = f"{answer.text}\n\n{heading}:\n{refs}" if shown else answer.text
    return f"{message}\n\n({answer.note})" if answer.note else message  # after the lists: not history


def chat_history(turns: list[dict]) -> list[ChatMessage]:
    """Earlier turns as chat messages, without the lists we appended."""
    return [
        ChatMessage(role=MessageRole(t["role"]), content=re.split(LISTS, str(t["content"]))[0].strip())
        for t in turns
        if t.get("role") in ("user", "assistant") and t.get("content") and not t.get("stopped")
    ]  # a stopped answer's text was never checked: its question stays, for a follow-up to be read against


def stopped(shown: list[dict], turns: list[dict]) -> tuple:
    """The chat as Stop leaves it, ``(chat, turns)``: the answer being written kept as far as it was
    shown (``shown``: the chat's messages, as the page had them), marked as never checked against the
    documents, so that a reload or a follow-up does not take it for an answer. Unchanged (skipped) where
    no answer was being written (its turn is still empty until the answer ends: ``ChatUI.respond``).

    >>> turns = [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "", "citations": []}]
    >>> shown = [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": [{"type": "text", "text": "N"}]}]
    >>> chat, kept = stopped(shown, turns)
    >>> kept[-1]["content"].startswith("N\\n\\n(Stopped before"), kept[-1]["stopped"], chat[-1] == {
    ...     "role": "assistant", "content": kept[-1]["content"]}
    (True, True, True)
    """
    if not unfinished(turns):
        return gr.skip(), gr.skip()
    partial = message_text(shown[-1]) if shown and shown[-1].get("role") == "assistant" else ""
    text = f"{partial}\n\n{STOPPED}" if partial else STOPPED
    kept = [*turns[:-1], {"role": "assistant", "content": text, "citations": [], "stopped": True}]
    return messages(kept), kept


def unfinished(turns: list[dict]) -> bool:
    """Whether the chat's last answer is still being written: its turn stays empty until it ends
    (``ChatUI.respond``).

    >>> unfinished([{"role": "user", "content": "Q?"}, {"role": "assistant", "content": ""}]), unfinished([])
    (True, False)
    """
    return bool(turns) and turns[-1].get("role") == "assistant" and not turns[-1].get("content")


def message_text(message: dict) -> str:
    """A chat message's text, as Gradio gives it to a handler (a list of parts) or as it was set (a string)."""
    content = message.get("content")
    if isinstance(content, str):
        return content.strip()
    parts = content if isinstance(content, list) else []
    return "".join(str(part.get("text", "")) for part in parts if isinstance(part, dict)).strip()


def messages(turns: list[dict]) -> list[dict]:
    """The turns as the chat shows them (each answer's citations stay in the session's state)."""
    return [{"role": t["role"], "content": t["content"]} for t in turns]


def restored(saved: object) -> list[dict]:
    """The turns a browser kept (``gr.BrowserState``, so whatever a page could have stored there):
    the last ``SAVED_TURNS`` well-formed messages, each answer with the citations that are."""
    turns = []
    for turn in saved[-SAVED_TURNS:] if isinstance(saved, list) else []:
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            continue
        if not isinstance(turn.get("content"), str):
            continue
        if turn["role"] == "user":
            turns.append({"role": "user", "content": turn["content"]})
            continue
        cites = turn.get("citations")
        kept = [{**OPTIONAL, **c} for c in cites if isinstance(c, dict)] if isinstance(cites, list) else []
        answer = {"role": "assistant", "content": turn["content"], "citations": [c for c in kept if _citation(c)]}
        if isinstance(turn.get("abstained"), bool):  # a finished answer's (readers rate those: ui.feedback)
            answer["abstained"] = turn["abstained"]
        if turn.get("stopped") is True:  # stopped while it was written: not read as an answer (``stopped``)
            answer["stopped"] = True
        turns.append(answer)
    return turns


def message_index(event: gr.SelectData | gr.LikeData) -> int:
    """The chat message a select or like event is about (Gradio gives a pair for some components)."""
    index = event.index
    return index if isinstance(index, int) else index[0]


def still_there(chosen: str | list[str] | None, names: list[str]) -> str | list[str] | None:
    """What a list had chosen, less documents deleted since: one name (or None), or several.

    >>> still_there("a.txt", ["b.txt"]), still_there(["a.txt", "b.txt"], ["b.txt"])
    (None, ['b.txt'])
    """
    offered = set(names)
    if isinstance(chosen, list):
        return [name for name in chosen if isinstance(name, str) and name in offered]
    return chosen if isinstance(chosen, str) and chosen in offered else None


def hidden_paging() -> tuple[gr.Button, gr.Button]:
    return gr.Button(visible=False), gr.Button(visible=False)


def closed_viewer() -> tuple:
    """The viewer with no document: its placeholder, no view, no paging."""
    return placeholder(), None, *hidden_paging()


def reopened(saved: object) -> tuple[list[dict], list[dict], list[dict]]:
    """The page as a reload left it: the kept chat, its turns, and the last answer's sources listed."""
    turns = restored(saved)
    last = [t for t in turns if t["role"] == "assistant"][-1:]
    return messages(turns), turns, last[0]["citations"] if last else []


def kept_turns(turns: list[dict]) -> list[dict]:
    """What the full page's browser keeps: its last turns. Never an answer still being written
    (``unfinished``: skipped): a stopped answer's event saves the chat as it ends too, and had it read
    the turns before Stop marked the answer, it would keep a question with no answer for a reload."""
    return gr.skip() if unfinished(turns) else turns[-SAVED_TURNS:]


def kept_chat(turns: list[dict], within: list[str]) -> dict:
    """What a widget's browser keeps: its last turns (``kept_turns``), with the documents they were asked within."""
    return gr.skip() if unfinished(turns) else {"within": list(within), "turns": kept_turns(turns)}


def chat_within(kept: object, within: list[str]) -> object:
    """The turns a widget's browser kept (``kept_chat``), if they were asked within the documents
    this page pins (``within``); else none. Two sites may embed one Groundline, pinned to different
    documents: the browser keeps one widget chat for the server's origin, and one site's chat
    showed, and was read as history for follow-ups, in the other's. Turns kept as a bare list
    (before scopes) were an unpinned widget's.

    >>> turns = [{"role": "user", "content": "who?"}]
    >>> chat_within(kept_chat(turns, ["handbook/"]), ["handbook/"]) == turns, chat_within(turns, [])
    (True, [{'role': 'user', 'content': 'who?'}])
    >>> chat_within(kept_chat(turns, ["handbook/"]), []), chat_within(turns, ["handbook/"])
    ([], [])
    """
    if isinstance(kept, dict):
        return kept.get("turns") if kept.get("within") == list(within) else []
    return kept if not within else []


def scope_note(within: list[str]) -> str:
    """What a pinned widget tells its reader it answers from (its page chose, not the reader); ""
    for one that asks every document. The names come from the embedding page's address: escaped.

    >>> scope_note(["handbook/", "<b>.txt"])
    'Answers come from <code>handbook/</code>, <code>&lt;b&gt;.txt</code> alone.'
    >>> scope_note([f"{n}.txt" for n in range(5)]).count("<code>"), scope_note([])
    (3, '')
    """
    if not within:
        return ""
    named = [f"<code>{html.escape(name)}</code>" for name in within[:3]] + counted(within, 3)[3:]
    return f"Answers come from {', '.join(named)} alone."


def _citation(value: object) -> bool:
    """Whether a kept value is a ``Citation`` as ``asdict`` wrote it, each field of its type."""
    if not isinstance(value, dict) or set(value) != set(CITATION_TYPES):
        return False
    return all(
        isinstance(value[name], kinds) and not isinstance(value[name], bool) for name, kinds in CITATION_TYPES.items()
    )


def shown_citations(answer: Answer) -> list[dict]:
    """Citations to show as buttons: the answer's, or the closest passages."""
    return [asdict(c) for c in answer.references()[1]]


class ChatUI:
    """Builds the Blocks app around one service and one library."""

    def __init__(
        self,
        service: AnswerService,
        library: Library,
        admin: LibraryAdmin | None = None,
        limiter: RateLimiter | None = None,
        chat_key: str | None = None,
        views: RateLimiter | None = None,
        shares: QueueShares | None = None,
        list_refresh_s: float = 10.0,
        raters: Sequence[Callable[[Rating], None]] = (),
        ratings_kept: bool = False,
        searcher: Searcher | None = None,
    ) -> None:
        self.service = service
        self.library = library
        self.admin = admin  # None: no upload or delete in the UI
        self.limiter = limiter  # the API's: one budget of questions per client address
        self.chat_key = chat_key  # encrypts the chat a browser keeps (None: a key drawn per process)
        self.views = views  # documents opened and pages turned, per client address
        self.shares = shares  # each client address's share of the questions' queue
        self.list_refresh_s = list_refresh_s  # how often an open page looks for documents changed elsewhere
        self.raters = list(raters)  # told of each reader's thumbs up or down (none: no thumbs shown)
        self.ratings_kept = ratings_kept  # whether they keep what was rated (the page then says so)
        self.searcher = searcher  # the full page's search box (None: none shown)
        self.writing = Writing()  # the sessions whose answer is being written: for Stop and a page closed to halt

    def respond(
        self, question: str, turns: list[dict], within: list[str] | None = None, request: gr.Request | None = None
    ):
        """Stream one answer into the chat, from the documents (and folders) ``within`` alone where
        the reader chose some; the last yield carries its citations. (The question's share of its
        address's budget, and its place in the queue, were taken as it joined the queue:
        ``admitted``; the place is given back as the answer ends.)

        Yields ``(chat, turns, textbox, citations)``; each yield is a new list. ``turns`` is the
        session's state: the chat's messages, each answer with its citations. Stopped (Stop, the page
        closed), the answer ends on a thread of its own, not on Gradio's event loop (``ui.ending``).
        """
        with self.writing.answer(getattr(request, "session_hash", None)) as written:
            steps = ended_elsewhere(self._answered(question, turns, within, request, written.gone))
            with closing(steps):
                for step in steps:  # noqa: UP028 - each yield noted, for Stop's mark to wait on
                    written.wrote()
                    yield step

    def stop_marked(self, shown: list[dict], turns: list[dict], request: gr.Request | None = None) -> tuple:
        """Stop's chat (``stopped``), once the answer it stops has settled (``Writing.settled``: ended,
        or yielded nothing for half a second; at most ``STOP_WAIT_S``). Gradio's cancel and this run
        side by side: a word the answer yielded just before its cancel reached the page after the
        mark and wrote over it, leaving the stopped text unmarked on the page (1 Stop in 15 with a
        word every 10 ms; once in the end-to-end suite)."""
        if unfinished(turns):
            session = getattr(request, "session_hash", None)
            self.writing.halt(session)  # a model still reading the prompt stops at its next batch
            self.writing.settled(session, STOP_WAIT_S)
        return stopped(shown, turns)

    def _answered(
        self,
        question: str,
        turns: list[dict],
        within: list[str] | None,
        request: gr.Request | None,
        gone: Callable[[], bool],
    ) -> Iterator[tuple]:
        history = chat_history(turns or [])
        asked = list(turns or []) + [{"role": "user", "content": question}]

        def with_reply(text: str, cites: list[dict]) -> list[dict]:
            return asked + [{"role": "assistant", "content": text, "citations": cites}]

        started = with_reply("", [])
        text = ""
        try:
            yield messages(started), started, "", []
            for event in self.service.stream(question, history, self.library.within(within or []), gone):
                if isinstance(event, Token):
                    text += event.text
                    yield messages(with_reply(text, [])), gr.skip(), gr.skip(), gr.skip()
                elif isinstance(event, Answer):
                    final = with_reply(answer_message(event), shown_citations(event))
                    final[-1]["abstained"] = event.abstained  # a finished answer, which a reader may rate
                    yield messages(final), final, "", final[-1]["citations"]
        except Abandoned:
            return  # its reader stopped it, or went: nobody to tell (Stop marks what was shown)
        except GroundlineError as exc:
            failed = with_reply(f"⚠️ {exc}", [])
            yield messages(failed), failed, gr.skip(), []
        finally:
            if self.shares and request:
                self.shares.give_back(client_address(request), request.session_hash)

    def admitted(
        self, question: str, turns: list[dict], within: list[str] | None = None, request: gr.Request | None = None
    ) -> list[dict]:
        """The question event's validator, run as a question joins Gradio's queue, before it waits
        there: it takes one question of this address's budget (the API's), or says how long to
        wait, next to the question, which stays in its box. Checked once the question's turn came,
        a script's questions held the queue (the page's and every other reader's) until then."""
        wait = self.limiter.retry_after(client_address(request)) if self.limiter and request else 0
        said = f"{TOO_MANY} Try again in {whole_seconds(wait)} s." if wait else ""
        if not wait and len(within or []) > MAX_SCOPE_FILES:
            said = f"Ask within at most {MAX_SCOPE_FILES:,} documents or folders; with none chosen, all are asked."
        elif (
            not wait
            and self.shares
            and request
            and (held := self.shares.take(client_address(request), request.session_hash))
        ):
            said = f"Your earlier questions ({held}) are still waiting; ask again once one is answered."
        return [gr.validate(not said, said), gr.validate(True, ""), gr.validate(True, "")]

    def search(self, query: str, within: list[str] | None = None, request: gr.Request | None = None) -> tuple:
        """What ``query`` finds (``rag.search``: ranked passages, or every place quoted words appear),
        within what the reader chose to ask within, as the hits' buttons (each a label and the
        citation it opens), and the note under the box: how many places a quoted search found,
        "Nothing found.", the error, or how long to wait (a search counts as a question of the
        address's budget: each is an embedding and two rankings)."""
        wait = self.limiter.retry_after(client_address(request)) if self.limiter and request else 0
        if wait:
            return gr.skip(), gr.HTML(f"{TOO_MANY} Try again in {whole_seconds(wait)} s.", visible=True)
        try:
            found = self.searcher.search(query, self.library.within(within or []))
        except GroundlineError as exc:  # the message may echo a name the client chose
            return [], gr.HTML(html.escape(str(exc)), visible=True)
        items = [
            {"label": hit_label(n, hit), "citation": asdict(hit.match)} for n, hit in enumerate(found.hits, start=1)
        ]
        note = found_note(found)
        return items, gr.HTML(note, visible=bool(note))

    def left(self, request: gr.Request) -> None:
        """The page of ``request``'s session closed: its answer being written stops, at its model's next
        batch of prompt if it is still reading one (``Writing.halt``; Gradio closes the answer only at
        its next yield), and the places its questions held in the queue come back (``QueueShares.leave``)."""
        self.writing.halt(request.session_hash)
        if self.shares:
            self.shares.leave(request.session_hash)

    def rate(self, turns: list[dict], liked: gr.LikeData, request: gr.Request | None = None) -> None:
        """A reader's thumbs up or down on an answer, told to the raters (``ui.feedback``); held to
        the address's budget of documents opened, so no script fills the log."""
        rating = rating_of(turns or [], message_index(liked), liked.liked)
        if rating is None or (self.views and request and self.views.retry_after(client_address(request))):
            return
        for rater in self.raters:
            rater(rating)

    def citations_of(self, turns: list[dict], selected: gr.SelectData) -> list[dict]:
        """The citations of the answer the reader clicked in the chat (an earlier one, say)."""
        index = message_index(selected)
        if not 0 <= index < len(turns or []) or turns[index].get("role") != "assistant":
            return gr.skip()  # a question, or an answer still streaming
        return turns[index].get("citations", [])

    def show_document(self, file: str, citation: Citation | None = None, lines: tuple[int, int] | None = None) -> tuple:
        """What the viewer shows of a document (highlighting ``citation``; of a long one the
        ``lines`` first..last, else those around the citation): its HTML, or the error, escaped;
        the view, for paging; and the Earlier and Later lines buttons, shown where there is more
        that way."""
        try:
            stored = self.library.stored(file)
            pages = Pages(stored.page_starts, page_words(file), stored.page_names) if stored.page_starts else None
            page, shown = render_view(file, stored.text, citation, *(lines or ()), pages=pages)
        except GroundlineError as exc:  # the message may echo a name the client chose
            return f'<div class="gl-file">{html.escape(str(exc))}</div>', None, *hidden_paging()
        cited = asdict(citation) if citation else None
        view = {"file": file, "first": shown.first, "last": shown.last, "citation": cited}
        return page, view, gr.Button(visible=shown.earlier), gr.Button(visible=shown.later)

    def open_citation(self, citation: dict, request: gr.Request | None = None) -> tuple:
        """The viewer for one clicked citation (``show_document``), and the Documents list naming its file."""
        if refused := self.refused_view(request):
            return *refused, gr.skip()
        c = Citation(**citation)
        names = self.library.files()
        return *self.show_document(c.file, c), gr.Dropdown(choices=names, value=c.file if c.file in names else None)

    def open_file(self, file: str | None, request: gr.Request | None = None) -> tuple:
        if not file:
            return closed_viewer()
        return self.refused_view(request) or self.show_document(file)

    def turn_page(self, view: dict | None, step: int, request: gr.Request | None = None) -> tuple:
        """The viewer a page of lines further (back, if ``step`` is negative) in the document it shows."""
        if not view:
            return closed_viewer()
        if refused := self.refused_view(request):
            return refused
        citation = Citation(**view["citation"]) if view["citation"] else None
        shown = Window(view["first"], view["last"], total=0)  # the total is the document's, read again
        return self.show_document(view["file"], citation, turned(shown, step))

    def refused_view(self, request: gr.Request | None) -> tuple | None:
        """None while this address has views left in its budget (each document, citation or page
        it opens renders up to 2,000 lines, and these events never wait in the queue); else the
        viewer saying how long to wait, what it showed otherwise left as it was."""
        wait = self.views.retry_after(client_address(request)) if self.views and request else 0
        if not wait:
            return None
        said = f"{TOO_MANY_VIEWS} Try again in {whole_seconds(wait)} s."
        return f'<div class="gl-file">{said}</div>', gr.skip(), gr.skip(), gr.skip()

    def blocks(self, compact: bool = False) -> gr.Blocks:
        """The full chat page, or (``compact``) the stacked view embedded by the widget."""
        # Gradio keeps its copy of each upload (the document manager copies them under
        # DATA_DIR/uploads): every hour, copies older than an hour go; all of them at restart.
        with gr.Blocks(title="Groundline", delete_cache=(3600, 3600)) as demo:
            if not compact:
                gr.Markdown(
                    "## Groundline\nAsk about your documents. Every answer cites the lines it rests on; "
                    "click an earlier answer to list its sources again."
                    + (SEARCH_INTRO if self.searcher is not None else "")
                )
            turns = gr.State([])
            citations = gr.State([])
            # The chat outlives a reload: the browser keeps its turns (in localStorage; the full page
            # and the widget each their own) and the page shows them again as it opens.
            saved = gr.BrowserState(
                [], storage_key="groundline-chat-embed" if compact else "groundline-chat", secret=self.chat_key
            )
            # bookkeeping events: no spinner, not in the API, and never queued behind an answer
            at_once = {"show_progress": "hidden", "api_visibility": "private", "concurrency_limit": None}
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=280):
                    # Plain text: answers echo untrusted documents, and markdown would let an
                    # image or link in them reach out of the page.
                    chatbot = gr.Chatbot(
                        elem_id="gl-chat",
                        height=300 if compact else 460,
                        feedback_options=("Like", "Dislike") if self.raters else None,
                        render_markdown=False,
                        sanitize_html=True,
                        buttons=["copy", "copy_all"],  # Gradio's "share" works only on Hugging Face Spaces
                    )
                    if self.ratings_kept:  # a reader is told before rating what a rating keeps
                        gr.Markdown(RATINGS_KEPT, elem_id="gl-ratings-kept")

                    @gr.render(inputs=citations)
                    def citation_buttons(items: list[dict]):
                        if not items:
                            return
                        with gr.Row(elem_id="gl-citations"):
                            for n, item in enumerate(items, start=1):
                                button = gr.Button(
                                    citation_label(n, Citation(**item)),
                                    size="sm",
                                    scale=0,
                                    elem_classes=["gl-citation"],
                                )

                                def opened(request: gr.Request, item: dict = item) -> tuple:
                                    return self.open_citation(item, request)

                                button.click(
                                    opened,
                                    None,
                                    [*viewing, files],
                                    concurrency_limit=None,
                                ).then(None, None, None, js=SCROLL_JS)

                    question = gr.Textbox(
                        label="Question",  # shown only with a refusal ("Too many questions ...")
                        elem_id="gl-question",
                        show_label=False,
                        placeholder="Ask a question and press Enter",
                    )
                    # shown while an answer is written (below): not the box's own stop button, which
                    # waited for the answer that also clears the box
                    stop = gr.Button("Stop", size="sm", variant="stop", elem_id="gl-stop", elem_classes=["gl-idle"])
                    if compact:  # the widget asks within what its page names, if anything (data-within); set below
                        within = gr.State([])
                        scope = gr.HTML("", elem_id="gl-scope", visible=False)  # and says so
                    else:  # set as the page opens: what its link names, else what this browser chose last
                        within = gr.Dropdown(
                            choices=[],
                            value=[],
                            multiselect=True,
                            # Gradio checks a question's inputs as it joins the queue against the page as
                            # built, not as this session's lists updated it: every name would be refused.
                            # Library.within checks each one, naming any that names nothing.
                            allow_custom_value=True,
                            label="Ask within",
                            info="Answer from these documents and folders alone; none chosen: from all of them.",
                            elem_id="gl-within",
                        )
                        chosen_within = gr.BrowserState([], storage_key="groundline-within", secret=self.chat_key)
                        within.input(lambda chosen: chosen, within, chosen_within, **at_once)
                    if not compact:
                        gr.Examples(EXAMPLES, inputs=question)
                with gr.Column(scale=2, min_width=280) if not compact else gr.Row():
                    files = gr.Dropdown(
                        choices=self.library.files(),
                        label="Documents",
                        elem_id="gl-files",
                        value=None,
                        visible=not compact,
                    )
                    # the document the viewer shows, summarized in the chat (rag.overview), cited as answers are
                    summarize = gr.Button("Summarize this document", size="sm", visible=False, elem_id="gl-summarize")
                    if self.searcher is not None and not compact:
                        sought = gr.Textbox(
                            label="Search",
                            show_label=False,
                            placeholder='Search the documents, no answer: words, or "words as written" (Enter)',
                            elem_id="gl-search",
                        )
                        hits = gr.State([])
                        search_note = gr.HTML("", elem_id="gl-search-note", visible=False)

                        @gr.render(inputs=hits)
                        def hit_buttons(items: list[dict]):
                            if not items:
                                return
                            with gr.Column(elem_id="gl-hits"):
                                for item in items:
                                    button = gr.Button(item["label"], size="sm", elem_classes=["gl-hit"])

                                    def opened(request: gr.Request, item: dict = item) -> tuple:
                                        return self.open_citation(item["citation"], request)

                                    button.click(opened, None, [*viewing, files], concurrency_limit=None).then(
                                        None, None, None, js=SCROLL_JS
                                    )

                        # never queued behind an answer: a search takes a fraction of a second, no model
                        sought.submit(self.search, [sought, within], [hits, search_note], **at_once)
                    viewer = gr.HTML(
                        placeholder(), elem_id="gl-viewer", elem_classes=["gl-compact"] if compact else None
                    )
                    with gr.Row():  # a long document is shown a window of lines at a time
                        earlier = gr.Button("◀ Earlier lines", size="sm", visible=False, elem_id="gl-earlier")
                        later = gr.Button("Later lines ▶", size="sm", visible=False, elem_id="gl-later")
                    view = gr.State(None)  # what the viewer shows: file, first line, citation
                    viewing = [viewer, view, earlier, later]

                    def earlier_lines(shown: dict | None, request: gr.Request) -> tuple:
                        return self.turn_page(shown, -1, request)

                    def later_lines(shown: dict | None, request: gr.Request) -> tuple:
                        return self.turn_page(shown, 1, request)

                    earlier.click(earlier_lines, view, viewing, **at_once)
                    later.click(later_lines, view, viewing, **at_once)
                    lists, changes = [files, within], []
                    if self.admin is not None and not compact:
                        managed, changes = self.admin.panel()
                        lists.append(managed)
            # Stop, shown and hidden in the page itself, before the answer starts (a trigger's events run in
            # the order they were attached: attached after, it showed once the answer had ended)
            showing, hiding = (
                f"() => document.getElementById('gl-stop').classList.{how}('gl-idle')" for how in ("remove", "add")
            )
            for started in (question.submit, summarize.click):
                started(None, None, None, js=showing)
            asked = question.submit(
                self.respond,
                [question, turns, within],
                [chatbot, turns, question, citations],
                api_name="ask",
                validator=self.admitted,
            )
            # Summarize asks of the shown document alone, whatever Ask within holds: it is what was asked for
            summarized = gr.State([])
            summarize_asked = summarize.click(
                lambda file: (summary_request(file), [file] if file else []), files, [question, summarized], **at_once
            ).then(
                self.respond,
                [question, turns, summarized],
                [chatbot, turns, question, citations],
                validator=self.admitted,
                api_visibility="private",
            )
            if not compact:  # the widget's viewer opens from citations alone: its chat asks what it may
                files.change(lambda file: gr.Button(visible=bool(file)), files, summarize, **at_once)
            # A Stop button under the question box while an answer is written (on 2 cores, 8 s; a summary 20 s):
            # a question asked wrong need not hold the one model to its end. Stopped, the model stops too.
            answering = [asked, summarize_asked]
            for event in answering:
                event.then(None, None, None, js=hiding)
            stop.click(None, None, None, cancels=answering, js=hiding)
            halted = stop.click(self.stop_marked, [chatbot, turns], [chatbot, turns], **at_once)
            if compact:  # the chat kept with the documents it was asked within: each pinned widget its own
                for event in (asked, halted):
                    event.then(kept_chat, [turns, within], saved, **at_once)

                def reopened_within(request: gr.Request, kept: object) -> tuple:
                    pinned = asked_within(request.query_params.getlist("within"))
                    note = gr.HTML(scope_note(pinned), visible=bool(pinned))
                    return *reopened(chat_within(kept, pinned)), pinned, note

                demo.load(reopened_within, saved, [chatbot, turns, citations, within, scope], **at_once)
            else:
                for event in (asked, summarize_asked, halted):
                    event.then(kept_turns, turns, saved, **at_once)
                demo.load(reopened, saved, [chatbot, turns, citations], **at_once)
            demo.unload(self.left)  # Gradio drops what a closed page left waiting; what it was answered stops
            # on the reader's choice only: a citation sets the list too, and its highlighted view stays
            # Only questions take turns (one model); the rest never wait in the queue behind each other,
            # where a script's flood of them would take every place from other readers' questions.
            files.input(self.open_file, files, viewing, api_name="document", concurrency_limit=None)
            chatbot.select(self.citations_of, turns, citations, **at_once)
            if self.raters:
                chatbot.like(self.rate, turns, None, **at_once)
            # the chat's Clear button empties the display only: the session forgets the turns too, or
            # they came back with the next answer and the next question was read against them
            chatbot.clear(lambda: ([], [], []), None, [turns, citations, saved], **at_once)

            # The documents as they are when the page opens, after the manager changes them, and every
            # list_refresh_s while it stays open (the page is built once, at start, and the command line
            # or the HTTP API may change them while it serves); a tick that finds them as listed changes
            # nothing. The Documents list names the document the viewer shows; one deleted meanwhile
            # leaves both.
            def listed(known: list[str] | None, *chosen: str | list[str] | None, linked: tuple = ()) -> list:
                names = self.library.files()
                if names == known:
                    return [gr.skip()] * (len(chosen) + 1 + len(viewing))
                scopes = folders_of(names) + names  # Ask within offers folders, then documents
                offers = [names if choices is files else scopes for choices in lists]  # the admin's: as Ask within
                updated = [gr.Dropdown(choices=o, value=still_there(c, o)) for c, o in zip(chosen, offers, strict=True)]
                if linked:  # a link's are shown as it names them: one that names nothing is refused when asked
                    updated[1] = gr.Dropdown(choices=list(dict.fromkeys(scopes + list(linked))), value=list(linked))
                gone = chosen[0] is not None and chosen[0] not in names
                return [names, *updated, *(closed_viewer() if gone else [gr.skip()] * len(viewing))]

            def opened(request: gr.Request, last_chosen: object, *chosen: str | list[str] | None) -> list:
                linked = asked_within(request.query_params.getlist("within"))
                kept = last_chosen if isinstance(last_chosen, list) else []  # whatever a page could have stored
                out = listed(None, chosen[0], linked or kept, *chosen[2:], linked=tuple(linked))
                if cited := linked_citation(request.query_params):  # a citation's link: its document open at its lines
                    file, citation = cited
                    names = out[0]
                    viewed = self.refused_view(request) or self.show_document(file, citation)
                    documents = gr.Dropdown(choices=names, value=file if file in names else None)
                    out = [names, documents, *out[2 : 1 + len(chosen)], *viewed]
                return out

            if not compact:
                shown = gr.State(None)  # the names the lists offer
                for change in changes:  # as listed: the timer may have listed them already (an open list
                    # whose choices are replaced again closes under the reader's pointer)
                    change.then(listed, [shown, *lists], [shown, *lists, *viewing], **at_once)
                demo.load(opened, [chosen_within, *lists], [shown, *lists, *viewing], **at_once).then(
                    None, None, None, js=SCROLL_JS
                )
                gr.Timer(self.list_refresh_s).tick(listed, [shown, *lists], [shown, *lists, *viewing], **at_once)
        return demo
