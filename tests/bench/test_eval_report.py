"""bench.eval report on hand-made records: thresholds come from the dev split, figures from the test split."""

import json
from dataclasses import replace
from pathlib import Path

from bench.eval import main, misses, record
from rag.attribution import Attributor
from rag.decision import Decider
from rag.eval import EvalQuestion, LineSpan, Outcome, Reply
from rag.eval_run import EVIDENCE, reply_of, to_record
from rag.types import Citation, Evidence, Passage, Support
from tests.fakes import HashEmbedding

PASSAGE = Passage("a.txt", 3, 3, 0, "Dogs bark at night.", 0.9, similarity=0.6)
DOGS = Citation("a.txt", 3, 3, "Dogs bark at night.", 0, 19)


def outcome(q: EvalQuestion, raw: str) -> Outcome:
    evidence = Evidence(q.question, [PASSAGE], raw, [Support(raw, DOGS, 0.5)])  # attributed again by report
    return Outcome(q, [LineSpan("a.txt", 3, 3)], reply_of(Decider(-1.0, 0.0).decide(evidence)), 1.0)


def write_records(tmp_path: Path) -> list[str]:
    """Answerable questions get answers the passage supports, unanswerable ones answers it does not."""
    questions = [EvalQuestion(f"a{i}", "Do dogs bark?", ("bark",), "a.txt", 3) for i in range(8)]
    questions += [EvalQuestion(f"u{i}", "Do cats meow?", (), None, None) for i in range(4)]
    (tmp_path / "questions.jsonl").write_text(
        "".join(json.dumps({"id": q.id, "question": q.question, "answers": list(q.answers), "file": q.file,
                            "line": q.line}) + "\n" for q in questions)
    )  # fmt: skip
    with (tmp_path / "records-ours.jsonl").open("w") as out:
        for i, q in enumerate(questions):
            split = "dev" if i % 2 else "test"
            raw = "Dogs bark." if q.answerable else "Cats meow loudly."
            out.write(json.dumps(to_record(outcome(q, raw), split=split)) + "\n")
    (tmp_path / "eval-settings.json").write_text("{}\n")
    (tmp_path / "eval-commands.txt").write_text("python -m bench.eval collect ...\n")
    return ["--questions", str(tmp_path / "questions.jsonl"), "--out", str(tmp_path)]


def test_report_picks_the_threshold_that_separates_the_dev_split(tmp_path: Path) -> None:
    args = write_records(tmp_path)
    assert main(["report", *args], attributor=Attributor(HashEmbedding())) == 0
    result = json.loads((tmp_path / "eval.json").read_text())
    assert result["calibrated"]["min_support"] > 0
    calibrated = result["ablation"]["all three, as calibrated on the dev sample"]
    assert calibrated["abstention_recall"] == 1.0 and calibrated["false_abstention_rate"] == 0.0
    # "ours" = the shipped settings
    assert result["thresholds"] == {
        "min_relevance": 0.2,
        "min_support": 0.5,
        "min_verified": 0.5,
        "second_look_from": 0.3,
        "min_second_look": 0.7,
        "min_yes": 0.82,
        "min_sentence_relevance": 0.4,
        "min_says_no": 0.5,
        "min_misread": 0.5,
        "min_not_yes": 0.5,
    }
    assert result["ablation"]["model's word only (no thresholds)"]["abstention_recall"] == 0.0
    assert (tmp_path / "eval.png").stat().st_size > 0
    assert "python -m bench.eval report" in (tmp_path / "eval.md").read_text()


def test_report_sets_ours_beside_the_baseline_on_the_questions_the_baseline_answered(tmp_path: Path) -> None:
    args = write_records(tmp_path)
    test_ids = [json.loads(line)["id"] for line in (tmp_path / "records-ours.jsonl").open()][::2]  # even = test
    questions = {q["id"]: q for q in map(json.loads, (tmp_path / "questions.jsonl").open())}
    with (tmp_path / "records-baseline.jsonl").open("w") as out:
        for n, i in enumerate(test_ids):
            q = EvalQuestion(i, questions[i]["question"], tuple(questions[i]["answers"]), "a.txt", 3)
            reply = Reply("Dogs bark.", False, [LineSpan("a.txt", 3, 3)]) if n < 2 else None  # two answered
            out.write(json.dumps(to_record(Outcome(q, [LineSpan("a.txt", 3, 3)], reply, 1.0), split="test")) + "\n")
    assert main(["report", *args], attributor=Attributor(HashEmbedding())) == 0
    result = json.loads((tmp_path / "eval.json").read_text())
    assert result["baseline"]["n"] == result["ours_paired"]["n"] == 2
    assert result["ours"]["n"] == len(test_ids)
    assert "ours, baseline's questions" in (tmp_path / "eval.md").read_text()


def test_verify_adds_verdicts_to_the_records_and_report_replays_them(tmp_path: Path) -> None:
    args = write_records(tmp_path)

    def judge(messages) -> float:  # a fake verifier that rejects the unanswerable questions' answers
        return 0.0 if "meow" in messages[-1].content else 1.0

    assert main(["verify", *args], judge=judge, attributor=Attributor(HashEmbedding())) == 0
    records = [json.loads(line) for line in (tmp_path / "records-ours.jsonl").read_text().splitlines()]
    assert {r["id"][0]: r["evidence"]["verified"] for r in records} == {"a": 1.0, "u": 0.0}
    assert main(["report", *args], attributor=Attributor(HashEmbedding())) == 0
    verifier_only = json.loads((tmp_path / "eval.json").read_text())["ablation"]["verifier only (min_verified)"]
    assert verifier_only["abstention_recall"] == 1.0 and verifier_only["false_abstention_rate"] == 0.0
    shipped = json.loads((tmp_path / "eval.json").read_text())["misses"]
    assert shipped == {"right, kept, citing the gold line": {"gold paragraph shown": 4}}


def verdicts(tmp_path: Path) -> dict[str, float]:
    return {r["id"]: r["evidence"]["verified"] for r in map(json.loads, (tmp_path / "records-ours.jsonl").open())}


def test_verify_again_replaces_every_verdict_and_plain_verify_keeps_them(tmp_path: Path) -> None:
    args, attributor = write_records(tmp_path), Attributor(HashEmbedding())
    assert main(["verify", *args], judge=lambda messages: 0.25, attributor=attributor) == 0
    assert main(["verify", *args], judge=lambda messages: 0.75, attributor=attributor) == 0  # nothing left to verify
    assert set(verdicts(tmp_path).values()) == {0.25}
    assert main(["verify", "--again", *args], judge=lambda messages: 0.75, attributor=attributor) == 0
    assert set(verdicts(tmp_path).values()) == {0.75}


def test_verify_asks_again_where_todays_attribution_cites_other_sentences_than_the_verdict_judged(
    tmp_path: Path,
) -> None:
    args, attributor = write_records(tmp_path), Attributor(HashEmbedding())
    path = tmp_path / "records-ours.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for r in records:  # verdicts given on a quote that an older sentence splitter cut short
        r["evidence"]["verified"] = 0.9
        r["evidence"]["supports"][0]["citation"]["quote"] = "Dogs bark"
    records[0]["evidence"]["supports"][0]["citation"]["quote"] = DOGS.quote  # one is current
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert main(["report", *args], attributor=attributor) == 0
    assert json.loads((tmp_path / "eval.json").read_text())["stale_verdicts"] == len(records) - 1
    judged: list[str] = []
    assert main(["verify", *args], judge=lambda m: judged.append(m[-1].content) or 0.25, attributor=attributor) == 0
    assert len(judged) == len(records) - 1 and all(DOGS.quote in m for m in judged)
    assert verdicts(tmp_path) == {r["id"]: 0.9 if i == 0 else 0.25 for i, r in enumerate(records)}
    assert main(["verify", *args], judge=lambda m: 0.75, attributor=attributor) == 0  # all up to date now
    assert set(verdicts(tmp_path).values()) == {0.9, 0.25}
    assert main(["report", *args], attributor=attributor) == 0
    assert json.loads((tmp_path / "eval.json").read_text())["stale_verdicts"] == 0


def test_verify_asks_a_second_look_of_every_verdict_a_swept_threshold_would_ask_it_of(tmp_path: Path) -> None:
    # 0.6 passes the shipped min_verified (0.5) at once, but the sweep's 0.7 row would ask again, as the chat would
    args, attributor, said = write_records(tmp_path), Attributor(HashEmbedding()), iter([0.6, 0.75] * 12)
    assert main(["verify", *args], judge=lambda m: next(said), attributor=attributor) == 0
    records = [json.loads(line) for line in (tmp_path / "records-ours.jsonl").read_text().splitlines()]
    assert {(r["evidence"]["verified"], r["evidence"]["verified_again"]) for r in records} == {(0.6, 0.75)}
    assert main(["report", *args], attributor=attributor) == 0
    sweep = json.loads((tmp_path / "eval.json").read_text())["verified_sweep"]
    # 0.6 is under the sweep's 0.7 and 0.8: the second look (0.75, over min_second_look) lets each answer through
    assert sweep["0.7"]["false_abstention_rate"] == sweep["0.8"]["false_abstention_rate"] == 0.0


class Dogs:
    """A fake system: every question retrieves a.txt line 3 and is answered "Dogs bark."."""

    def __init__(self) -> None:
        self.answered: list[str] = []

    def retrieve(self, question: str, k: int) -> list[LineSpan]:
        return [LineSpan("a.txt", 3, 3)]

    def answer(self, question: str) -> Reply:
        self.answered.append(question)
        return Reply("Dogs bark.", False, [LineSpan("a.txt", 3, 3)])


def test_raising_the_answered_share_replaces_retrieval_only_records_and_keeps_answered_ones(tmp_path: Path) -> None:
    questions = [(EvalQuestion(f"q{i}", f"Question {i}?", ("bark",), "a.txt", 3), "test") for i in range(4)]
    path = tmp_path / "records-baseline.jsonl"
    first = Dogs()
    record(first, questions[1:], path, "retrieval", with_answers=False)
    record(first, questions[:1], path, "answers", with_answers=True)
    assert first.answered == ["Question 0?"]
    again = Dogs()  # as collect does with --baseline-answers 2 on the same folder
    record(again, questions[2:], path, "retrieval", with_answers=False)
    record(again, questions[:2], path, "answers", with_answers=True)
    assert again.answered == ["Question 1?"]  # q0 already has its answer
    records = {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}
    assert len(records) == len(path.read_text().splitlines()) == 4  # one line per question
    assert [q for q, r in sorted(records.items()) if r["reply"] is not None] == ["q0", "q1"]


def test_misses_tell_reading_from_retrieval_and_threshold_losses() -> None:
    shown = EvalQuestion("a", "Do dogs bark?", ("bark",), "a.txt", 3)
    elsewhere = EvalQuestion("b", "Do dogs sleep?", ("sleep",), "b.txt", 7)  # its paragraph was not retrieved
    # gold line 9: the cited line 3 says the gold answer too, or it does not
    said_twice = EvalQuestion("c", "When do dogs bark?", ("at night",), "a.txt", 9)
    said_once = EvalQuestion("d", "How do dogs bark?", ("loudly",), "a.txt", 9)
    raw = [
        outcome(shown, "Dogs bark."),
        outcome(elsewhere, "Dogs bark."),
        outcome(elsewhere, "The documents do not say."),
        outcome(said_twice, "Dogs bark at night."),
        outcome(said_once, "Dogs bark loudly."),
    ]
    final = [raw[0], replace(raw[1], reply=Reply("The documents do not say.", True)), *raw[2:]]
    assert misses(raw, final) == {
        "declined by the model (or nothing it said was attributable)": {"not shown": 1},
        "right, kept, citing another line that states a gold answer": {"not shown": 1},
        "right, kept, citing neither": {"not shown": 1},
        "right, kept, citing the gold line": {"gold paragraph shown": 1},
        "wrong, withheld": {"not shown": 1},
    }


def test_compare_scores_two_runs_on_the_questions_both_recorded(tmp_path: Path, capsys) -> None:
    full, part = tmp_path / "full", tmp_path / "part"
    for folder in (full, part):
        folder.mkdir()
        args = write_records(folder)
    (part / "eval-settings.json").write_text('{"llm": "local-small"}\n')
    records = (part / "records-ours.jsonl").read_text().splitlines()
    kept = [r for r in records if json.loads(r)["id"] in ("a0", "a2", "u0")]  # a run stopped early
    (part / "records-ours.jsonl").write_text("\n".join(kept) + "\n")
    assert main(["compare", *args[:2], "--out", str(full), "--against", str(part)], Attributor(HashEmbedding())) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "3 test questions recorded in every folder (2 answerable)"
    rows = [line.split(" | ") for line in table if line.startswith(f"| {tmp_path}")]
    assert [(r[0][2:], r[1], r[2]) for r in rows] == [
        (str(full), "None", "shipped thresholds"),
        (str(full), "None", "model's word only"),
        (str(part), "local-small", "shipped thresholds"),
        (str(part), "local-small", "model's word only"),
    ]
    assert all(r[3] == "1.0" for r in rows)  # both runs answered every answerable question right
    assert table[-1] == (
        f"{part} beside {full}: the same top 5 passages for 3 of 3 questions, the same reply word for word for 3"
    )


def test_compare_counts_the_replies_another_run_wrote_otherwise(tmp_path: Path, capsys) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    for folder in (first, again):
        folder.mkdir()
        args = write_records(folder)
    records = [json.loads(line) for line in (again / "records-ours.jsonl").read_text().splitlines()]
    records[0]["reply"]["text"] = "Dogs do bark."  # a test question (a0) answered in other words
    records[2]["retrieved"].append({"file": "b.txt", "start": 1, "end": 1})  # another (a2) shown more
    (again / "records-ours.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert main(["compare", *args[:2], "--out", str(first), "--against", str(again)], Attributor(HashEmbedding())) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"{again} beside {first}: the same top 5 passages for 5 of 6 questions, the same reply word for word for 5"
    )


def test_second_tries_answer_the_recorded_declines_and_unsupported_answers_once_and_report_replays_them(
    tmp_path: Path,
) -> None:
    from rag.answering import AnswerService
    from rag.llm import ReplyJudge
    from rag.verification import Verifier
    from tests.fakes import ScriptedLLM

    args, attributor = write_records(tmp_path), Attributor(HashEmbedding())
    path = tmp_path / "records-ours.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    cats = Passage("b.txt", 1, 1, 0, "Cats purr by day.", 0.9, similarity=0.6)
    declined = Evidence("Do dogs bark?", [cats, PASSAGE], "The documents do not say.", [Support("x", None, 0.0)])
    unsupported = replace(declined, raw="Follow the notes.")  # no line says it: withheld by attribution
    answerable = [r for r in records if r["id"].startswith("a")]  # each answered by the second passage
    for n, r in enumerate(answerable):
        if n % 2:  # recorded when only a decline was asked again: no second try
            r["evidence"] = EVIDENCE.dump_python(unsupported, mode="json")
        else:  # declined, recorded before the chat's second try
            r["evidence"] = EVIDENCE.dump_python(declined, mode="json")
            del r["evidence"]["retry"]
        r["reply"] = {"text": "The documents do not say.", "abstained": True, "citations": []}
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    llm = ScriptedLLM(["Dogs bark at night [1]."] * 8)
    service = AnswerService(None, llm, attributor, Decider(min_support=0.5, min_verified=0.5),
                            verifier=Verifier(ReplyJudge(llm)), second_try=True)  # fmt: skip
    assert main(["second-tries", *args], service=service) == 0
    assert len(llm.prompts) == 8 and all('file="a.txt"' in p and 'file="b.txt"' not in p for p in llm.prompts)
    assert main(["second-tries", *args], service=service) == 0 and len(llm.prompts) == 8  # each asked once
    after = [json.loads(line) for line in path.read_text().splitlines()]
    assert {r["reply"]["abstained"] for r in after if r["id"].startswith("a")} == {False}
    assert {r["evidence"]["retry"]["verified"] for r in after if r["id"].startswith("a")} == {1.0}
    assert main(["report", *args], attributor=attributor) == 0
    result = json.loads((tmp_path / "eval.json").read_text())
    assert result["ours"]["answer_accuracy"] == 1.0 and result["stale_verdicts"] == 0
