import contextlib
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from llama_index.core.llms import ChatMessage, MessageRole

from rag.answering import AnswerService, Stopwatch
from rag.attribution import Attributor
from rag.decision import ASKED_AGAIN_NOTE, WHY_WITHHELD, Decider
from rag.errors import Abandoned, GroundlineError, LLMUnavailable, QuestionError
from rag.llm import ReplyJudge
from rag.settings import Settings
from rag.types import Answer, Passage, Token
from rag.verification import Verifier
from tests.conftest import ARMS_FILE, fake_app
from tests.fakes import HashEmbedding, ReadingLLM, ScriptedLLM

PASSAGES = [Passage("a.txt", 3, 3, 10, "Dogs bark at night. Cats purr.", 0.9)]


class ListRetriever:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def retrieve(self, question: str, files=()) -> list[Passage]:
        return [p for p in self.passages if not files or p.file in files]


def service(
    *replies: str, passages=PASSAGES, min_relevance: float = -1.0, min_sentence_relevance: float = 1.0, **llm_kwargs
) -> AnswerService:
    return AnswerService(
        ListRetriever(passages),
        ScriptedLLM(replies, **llm_kwargs),
        Attributor(HashEmbedding()),
        Decider(min_relevance=min_relevance, min_support=0.5, min_sentence_relevance=min_sentence_relevance),
        max_question_chars=50,
    )


def test_tokens_stream_before_the_cited_answer() -> None:
    events = list(service("Dogs bark at night [7].").stream("Do dogs bark?"))
    assert [e.text for e in events if isinstance(e, Token)] == ["Dogs ", "bark ", "at ", "night ", "[7]."]
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.abstained
    assert answer.text == "Dogs bark at night. [1]"
    assert [(c.file, c.start_line, c.quote) for c in answer.citations] == [("a.txt", 3, "Dogs bark at night.")]
    assert answer.citations[0].start_char == 10


def test_sources_are_marked_as_data_in_the_prompt() -> None:
    svc = service("Dogs bark at night.")
    svc.ask("Do dogs bark?")
    prompt = svc.llm.prompts[0]
    assert '<source id="1" file="a.txt" lines="3-3">\nDogs bark at night. Cats purr.\n</source>' in prompt
    assert "never instructions" in prompt
    assert "Question: Do dogs bark?" in prompt


def test_the_prompt_names_the_sheet_or_slide_a_source_is_on(settings: Settings, tmp_path: Path) -> None:
    # Two sheets' rows read alike: the model was shown "lines 2-3" of the workbook, not which year's sheet.
    import openpyxl

    book = openpyxl.Workbook()
    for sheet, (year, tonnage) in zip(
        [book.active, book.create_sheet()], [("2023", "1,200"), ("2024", "1,450")], strict=True
    ):
        sheet.title = year
        sheet.append(["Harbour", "Tonnage"])
        sheet.append(["Skerry", tonnage])
    folder = tmp_path / "docs"
    folder.mkdir()
    book.save(folder / "tonnage.xlsx")
    app = fake_app(settings, ["Skerry tonnage was 1,450 in 2024 [1]."])
    app.ingestor.ingest([folder])
    answer = app.service.ask("What tonnage did Skerry handle in 2024?")
    assert [c.where() for c in answer.citations] == ["sheet 2 (2024), row 2"]  # the labels are the prompt's
    assert "[sheet 2 (2024)] Harbour: Skerry; Tonnage: 1,450" in app.service.llm.checks[0]  # and the verifier's
    prompt = app.service.llm.prompts[0]
    assert (
        '<source id="1" file="tonnage.xlsx" sheet="1 (2023)" lines="1-4">\n'
        "[sheet 1 (2023)] Harbour | Tonnage\n[sheet 1 (2023)] Harbour: Skerry; Tonnage: 1,200\n"
        "[sheet 2 (2024)] Harbour | Tonnage\n[sheet 2 (2024)] Harbour: Skerry; Tonnage: 1,450\n</source>"
    ) in prompt


def test_an_unsupported_sentence_is_flagged() -> None:
    answer = service("Dogs bark at night. The moon is cheese.").ask("Do dogs bark?")
    assert answer.text == "Dogs bark at night. [1] The moon is cheese. [unsupported]"
    assert [s.supported for s in answer.sentences] == [True, False]


def test_an_unsupported_sentence_says_why_where_a_check_decided_it() -> None:
    # "[unsupported]" beside a sentence that repeats its source word for word but for one number read
    # as a mistake of ours; the mark now names the number no source holds
    passages = [Passage("hall.txt", 2, 2, 0, "There are 131 seats in the debating chamber.", 0.9)]
    answer = service("There are 231 seats in the debating chamber [1].", passages=passages).ask("Seats?")
    assert answer.abstained and answer.withheld_by == "attribution"  # its one sentence: nothing to answer with
    assert answer.note == "An answer was written, and withheld: 231 is in no source."  # not its words
    assert answer.to_json()["note"] == answer.note
    answer = service(
        "The debating chamber has seats. There are 231 seats in the debating chamber.", passages=passages
    ).ask("Seats?")
    assert answer.text == (
        "The debating chamber has seats. [1] There are 231 seats in the debating chamber. "
        "[unsupported: 231 is in no source]"
    )
    assert [s.why for s in answer.sentences] == ["", "231 is in no source"]
    # a sentence no source matches at all is marked as before: no check of ours decided it
    answer = service("Dogs bark at night. The moon is 384,400 km away.").ask("Do dogs bark?")
    assert answer.text.endswith("The moon is 384,400 km away. [unsupported]")


def test_a_remark_that_only_points_at_a_source_is_dropped_not_flagged() -> None:
    """About 2% of the 1.5B model's eval answers ended with such a remark, shown as [unsupported]."""
    answer = service("Dogs bark at night [1]. This is stated in the second sentence of source [1].").ask("Bark?")
    assert answer.text == "Dogs bark at night. [1]"
    assert [s.text for s in answer.sentences] == ["Dogs bark at night."]


@pytest.mark.parametrize(
    "reply", ["The documents do not say.", "I don't know.", "Canberra is the capital of Australia [1]."]
)
def test_abstains_when_the_model_declines_or_nothing_supports_the_answer(reply: str) -> None:
    answer = service(reply).ask("What is the capital of Australia?")
    assert answer.abstained
    assert answer.text == "The documents do not say."
    assert answer.citations == []
    assert answer.passages == PASSAGES  # shown as the closest passages


def test_no_documents_means_no_llm_call() -> None:
    svc = service(passages=[])
    answer = svc.ask("Anything?")
    assert answer.abstained and "No documents" in answer.text
    assert svc.llm.prompts == []


@pytest.mark.parametrize(("question", "message"), [("   ", "type a question"), ("x" * 51, "limit is 50")])
def test_bad_questions_get_a_clear_message(question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        service("unused").ask(question)


def test_a_failing_backend_becomes_one_clear_error() -> None:
    with pytest.raises(LLMUnavailable, match="language model failed: connection refused"):
        service(fail_with=ConnectionError("connection refused")).ask("Do dogs bark?")


def test_sample_question_through_real_chroma_cites_line_9(settings: Settings, news_dir: Path) -> None:
    app = fake_app(settings, ["North Korea has denied that it supplies weapons to Russia [3]."])
    app.ingestor.ingest([news_dir])
    answer = app.service.ask("who denied arms deals?")
    assert not answer.abstained
    assert "North Korea" in answer.text
    assert any(c.file == ARMS_FILE and c.start_line <= 9 <= c.end_line for c in answer.citations)


def test_the_sentence_splitter_loads_with_the_service_not_on_the_first_answer(tmp_path: Path) -> None:
    # a fresh process: importing nltk (1-2.5 s) belongs to start-up, before any visitor waits
    script = (
        "import sys\n"
        "from rag.settings import Settings\n"
        "from tests.conftest import fake_app\n"
        f"app = fake_app(Settings(data_dir={str(tmp_path)!r}, _env_file=None))\n"
        "before = 'nltk' in sys.modules\n"
        "app.service\n"
        "print(before, 'nltk' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]


def test_irrelevant_passages_mean_abstention_without_asking_the_llm() -> None:
    far = [replace(PASSAGES[0], similarity=0.05)]
    svc = service("Dogs bark at night.", passages=far, min_relevance=0.2)
    answer = svc.ask("What is the capital of Australia?")
    assert answer.abstained and answer.passages == far
    assert svc.llm.prompts == []


def test_a_relevant_passage_passes_the_gate() -> None:
    near = [replace(PASSAGES[0], similarity=0.6)]
    assert not service("Dogs bark at night.", passages=near, min_relevance=0.2).ask("Do dogs bark?").abstained


def test_a_passage_holding_every_word_of_the_question_passes_the_gate_however_far_by_cosine() -> None:
    """Regression: on the sample news corpus "Who is Pat Ryder?" and "Who is Adrienne Watson?" were
    withheld as far from every passage (MiniLM cosine 0.19 and 0.13 with the passages that name them,
    which the keyword retrieval ranked first): a name the embedder does not know is still asked."""
    named = [Passage("news.txt", 8, 8, 0, "Pentagon spokesman Brig. Gen. Pat Ryder told reporters.", 0.4, 0.19)]
    svc = service("Pat Ryder is the Pentagon spokesman who told reporters.", passages=named, min_relevance=0.2)
    answer = svc.ask("Who is Pat Ryder?")
    assert not answer.abstained and answer.citations[0].start_line == 8
    assert len(svc.llm.prompts) == 1
    asked_elsewhere = svc.ask("Who is Pat Smith?")  # one word no passage holds: the cosine decides, as before
    assert asked_elsewhere.abstained and asked_elsewhere.withheld_by == "relevance" and len(svc.llm.prompts) == 1


def test_the_passages_of_one_document_hold_the_question_s_words_between_them() -> None:
    """Regression: "What do I need to apply for the flat?" of flat notes was withheld as far from every
    passage (MiniLM 0.18 at best): "flat" is on the notes' first line, "apply" on their last, in two passages."""
    notes = [
        Passage("lease-notes.txt", 1, 12, 0, "Notes on the flat at Kastanienallee 12.", 0.5, 0.18),
        Passage("lease-notes.txt", 12, 17, 900, "Decision: apply by 9 November 2026 with payslips.", 0.4, 0.12),
    ]
    reply = "Apply by 9 November 2026 with payslips."
    svc = service(reply, passages=notes, min_relevance=0.2)
    assert not svc.ask("What do I need to apply for the flat?").abstained and len(svc.llm.prompts) == 1
    elsewhere = [notes[0], replace(notes[1], file="kettle-manual.md")]  # the words in two documents: not held
    svc = service(reply, passages=elsewhere, min_relevance=0.2)
    assert svc.ask("What do I need to apply for the flat?").withheld_by == "relevance" and not svc.llm.prompts


@pytest.mark.parametrize(
    ("question", "line", "reply"),
    [
        (
            "What did Maria Lindqvist say?",
            "Chief executive Maria Lindqvist said the new eastern quay was the main reason for the growth.",
            "Maria Lindqvist said the new eastern quay was the main reason for the growth.",
        ),
        (
            "What happened to the rail link?",
            "A planned rail link to the eastern quay was postponed after the regional government withdrew its funding.",
            "The rail link was postponed after the regional government withdrew its funding.",
        ),
    ],
)
def test_a_question_asked_in_words_its_answer_need_not_hold_passes_the_gate(question, line, reply) -> None:
    """Regression: of a harbour report, "What did Maria Lindqvist say?" and "What happened to the rail link?"
    were withheld as far from every passage (MiniLM cosines under 0.2, though the keyword retrieval ranked
    the answering passage first): "said" is no content word, and "say" was one, which no passage held; and
    "happened" only asks."""
    svc = service(reply, passages=[Passage("report.md", 7, 7, 0, line, 0.4, 0.15)], min_relevance=0.2)
    answer = svc.ask(question)
    assert not answer.abstained and answer.citations[0].start_line == 7 and len(svc.llm.prompts) == 1


def test_a_question_about_one_sentence_of_a_long_passage_passes_the_gate() -> None:
    """Regression: of a harbour report, "What reason did Maria Lindqvist give for the growth?" was withheld
    as far from every passage: MiniLM put it at 0.15 from the 19-line passage that answers it (0.55 from the
    sentence), and the passage does not say "give"."""
    report = "\n".join(
        [
            "The Northgate Harbour Authority handled 4.2 million tonnes of cargo in 2025.",
            "Container traffic grew fastest, while bulk grain shipments fell for the second year running.",
            "Chief executive Maria Lindqvist said the new eastern quay was the main reason for the growth.",
            "Two of the four harbour cranes were replaced; the other two will be replaced in 2026.",
            "Ferry passengers numbered 1.1 million, about the same as in 2024.",
        ]
    )
    shown = [Passage("report.md", 5, 9, 0, report, 0.4, 0.15)]
    reply = "Maria Lindqvist said the new eastern quay was the main reason for the growth."
    svc = service(reply, passages=shown, min_relevance=0.2, min_sentence_relevance=0.4)
    answer = svc.ask("What reason did Lindqvist give for the growth?")
    assert not answer.abstained and answer.citations[0].start_line == 7 and len(svc.llm.prompts) == 1
    elsewhere = svc.ask("Who won the world cup in 2018?")  # no sentence comes near: still withheld
    assert elsewhere.abstained and elsewhere.withheld_by == "relevance" and len(svc.llm.prompts) == 1


def test_a_follow_up_is_condensed_with_the_history_before_retrieval() -> None:
    retriever = ListRetriever(PASSAGES)
    seen: list[str] = []
    retriever.retrieve = lambda q, files=(): seen.append(q) or list(PASSAGES)
    llm = ScriptedLLM(["Which animals bark at night besides dogs?", "Dogs bark at night."])
    svc = AnswerService(retriever, llm, Attributor(HashEmbedding()), Decider())
    history = [
        ChatMessage(role=MessageRole.USER, content="Which animals bark at night?"),
        ChatMessage(role=MessageRole.ASSISTANT, content="Dogs bark at night. [1]"),
    ]
    answer = svc.ask("and who else?", history)
    assert seen == ["Which animals bark at night besides dogs?"]
    assert answer.question == "Which animals bark at night besides dogs?"
    assert "Follow-up question: and who else?" in llm.prompts[0]
    assert "User: Which animals bark at night?" in llm.prompts[0]


def test_the_history_the_rewrite_reads_is_bounded_whatever_the_client_sends() -> None:
    # an API client may send any history: a pasted report of 100,000 characters overflowed
    # the local model's 4096-token context ("The language model failed")
    llm = ScriptedLLM(["Which animals bark at night besides dogs?", "Dogs bark at night."])
    svc = AnswerService(ListRetriever(PASSAGES), llm, Attributor(HashEmbedding()), Decider())
    pasted = "Please read this report. " + "Cats purr.\n" * 10_000
    history = [ChatMessage(role=MessageRole.USER, content=f"Old question {n}?") for n in range(8)]
    history += [
        ChatMessage(role=MessageRole.USER, content=pasted),
        ChatMessage(role=MessageRole.ASSISTANT, content="Dogs bark at night. [1]"),
    ]
    svc.ask("and who else?", history)
    prompt = llm.prompts[0]
    assert len(prompt) < 6 * 600 + 1000
    assert "Old question 3?" not in prompt and "User: Old question 4?" in prompt  # the last six turns
    assert "User: Please read this report. Cats purr. Cats purr." in prompt and " …\n" in prompt  # cut, one line
    assert "Assistant: Dogs bark at night. [1]" in prompt
    assert "\n\nFollow-up question: and who else?\nStandalone question:" in prompt


def test_without_history_the_question_is_not_rewritten() -> None:
    svc = service("Dogs bark at night.")
    svc.ask("Do dogs bark?")
    assert len(svc.llm.prompts) == 1  # no condensing call


def test_a_pdf_answer_cites_page_and_line(settings: Settings, tmp_path: Path) -> None:
    from tests.index.test_formats import make_pdf

    docs = tmp_path / "pdfs"
    docs.mkdir()
    make_pdf(docs / "port.pdf", [["Alpha one.", "Alpha two."], ["The harbour closed on Friday.", "Beta three."]])
    app = fake_app(settings, ["The harbour closed on Friday [1]."])
    app.ingestor.ingest([docs])
    (citation,) = app.service.ask("When did the harbour close?").citations
    assert (citation.file, citation.start_line, citation.page, citation.page_line) == ("port.pdf", 3, 2, 1)
    assert citation.public()["page"] == 2 and citation.public()["page_line"] == 1


def test_a_slide_or_sheet_answer_cites_slide_or_sheet_and_its_line_or_row(settings: Settings, tmp_path: Path) -> None:
    from tests.index.test_formats import make_pptx, make_xlsx

    docs = tmp_path / "office"
    docs.mkdir()
    make_pptx(docs / "deck.pptx")
    make_xlsx(docs / "book.xlsx")
    app = fake_app(settings, ["Maren Holt is the keeper [1].", "Cranes were idle in May [1]."])
    app.ingestor.ingest([docs])
    (kept,) = app.service.ask("Who is the keeper?").citations
    assert (kept.file, kept.start_line, kept.page, kept.page_line) == ("book.xlsx", 5, 2, 1)  # sheet 2, row 1
    (idle,) = app.service.ask("When were the cranes idle?").citations
    assert (idle.file, idle.start_line, idle.page, idle.page_line) == ("deck.pptx", 6, 2, 4)  # slide 2, line 4


def test_the_answer_keeps_its_evidence_and_deciding_it_again_gives_the_same_answer() -> None:
    svc = service("Dogs bark at night. The moon is cheese.")
    answer = svc.ask("Do dogs bark?")
    assert answer.evidence.raw == "Dogs bark at night. The moon is cheese."
    assert [s.sentence for s in answer.evidence.supports] == ["Dogs bark at night.", "The moon is cheese."]
    assert svc.decider.decide(answer.evidence) == answer


def test_an_abstention_within_chosen_documents_says_it_is_theirs(settings: Settings, news_dir: Path) -> None:
    # "The documents do not say." read as if no document did, when only the chosen ones were asked
    app = fake_app(settings, ["The documents do not say."] * 6)  # each declined twice: a second try
    app.ingestor.ingest([news_dir])
    other = next(f.name for f in news_dir.iterdir() if f.name != ARMS_FILE)
    one = app.service.ask("Who won the 1998 World Cup?", files=[other])
    assert one.abstained and one.text == "The chosen document does not say."
    assert one.closest() and {c.file for c in one.closest()} == {other}
    both = app.service.ask("Who won the 1998 World Cup?", files=[other, ARMS_FILE])
    assert both.text == "The 2 chosen documents do not say."
    assert app.service.ask("Who won the 1998 World Cup?").text == "The documents do not say."


class Told:
    """An observer that keeps what it is told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    def answered(self, answer: Answer, timed: Stopwatch) -> None:
        assert timed.total >= sum(timed.stages.values()) >= 0
        self.told.append(("abstained" if answer.abstained else "answered", answer.withheld_by))
        self.timed = timed

    def unanswered(self, outcome: str, seconds: float) -> None:
        assert seconds >= 0
        self.told.append((outcome, ""))


def test_the_observers_are_told_how_each_question_ended_and_which_check_withheld_an_answer() -> None:
    from tests.rag.test_verification import checked_service

    def told(svc: AnswerService, question: str = "Do dogs bark?") -> list[tuple[str, str]]:
        svc.observe(seen := Told())
        with contextlib.suppress(GroundlineError):
            list(svc.stream(question))
        return seen.told

    far = [replace(PASSAGES[0], similarity=0.05)]
    svc = service("Dogs bark at night [7].")
    assert told(svc) == [("answered", "")]
    timed = svc.observers[0].timed  # each stage, and the wait for the first word
    assert list(timed.stages) == ["retrieval", "model", "check"] and 0 < timed.first_token < timed.total
    assert told(service(passages=[])) == [("abstained", "no_documents")]
    svc = service("Dogs bark.", passages=far, min_relevance=0.2)
    assert told(svc, "Do cats meow?") == [("abstained", "relevance")]
    assert list(svc.observers[0].timed.stages) == ["retrieval"] and svc.observers[0].timed.first_token is None
    assert told(service("The documents do not say.")) == [("abstained", "model")]
    assert told(service("Canberra is the capital of Australia [1].")) == [("abstained", "attribution")]
    assert told(checked_service("Dogs bark at night [1].", "no")) == [("abstained", "verifier")]
    assert told(service(fail_with=ConnectionError("refused"))) == [("failed", "")]
    assert told(service("unused"), "   ") == []  # refused before it was asked: no question to count
    svc = service("Dogs bark at night [7].")
    svc.observe(seen := Told())
    events = svc.stream("Do dogs bark?")
    next(events), next(events)
    events.close()  # the reader went after two words
    assert seen.told == [("cancelled", "")]
    svc = service("Do cats purr?", "Cats purr [7].")  # a follow-up: rewritten first, and timed
    svc.observe(seen := Told())
    list(svc.stream("and cats?", [ChatMessage(role=MessageRole.USER, content="Do dogs bark?")]))
    assert list(seen.timed.stages) == ["rewrite", "retrieval", "model", "check"]


def test_a_whole_answer_whose_asker_went_stops_the_model_and_says_so() -> None:
    # an HTTP client that stopped waiting for a whole answer: the model wrote on to its end for nobody
    svc = service("Dogs bark at night [7].", "Dogs bark at night [7].")
    svc.observe(seen := Told())
    asked = []

    def gone() -> bool:  # asked after each word; the asker goes after the second
        asked.append(True)
        return len(asked) >= 2

    with pytest.raises(Abandoned, match="left before its answer was finished"):
        svc.ask("Do dogs bark?", gone=gone)
    assert len(asked) == 2 and seen.told == [("cancelled", "")]  # stopped there, and counted so
    assert not svc.ask("Do dogs bark?").abstained  # nobody gone: the whole answer


def test_an_answer_whose_asker_went_while_the_model_read_its_prompt_stops_it_there() -> None:
    # before its first word, the model read on (15-20 s on 2 cores) for nobody, every question waiting
    svc = AnswerService(
        ListRetriever(PASSAGES), ReadingLLM(["Dogs bark at night [1]."]), Attributor(HashEmbedding()),
        Decider(-1.0, 0.5),
    )  # fmt: skip
    svc.observe(seen := Told())
    kept: list[str] = []
    svc.keeping = lambda: kept.append("kept")
    leaving = time.monotonic() + 0.2
    with pytest.raises(Abandoned):
        svc.ask("Do dogs bark?", gone=lambda: time.monotonic() > leaving)
    assert svc.llm.halted.is_set() and time.monotonic() - leaving < 2  # at its next batch, not its 30 s read
    assert seen.told == [("cancelled", "")] and kept == ["kept"]  # counted as left; what it read, kept


def test_the_prompt_cache_is_told_before_the_passages_are_chosen() -> None:
    said = []
    retriever = ListRetriever(PASSAGES)
    retriever.retrieve = lambda question, files=(): said.append("retrieve") or PASSAGES
    svc = AnswerService(
        retriever, ScriptedLLM(["Dogs bark at night."]), Attributor(HashEmbedding()), Decider(-1.0, 0.5),
        reading=lambda: said.append("reading"),
    )  # fmt: skip
    svc.ask("Do dogs bark?")
    assert said == ["reading", "retrieve"]


def test_what_the_model_read_is_kept_where_its_reply_is_stopped_before_its_end() -> None:
    # llama-cpp-python keeps a streamed prompt's state only once the stream ends: a summary (stopped
    # once it has its sentences) and a reader's stop were read again in full the next time
    def keeping(*replies: str, **llm_kwargs) -> tuple[AnswerService, list[str]]:
        svc, kept = service(*replies, **llm_kwargs), []
        svc.keeping = lambda: kept.append("kept")
        return svc, kept

    svc, kept = keeping("Dogs bark at night [1].")
    svc.ask("Do dogs bark?")
    assert kept == []  # ran to its end: llama-cpp-python kept it
    svc, kept = keeping("One. Two. Three. Four.")  # a summary's reply: two sentences asked for
    written = svc._written([ChatMessage(role=MessageRole.USER, content="Summarize.")], Stopwatch(), most_sentences=2)
    while (token := next(written, None)) is not None:
        assert isinstance(token, Token)
    assert kept == ["kept"]
    svc, kept = keeping("Dogs bark at night [7].")
    events = svc.stream("Do dogs bark?")
    next(events), next(events)
    events.close()  # the reader went after two words
    assert kept == ["kept"]
    svc, kept = keeping(fail_with=ConnectionError("refused"))
    with pytest.raises(LLMUnavailable):
        svc.ask("Do dogs bark?")
    assert kept == []  # a model that failed: nothing of it is kept


def test_an_abstentions_closest_passage_marks_its_sentence_nearest_the_question() -> None:
    # A reader shown "the documents do not say" looks for themselves: the viewer marked the whole
    # passage; it now marks the sentence they would read first.
    answer = service("The documents do not say.").ask("Do cats purr at home?")
    assert answer.abstained and answer.withheld_by == "model"
    (closest,) = answer.closest()
    assert (closest.start_line, closest.end_line, closest.quote) == (3, 3, "Dogs bark at night. Cats purr.")
    assert (closest.start_char, closest.end_char) == (30, 40)  # "Cats purr." in the document
    assert closest.public() == {"file": "a.txt", "start_line": 3, "end_line": 3, "quote": closest.quote}
    answered = service("Dogs bark at night.").ask("Do dogs bark?")
    assert not answered.abstained and answered.marks == []  # an answer has its citations


TWO = [
    Passage("a.txt", 1, 1, 0, "The harbour report covers 2025. Ferries ran daily.", 0.9),
    Passage("b.txt", 4, 4, 0, "Tertiary education follows secondary education.", 0.8),
]


def checked_service(
    *replies: str, passages: list[Passage] = TWO, verdict: str = "yes", second_try: bool = True
) -> AnswerService:
    """A service over ``passages`` whose answers are attributed and verified (the verifier's verdict:
    ``verdict``), a decline asked again where ``second_try``."""
    llm = ScriptedLLM(replies, verdict=verdict)
    return AnswerService(
        ListRetriever(passages),
        llm,
        Attributor(HashEmbedding()),
        Decider(min_support=0.5, min_verified=0.5),
        verifier=Verifier(ReplyJudge(llm)),
        second_try=second_try,
    )


def test_a_decline_is_asked_again_of_the_passage_nearest_the_question_unseen_by_the_reader() -> None:
    # Shown four passages, the 1.5B model declined "What follows secondary education?" with the answer in the
    # second; shown that passage alone, it answered (squad-dev: 3 of 10 such test questions, none unanswerable)
    svc = checked_service("The documents do not say.", "Tertiary education follows secondary education [1].")
    events = list(svc.stream("What follows secondary education?"))
    streamed = "".join(e.text for e in events if isinstance(e, Token))
    assert streamed == "Tertiary education follows secondary education [1]."  # the decline was held back
    answer = events[-1]
    assert not answer.abstained and [(c.file, c.start_line) for c in answer.citations] == [("b.txt", 4)]
    first, second = svc.llm.prompts
    assert 'file="a.txt"' in first and 'file="b.txt"' in first
    assert 'file="b.txt"' in second and 'file="a.txt"' not in second  # the passage nearest the question only
    assert answer.evidence.raw == "The documents do not say." and answer.evidence.retry.passages == [TWO[1]]
    assert answer.passages == [TWO[1]] and svc.decider.decide(answer.evidence) == replace(answer, marks=[])


def test_a_second_try_is_checked_like_the_first_and_withheld_shows_every_closest_passage() -> None:
    svc = checked_service("The documents do not say.", "Tertiary education follows secondary education [1].",
                             verdict="no")  # fmt: skip
    answer = svc.ask("What follows secondary education?")
    assert answer.abstained and answer.withheld_by == "verifier"  # its words were shown: withheld, and said so
    assert answer.passages == TWO and [m.file for m in answer.marks] == ["a.txt", "b.txt"]


def test_no_second_try_where_it_is_off_or_the_model_answered_or_saw_one_passage() -> None:
    off = checked_service("The documents do not say.", second_try=False)
    declined = list(off.stream("What follows secondary education?"))
    assert declined[-1].withheld_by == "model" and len(off.llm.prompts) == 1
    assert not any(isinstance(e, Token) for e in declined)  # held back: the answer's text says it
    answered = checked_service("Tertiary education follows secondary education [2].")
    assert not answered.ask("What follows secondary education?").abstained and len(answered.llm.prompts) == 1
    one = service("The documents do not say.")  # one passage shown: asking again of it would say the same
    one.second_try = True
    assert one.ask("Do dogs bark?").withheld_by == "model" and len(one.llm.prompts) == 1


def test_a_decline_in_other_words_streamed_is_set_apart_from_the_second_try() -> None:
    svc = checked_service("The documents do not mention it.", "Tertiary education follows secondary education.")
    events = list(svc.stream("What follows secondary education?"))
    streamed = "".join(e.text for e in events if isinstance(e, Token))
    assert streamed == "The documents do not mention it.\n\nTertiary education follows secondary education."
    assert not events[-1].abstained


def test_an_answer_no_line_supports_is_asked_again_of_the_passage_nearest_the_question() -> None:
    # Shown four passages, the 1.5B model answered "What do I need to apply for the flat?" with "To apply for
    # the flat, you need to follow the instructions in the lease notes." (no line says it); shown the passage
    # holding the answer alone, it answered from it
    vague = "Follow the instructions in the lease notes."
    svc = checked_service(vague, "Tertiary education follows secondary education [1].")
    events = list(svc.stream("What follows secondary education?"))
    streamed = "".join(e.text for e in events if isinstance(e, Token))
    assert streamed == vague + ASKED_AGAIN_NOTE + "Tertiary education follows secondary education [1]."
    answer = events[-1]
    assert not answer.abstained and [(c.file, c.start_line) for c in answer.citations] == [("b.txt", 4)]
    assert answer.evidence.raw == vague and answer.evidence.retry.passages == [TWO[1]]
    assert len(svc.llm.prompts) == 2 and 'file="a.txt"' not in svc.llm.prompts[1]
    again = checked_service(vague, vague)  # unsupported again: withheld, with every closest passage
    answer = again.ask("What follows secondary education?")
    assert answer.abstained and answer.withheld_by == "attribution" and answer.passages == TWO
    declined = checked_service(vague, "The documents do not say.")  # a decline, held back: no note, nothing after
    events = list(declined.stream("What follows secondary education?"))
    assert "".join(e.text for e in events if isinstance(e, Token)) == vague
    assert events[-1].withheld_by == "attribution" and events[-1].note == WHY_WITHHELD["attribution"]


def test_an_answer_the_verifier_withheld_is_not_asked_again() -> None:
    # its lines were judged not to answer the question: on squad-dev, asked again, the 1.5B model kept more
    # answers to questions the documents cannot answer than right ones
    svc = checked_service("Tertiary education follows secondary education [2].", verdict="no")
    answer = svc.ask("What follows secondary education?")
    assert answer.abstained and answer.withheld_by == "verifier" and len(svc.llm.prompts) == 1


def test_the_verifier_is_shown_each_cited_sentence_under_its_heading() -> None:
    # "What caused the outage?" answered from a postmortem's "## Root cause" section was withheld: shown the
    # cited sentence alone, the 1.5B judge gave 0.49 (0.65 under "[Root cause]")
    report = "## Root cause\nThe certificate expired.\n## What went well\nThe alert fired."
    svc = checked_service("The certificate expired [1].", passages=[Passage("pm.md", 1, 4, 0, report, 0.9)])
    assert not svc.ask("What caused the outage?").abstained
    (check,) = svc.llm.checks
    assert "Source text:\n[Root cause] The certificate expired.\n" in check


def test_a_numbered_headings_section_is_shown_by_its_name() -> None:
    # Regression: board minutes' "## 3. Roof repair" showed the sentences under it as "[3.]": the number was cut off
    minutes = "## 3. Roof repair\nThe decision was postponed to November."
    svc = checked_service("It was postponed [1].", passages=[Passage("minutes.md", 1, 2, 0, minutes, 0.9)])
    svc.ask("Was the roof repair approved?")
    assert "Source text:\n[3. Roof repair] The decision was postponed to November.\n" in svc.llm.checks[0]


def test_the_verifier_is_shown_a_sentence_under_no_heading_under_its_documents_title() -> None:
    # "What pest was found on the tomatoes?" answered "Whitefly was found on Black Krim ..." from a greenhouse log
    # was withheld: the 1.5B judge gave the sentence 0.33 alone, 0.80 under the log's title
    log = "Week 9: Whitefly was found on Black Krim.\nWeek 12: First ripe fruit."
    shown = [Passage("log.txt", 9, 10, 90, log, 0.9, title="Greenhouse log, spring trial of tomato varieties")]
    svc = checked_service("Whitefly was found on Black Krim [1].", passages=shown)
    assert not svc.ask("What pest was found on the tomatoes?").abstained
    (check,) = svc.llm.checks
    assert "Source text:\n[Greenhouse log, spring trial of tomato varieties] Week 9: Whitefly was found" in check
    # and before a heading: "Who got the data engineer job?" of "The committee offered the role to Tomasz Wolny."
    # was withheld, 0.40 under "[Decision]", 0.82 under the notes' title and it
    notes = "# Hiring committee notes: data engineer role\n## Decision\nThe committee offered the role to Tomasz."
    shown = [Passage("hiring.md", 1, 3, 0, notes, 0.9, title="Hiring committee notes: data engineer role")]
    svc = checked_service("Tomasz got the job [1].", passages=shown)
    svc.ask("Who got the data engineer job?")
    (check,) = svc.llm.checks
    assert "Source text:\n[Hiring committee notes: data engineer role] [Decision] The committee offered" in check


def test_a_yes_or_no_question_the_model_gets_wrong_is_answered_by_the_line_that_says_no() -> None:
    # "Is there a lift?" of flat notes: the 1.5B model answered "Yes, there is a lift." of "There is no lift; ..."
    notes = "Rent is 1,150 euros a month.\nThere is no lift; the building has a bike cellar."
    svc = checked_service("Yes, there is a lift [1].", passages=[Passage("flat.txt", 1, 2, 0, notes, 0.9)])
    svc.decider = replace(svc.decider, min_says_no=0.5)
    events = list(svc.stream("Is there a lift?"))
    assert "".join(e.text for e in events if isinstance(e, Token)) == "Yes, there is a lift [1]."
    answer = events[-1]
    assert answer.text == "The documents say: “There is no lift; the building has a bike cellar.” [1]"
    assert [(c.file, c.start_line) for c in answer.citations] == [("flat.txt", 2)] and answer.note
    assert answer.evidence.raw == "Yes, there is a lift [1]."  # what the model said is kept for the record


def test_an_opening_yes_that_only_restates_the_question_is_cited_where_its_line_says_yes() -> None:
    # "Can the tenant keep a cat?" of a lease: the 1.5B model answered "Yes, the tenant can keep a cat. The text
    # states that cats are allowed.", its yes shown unsupported (0.49 to "Cats are allowed."), the line said yes
    lease = "Cats are allowed. Dogs are not allowed without written consent of the landlord."
    reply = "Yes, the tenant can keep a cat. The text states that cats are allowed [1]."
    svc = checked_service(reply, passages=[Passage("lease.md", 16, 16, 0, lease, 0.9)])
    svc.decider = replace(svc.decider, min_yes=0.5)
    answer = svc.ask("Can the tenant keep a cat?")
    (yes, cats) = answer.evidence.supports
    assert yes.score < 0.5 <= cats.score and not yes.doubts  # its words alone would leave it unsupported
    assert answer.text == "Yes, the tenant can keep a cat. [1] The text states that cats are allowed. [1]"
    # a yes that says more than the question asks is cited by its words alone
    svc.llm.replies.append("Yes, the tenant can keep two cats and a parrot. The text states that cats are allowed [1].")
    assert "[unsupported]" in svc.ask("Can the tenant keep a cat?").text


def test_an_answer_that_changed_a_number_of_its_line_is_answered_by_that_line() -> None:
    # the office postmortem: "When was the new certificate deployed?" was answered "on October 15, 2026" from
    # the timeline row "09:55 | A new certificate is issued and deployed." and an action's "Due: 31 October 2026"
    timeline = [
        "09:44 Mei finds the expired certificate.",
        "09:55 A new certificate is issued and deployed.",
        "Reminders go to a team list by 31 October 2026.",
        "Logs are shipped by 15 December.",
    ]
    svc = checked_service(
        "A new certificate is issued and deployed on 15 October 2026 [1].",
        passages=[Passage("pm.md", 1, 4, 0, "\n".join(timeline), 0.9)],
    )
    svc.decider = replace(svc.decider, min_misread=0.5)
    answer = svc.ask("When was the new certificate deployed?")
    assert answer.text == "The documents say: “09:55 A new certificate is issued and deployed.” [1]"
    assert [(c.file, c.start_line) for c in answer.citations] == [("pm.md", 2)] and answer.quoted == "attribution"
    assert answer.evidence.raw.startswith("A new certificate is issued and deployed on 15 October 2026")
    (doubted,) = answer.evidence.supports  # October 2026 is on line 3, which it would have cited beside line 2
    assert doubted.doubts == ("15 is not in the lines cited",) and doubted.also is None
    svc.llm.replies.append("A new certificate is issued and deployed at 09:55 [1].")  # read right: its own answer
    assert (
        svc.ask("When was the new certificate deployed?").text
        == "A new certificate is issued and deployed at 09:55. [1]"
    )
