"""The entailment check: what the verifier asks, and how its verdict decides."""

from dataclasses import replace

import numpy as np

from rag.answering import AnswerService
from rag.attribution import Attributor
from rag.decision import Decider
from rag.types import Answer, Citation, Support
from rag.verification import YES_SYSTEM, ReplyJudge, Verifier
from tests.fakes import HashEmbedding, ScriptedLLM
from tests.rag.test_answering import PASSAGES, ListRetriever

DOGS = Citation("a.txt", 3, 3, "Dogs bark at night.", 10, 29)


def checked_service(reply: str, verdict: str) -> AnswerService:
    llm = ScriptedLLM([reply], verdict=verdict)
    return AnswerService(
        ListRetriever(PASSAGES),
        llm,
        Attributor(HashEmbedding()),
        Decider(min_support=0.5, min_verified=0.55),
        verifier=Verifier(ReplyJudge(llm)),
    )


def test_the_verifier_shows_the_question_and_only_the_cited_sentences() -> None:
    llm = ScriptedLLM(verdict="No.")
    supports = [Support("Dogs bark.", DOGS, 0.8), Support("They bark at night.", DOGS, 0.7)]
    assert Verifier(ReplyJudge(llm)).verify("When do dogs bark?", supports) == 0.0
    (prompt,) = llm.checks
    assert "Source text:\nDogs bark at night.\n" in prompt  # the shared quote once
    assert "Question: When do dogs bark?" in prompt
    assert "They bark at night" not in prompt  # not the model's answer: it sways the judge
    assert "Cats purr" not in prompt  # the rest of the passage is not shown


def test_the_cited_sentences_are_shown_as_their_document_reads_them() -> None:
    """Regression: "Councillor Salo proposed spending half of it on school repairs" cited first, the
    line its "it" refers to as its second source after it: the judge said 0.49, 0.67 the other way."""
    llm = ScriptedLLM(verdict="Yes.")
    cats = Citation("a.txt", 3, 3, "Cats purr.", 30, 40)
    dividend = Citation("m.txt", 7, 7, "The council accepted the dividend.", 100, 134)
    salo = Citation("m.txt", 8, 8, "Salo proposed spending half of it on schools.", 135, 180)
    supports = [Support("Salo proposed spending the dividend.", salo, 0.8, also=dividend)]
    verifier = Verifier(ReplyJudge(llm))
    assert verifier.verify("Who proposed spending the dividend?", supports)
    assert verifier.verify("What do pets do?", [Support("Cats purr; dogs bark.", cats, 0.8, also=DOGS)])
    salo_prompt, pets_prompt = llm.checks
    assert f"Source text:\n{dividend.quote} {salo.quote}\n" in salo_prompt
    assert "Source text:\nDogs bark at night. Cats purr.\n" in pets_prompt


def test_nothing_cited_means_nothing_to_verify() -> None:
    llm = ScriptedLLM()
    assert Verifier(ReplyJudge(llm)).verify("Q?", [Support("A.", None, 0.0)]) is None
    assert llm.checks == []


def test_an_answer_the_verifier_rejects_becomes_an_abstention_with_the_passages() -> None:
    answer = checked_service("Dogs bark at night.", verdict="no").ask("When do dogs bark?")
    assert answer.abstained and answer.text == "The documents do not say."
    assert answer.passages == PASSAGES
    assert answer.evidence.verified == 0.0  # recorded, so an eval can replay other thresholds


def test_an_answer_the_verifier_accepts_is_cited() -> None:
    answer = checked_service("Dogs bark at night.", verdict="yes").ask("When do dogs bark?")
    assert not answer.abstained and answer.text == "Dogs bark at night. [1]"
    assert answer.evidence.verified == 1.0


def test_the_model_declining_is_not_verified() -> None:
    svc = checked_service("The documents do not say.", verdict="yes")
    assert svc.ask("Who won?").abstained
    assert svc.llm.checks == []


class FakeLlama:
    """Tokenizes each word to its own id and offers fixed next-token logits to the processors."""

    def __init__(self, logits: dict[str, float]) -> None:
        self.vocab = {w: i for i, w in enumerate(["yes", "Yes", " yes", " Yes", "YES", "no", "No", " no", " No", "NO"])}
        self.logits = logits

    def tokenize(self, text: bytes, add_bos: bool = True) -> list[int]:
        return [self.vocab[text.decode()]]

    def create_completion(self, prompt: str, max_tokens: int, temperature: float, logits_processor) -> dict:
        scores = np.full(len(self.vocab), -1e9)
        for word, value in self.logits.items():
            scores[self.vocab[word]] = value
        for process in logits_processor:
            scores = process(np.array([1, 2, 3]), scores)
        return {"choices": [{"text": ""}]}


def test_the_local_judge_reads_p_yes_against_no_from_the_logits() -> None:
    from math import log

    from rag.verification import LlamaCppJudge

    # yes-like tokens hold 0.6 + 0.2 of the mass, no-like 0.2: P(yes | yes or no) = 0.8
    judge = LlamaCppJudge(FakeLlama({"Yes": log(0.6), " yes": log(0.2), "No": log(0.2)}))
    assert abs(judge([]) - 0.8) < 1e-9


def test_a_reply_without_yes_or_no_is_no_verdict_and_vetoes_nothing() -> None:
    answer = checked_service("Dogs bark at night.", verdict="I cannot tell.").ask("When do dogs bark?")
    assert answer.evidence.verified is None
    assert not answer.abstained


class ContextJudge:
    """A probability judge: sure (0.9) where the source text names Putin, unsure (``alone``) otherwise."""

    def __init__(self, alone: float) -> None:
        self.alone = alone
        self.shown: list[str] = []

    def __call__(self, messages) -> float:
        self.shown.append(messages[-1].content)
        source = messages[-1].content.split("\n\nQuestion:")[0]
        return 0.9 if "Putin" in source else self.alone


def test_a_verdict_just_under_the_threshold_gets_a_second_look_with_the_sentence_before() -> None:
    """Regression: "What could Pyongyang offer Putin?" was withheld on the sample news; the sentence
    cited, "Pyongyang could offer ammunition, ...", answers it only after "... an arms deal with Putin."."""
    news = "Kim is ready to conclude an arms deal with Putin. Pyongyang could offer ammunition and missiles."
    passages = [replace(PASSAGES[0], text=news)]

    def asked(alone: float) -> tuple[Answer, ContextJudge]:
        judge = ContextJudge(alone)
        svc = AnswerService(
            ListRetriever(passages),
            ScriptedLLM(["Pyongyang could offer ammunition and missiles."]),
            Attributor(HashEmbedding()),
            Decider(min_support=0.5, min_verified=0.5, second_look_from=0.3, min_second_look=0.7),
            verifier=Verifier(judge),
        )
        return svc.ask("What could Pyongyang offer Putin?"), judge

    answer, judge = asked(alone=0.41)
    assert not answer.abstained and answer.citations[0].quote == "Pyongyang could offer ammunition and missiles."
    assert (answer.evidence.verified, answer.evidence.verified_again) == (0.41, 0.9)
    assert "Source text:\nKim is ready to conclude an arms deal with Putin. Pyongyang could" in judge.shown[1]
    answer, judge = asked(alone=0.2)  # far under: no second look, withheld
    assert answer.abstained and answer.withheld_by == "verifier" and len(judge.shown) == 1
    assert answer.evidence.verified_again is None


def test_an_answer_that_opens_with_yes_has_the_cited_sentences_asked_the_question() -> None:
    """The cited sentences are asked the question itself, from them alone; only of a yes answer."""
    shown: list[str] = []

    def judge(messages) -> float:
        shown.append(messages[-1].content)
        return 0.3 if messages[0].content == YES_SYSTEM else 0.9

    def asked(reply: str) -> Answer:
        svc = AnswerService(
            ListRetriever(PASSAGES),
            ScriptedLLM([reply]),
            Attributor(HashEmbedding()),
            Decider(min_support=0.5, min_verified=0.5, min_yes=0.82),
            verifier=Verifier(judge),
        )
        return svc.ask("Do dogs bark at night?")

    answer = asked("Yes, dogs bark at night.")
    assert answer.evidence.said_yes == 0.3 and answer.abstained and answer.withheld_by == "verifier"
    assert shown[-1] == "Source text:\nDogs bark at night.\n\nQuestion: Do dogs bark at night?"
    shown.clear()
    answer = asked("Dogs bark at night.")
    assert answer.evidence.said_yes is None and not answer.abstained and len(shown) == 1
