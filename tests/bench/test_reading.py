"""bench.reading on hand-made records: which questions it asks again, over which passages, and its tally."""

import json
from pathlib import Path

from bench.eval import read_records, save_records
from bench.reading import main
from rag.app import Groundline, build
from rag.attribution import Attributor
from rag.decision import Decider
from rag.eval import EvalQuestion, LineSpan, Outcome
from rag.eval_run import reply_of, to_record
from rag.settings import Settings
from rag.types import Passage
from tests.conftest import fake_app
from tests.fakes import HashEmbedding, ScriptedLLM, word_count

GOLD = Passage("a.txt", 3, 3, 0, "Rex is a dog.", 0.9)
OTHER = Passage("a.txt", 7, 7, 40, "Tom is a cat.", 0.5)


def write(tmp_path: Path) -> list[str]:
    """Two right readings, two wrong, one unanswerable and one without its gold paragraph (both skipped)."""
    rows = [("r1", "Rex is a dog.", [GOLD, OTHER]), ("r2", "Rex.", [GOLD, OTHER])]
    rows += [("w1", "Tom.", [GOLD, OTHER]), ("w2", "The documents do not say.", [GOLD, OTHER])]
    rows += [("u1", "Tom.", [GOLD, OTHER]), ("n1", "Tom.", [OTHER])]
    questions, records = [], []
    for qid, raw, passages in rows:
        gold = qid[0] != "u"
        q = EvalQuestion(
            qid, "Who is the dog?", ("Rex",) if gold else (), "a.txt" if gold else None, 3 if gold else None
        )
        questions.append(q)
        answer = Decider(-1.0, 0.0).decide(Attributor(HashEmbedding()).evidence(q.question, passages, raw))
        records.append(to_record(Outcome(q, [LineSpan("a.txt", 3, 3)], reply_of(answer), 1.0), split="test"))
    question_rows = [{"id": q.id, "question": q.question, "answers": list(q.answers), "file": q.file, "line": q.line}
                     for q in questions]  # fmt: skip
    save_records(tmp_path / "q.jsonl", question_rows)
    save_records(tmp_path / "r.jsonl", records)
    return ["--questions", str(tmp_path / "q.jsonl"), "--records", str(tmp_path / "r.jsonl")]


def app(tmp_path: Path, replies: list[str]) -> Groundline:
    """The fake embedder and a scripted model, with the shipped thresholds."""
    return fake_app(Settings(data_dir=tmp_path / "data", _env_file=None), replies)


def test_asks_every_wrong_reading_and_a_sample_of_right_ones_over_the_variants_passages(tmp_path, capsys):
    common = write(tmp_path) + ["--out", str(tmp_path / "out.jsonl"), "--right", "1"]
    fake = app(tmp_path, ["Rex.", "Tom.", "Tom."])  # w1 fixed, w2 still wrong, the right one broken
    assert main(["--variant", "reversed", *common], app=fake) == 0
    tally = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    rows = read_records(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows][:2] == ["w1", "w2"] and rows[2]["id"] in {"r1", "r2"}
    assert all(p.index("Tom is a cat.") < p.index("Rex is a dog.") for p in fake.llm.prompts)  # best passage last
    assert tally | {"mean_s": None} == {
        "asked_wrong": 2, "fixed": 1, "asked_right": 1, "broken": 1, "wrong_total": 2, "right_total": 2,
        "net_estimate": 1 / 2 * 2 - 1 / 1 * 2, "mean_s": None,
    }  # fmt: skip

    again = app(tmp_path, [])  # resumed: nothing left to ask, the same tally
    assert main(["--variant", "reversed", *common], app=again) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == tally and again.llm.prompts == []


def test_top3_shows_the_first_three_passages_in_order(tmp_path, capsys):
    write(tmp_path)
    four = [Passage("a.txt", i, i, 0, f"Line {i}.", 1.0) for i in (3, 4, 5, 6)]
    records = read_records(tmp_path / "r.jsonl")
    for r in records:
        first = r["evidence"]["passages"][0]
        r["evidence"]["passages"] = [first | {"start_line": p.start_line, "end_line": p.end_line, "text": p.text}
                                     for p in four]  # fmt: skip
    save_records(tmp_path / "r.jsonl", records)
    fake = app(tmp_path, ["Tom."] * 3)
    args = ["--questions", str(tmp_path / "q.jsonl"), "--records", str(tmp_path / "r.jsonl"), "--right", "0"]
    assert main(["--variant", "top3", "--out", str(tmp_path / "o.jsonl"), *args], app=fake) == 0
    assert len(fake.llm.prompts) == 3  # w1, w2 and n1 (its gold line is now shown); r1, r2 right, none sampled
    assert all(
        "Line 5." in p and "Line 6." not in p and p.index("Line 3.") < p.index("Line 4.") for p in fake.llm.prompts
    )


def test_fewshot_puts_the_worked_examples_before_the_real_question(tmp_path, capsys):
    args = write(tmp_path) + ["--out", str(tmp_path / "o.jsonl"), "--right", "0"]
    fake = app(tmp_path, ["Rex.", "Tom."])
    assert main(["--variant", "fewshot", *args], app=fake) == 0
    first = fake.llm.prompts[0]
    assert first.index("Margaret Hale") < first.index("hawk moth") < first.index("Rex is a dog.")
    asked = [part.split("\n")[0] for part in first.split("Question: ")[1:]]
    assert asked == ["Who designed the new northern pier?", "How large can the wingspan of a hawk moth be?",
                     "Who is the dog?"]  # fmt: skip
    assert [r["now"] for r in read_records(tmp_path / "o.jsonl")] == [True, False]


def test_quote_scores_the_answer_after_the_quote_not_the_quote(tmp_path, capsys):
    args = write(tmp_path) + ["--out", str(tmp_path / "o.jsonl"), "--right", "0"]
    fake = app(tmp_path, ["Quote: Rex is a dog.\nAnswer: Tom. [1]", "Quote: Rex is a dog.\nAnswer: Rex. [1]"])
    assert main(["--variant", "quote", *args], app=fake) == 0
    assert 'after "Quote:"' in fake.llm.prompts[0]
    assert [r["now"] for r in read_records(tmp_path / "o.jsonl")] == [False, True]  # the quote alone holds "Rex"


def test_decide_asks_the_unanswerable_too_and_decides_every_answer_as_the_chat_does(tmp_path, capsys):
    args = write(tmp_path) + ["--out", str(tmp_path / "o.jsonl"), "--right", "0"]
    assert main(["--variant", "same", *args], app=app(tmp_path, ["Rex is a dog. [1]", "Tom is a cat. [2]"])) == 0
    # resumed with --decide: w1 and w2 are decided from what they said, u1 is asked
    fake = app(tmp_path, ["The documents do not say."])
    assert main(["--variant", "same", "--decide", *args], app=fake) == 0
    assert len(fake.llm.prompts) == 1 and "Tom is a cat." in fake.llm.prompts[0]
    rows = {r["id"]: r for r in read_records(tmp_path / "o.jsonl")}
    assert [rows["w1"][k] for k in ("kept_was", "kept_now", "abstained_was", "abstained_now")] == [0, 1, 0, 0]
    assert [rows["w2"][k] for k in ("kept_was", "kept_now", "abstained_was", "abstained_now")] == [0, 0, 1, 0]
    assert not rows["u1"]["answerable"]
    assert [rows["u1"][k] for k in ("abstained_was", "abstained_now")] == [0, 1]  # "Tom." was kept
    tally = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert tally["kept_net_estimate"] == 1.0 and tally["withheld_net_estimate"] == -1.0  # w2 declined before
    assert tally["unanswerable_withheld"] == {"asked": 1, "was": 0, "now": 1}


def test_decide_decides_rows_asked_under_another_selection(tmp_path, capsys):
    args = write(tmp_path) + ["--out", str(tmp_path / "o.jsonl")]
    assert main(["--variant", "same", "--right", "1", *args], app=app(tmp_path, ["Tom."] * 3)) == 0
    assert main(["--variant", "same", "--right", "0", "--decide", *args], app=app(tmp_path, ["Tom."])) == 0
    rows = read_records(tmp_path / "o.jsonl")
    assert len(rows) == 4 and all("kept_now" in r for r in rows)  # the right one sampled first is decided too


class SamplingLLM(ScriptedLLM):
    """A scripted model that records llama.cpp's generate kwargs at every answer, as LlamaCPP uses them."""

    generate_kwargs: dict = {}
    sampled: list = []

    def _next(self, prompt: str) -> str:
        self.sampled.append(dict(self.generate_kwargs))
        return super()._next(prompt)


def test_norepeat_asks_the_shipped_prompt_without_the_repetition_penalty(tmp_path, capsys):
    args = write(tmp_path) + ["--out", str(tmp_path / "o.jsonl"), "--right", "0"]
    llm = SamplingLLM(["Rex.", "Tom."])
    llm.generate_kwargs, llm.sampled = {"repeat_penalty": 1.05, "top_k": 1}, []
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    fake = build(settings, embed_model=HashEmbedding(), token_counter=word_count, llm=llm)
    assert main(["--variant", "norepeat", *args], app=fake) == 0
    assert llm.sampled == [{"repeat_penalty": 1.0, "top_k": 1}] * 2
    assert llm.prompts[0].index("Rex is a dog.") < llm.prompts[0].index("Tom is a cat.")  # the passages as shown
    assert [r["now"] for r in read_records(tmp_path / "o.jsonl")] == [True, False]
