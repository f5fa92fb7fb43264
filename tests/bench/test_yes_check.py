import json
from pathlib import Path

import pytest

from bench.yes_check import main, read_cases
from rag.verification import YES_SYSTEM


def test_the_yes_check_is_measured_on_the_check_set_at_the_threshold_the_choose_set_gives(tmp_path: Path) -> None:
    cases = [
        {"question": "Did dogs bark?", "source": "Dogs barked.", "yes": True, "set": "choose"},
        {"question": "Did cats bark?", "source": "Cats never bark.", "yes": False, "set": "choose"},
        {"question": "Did owls hoot?", "source": "Owls hooted.", "yes": True, "set": "check"},
        {"question": "Did fish sing?", "source": "Fish do not sing.", "yes": False, "set": "check"},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))

    def judge(messages) -> float:  # sure of a line without a denial; the shipped prompt the surest
        sure = 0.9 if "not" not in messages[-1].content and "never" not in messages[-1].content else 0.3
        return sure + (0.05 if messages[0].content == YES_SYSTEM else 0.0)

    assert main(["--out", str(tmp_path / "out"), "--cases", str(path)], judge=judge) == 0
    report = (tmp_path / "out" / "report.md").read_text()
    assert (
        "| the question, from the line alone (shipped) | 1.000 | 1.000 | 0.65 (at 0.82) | 1 of 1 | 0 of 1 |" in report
    )
    verdicts = json.loads((tmp_path / "out" / "verdicts.json").read_text())
    assert verdicts["the question, from the line alone (shipped)"] == pytest.approx([0.95, 0.35, 0.95, 0.35])


def test_the_committed_cases_hold_both_sets_and_both_answers() -> None:
    cases = read_cases()
    assert {(c["set"], c["yes"]) for c in cases} == {
        ("choose", True),
        ("choose", False),
        ("check", True),
        ("check", False),
    }
    # each source is (a sentence of) the line it names, in the project's copy of its document
    lines = {c["file"]: Path(c["file"]).read_text().replace("\xa0", " ").split("\n") for c in cases}
    assert all(c["source"] in lines[c["file"]][c["line"] - 1] for c in cases)
