from dataclasses import replace

from rag.decision import MISREAD, NOT_YES_QUOTED, SAYS_NO, Decider
from rag.types import Citation, Evidence, Passage, Support

PASSAGE = Passage("a.txt", 3, 3, 10, "Dogs bark at night. Cats purr.", 0.9, similarity=0.6)
DOGS = Citation("a.txt", 3, 3, "Dogs bark at night.", 10, 29)


def evidence(raw: str | None = "Dogs bark. The moon is cheese.", scores=(0.7, 0.3)) -> Evidence:
    sentences = ["Dogs bark.", "The moon is cheese."]
    supports = [Support(s, DOGS, x) for s, x in zip(sentences, scores, strict=True)]
    return Evidence("Do dogs bark?", [PASSAGE], raw, supports)


def test_sentences_under_min_support_are_flagged_not_cited() -> None:
    answer = Decider(min_support=0.5).decide(evidence())
    assert not answer.abstained
    assert answer.text == "Dogs bark. [1] The moon is cheese. [unsupported]"
    assert answer.citations == [DOGS]


def test_the_same_evidence_replays_under_other_thresholds() -> None:
    ev = evidence()
    assert Decider(min_support=0.25).decide(ev).text == "Dogs bark. [1] The moon is cheese. [1]"
    assert Decider(min_support=0.8).decide(ev).abstained  # no sentence is supported enough
    assert Decider(min_relevance=0.7).decide(ev).abstained  # the passage is too far from the question
    assert not Decider(min_relevance=0.5).decide(ev).abstained


def test_the_model_declining_or_not_being_asked_is_an_abstention_that_keeps_the_passages() -> None:
    for ev in (evidence("The documents do not say."), evidence(None)):
        answer = Decider().decide(ev)
        assert answer.abstained and answer.passages == [PASSAGE] and answer.citations == []


def test_a_verdict_under_min_verified_abstains_and_no_verdict_is_no_veto() -> None:
    from dataclasses import replace

    decider = Decider(min_support=0.5, min_verified=0.55)
    assert decider.decide(replace(evidence(), verified=0.3)).abstained
    assert not decider.decide(replace(evidence(), verified=0.8)).abstained
    assert not decider.decide(evidence()).abstained  # not verified (no verifier configured)


def test_an_unsupported_sentence_names_the_doubts_only_where_they_put_it_under_the_threshold() -> None:
    doubted = Support("Dogs bark 9 times.", DOGS, 0.35, ("9 is in no source",), undoubted=0.7)
    faint = Support("The moon has 9 dogs.", DOGS, 0.15, ("9 is in no source",), undoubted=0.3)
    ev = Evidence("Do dogs bark?", [PASSAGE], "Dogs bark. Dogs bark 9 times. The moon has 9 dogs.")
    answer = Decider(min_support=0.5).decide(replace(ev, supports=[Support("Dogs bark.", DOGS, 0.7), doubted, faint]))
    assert answer.text == (
        "Dogs bark. [1] Dogs bark 9 times. [unsupported: 9 is in no source] The moon has 9 dogs. [unsupported]"
    )
    # replayed under a threshold the doubted score passes, it is cited, and nothing is said of its doubts
    assert Decider(min_support=0.3).decide(replace(ev, supports=[doubted])).text == "Dogs bark 9 times. [1]"


def test_an_abstention_says_why_in_its_note_where_the_model_did_not_say_it() -> None:
    from rag.decision import WHY_WITHHELD

    verdict = Decider(min_support=0.5, min_verified=0.55).decide(replace(evidence(), verified=0.3))
    far = Decider(min_relevance=0.7).decide(evidence())
    unsupported = Decider(min_support=0.8).decide(evidence())
    declined = Decider().decide(evidence("The documents do not say."))
    assert (verdict.withheld_by, verdict.note) == ("verifier", WHY_WITHHELD["verifier"])
    assert (far.withheld_by, far.note) == ("relevance", WHY_WITHHELD["relevance"])
    assert (unsupported.withheld_by, unsupported.note) == ("attribution", WHY_WITHHELD["attribution"])
    assert (declined.withheld_by, declined.note) == ("model", "")  # its own words say it
    assert not Decider().decide(evidence()).note  # an answer has none of these


def test_a_sentence_with_a_second_source_carries_both_citation_numbers() -> None:
    cats = Citation("a.txt", 3, 3, "Cats purr.", 30, 40)
    supports = [Support("Dogs bark and cats purr.", DOGS, 0.7, also=cats), Support("Dogs bark.", DOGS, 0.7)]
    answer = Decider(min_support=0.5).decide(Evidence("What do pets do?", [PASSAGE], "...", supports))
    assert answer.citations == [DOGS, cats]
    assert answer.text == "Dogs bark and cats purr. [1][2] Dogs bark. [1]"
    assert [s.citations for s in answer.sentences] == [(1, 2), (1,)]


def test_an_opening_yes_the_cited_sentences_do_not_say_is_shown_unsupported() -> None:
    """Regression: asked "Did Russia violate the sanctions?" of the sample news, the 1.5B model answered
    "Yes, Russia violated the sanctions. The documents state that UN experts refute the accusations ...",
    both cited to the line that says the experts refute them."""
    from rag.decision import NOT_YES

    said = ["Yes, dogs bark at night.", "Dogs bark."]
    ev = Evidence("Do dogs bark at night?", [PASSAGE], " ".join(said), [Support(s, DOGS, 0.7) for s in said])
    decider = Decider(min_support=0.5, min_yes=0.8)
    doubted = decider.decide(replace(ev, said_yes=0.6))
    assert doubted.text == f"Yes, dogs bark at night. [unsupported: {NOT_YES}] Dogs bark. [1]"
    assert [s.citations for s in doubted.sentences] == [(), (1,)]
    for said_yes in (0.9, None):  # sure enough, or not asked (the answer does not open with yes, no verifier)
        assert decider.decide(replace(ev, said_yes=said_yes)).text == "Yes, dogs bark at night. [1] Dogs bark. [1]"
    # a bare "Yes." says it with the sentence after it; where nothing else is said, the answer is withheld
    bare = replace(ev, raw="Yes. Dogs bark.", supports=[Support("Yes.", DOGS, 0.6), Support("Dogs bark.", DOGS, 0.7)])
    withheld = decider.decide(replace(bare, said_yes=0.6))
    assert withheld.abstained and withheld.withheld_by == "verifier"
    assert withheld.note == f"An answer was written, and withheld: {NOT_YES}." and withheld.passages == [PASSAGE]


def test_an_answer_withheld_for_its_yes_alone_quotes_the_line_it_cites() -> None:
    # the office meeting notes: "Was the budget approved as requested?" was answered "Yes, the budget was approved
    # at 42,000 euros, 3,000 less than requested.": its line answers the question (0.69), and does not say yes (0.55)
    from rag.decision import NOT_YES

    line = Citation(
        "notes.txt", 4, 4, "Budget: the Q2 budget was approved at 42,000 euros, 3,000 less than requested.", 0, 78
    )
    said = "Yes, the budget was approved at 42,000 euros, 3,000 less than requested."
    ev = Evidence("Was the budget approved as requested?", [PASSAGE], said, [Support(said, line, 0.8)], verified=0.69,
                  said_yes=0.55)  # fmt: skip
    decider = Decider(min_support=0.5, min_verified=0.5, min_yes=0.82, min_not_yes=0.5)
    off = replace(decider, min_not_yes=1.01).decide(ev)
    assert off.abstained and off.note == f"An answer was written, and withheld: {NOT_YES}."
    answer = decider.decide(ev)
    assert answer.text == f"The documents say: “{line.quote}” [1]" and answer.citations == [line]
    assert answer.note == NOT_YES_QUOTED and answer.quoted == "verifier" and not answer.abstained
    # the claim after a bare "Yes." is what its line is quoted for
    other = Citation("notes.txt", 9, 9, "Hiring: the frontend role is still open.", 80, 120)
    bare = replace(ev, raw="Yes. " + said[5:], supports=[Support("Yes.", other, 0.2), Support(said[5:], line, 0.8)])
    assert decider.decide(bare).citations == [line]
    # not where the verifier found the lines not to answer the question, nor the yes sentence poorly supported
    assert decider.decide(replace(ev, verified=0.2)).abstained
    assert replace(decider, min_not_yes=0.9).decide(ev).abstained
    # nor where the yes stands, or what else the answer says stays cited
    assert decider.decide(replace(ev, said_yes=0.9)).text == f"{said} [1]"
    more = replace(ev, supports=[*ev.supports, Support("It was the Q2 budget.", line, 0.7)])
    assert decider.decide(more).text.startswith(f"{said} [unsupported: {NOT_YES}]")
    # a line that says no to the question is quoted first
    no = Support("Was the budget approved as requested?", other, 0.7)
    assert replace(decider, min_says_no=0.5).decide(replace(ev, says_no=no)).note == SAYS_NO


def test_a_withheld_answer_to_a_yes_or_no_question_quotes_the_line_that_says_no() -> None:
    # the 1.5B model declines most yes-or-no questions whose answer is no, or answers them yes
    line = Citation("flat.txt", 2, 2, "There is no lift;\nthe building has a cellar.", 29, 73)
    said = Support("Is there a lift?", line, 0.83)
    declined = Evidence("Is there a lift?", [PASSAGE], "The documents do not say.", says_no=said)
    yes = Evidence(
        "Is there a lift?", [PASSAGE], "Yes, there is a lift.", [Support("Yes, there is a lift.", line, 0.3)]
    )
    judged = replace(yes, supports=[Support("Yes, there is a lift.", line, 0.9)], verified=0.1)
    decider = Decider(min_support=0.5, min_verified=0.5, min_says_no=0.5)
    for ev, by in (
        (declined, "model"),
        (replace(yes, says_no=said), "attribution"),
        (replace(judged, says_no=said), "verifier"),
    ):
        assert replace(decider, min_says_no=1.01).decide(ev).withheld_by == by
        answer = decider.decide(ev)
        assert not answer.abstained and answer.citations == [line] and answer.note == SAYS_NO
        assert answer.quoted == by and answer.to_json()["quoted"] == by and answer.to_json()["withheld_by"] is None
        assert answer.text == "The documents say: “There is no lift; the building has a cellar.” [1]"
        assert answer.evidence == ev and answer.passages == [PASSAGE]
    assert replace(decider, min_says_no=0.9).decide(declined).abstained  # the line matches the question too little
    far = replace(decider, min_relevance=0.7).decide(declined)  # too far from the question to ask the model of
    assert far.abstained and far.withheld_by == "relevance"
    kept = replace(judged, verified=0.9, says_no=said)  # an answer that stands is not replaced
    assert decider.decide(kept).text == "Yes, there is a lift. [1]" and not decider.decide(kept).quoted
    retried = replace(declined, retry=replace(declined, says_no=None))  # a second try withheld too: still quoted
    assert decider.decide(retried).citations == [line]


def test_an_answer_whose_yes_is_not_cited_quotes_the_line_that_says_no() -> None:
    # "Can personal laptops be used for customer data?" of a security policy: the 1.5B model answered "Yes,
    # personal laptops may not be used for customer data." and two more sentences of the policy, cited; its yes
    # was shown unsupported (0.57) above them, where the line nearest the question says no (0.92)
    no = Citation("policy.md", 10, 10, "Personal laptops may not be used for customer data.", 200, 251)
    other = Citation("policy.md", 9, 9, "All laptops use full-disk encryption.", 160, 197)
    said = ["Yes, personal laptops may not be used for customer data.", "All laptops use full-disk encryption."]
    asked = "Can personal laptops be used for customer data?"
    supports = [Support(said[0], no, 1.0), Support(said[1], other, 0.9)]
    ev = Evidence(asked, [PASSAGE], " ".join(said), supports, verified=0.78, said_yes=0.57,
                  says_no=Support(asked, no, 0.92))  # fmt: skip
    decider = Decider(min_support=0.5, min_verified=0.5, min_yes=0.82, min_says_no=0.5)
    answer = decider.decide(ev)
    assert answer.text == f"The documents say: “{no.quote}” [1]" and answer.note == SAYS_NO
    assert answer.citations == [no] and answer.quoted == "verifier" and not answer.abstained
    # not where its yes stands, nor where no line says no surely enough: the yes shown unsupported, as before
    assert decider.decide(replace(ev, said_yes=0.9)).text.startswith(f"{said[0]} [1]")
    assert "[unsupported" in replace(decider, min_says_no=0.95).decide(ev).text


def test_an_answer_withheld_for_a_number_its_line_does_not_state_quotes_that_line() -> None:
    # squad-dev: "In 1884, Tesla began working for the Continental Edison Company." cited to "In 1882, ..."
    line = Citation("tesla.txt", 14, 14, "In 1882, Tesla began working for the Continental Edison Company.", 0, 64)
    changed = Support("In 1884, Tesla began working there.", line, 0.45, ("1884 is not in the line cited",), 0.9)
    nearest = Support("When did Tesla begin working for the Continental Edison Company?", line, 0.8)
    ev = Evidence(nearest.sentence, [PASSAGE], changed.sentence, [changed], verified=0.87, misread=nearest)
    decider = Decider(min_support=0.5, min_verified=0.5, min_misread=0.5)
    assert replace(decider, min_misread=1.01).decide(ev).withheld_by == "attribution"
    answer = decider.decide(ev)
    assert answer.text == f"The documents say: “{line.quote}” [1]" and answer.citations == [line]
    assert answer.note == MISREAD and answer.quoted == "attribution" and answer.evidence == ev
    # not where the verifier found the line not to answer the question (the nearest line, not the answer's)
    assert decider.decide(replace(ev, verified=0.2)).abstained
    assert replace(decider, min_misread=0.9).decide(ev).abstained  # nor where it is far from the question
    # and not for a verifier's withholding: the quote is the lines it judged
    judged = replace(ev, supports=[replace(changed, score=0.9, doubts=(), undoubted=None)], verified=0.2)
    assert decider.decide(judged).withheld_by == "verifier"


def test_a_quoted_line_that_leans_on_what_is_before_it_is_quoted_under_its_heading() -> None:
    # "Does Paywise support Spain?" quoted Salarix's "It supports payroll in 14 EU countries, including Spain and
    # Italy." as the answer: under "## Salarix", which the quote left out
    text = "## Salarix\nSalarix costs 9 euros.\nIt supports payroll in 14 EU countries, including Spain."
    shown = Passage("vendors.md", 8, 10, 0, text, 0.9)
    line = Citation("vendors.md", 10, 10, text[text.index("It") :], text.index("It"), len(text))
    asked = "Does Paywise support Spain?"
    yes = Support("Yes, Paywise supports Spain.", line, 0.8)
    ev = Evidence(asked, [shown], yes.sentence, [yes], verified=0.7, said_yes=0.3)
    answer = Decider(min_verified=0.5, min_yes=0.82, min_not_yes=0.5).decide(ev)
    assert answer.note == NOT_YES_QUOTED
    assert answer.text == f"The documents say, under “Salarix”: “{line.quote}” [1]"
    plain = replace(line, quote="Salarix costs 9 euros.")  # a line that names what it is about needs none
    answer = Decider(min_verified=0.5, min_yes=0.82, min_not_yes=0.5).decide(
        replace(ev, supports=[replace(yes, citation=plain)])
    )
    assert answer.text == "The documents say: “Salarix costs 9 euros.” [1]"


def test_a_line_under_another_section_than_the_one_the_question_names_is_not_quoted() -> None:
    # with Paywise's section shown too, Salarix's "It supports ... Spain" is no answer to "Does Paywise support Spain?"
    text = "## Paywise\nPaywise runs payroll in Germany.\n## Salarix\nIt supports payroll in Spain and Italy."
    shown = Passage("vendors.md", 3, 6, 0, text, 0.9)
    start = text.index("It supports")
    line = Citation("vendors.md", 6, 6, text[start:], start, len(text))
    yes = Support("Yes, Paywise supports Spain.", line, 0.8)
    ev = Evidence("Does Paywise support Spain?", [shown], yes.sentence, [yes], verified=0.7, said_yes=0.3)
    decider = Decider(min_verified=0.5, min_yes=0.82, min_not_yes=0.5)
    answer = decider.decide(ev)
    assert answer.abstained and not answer.quoted and answer.withheld_by == "verifier"
    asked_of_it = decider.decide(replace(ev, question="Does Salarix support Spain?"))
    assert asked_of_it.note == NOT_YES_QUOTED and asked_of_it.text.startswith("The documents say, under “Salarix”")
