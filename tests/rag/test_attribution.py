from dataclasses import replace

import pytest

from rag.answer_text import answer_sentences, strip_markers
from rag.attribution import Attributor, misread
from rag.types import Passage, Support
from tests.fakes import HashEmbedding

DOC_A = "The sky is blue today. Cats sleep a lot.\nDogs bark at night when the moon is full.\n"
PASSAGES = [
    Passage("a.txt", 1, 2, 0, DOC_A.rstrip("\n"), 0.9),
    Passage("b.txt", 5, 5, 40, "Paris is the capital of France.", 0.5),
]


@pytest.fixture
def attributor() -> Attributor:
    return Attributor(HashEmbedding())


def test_each_sentence_is_cited_to_its_line_and_exact_span(attributor: Attributor) -> None:
    supports = attributor.attribute(["Dogs bark at night.", "Paris is the capital of France."], PASSAGES)
    dogs, paris = (s.citation for s in supports)
    assert (dogs.file, dogs.start_line, dogs.end_line) == ("a.txt", 2, 2)
    assert dogs.quote == "Dogs bark at night when the moon is full."
    assert DOC_A[dogs.start_char : dogs.end_char] == dogs.quote
    assert (paris.file, paris.start_line, paris.start_char) == ("b.txt", 5, 40)


def test_a_sentence_of_a_wrapped_paragraph_is_cited_to_every_line_it_runs_over(attributor: Attributor) -> None:
    # a plain-text memo wrapped at 70 columns: the answer cited line 9 alone, "... mainly because the"
    text = (
        "Ferry traffic rose by 12 percent over the year, mainly because the\n"
        "island service to Inishmore moved from twice daily to four sailings a\n"
        "day during the summer timetable. The harbour master is Aoife Brennan."
    )
    said = "Ferry traffic rose because the island service moved to four sailings a day during the summer timetable."
    (support,) = attributor.attribute([said], [Passage("memo.txt", 9, 11, 100, text, 0.9)])
    cited = support.citation
    assert (cited.start_line, cited.end_line, cited.start_char) == (9, 11, 100) and support.also is None
    assert text[: cited.end_char - 100] == cited.quote and cited.quote.endswith("summer timetable.")
    assert cited.where() == "lines 9-11"


def test_the_right_sentence_within_a_line_is_chosen(attributor: Attributor) -> None:
    (support,) = attributor.attribute(["Cats sleep a lot."], PASSAGES)
    assert support.citation.quote == "Cats sleep a lot."
    assert DOC_A[support.citation.start_char : support.citation.end_char] == "Cats sleep a lot."


def test_an_opening_yes_is_left_to_its_own_check_and_what_follows_it_is_matched(attributor: Attributor) -> None:
    """Regression: "Yes, Kirby spoke at a White House briefing." matched its line at 0.45 and the true
    answer was withheld; no source says "yes" (the yes is checked apart, ``Verifier.says_yes``)."""
    (yes,) = attributor.attribute(["Yes, dogs bark at night."], PASSAGES)
    (plain,) = attributor.attribute(["Dogs bark at night."], PASSAGES)
    assert yes.sentence == "Yes, dogs bark at night." and yes.score == plain.score >= 0.5
    assert yes.citation == plain.citation


def test_a_sentence_nothing_supports_scores_low(attributor: Attributor) -> None:
    (unsupported,) = attributor.attribute(["Canberra is the capital of Australia."], PASSAGES[:1])
    (supported,) = attributor.attribute(["Dogs bark at night."], PASSAGES[:1])
    assert unsupported.score < 0.5 <= supported.score


def test_a_sentence_that_denies_what_its_source_says_is_not_supported_by_it(attributor: Attributor) -> None:
    # as the 1.5B model answered "What kind of immunity do prokaryotes not have?" (the documents do not say)
    source = "Prokaryotes also possess acquired immunity, through a system that uses CRISPR sequences."
    passages = [Passage("cells.txt", 1, 1, 0, source, 0.9)]
    (agrees,) = attributor.attribute(["Prokaryotes possess acquired immunity."], passages)
    (denies,) = attributor.attribute(["Prokaryotes do not possess acquired immunity."], passages)
    assert agrees.score >= 0.5 > denies.score and denies.citation.quote == source
    # and says why, beside the score it had before (the reader is told what the mark means)
    assert denies.doubts == ('the source says it without "not"',) and denies.undoubted >= 0.5
    assert agrees.doubts == () and agrees.undoubted is None
    # "not only" denies nothing: such a sentence is matched as any other
    (adds,) = attributor.attribute(["Prokaryotes not only possess acquired immunity, they use CRISPR."], passages)
    assert adds.score >= 0.5 and adds.doubts == ()
    # a source sentence that denies it too is the one it is cited to, as well as it matches
    both = [*passages, Passage("bacteria.txt", 4, 4, 80, "Bacteria do not possess acquired immunity.", 0.5)]
    (cited,) = attributor.attribute(["Bacteria do not possess acquired immunity."], both)
    assert (cited.citation.file, cited.citation.start_line) == ("bacteria.txt", 4) and cited.score >= 0.5
    assert cited.doubts == ()


def test_a_sentence_that_says_a_word_both_with_and_without_denial_is_contradicted_only_where_it_denies(
    attributor: Attributor,
) -> None:
    """Regression: asked "What did Kirby say about the Ukrainian people?" of the sample news, the 1.5B model
    answered "Kirby said the United States is not concerned about this trip but is concerned about the
    deepening of ... relations, not only because of the consequences for the Ukrainian people ...", and the
    line that says the second part ("We are concerned about the deepening of relations ... the Ukrainian
    people") was lowered for lacking the first part's "not": the answer was cited to line 1 and withheld."""
    text = (
        "The United States is not concerned about the trip, said Kirby.\n"
        "We are concerned about the deepening of relations, because of the consequences for the Ukrainian people."
    )
    passages = [Passage("news.txt", 1, 2, 0, text, 0.9)]
    said = (
        "Kirby said the United States is not concerned about this trip but is concerned about the deepening "
        "of relations because of the consequences for the Ukrainian people."
    )
    (both,) = attributor.attribute([said], passages)
    assert both.score >= 0.5 and both.doubts == () and both.citation.start_line == 2
    assert both.also is not None and both.also.start_line == 1  # the trip's part: cited too
    # and where the line that denies is the best match, the line that says the other part is its second source
    # (asked "And about the relations?" after "What did he say about the trip?", the model wrote line 1's
    # words and line 5's reasons in one sentence, which cited line 1 alone)
    lines = (
        "The United States is not concerned about Putin's trip to the DPRK, but they are concerned about the "
        "deepening of Russian-North Korean relations, said Kirby.\n"
        "We are concerned about the deepening of relations, because of the consequences for the Ukrainian people."
    )
    worded = (
        "Kirby said the United States is not concerned about Putin's trip to the DPRK, but they are concerned "
        "about the deepening of Russian-North Korean relations, because of the consequences for the Ukrainian people."
    )
    (first,) = attributor.attribute([worded], [Passage("news.txt", 1, 2, 0, lines, 0.9)])
    assert [c.start_line for c in first.cited] == [1, 2] and first.doubts == ()
    # a sentence that only denies it is still contradicted by every line without a denial
    (denied,) = attributor.attribute(["We are not concerned about the deepening of relations."], passages)
    assert denied.score < 0.5 and denied.doubts == ('the source says it without "not"',)


def test_a_source_sentence_that_denies_what_the_answer_says_does_not_support_it(attributor: Attributor) -> None:
    # as the 1.5B model answered "What element do squalene and the carotenes contain?" (none, the source says)
    source = "Only a few common complex biomolecules, such as squalene and the carotenes, contain no oxygen."
    passages = [Passage("chemistry.txt", 7, 7, 0, source, 0.9)]
    (claimed,) = attributor.attribute(["Squalene and the carotenes contain oxygen."], passages)
    assert claimed.score < 0.5 <= claimed.undoubted and claimed.doubts == ('the source says "no oxygen"',)
    # a denial of something the answer does not say, or one that denies nothing, leaves it supported
    for aside in (
        "Squalene and the carotenes are biomolecules, not only lipids, and contain no water.",
        "It was not until 1966 that squalene and the carotenes were found to contain oxygen.",
    ):
        (kept,) = attributor.attribute(
            ["Squalene and the carotenes contain oxygen."], [replace(passages[0], text=aside)]
        )
        assert kept.score >= 0.5 and kept.doubts == ()
    # nor one whose denial is in a clause of other things, though it names a word the answer says (as the
    # eval's source sentence, "... provided that p is not a prime factor of q. Wilson's theorem ...", read as
    # one before Punkt's cut after a small letter; here a semicolon joins them)
    merged = "Its period is p - 1, provided that p is not a prime factor of q; Wilson's theorem says p is prime."
    (prime,) = attributor.attribute(["Wilson's theorem says p is prime."], [replace(passages[0], text=merged)])
    assert prime.score >= 0.5 and prime.doubts == ()
    # "no longer" denies the word after it
    trains = [Passage("rail.txt", 2, 2, 0, "Since 1990, freight trains no longer use the old bridge.", 0.9)]
    (stale,) = attributor.attribute(["Freight trains use the old bridge."], trains)
    assert stale.score < 0.5 and stale.doubts == ('the source says "no longer use"',)
    # and a source that denies what the answer denies supports it
    (both,) = attributor.attribute(["Squalene and the carotenes contain no oxygen."], passages)
    assert both.score >= 0.5 and both.doubts == ()


def test_a_source_sentence_that_denies_the_answer_nearly_as_well_as_the_best_match_leaves_it_unsupported(
    attributor: Attributor,
) -> None:
    """Regression: asked "Did the US say it was worried about Putin's trip?" of the sample news, the
    1.5B model answered "Yes, the US said it was worried about Putin's trip." and cited "The United
    States is not concerned about ... Putin's trip", whose denial governs a word the answer does not
    say; "We are not worried about this trip.", two lines on, matched it nearly as well."""
    answer = "Ministers were worried about the long trip."
    rival = "We are not worried about this long trip."

    def attributed(best: str) -> Support:
        (support,) = attributor.attribute([answer], [Passage("news.txt", 1, 2, 0, f"{best}\n{rival}", 0.9)])
        return support

    doubted = attributed("Ministers are not concerned about the long trip.")  # the rival at 0.91 of its score
    assert doubted.score < 0.5 <= doubted.undoubted and doubted.citation.start_line == 1
    assert doubted.doubts == ('a source says "not worried"',)
    kept = attributed("Ministers were not concerned about the long trip.")  # the rival at 0.83: far behind
    assert kept.score >= 0.5 and kept.doubts == () and kept.citation.start_line == 1


def test_an_answer_its_best_match_denies_is_unsupported_though_another_sentence_matches_it(
    attributor: Attributor,
) -> None:
    """Regression: asked "Did North Korea sell weapons to Russia?" of the sample news, the 1.5B model
    answered "Yes, North Korea sold weapons to Russia." and it was cited to the line that urges North
    Korea "not to provide or sell weapons to Russia": the denial governed "provide" alone, and "sold" was
    not "sell" to the stemmer. Both words joined by "or" are denied now, a verb's irregular forms are the
    verb, and the sentence stays cited to that line, unsupported, though another line matches it too."""
    urged = 'The White House urged North Korea "not to provide or sell weapons to Russia."'
    text = f"{urged}\nNorth Korea makes weapons, and Russia buys weapons."
    passages = [Passage("news.txt", 4, 5, 0, text, 0.9)]
    (sold,) = attributor.attribute(["Yes, North Korea sold weapons to Russia."], passages)
    assert sold.score < 0.5 <= sold.undoubted and sold.citation.quote == urged and sold.also is None
    assert sold.doubts == ('the source says "not provide"',)
    # what the line urges is supported by it
    (urges,) = attributor.attribute(["The White House urged North Korea not to sell weapons to Russia."], passages)
    assert urges.score >= 0.5 and urges.doubts == () and urges.citation.quote == urged


def test_a_source_sentence_that_denies_a_claim_in_so_many_words_does_not_support_it(attributor: Attributor) -> None:
    """Regression: asked "What sanctions does Russia violate?" of the sample news, the 1.5B model answered
    "Russia violates UN sanctions against the DPRK." and it was cited, unquestioned, to the line saying UN
    experts "refute the accusations that Moscow violates these restrictions": "refute" was no denial."""
    refuted = "UN experts refute the accusations that Moscow violates these UN sanctions."
    passages = [Passage("news.txt", 13, 13, 0, refuted, 0.9)]
    (violates,) = attributor.attribute(["Moscow violates UN sanctions."], passages)
    assert violates.score < 0.5 <= violates.undoubted and violates.citation.start_line == 13
    assert violates.doubts == ('the source says "refute ... violates"',)
    # what the line says is supported by it, the refutation with it
    (reported,) = attributor.attribute(["UN experts refute that Moscow violates UN sanctions."], passages)
    assert reported.score >= 0.5 and reported.doubts == ()
    # "denied" followed by no claim denies the word after it; one followed by a claim denies its verb
    for source, answer, said in (
        (
            "Pyongyang has been denied access to these weapons for decades.",
            "Pyongyang has access to these weapons.",
            "denied access",
        ),
        (
            "North Korea denied reports by officials that it allegedly sells shells.",
            "North Korea sells shells.",
            "denied ... sells",
        ),
    ):
        (claimed,) = attributor.attribute([answer], [Passage("news.txt", 9, 9, 0, source, 0.9)])
        assert claimed.score < 0.5 and claimed.doubts == (f'the source says "{said}"',)
    # an answer that reports the denial, or the claim denied, is what the source says ("What is the DPRK
    # accused of?" was answered "The DPRK is accused of supplying weapons to the Russian Federation.")
    claim_line = [Passage("news.txt", 9, 9, 0, "North Korea denied reports that it allegedly sells shells.", 0.9)]
    access = [Passage("news.txt", 11, 11, 0, "Pyongyang has been denied access to these weapons for decades.", 0.9)]
    for report, shown in (
        ("North Korea denied that it sells shells.", claim_line),
        ("North Korea is accused of selling shells.", claim_line),
        ("Pyongyang was denied access to these weapons.", access),
    ):
        (reported,) = attributor.attribute([report], shown)
        assert reported.score >= 0.5 and reported.doubts == ()
    # a refusal is no claim: a report does not undo it
    (alleged,) = attributor.attribute(["Pyongyang allegedly has access to these weapons."], access)
    assert alleged.score < 0.5 and alleged.doubts == ('the source says "denied access"',)
    # a denied claim the answer does not make leaves what it does say supported
    (other,) = attributor.attribute(["UN experts monitor sanctions."], passages)
    assert other.score >= 0.5 and other.doubts == ()


def test_a_claim_the_source_puts_as_anothers_is_not_supported_as_fact(attributor: Attributor) -> None:
    """Regression: asked "What did Russia use to attack Ukraine's critical infrastructure?" of the sample
    news, the 1.5B model answered "Russia used weapons supplied from the DPRK to attack Ukraine's critical
    infrastructure." and it was cited, supported, to the line where US allies "stated that Russia allegedly
    used weapons supplied from the DPRK ..."."""
    line = "Ministers stated that Russia allegedly used weapons supplied from the DPRK to attack the grid."
    passages = [Passage("news.txt", 9, 9, 0, line, 0.9)]
    (fact,) = attributor.attribute(["Russia used weapons supplied from the DPRK to attack the grid."], passages)
    assert fact.score < 0.5 <= fact.undoubted and fact.doubts == ('the source says "allegedly used"',)
    assert fact.citation.start_line == 9  # the reader sees what the line says beside the mark
    # said as the claim it is, it is supported
    for report in (
        "Russia allegedly used weapons supplied from the DPRK to attack the grid.",
        "Ministers stated that Russia used weapons supplied from the DPRK to attack the grid.",
    ):
        (reported,) = attributor.attribute([report], passages)
        assert reported.score >= 0.5 and reported.doubts == ()
    # a name is no report: "the United States" states nothing
    sold = [Passage("news.txt", 2, 2, 0, "Officials said the United States allegedly sold arms to Ruritania.", 0.9)]
    (states,) = attributor.attribute(["The United States sold arms to Ruritania."], sold)
    assert states.score < 0.5 and states.doubts == ('the source says "allegedly sold"',)


def test_a_sentence_that_names_another_as_the_doer_the_source_names_is_not_supported(attributor: Attributor) -> None:
    """Regression: asked "Who invited Kim Jong-un to Russia?" of the sample news, the 1.5B model answered "The
    White House invited Kim Jong-un to Russia ..." and it was cited, supported (0.84), to line 4, where the
    White House calls on North Korea amid Kim's visit "at the invitation of ... Vladimir Putin"; and of
    squad-dev, "Edgar Scherick produced Wide World of Sports for ABC." to a line where it was "created by
    Edgar Scherick ... and produced by a young Roone Arledge"; and "Who announced Kim Jong-un's visit?" of
    the sample news, "The White House announced ..." to the line that says "Kim Jong-un's announced visit"."""
    line = (
        "The White House is calling on Pyongyang, amid Kim Jong-un's announced visit to Russia at the invitation"
        " of Vladimir Putin."
    )
    passages = [Passage("news.txt", 4, 4, 0, line, 0.9)]
    (swapped,) = attributor.attribute(["The White House invited Kim Jong-un to Russia."], passages)
    assert swapped.score < 0.5 <= swapped.undoubted
    assert swapped.doubts == ('the source says "invitation of Vladimir Putin"',)
    assert swapped.citation.start_line == 4  # the reader sees what the line says beside the mark
    # the doer it names, said in the active or the passive, is supported
    for right in ("Vladimir Putin invited Kim Jong-un.", "Kim Jong-un was invited by Vladimir Putin."):
        (kept,) = attributor.attribute([right], passages)
        assert kept.score >= 0.5 and kept.doubts == (), right
    series = "ABC debuted the series, created by Edgar Scherick and produced by a young Roone Arledge."
    credits = [Passage("abc.txt", 71, 71, 0, series, 0.9)]
    (producer,) = attributor.attribute(["Edgar Scherick produced the series for ABC."], credits)
    assert producer.doubts == ('the source says "produced by a young Roone Arledge"',)
    (creator,) = attributor.attribute(["Edgar Scherick created the series for ABC."], credits)
    assert creator.doubts == ()
    # an act the line names without a doer ("Kim Jong-un's announced visit") is not one that someone it names did
    (announcer,) = attributor.attribute(["The White House announced Kim Jong-un's visit to Russia."], passages)
    assert announcer.doubts == ('the source says "announced visit"',)
    # "of" may name what was done to, not who did it: what it names is not the answer's doer's deed to doubt
    murder = [Passage("rome.txt", 1, 1, 0, "Historians debate the murder of Caesar by Brutus in 44 BC.", 0.9)]
    (brutus,) = attributor.attribute(["Brutus murdered Caesar in 44 BC."], murder)
    assert brutus.doubts == ()


def test_a_passive_s_doer_says_another_did_what_the_question_asks_about(attributor: Attributor) -> None:
    """Regression: asked "Who showed the flat?" (and, after "Who is the landlord?", "and who showed the flat?")
    of flat notes, the 1.5B model answered "Helga Brandt showed the flat." and it was cited, supported, to "The
    landlord is Helga Brandt; the viewing was shown by her agent, Tobias Keller.": the line says "the viewing",
    not "the flat", so what was shown was not read as the same."""
    line = "The landlord is Helga Brandt; the viewing was shown by her agent, Tobias Keller."
    notes = [Passage("lease-notes.txt", 3, 3, 0, line, 0.9)]
    (landlord,) = attributor.attribute(["Helga Brandt showed the flat."], notes, "Who showed the flat?")
    assert landlord.score < 0.5 and landlord.doubts == ('the source says "shown by her agent Tobias Keller"',)
    for right in ("Tobias Keller showed the flat.", "Her agent showed the flat.", "Her agent, Tobias Keller, did."):
        (agent,) = attributor.attribute([right], notes, "Who showed the flat?")
        assert agent.doubts == (), right
    # what the question does not ask about, and the line does not name, is not doubted so
    (elsewhere,) = attributor.attribute(["Helga Brandt showed the cellar."], notes, "What did the landlord do?")
    assert elsewhere.doubts == ()


def test_a_sentence_that_says_who_said_it_is_not_supported_by_a_line_that_is_no_ones_words(
    attributor: Attributor,
) -> None:
    """Regression: asked "What did Adrienne Watson say?" of the sample news, the 1.5B model answered "Adrienne
    Watson said that the White House is calling on North Korea ..." and it was cited, supported (0.90), to
    line 4, which names no one saying it; her words are on line 5."""
    text = (
        "The White House is calling on North Korea not to sell weapons to Russia.\n"
        '"Arms talks are expected to continue," spokeswoman Adrienne Watson said.'
    )
    passages = [Passage("news.txt", 4, 5, 0, text, 0.9)]
    put = "Adrienne Watson said that the White House is calling on North Korea not to sell weapons to Russia."
    (mouthed,) = attributor.attribute([put], passages)
    assert mouthed.score < 0.5 <= mouthed.undoubted and mouthed.citation.start_line == 4
    assert mouthed.doubts == ("the source does not say Adrienne Watson said it",)
    (hers,) = attributor.attribute(["Adrienne Watson said that arms talks are expected to continue."], passages)
    assert hers.score >= 0.5 and hers.doubts == () and hers.citation.start_line == 5
    # a line that reports speech, or follows one naming the speaker, may be theirs
    told = [Passage("news.txt", 1, 2, 0, "Watson spoke on Monday.\nThe talks will go on.", 0.9)]
    (context,) = attributor.attribute(["Watson said the talks will go on."], told)
    assert context.doubts == () and context.citation.start_line == 2
    # or follows in the paragraph of one who is named giving reasons (squad-dev's Martin Luther, line 41)
    reasons = 'Luther gave three reasons. First, p is q. Second, the peasants deserved "death in body and soul."'
    (luther,) = attributor.attribute(['Luther said the peasants deserved "death in body and soul."'], [
        Passage("luther.txt", 41, 41, 0, reasons, 0.9)
    ])  # fmt: skip
    assert luther.doubts == () and luther.score >= 0.5


def test_a_sentence_stating_a_number_no_passage_holds_is_not_supported(attributor: Attributor) -> None:
    # as the 1.5B model answered "There re 231 seats in which chamber?" (the documents say 131)
    passages = [Passage("parliament.txt", 3, 3, 0, "There are 131 seats in the debating chamber.", 0.9)]
    (read,) = attributor.attribute(["There are 131 seats in the debating chamber."], passages)
    (changed,) = attributor.attribute(["There are 231 seats in the debating chamber."], passages)
    assert read.score >= 0.5 > changed.score and changed.citation.start_line == 3
    assert changed.doubts == ("231 is in no source",) and changed.undoubted >= 0.5 and read.doubts == ()
    # a number in digits and in words is one number
    doors = [Passage("doors.txt", 1, 1, 0, "The chamber has 7 doors, and 1,200 chairs.", 0.9)]
    (counted,) = attributor.attribute(["The chamber has seven doors and 1200 chairs."], doors)
    (miscounted,) = attributor.attribute(["The chamber has eight doors and 1200 chairs."], doors)
    assert counted.score >= 0.5 > miscounted.score
    (twice,) = attributor.attribute(["The chamber has eight doors and 12 chairs."], doors)
    assert twice.doubts == ("8 and 12 are in no source",)  # by size, eight as the digits it was compared as


# squad-dev's Nikola Tesla: the year he began working for Edison's company, and the year after it
TESLA = [
    Passage(
        "tesla.txt",
        14,
        14,
        0,
        "In 1882, Tesla began working for the Continental Edison Company in France. In 1884, he moved to New York.",
        0.9,
    )
]
TESLA_ASKED = "When did Tesla begin working for the Continental Edison Company?"


def test_a_number_its_best_line_lacks_is_cited_to_the_line_that_states_it_with_what_the_sentence_says(
    attributor: Attributor,
) -> None:
    # examples/clinic: "The clinic saw 48,200 patient visits in 2025, ..., due to the new evening hours and the
    # dental unit opening in March 2025." was withheld: its best line says all but "March", which another
    # line states, with the dental unit's opening
    lines = [
        "Riverside Community Clinic saw 48,200 patient visits in 2025, up from 44,900 in 2024.",
        "Director Amara Okafor said the growth came from the new evening hours and the dental unit.",
        "The dental unit opened in March 2025 and treated 3,100 patients in its first nine months.",
    ]
    review = [Passage("review.md", 5, 7, 0, "\n".join(lines), 0.9)]
    said = (
        "The clinic saw 48,200 patient visits in 2025, up from 44,900 in 2024, due to the new evening hours and"
        " the dental unit opening in March 2025."
    )
    (grew,) = attributor.attribute([said], review, "Why did visits grow?")
    assert grew.doubts == () and grew.score >= 0.5
    assert [c.start_line for c in grew.cited] == [5, 6, 7]
    # squad-dev, unanswerable: a line that states the number and nothing more of what the sentence says with it
    # does not excuse it ("nearly $40" was 1979's peak, not the price before it rose)
    oil = [
        "By the end of the embargo in March 1974, the price of oil had risen from US$3 per barrel to nearly $12.",
        "The world price, which had peaked during the 1979 energy crisis at nearly $40 per barrel, decreased.",
    ]
    prices = [Passage("oil.txt", 1, 2, 0, "\n".join(oil), 0.9)]
    (peak,) = attributor.attribute(
        ["The price of oil in 1979 before it rose was nearly $40 per barrel."],
        prices,
        "What was the price of oil in 1979 before it rose?",
    )
    assert peak.doubts == ("40 is not in the line cited",) and peak.numbered is None


def test_a_number_the_line_cited_does_not_state_is_not_supported_though_another_line_holds_it(
    attributor: Attributor,
) -> None:
    # squad-dev: "In 1884, Tesla began working for the Continental Edison Company in France." was cited to
    # "In 1882, Tesla began working for ..." (0.90) and kept: 1884 is in another sentence of the passage
    passages, question = TESLA, TESLA_ASKED
    (changed,) = attributor.attribute(
        ["In 1884, Tesla began working for the Continental Edison Company."], passages, question
    )
    assert changed.citation.quote.startswith("In 1882") and changed.score < 0.5 <= changed.undoubted
    assert changed.doubts == ("1884 is not in the line cited",) and changed.also is None
    assert misread(changed, question) and not misread(changed, "Did Tesla begin working there in 1884?")
    (denied,) = attributor.attribute(  # a number the checks doubt beside a denial: not a number misread alone
        ["In 1885, Tesla did not begin working for the Continental Edison Company."], passages, question
    )
    assert len(denied.doubts) == 2 and "1885 is in no source" in denied.doubts
    assert changed.misnumbered and not denied.misnumbered and not misread(denied, question)
    (read,) = attributor.attribute(["In 1882, Tesla began working for the Continental Edison Company."], passages)
    assert read.score >= 0.5 and read.doubts == ()
    # a number the question states is the reader's own ("the years of 1531 to 1546"), and one the sentence
    # before the cited line states is read with it
    (asked,) = attributor.attribute(
        ["Tesla began working for the Continental Edison Company in France in 1884."],
        passages,
        "What did Tesla do in 1884?",
    )
    assert "1884 is not in the line cited" not in asked.doubts
    dated = "The year was 1884. Tesla moved to New York with 4 cents."
    (before,) = attributor.attribute(
        ["In 1884, Tesla moved to New York with 4 cents."], [Passage("t.txt", 1, 1, 0, dated, 0.9)]
    )
    assert before.doubts == () and before.score >= 0.5


def test_the_line_whose_number_the_model_changed_is_kept_where_it_is_nearest_the_question(
    attributor: Attributor,
) -> None:
    passages, question = TESLA, TESLA_ASKED
    ev = attributor.evidence(question, passages, "In 1884, Tesla began working for the Continental Edison Company.")
    assert ev.misread is not None and ev.misread.citation.quote.startswith("In 1882") and ev.misread.score >= 0.5
    assert attributor.evidence(question, passages, "In 1882, Tesla began working there.").misread is None  # read right
    # the question's own number changed: the question is what differs from the line (SQuAD 2.0's unanswerable)
    asked = "When did Tesla begin working for the Continental Edison Company in 1883?"
    assert attributor.evidence(asked, passages, "In 1883, Tesla began working for the company.").misread is None


def test_the_models_own_markers_are_ignored() -> None:
    assert answer_sentences("North Korea denied it [1]. Russia agreed [2, 3].") == [
        "North Korea denied it.",
        "Russia agreed.",
    ]


def test_abbreviations_do_not_end_a_sentence(attributor: Attributor) -> None:
    # seen in the eval: "... 6:00 p.m. [1] Eastern and Pacific Time (9:00 a.m. [2] ..." cited fragments
    answer = "ABC airs sports from 4:00 to 6:00 p.m. Eastern Time (1:00 to 3:00 p.m. Pacific) [1]. Gen. Lee agreed."
    assert answer_sentences(answer) == [
        "ABC airs sports from 4:00 to 6:00 p.m. Eastern Time (1:00 to 3:00 p.m. Pacific).",
        "Gen. Lee agreed.",
    ]
    source = "Sports air on Saturdays from 4:00 to 6:00 p.m. Eastern Time (1:00 to 3:00 p.m. Pacific). News follows."
    (support,) = attributor.attribute(answer_sentences(answer)[:1], [Passage("c.txt", 3, 3, 100, source, 0.9)])
    assert support.citation.quote == source.removesuffix(" News follows.")
    assert (support.citation.start_char, support.citation.end_char) == (100, 100 + len(support.citation.quote))


@pytest.mark.parametrize(
    "remark",  # as the 1.5B wrote them after an answer in the eval (bench/results/records-ours.jsonl)
    [
        "This is supported by source [1].",
        "This is stated in the second sentence of source [2].",
        "This information is found in sources [2] and [4].",
        "This can be seen from the text in source [1].",
        "The supporting source is [3].",
        "This is mentioned in the second source [2].",
        "This is mentioned in the Victoria and Albert Museum text [1].",
        "This process is described in [1].",
    ],
)
def test_remarks_that_only_point_at_a_source_are_not_answer_sentences(remark: str) -> None:
    assert answer_sentences(f"Broncos won [1]. {remark}") == ["Broncos won."]


def test_a_sentence_that_names_its_source_and_says_something_stays() -> None:
    text = "This is stated in the first source, which mentions that Skylab was built on the ground [1]."
    assert answer_sentences(text) == [strip_markers(text)]
    plain = "According to the sources, teachers register with the Council."
    assert answer_sentences(plain) == [plain]
    # a place that is not a source, or a claim after the source: something to cite
    for claim in (
        "It is found in the historical context of the text.",
        "This is described in the museum's guide.",
        "This is described in the Museum text as a failure.",
        "It was reported in Vienna.",
    ):
        assert answer_sentences(claim) == [claim]


KIRBY = [
    Passage(
        "news.txt",
        1,
        3,
        0,
        "The United States is concerned about the deepening of Russian-North Korean relations, said John Kirby.\n"
        "Putin will arrive in Pyongyang on June 18.\n"
        "He added that the United States intends to carefully monitor its development.",
        0.9,
    )
]


def test_a_sentence_written_from_two_source_lines_cites_both(attributor: Attributor) -> None:
    # as the 1.5B model answered "What does Kirby intend to do?" on the sample news
    said = "Kirby intends to carefully monitor the development of Russian-North Korean relations."
    (support,) = attributor.attribute([said], KIRBY, "What does Kirby intend to do?")
    assert [c.start_line for c in support.cited] == [1, 3]  # the best match first, then the line with the intent
    assert support.also.quote == "He added that the United States intends to carefully monitor its development."
    # one source line that holds it all is cited alone
    (whole,) = attributor.attribute(["Kirby is concerned about Russian-North Korean relations."], KIRBY)
    assert whole.also is None and whole.citation.start_line == 1
    # the question's own words, restated, are no reason for a second source: any line on the topic holds them
    (restated,) = attributor.attribute(
        ["Putin will arrive in Pyongyang, said Kirby."], KIRBY, "When will Putin arrive?"
    )
    assert restated.citation.start_line == 2 and restated.also is None


def test_a_second_source_that_the_checks_doubt_is_not_cited(attributor: Attributor) -> None:
    denying = [replace(KIRBY[0], text=KIRBY[0].text.replace("intends to carefully", "does not intend to carefully"))]
    said = "Kirby intends to carefully monitor the development of Russian-North Korean relations."
    (support,) = attributor.attribute([said], denying, "What does Kirby intend to do?")
    assert support.also is None


def test_a_countrys_people_count_as_its_name_when_a_second_source_is_sought(attributor: Attributor) -> None:
    # as the 1.5B model answered "Why is the US concerned about the deepening of relations?": "Korea" is held
    # by "Korean" in the line cited, and "Russia and North Korea" by line 1's "Russian-North Korean
    # relations", not only by Kwon Jung-geun's line, which says nothing of why the US is concerned
    lines = (
        "The United States is concerned about the deepening of Russian-North Korean relations, said John Kirby.\n"
        "We are concerned about the deepening of relations between these two countries, because there may be"
        " some reciprocity that will affect security on the Korean Peninsula.\n"
        "Kwon Jung-geun noted a groundless version of alleged arms deals between North Korea and Russia."
    )
    said = (
        "The US is concerned about the deepening of relations between Russia and North Korea, because there may"
        " be some reciprocity that will affect security on the Korean Peninsula."
    )
    (support,) = attributor.attribute([said], [Passage("news.txt", 1, 3, 0, lines, 0.9)], "Why is the US concerned?")
    assert [c.start_line for c in support.cited] == [2, 1]


def test_a_sentence_with_a_denial_cites_a_second_source_for_its_other_part_not_for_what_it_denies(
    attributor: Attributor,
) -> None:
    # as the 1.5B model summarized the sample news: the date is on line 2, the denial on line 3
    said = "The visit is scheduled for June 19, and the United States does not yet see all the parameters."
    lines = (
        "Putin will arrive late on June 18, the main part of the visit is scheduled for June 19.\n"
        "Kirby said the United States sees the risks.\n"
        "He added that the United States does not yet see all the parameters of such cooperation."
    )
    (support,) = attributor.attribute([said], [Passage("news.txt", 1, 3, 0, lines, 0.9)])
    assert [c.start_line for c in support.cited] == [3, 1]
    # a line that says without the denial what the sentence denies is never its second source
    (denied,) = attributor.attribute(
        ["The United States does not see the risks, Kirby said."], [Passage("news.txt", 1, 3, 0, lines, 0.9)]
    )
    assert denied.citation.start_line == 3 and denied.also is None


def test_a_heading_yields_to_a_statement_that_matches_nearly_as_well(attributor: Attributor) -> None:
    """Regression: "The harbour authority is owned by the city of Northgate." was cited to the report's
    heading, "# Northgate Harbour Authority: annual report 2025", which says nothing of who owns it."""
    text = "# Kestrel Ferry Company: timetable\n\nKestrel boats sail to Inishmore twice a day."
    shown = [Passage("ferries.md", 1, 3, 0, text, 0.9)]
    (sails,) = attributor.attribute(["The Kestrel Ferry Company sails to Inishmore."], shown)
    assert sails.citation.start_line == 3 and sails.score >= 0.5  # the heading matched it better (0.58)
    (title,) = attributor.attribute(["This is the Kestrel Ferry Company's timetable."], shown)
    assert title.citation.start_line == 1 and title.score > 0.8  # what only the heading says stays cited to it


def test_a_doers_noun_counts_as_its_verb(attributor: Attributor) -> None:
    owner = attributor.terms("the city of Northgate, the authority's sole owner")
    assert attributor.terms("owned") <= owner and attributor.terms("managed") <= attributor.terms("its managers")
    assert not attributor.terms("towed") <= attributor.terms("the tower")  # a verb of its own: no "tow"


def test_a_sentence_that_gives_a_post_to_another_the_source_names_is_not_supported(attributor: Attributor) -> None:
    """Regression: asked "Who is the treasurer?" of board minutes, the 1.5B model answered "The treasurer is
    Dr. Samuel Achterberg." and it was cited, supported, to the line that lists "chair Dr. Samuel Achterberg,
    director Amara Okafor, treasurer Ines Carvalho"; the verifier, shown the question and the line, let it by."""
    line = "Present: chair Dr. Samuel Achterberg, director Amara Okafor, treasurer Ines Carvalho."
    passages = [Passage("minutes.txt", 3, 3, 0, line, 0.9)]
    miscast, right, other = attributor.attribute(
        ["The treasurer is Dr. Samuel Achterberg.", "Ines Carvalho is the treasurer.", "Amara Okafor is the director."],
        passages,
    )
    assert miscast.score < 0.5 <= miscast.undoubted and miscast.citation.start_line == 3
    assert miscast.doubts == ('the source says "treasurer Ines Carvalho"',)
    assert right.score >= 0.5 and not right.doubts and other.score >= 0.5 and not other.doubts
    # titles before a name are the name's: "Pentagon spokesman Brig. Gen. Pat Ryder" gives the post to Pat Ryder
    ryder = [Passage("news.txt", 8, 8, 0, "Pentagon spokesman Brig. Gen. Pat Ryder told reporters so.", 0.9)]
    (spokesman,) = attributor.attribute(["Pat Ryder is the Pentagon spokesman."], ryder)
    assert spokesman.score >= 0.5 and not spokesman.doubts


def test_words_of_time_that_restate_the_question_are_no_content(attributor: Attributor) -> None:
    # "Who is the head nurse now?" answered "Lena Haugland is the head nurse now." was withheld at 0.496:
    # "now" counted as a word its source sentence ("His successor is Lena Haugland, ...") did not hold
    said = attributor.terms("Lena Haugland is now still just currently the head nurse.")
    assert said == attributor.terms("Lena Haugland is the head nurse.")


def test_a_sentence_that_says_a_rejected_thing_was_done_is_not_supported(attributor: Attributor) -> None:
    # Asked "Was the release rolled back?" of an incident report, the 1.5B model answered "Yes, the release was
    # rolled back." and it was cited at 0.78 to the line that says the roll-back was rejected
    line = "Rolling back the morning's release was considered and rightly rejected, because it did not touch payments."
    passages = [Passage("pm.md", 39, 39, 0, line, 0.9)]
    done, denied, reported = attributor.attribute(
        ["Yes, the release was rolled back.", "No, the release was not rolled back.", "Rolling back was rejected."],
        passages,
    )
    assert done.score < 0.5 <= done.undoubted
    assert done.doubts == ('the source says "Rolling back the morning\'s release was considered and rightly rejected"',)
    assert not denied.doubts and not reported.doubts
    # in the active, what follows the verb is rejected
    van = [Passage("minutes.txt", 5, 5, 0, "The board rejected the second van for the valleys.", 0.9)]
    (bought,) = attributor.attribute(["The board bought the second van."], van)
    assert bought.doubts and bought.score < bought.undoubted


def test_a_line_that_gives_the_post_asked_of_to_another_says_no(attributor: Attributor) -> None:
    # "Is Ms. Lindgren the trip leader?" was declined: the line nearest it names Ms. Okonkwo as the leader
    faq = (
        "Mr. de Vries (biology), Ms. Okonkwo (geography) and Ms. Lindgren (PE) go with the group.\n"
        "Ms. Okonkwo is the trip leader and can be reached on 06 1234 5678 during the trip."
    )
    shown = [Passage("trip-faq.md", 15, 16, 0, faq, 0.9)]
    no = attributor.saying_no("Is Ms. Lindgren the trip leader?", shown)
    assert no is not None and no.citation.start_line == 16
    assert attributor.posting.refused("Is Mr. de Vries the trip leader?", no.citation.quote)  # a name's "de" too
    assert attributor.saying_no("Is Ms. Okonkwo the trip leader?", shown) is None  # it says yes
    assert attributor.saying_no("Is Ms. Lindgren a teacher?", shown) is None  # one of several


def test_the_line_nearest_a_yes_or_no_question_is_kept_where_it_says_no(attributor: Attributor) -> None:
    # Asked "Is there a lift?" of flat notes, the 1.5B model answered "Yes, there is a lift."; asked "Can I heat
    # milk in the kettle?" of its manual, it declined: the nearest line says no to each
    notes = (
        "Rent is 1,150 euros a month.\nThere is no lift; the building has a bike cellar.\nSmoking is allowed outside."
    )
    passages = [Passage("flat.txt", 1, 3, 0, notes, 0.9)]
    no = attributor.saying_no("Is there a lift?", passages)
    assert no is not None and no.citation.start_line == 2 and no.citation.quote.startswith("There is no lift;")
    assert attributor.evidence("Is there a lift?", passages, "Yes, there is a lift.").says_no == no
    assert attributor.saying_no("Is smoking allowed outside?", passages) is None  # its line says yes
    assert attributor.saying_no("Where is the lift?", passages) is None  # not asked yes or no
    assert attributor.saying_no("Is there a lift or a ramp?", passages) is None  # a choice, not yes or no
    assert attributor.saying_no("Is the rent 1,150 euros a month?", passages) is None  # the nearest says yes
    # a line that states another number than the question's says no: the 1.5B model answered "Is the rent 1,200
    # euros a month?" with "Yes, the rent is 1,200 euros a month cold, ..."
    other = attributor.saying_no("Is the rent 1,200 euros a month?", passages)
    assert other is not None and other.citation.start_line == 1
    # a denial of another time says nothing against this one: "Yes, the rent was last raised in March 2025." was
    # withheld against "... last raised in March 2025 and cannot be raised again before March 2027."
    raised = [
        Passage(
            "flat.txt",
            5,
            5,
            0,
            "The rent was last raised in March 2025 and cannot be raised again before March 2027.",
            0.9,
        )
    ]
    question = "Was the rent last raised in March 2025?"
    (said,) = attributor.attribute(["Yes, the rent was last raised in March 2025."], raised, question)
    assert said.doubts == () and attributor.saying_no(question, raised) is None
    (again,) = attributor.attribute(["The rent can be raised again before March 2027."], raised)
    assert again.doubts == ('the source says "cannot raised"',)
    assert attributor.saying_no("Can the rent be raised again in 2026?", raised) is not None  # by its numbers
    # a date's month is one of its numbers
    lease = [Passage("flat.txt", 6, 6, 0, "The lease starts on 1 January 2027 and has no fixed end date.", 0.9)]
    assert attributor.saying_no("Does the lease start on 1 February 2027?", lease) is not None
    assert attributor.saying_no("Does the lease start on 1 January 2027?", lease) is None
    (month,) = attributor.attribute(["The lease starts on 1 February 2027."], lease)
    assert month.doubts == ("February is in no source",)
    # an abbreviated month, and an ordinal in words, are the numbers they abbreviate or spell
    (short,) = attributor.attribute(["The lease starts on Jan. 1, 2027."], lease)
    (other,) = attributor.attribute(["The lease starts on 1 Feb 2027."], lease)
    assert short.doubts == () and other.doubts == ("February is in no source",)
    tower = [Passage("town.txt", 2, 2, 0, "The clock tower was built in the nineteenth century, in 1871.", 0.9)]
    (built,) = attributor.attribute(["The clock tower was built in the 19th century."], tower)
    (later,) = attributor.attribute(["The clock tower was built in the 20th century."], tower)
    assert built.doubts == () and later.doubts == ("20 is in no source",)


def test_the_sentence_stating_a_yes_or_no_questions_number_is_its_line(attributor: Attributor) -> None:
    # "Are heaters with serial B20-25 affected?": the 1.5B model answered "Yes, ... B20-25 are not affected." (its
    # yes withheld), and the nearest sentence, about B20-24, was quoted as saying no by its numbers alone
    recall = (
        "Heaters with serial numbers starting with B20-24 are affected. Those starting with B20-25 are not affected."
    )
    passages = [Passage("recall.txt", 6, 6, 0, recall, 0.9)]
    no = attributor.saying_no("Are heaters with serial B20-25 affected?", passages)
    assert no is not None and no.citation.quote == "Those starting with B20-25 are not affected."
    assert attributor.saying_no("Are heaters with serial B20-24 affected?", passages) is None  # its line says yes
    # a question's number no sentence states leaves the nearest its line, which says no by its numbers
    other = attributor.saying_no("Are heaters with serial numbers starting with B20-26 affected?", passages)
    assert other is not None and other.citation.quote.startswith("Heaters with serial numbers starting with B20-24")


def test_numbers_written_in_words_past_twelve_and_a_dozen_are_the_numbers_they_spell(attributor: Attributor) -> None:
    # "Receipts must be uploaded within a dozen working days" read as "within 12 working days" was doubted
    rule = "Receipts for trips of 3 days or more must be uploaded within a dozen working days."
    policy = [Passage("policy.txt", 16, 16, 0, rule, 0.9)]
    (dozen,) = attributor.attribute(["Receipts must be uploaded within 12 working days."], policy)
    log = [Passage("log.txt", 5, 5, 0, "Week 3: twelve of twenty seedlings were lost; twenty-five survived.", 0.9)]
    lost, other = attributor.attribute(["12 of 20 seedlings were lost; 25 survived.", "21 were lost."], log)
    assert dozen.doubts == () and lost.doubts == ()
    assert other.doubts == ("21 is in no source",)


def test_a_line_saying_another_name_did_it_does_not_support_nor_complete_the_answer(attributor: Attributor) -> None:
    # "How many days did Black Krim take to germinate?": the 1.5B model answered "Black Krim germinated after five
    # days.", cited to the line naming Black Krim and, for the rest, to the one saying Sungold germinated so
    log = (
        "Week 2: Sungold germinated first, after five days. Black Krim was the slowest, at eleven days.\n"
        "Week 14: Black Krim split badly after heavy watering; watering was cut to every other day."
    )
    shown = [Passage("greenhouse-log.txt", 4, 5, 0, log, 0.9)]
    question = "How many days did Black Krim take to germinate?"
    (stitched,) = attributor.attribute(["Black Krim germinated after five days."], shown, question)
    # matched best, it stays cited for the reader to see, unsupported: it says another did it
    assert stitched.citation.quote == "Week 2: Sungold germinated first, after five days." and stitched.also is None
    assert stitched.score < 0.5 and stitched.doubts == ('the source says "Sungold germinated"',)
    # nor is it a second source for what the line naming Black Krim lacks (stitched, both supported it at 0.55)
    week2 = "Week 2: Sungold germinated first in the warm tray. Black Krim was the slowest."
    week14 = "Week 14: Black Krim split badly after heavy watering; watering was cut to every other day."
    split = [Passage("log.txt", 10, 10, 300, week14, 0.9), Passage("log.txt", 4, 4, 100, week2, 0.8)]
    said = "Black Krim split badly and germinated first in the warm tray."
    (stitched,) = attributor.attribute([said], split, "What happened to Black Krim?")
    assert stitched.score < 0.5 and stitched.doubts == ('the source says "Sungold germinated"',)
    (right,) = attributor.attribute(["Sungold germinated after five days."], shown, "Which variety germinated first?")
    assert right.citation.quote.startswith("Week 2: Sungold germinated") and right.doubts == ()


def test_a_passives_doer_gainsays_an_answer_naming_another_that_the_line_names_only_in_part(
    attributor: Attributor,
) -> None:
    # "Who announced it?" after a question about the recall: the 1.5B model answered "Brightwell Appliances
    # announced the recall ...", supported by the line that says it was announced by Marta Quintero, Brightwell's
    # head of product safety (the line names "Brightwell" only in her title)
    notice = (
        "Brightwell Appliances is recalling about 14,000 B20 space heaters.\n"
        "The recall was announced by Marta Quintero, Brightwell's head of product safety, on 4 February 2025."
    )
    shown = [Passage("recall.txt", 3, 4, 0, notice, 0.9)]
    question = "Who announced the recall of the heaters?"
    (wrong,) = attributor.attribute(["Brightwell Appliances announced the recall on 4 February 2025."], shown, question)
    assert wrong.score < 0.5 and wrong.doubts == ('the source says "announced by Marta Quintero"',)
    (right,) = attributor.attribute(["Marta Quintero announced the recall on 4 February 2025."], shown, question)
    assert right.doubts == () and right.citation.start_line == 4


def test_a_row_gainsays_an_answer_giving_its_field_another_rows_value(attributor: Attributor) -> None:
    # "What colour is the Kestrel Road 2?" of a bike shop's CSV: the 1.5B model answered "The Kestrel Road 2 is
    # green.", supported by the Kestrel Road 2's row, which says "colour: red" ("green" is the Trail 3's)
    rows = (
        "model: Ridgeback Trail 3; type: mountain; price_eur: 1450; stock: 4; colour: green\n"
        "model: Citybug E; type: e-bike; price_eur: 2390; stock: 3; colour: grey\n"
        "model: Kestrel Road 2; type: road; price_eur: 1780; stock: 6; colour: red"
    )
    shown = [Passage("bikes.csv", 2, 4, 0, rows, 0.9)]
    (green,) = attributor.attribute(["The Kestrel Road 2 is green."], shown, "What colour is the Kestrel Road 2?")
    assert green.citation.start_line == 4 and green.doubts == ('the source says "colour: red"',)
    assert green.score < 0.5
    right = attributor.attribute(
        ["The Kestrel Road 2 is red.", "The Ridgeback Trail 3 is a mountain bike.", "The Citybug E is grey."], shown
    )
    assert [s.doubts for s in right] == [(), (), ()]  # (the 3 of "Trail 3" is no stock of 3)
    (both,) = attributor.attribute(["The Ridgeback Trail 3 is green and the Kestrel Road 2 is red."], shown)
    assert both.doubts == ()


def test_a_rows_iso_date_states_its_month_and_a_whole_amount_its_number(attributor: Attributor) -> None:
    # "What was Sofia Lind's expense in September for?" of an expense sheet: "Sofia Lind's expense in September for
    # training was 650 euros." was doubted for "September" (the row says 2026-09-11) and for 650 (it says 650.00)
    row = "date: 2026-09-11; employee: Sofia Lind; category: training; amount_eur: 650.00; approved_by: Peter Novak"
    shown = [Passage("expenses.csv", 6, 6, 0, row, 0.9)]
    asked = "What was Sofia Lind's expense in September for?"
    (spent,) = attributor.attribute(["Sofia Lind's expense in September for training was 650 euros."], shown, asked)
    assert spent.doubts == () and spent.undoubted is None  # nothing lowered its score
    (october,) = attributor.attribute(["Sofia Lind spent 650 euros in October."], shown, "When did Sofia spend it?")
    assert october.doubts == ("October is in no source",)


def test_a_row_of_another_value_than_the_question_names_is_doubted(attributor: Attributor) -> None:
    # "Did anyone approve Ravi Menon's meal expense?" of an expense sheet: the 1.5B model answered "Yes, Julia Brandt
    # approved Ravi Menon's meal expense." of his travel row, which was quoted for it; his meals row has no approver
    rows = (
        "date: 2026-07-03; employee: Ravi Menon; category: travel; amount_eur: 412.50; approved_by: Julia Brandt\n"
        "date: 2026-08-02; employee: Ravi Menon; category: meals; amount_eur: 46.20"
    )
    shown = [Passage("expenses.csv", 2, 3, 0, rows, 0.9)]
    asked = "Did anyone approve Ravi Menon's meal expense?"
    (meal,) = attributor.attribute(["Yes, Julia Brandt approved Ravi Menon's meal expense."], shown, asked)
    assert meal.doubts == ('the source says "category: travel"',) and meal.score < 0.5
    asked = "Who approved Ravi Menon's travel expense?"
    (travel,) = attributor.attribute(["Julia Brandt approved Ravi Menon's travel expense."], shown, asked)
    assert travel.doubts == () and travel.score >= 0.5


def test_a_second_source_is_of_the_cited_lines_document(attributor: Attributor) -> None:
    # "The Kestrel Road 2 costs 1780 euros." was cited to its CSV row and, for "costs ... euros", to a travel
    # policy's "Hotel rooms may cost up to 140 euros a night, ..."
    row = "model: Kestrel Road 2; type: road; price_eur: 1780; stock: 6; colour: red"
    hotel = "Hotel rooms may cost up to 140 euros a night, or 190 euros in London."
    shown = [Passage("bikes.csv", 6, 6, 0, row, 0.9), Passage("travel.md", 14, 14, 0, hotel, 0.8)]
    (price,) = attributor.attribute(["The Kestrel Road 2 costs 1780 euros."], shown, "How much is the Kestrel Road 2?")
    assert price.citation.file == "bikes.csv" and price.also is None
    # within one document, a second source still completes a sentence (as "It intends to carefully monitor")
    same = [Passage("bikes.csv", 6, 6, 0, row, 0.9), Passage("bikes.csv", 9, 9, 200, "Prices cost euros each.", 0.8)]
    (price,) = attributor.attribute(["The Kestrel Road 2 costs 1780 euros."], same, "How much is the Kestrel Road 2?")
    assert price.also is not None and price.also.start_line == 9


def test_a_denial_in_the_lines_own_verb_says_no_to_a_question_asked_with_get(attributor: Attributor) -> None:
    # the office postmortem: "Did customers get vouchers?" was declined twice; the line denies "compensate"
    line = "We decided not to compensate customers with vouchers; the retry rate was high enough."
    passages = [Passage("incident.md", 54, 54, 0, line, 0.9)]
    no = attributor.saying_no("Did customers get vouchers?", passages)
    assert no is not None and no.citation.quote == line
    assert attributor.saying_no("Were customers given vouchers?", passages) is not None
    # every other word it asks must be in the denied clause: the line says nothing of refunds
    assert attributor.saying_no("Did customers get refunds?", passages) is None
    assert attributor.saying_no("Did customers like the vouchers?", passages) is None  # a verb of its own


def test_an_absent_field_says_no_to_whether_they_were_there(attributor: Attributor) -> None:
    # the clinic's board minutes: "Was trustee Omar Haddad at the board meeting?" was withheld ("Absent:" denied
    # nothing to the checks); a label's denial runs on through its value
    minutes = (
        "Present: chair Dr. Samuel Achterberg, trustees Paul Nkemelu and Greta Lindholm.\n"
        "Absent: trustee Omar Haddad (travelling)."
    )
    passages = [Passage("minutes.txt", 3, 4, 0, minutes, 0.9)]
    no = attributor.saying_no("Was trustee Omar Haddad at the board meeting?", passages)
    assert no is not None and no.citation.quote.startswith("Absent:")
    assert attributor.saying_no("Was trustee Paul Nkemelu at the board meeting?", passages) is None
    (there,) = attributor.attribute(["Trustee Omar Haddad was at the board meeting."], passages)
    assert there.doubts == ('the source says "absent trustee"',)
    # only a label's: a denial's clause before a colon is its own ("There is no lift: ..." denies the lift)
    (lift,) = attributor.attribute(
        ["There is a lift."], [Passage("flat.txt", 2, 2, 0, "There is no lift: the building has a cellar.", 0.9)]
    )
    assert lift.doubts == ('the source says "no lift"',)


def test_an_author_field_says_who_wrote_it(attributor: Attributor) -> None:
    # "Who wrote the postmortem?" of a postmortem's "Author: Priya Raman (site reliability)." was withheld: the
    # 1.5B model's "Priya Raman wrote the postmortem." matched that line at 0.49, no word of "wrote" in it
    assert attributor.terms("Priya Raman wrote it.") == attributor.terms("Author: Priya Raman.")
    assert attributor.terms("She authored the report.") == attributor.terms("She wrote the report.")


def test_a_sentence_that_gathers_a_list_is_cited_to_the_list_and_one_item_to_its_line(attributor: Attributor) -> None:
    """Regression: "The ingredients of the sourdough are 900 g bread flour, ... and 20 g salt." matched its
    best item at 0.18 and was withheld; the five items, on lines one after another, are cited as one."""
    text = (
        "# Country sourdough\n\nMakes two loaves.\n\n## Ingredients\n\n- 900 g bread flour\n- 100 g whole wheat flour\n"
        "- 750 g water at 30 degrees\n- 200 g active starter\n- 20 g salt\n\n## Method\n\nMix the flours."
    )
    shown = [Passage("sourdough.md", 1, 15, 0, text, 0.9)]
    gathers, salt = attributor.attribute(
        [
            "The ingredients are 900 g bread flour, 100 g whole wheat flour, 750 g water at 30 degrees, 200 g active "
            "starter, and 20 g salt.",
            "The dough takes 20 g salt.",
        ],
        shown,
    )
    listed = gathers.citation
    assert (listed.start_line, listed.end_line) == (7, 11) and gathers.score >= 0.5 and not gathers.doubts
    assert text[listed.start_char : listed.end_char] == listed.quote == "\n".join(text.splitlines()[6:11])
    assert (salt.citation.start_line, salt.citation.end_line, salt.citation.quote) == (11, 11, "- 20 g salt")
    # one that gathers the first three is cited to those three
    (three,) = attributor.attribute(
        ["It takes 900 g bread flour, 100 g whole wheat flour and 750 g water at 30 degrees."], shown
    )
    assert (three.citation.start_line, three.citation.end_line) == (7, 9)
    assert text[three.citation.start_char : three.citation.end_char] == three.citation.quote
    assert three.citation.quote.endswith("- 750 g water at 30 degrees")


def test_a_line_that_says_a_questions_word_in_its_opposite_says_no(attributor: Attributor) -> None:
    # Asked "Do prices include VAT?" of a price list, the 1.5B model answered "Yes, prices exclude VAT."
    prices = "Starter: 9 euros a month.\nAll plans include daily backups.\nPrices exclude VAT.\nSmoking is forbidden."
    passages = [Passage("pricing.md", 1, 4, 0, prices, 0.9)]
    no = attributor.saying_no("Do prices include VAT?", passages)
    assert no is not None and no.citation.quote == "Prices exclude VAT."
    assert attributor.saying_no("Is smoking allowed?", passages).citation.start_line == 4
    assert attributor.saying_no("Do all plans include daily backups?", passages) is None  # its line says yes
    assert attributor.saying_no("Do prices exclude VAT?", passages) is None


def test_a_sentence_that_names_a_row_the_table_lacks_is_gainsaid_by_the_row_it_is_cited_to(
    attributor: Attributor,
) -> None:
    # Asked "How much does the Enterprise plan cost?" of a price table with no such plan, the 1.5B model answered
    # "The Enterprise plan costs 99 euros per month." from the Business row, and the verifier let it through
    table = (
        "Plan: Starter; Price per month: 9 euros; Storage: 50 GB\n"
        "Plan: Business; Price per month: 99 euros; Storage: 2 TB"
    )
    shown = [Passage("pricing.md", 1, 2, 0, table, 0.9)]
    other, own = attributor.attribute(
        ["The Enterprise plan costs 99 euros per month.", "The Business plan costs 99 euros per month."], shown
    )
    assert other.citation.start_line == 2 and other.doubts == ('the source says "Plan: Business"',)
    assert other.score < 0.5 <= other.undoubted
    assert own.citation.start_line == 2 and not own.doubts and own.score >= 0.5


def test_a_name_the_question_asks_of_and_no_passage_holds_is_doubted_where_the_answer_says_it(
    attributor: Attributor,
) -> None:
    # squad-dev's v2::Scottish_Parliament::12::q5 asks what sits on Fridays of a parliament that sits on Thursdays:
    # the 1.5B model answered "Parliament typically sits Tuesdays, Wednesdays, and Fridays ..." (0.95)
    shown = [Passage("sp.txt", 13, 13, 0, "Parliament typically sits Tuesdays, Wednesdays and Thursdays.", 0.9)]
    asked = "What typically sits Tuesdays, Wednesdays, and Fridays?"
    (fridays,) = attributor.attribute(["Parliament typically sits Tuesdays, Wednesdays, and Fridays."], shown, asked)
    assert fridays.doubts == ("“Fridays” is in no source",) and fridays.score < 0.5 <= fridays.undoubted
    # one the passages hold, or one the question does not ask of, is not doubted so
    (held,) = attributor.attribute(["Parliament sits Tuesdays."], shown, "What sits Tuesdays?")
    assert not held.doubts
    (unasked,) = attributor.attribute(["Parliament sits Thursdays, as in Fridays."], shown, "When does it sit?")
    assert "“Fridays” is in no source" not in unasked.doubts


def test_a_word_put_in_the_place_of_the_lines_own_is_doubted(attributor: Attributor) -> None:
    # Asked "What insurance does the client hold?" of a cleaning contract, the 1.5B model put the question's client in
    # the contractor's place, and "nitrile gloves" of the line before in the place of the cryo gloves
    contract = (
        "5. The client provides hand soap.\n6. The contractor holds public liability insurance of 2 million euros."
    )
    shown = [Passage("contract.txt", 9, 10, 0, contract, 0.9)]
    asked = "What insurance does the client hold?"
    (client,) = attributor.attribute(["The client holds public liability insurance of 2 million euros."], shown, asked)
    assert client.citation.start_line == 10 and client.doubts == ('the source says "contractor holds"',)
    assert client.score < 0.5 <= client.undoubted
    (own,) = attributor.attribute(["The contractor holds public liability insurance."], shown, asked)
    assert not own.doubts and own.score >= 0.5
    safety = (
        "Chloroform is toxic: wear nitrile gloves.\nLiquid nitrogen causes burns; wear a face shield and cryo gloves."
    )
    shown = [Passage("protocol.txt", 19, 20, 0, safety, 0.9)]
    asked = "What protective equipment is needed for liquid nitrogen?"
    (nitrile,) = attributor.attribute(["Nitrile gloves are needed for liquid nitrogen."], shown, asked)
    assert nitrile.citation.start_line == 20 and nitrile.doubts == ('the source says "cryo gloves"',)
    # another verb, or another name, is the same said otherwise
    shown = [Passage("sb.txt", 1, 1, 0, "Denver leads the league. Tesla proceeded to do experiments.", 0.9)]
    supports = attributor.attribute(["The Broncos lead the league.", "Tesla began to do experiments."], shown)
    assert not any(s.doubts for s in supports)


def test_a_word_of_one_thing_the_line_tells_apart_put_on_the_other_is_doubted(attributor: Attributor) -> None:
    # Asked "Were the front brake pads replaced?" of a bike's repair log, the 1.5B model answered yes from a line
    # that has the rear pads replaced and the front ones fine: every word is on the line
    log = "3 November: rear brake pads replaced; the front pads were still fine.\n10 November: the chain snapped."
    shown = [Passage("repairs.txt", 3, 4, 0, log, 0.9)]
    asked = "Were the front brake pads replaced?"
    (front,) = attributor.attribute(["Yes, the front brake pads were replaced on November 3rd."], shown, asked)
    assert front.citation.start_line == 3 and front.doubts == ('the source says "rear brake"',)
    assert front.score < 0.5 <= front.undoubted
    (rear,) = attributor.attribute(["The rear brake pads were replaced; the front pads were fine."], shown, asked)
    assert not rear.doubts and rear.score >= 0.5
    # and a clause's own word swapped for the one the line's other clause is of
    warranty = "The warranty on the motor runs until June 2028; the battery warranty ended in October 2026."
    shown = [Passage("repairs.txt", 9, 9, 0, warranty, 0.9)]
    asked = "When did the motor warranty end?"
    (motor,) = attributor.attribute(["The motor warranty ended in October 2026."], shown, asked)
    assert motor.doubts == ('the source says "battery warranty"',) and motor.score < 0.5
    (own,) = attributor.attribute(["The motor warranty runs until June 2028."], shown, asked)
    assert not own.doubts and own.score >= 0.5


def test_an_faqs_answer_is_matched_as_read_with_its_question_and_shown_to_the_verifier_under_it(
    attributor: Attributor,
) -> None:
    # "When must allergies be reported?" was answered "Allergies must be reported by 1 September.", cited to the FAQ's
    # question line (0.37), and withheld: its answer's line does not say "allergies"
    faq = (
        "**What if my child has allergies?**\n"
        "Tell the school office by 1 September; the hostel cooks nut-free meals on request.\n\n"
        "**Are mobile phones allowed?**\n"
        "Phones are collected each evening."
    )
    shown = [Passage("trip-faq.md", 18, 22, 0, faq, 0.9)]
    asked = "When must allergies be reported?"
    (said,) = attributor.attribute(["Allergies must be reported by 1 September."], shown, asked)
    alone = [replace(shown[0], start_line=19, text=faq[37:])]  # the same lines without the question
    (unasked,) = attributor.attribute(["Allergies must be reported by 1 September."], alone, asked)
    assert said.citation.start_line == unasked.citation.start_line == 19
    assert said.score > unasked.score + 0.1  # read with its question, the line matches better
    leads = attributor.lead_ins(shown)
    assert leads[said.citation] == "[What if my child has allergies?]"
    assert [leads.get(c) for c in attributor.candidates(shown) if c.start_line == 22] == [
        "[Are mobile phones allowed?]"
    ]
    # a question asked within a line is no FAQ's
    assert not attributor.answering([Passage("n.txt", 1, 1, 0, "Why? Tell the office by 1 September.", 0.9)])


OCTOBER = Passage(
    "board-minutes-2026-10.md", 17, 19, 600,
    "## 2. Roof repair\n\nOne quote came to 61,500 euros. The decision was postponed to the November meeting.",
    0.9, title="Library Board — Minutes, 14 October 2026",
)  # fmt: skip
NOVEMBER = Passage(
    "board-minutes-2026-11.md", 9, 9, 300, "Kalm Roofing was chosen; work starts in March.", 0.8,
    title="Library Board — Minutes, 11 November 2026",
)  # fmt: skip


def test_a_line_of_another_edition_than_the_one_the_question_names_is_doubted(attributor: Attributor) -> None:
    # Asked "What did the board decide in November about the roof?" with both months' minutes shown, the 1.5B model
    # answered from October's, and the verifier let it through: every word is on October's line
    asked = "What did the board decide in November about the roof?"
    said = "The board decided to postpone the decision on the roof repair until the November meeting."
    (october,) = attributor.attribute([said], [OCTOBER, NOVEMBER], asked)
    assert october.citation.file == "board-minutes-2026-10.md"
    assert october.doubts == ("the question asks of “Library Board — Minutes, 11 November 2026”",)
    assert october.score < 0.5 <= october.undoubted
    # asked of no month, or of October, it stands; a second try reads November's passage
    (unnamed,) = attributor.attribute([said], [OCTOBER, NOVEMBER], "What did the board decide about the roof?")
    assert not unnamed.doubts and unnamed.score >= 0.5
    (named,) = attributor.attribute([said], [OCTOBER, NOVEMBER], "What did the board decide in October?")
    assert not named.doubts
    assert attributor.closest(asked, [OCTOBER, NOVEMBER]) == NOVEMBER
    assert attributor.closest("Was the roof decision postponed?", [OCTOBER, NOVEMBER]) == OCTOBER


def test_a_sentence_naming_another_edition_than_its_lines_is_doubted(attributor: Attributor) -> None:
    # "What changed in the default cache size between 4.1 and 4.2?" was answered "The default cache size was raised
    # from 128 MB to 256 MB in Tidewater 4.2." from 4.1's notes; the question names both
    old = Passage("release-notes-4.1.txt", 10, 10, 0, "The default cache size was raised from 128 MB to 256 MB.", 0.9)
    new = Passage("release-notes-4.2.txt", 12, 12, 0, "Dark mode follows the system's setting.", 0.8)
    asked = "What changed in the default cache size between 4.1 and 4.2?"
    said = "The default cache size was raised from 128 MB to 256 MB in Tidewater 4.2."
    (misnamed,) = attributor.attribute([said], [old, new], asked)
    assert misnamed.doubts == ("the source is “release-notes-4.1.txt”, not “release-notes-4.2.txt”",)
    assert misnamed.score < 0.5 <= misnamed.undoubted
    (own,) = attributor.attribute([said.replace("4.2", "4.1")], [old, new], asked)
    assert not own.doubts and own.citation.file == "release-notes-4.1.txt"


def test_a_line_that_mentions_the_edition_the_question_names_answers_what_it_says_of_it(
    attributor: Attributor,
) -> None:
    # "What was postponed to the November meeting?" asks what October's minutes say of November's meeting, of which
    # November's minutes say nothing
    asked = "What was postponed to the November meeting?"
    (postponed,) = attributor.attribute(
        ["The decision was postponed to the November meeting."], [OCTOBER, NOVEMBER], asked
    )
    assert postponed.citation.file == "board-minutes-2026-10.md" and not postponed.doubts


def test_a_post_a_line_gives_another_is_no_second_source_and_doubts_the_answer_that_gives_it_away(
    attributor: Attributor,
) -> None:
    # Asked "Who is Jonas Weber?" of an incident report, the 1.5B model answered "Jonas Weber was the on-call engineer
    # who raised the connection pool limit from 50 to 200.", cited to the line he raised it on and, for "on-call
    # engineer", to "The on-call engineer, Sofia Brandt, was paged."
    timeline = (
        "14:12 The on-call engineer, Sofia Brandt, was paged.\n"
        "14:40 The team rolled back the traffic migration, which did not help.\n"
        "15:05 Jonas Weber raised the connection pool limit from 50 to 200."
    )
    shown = [Passage("incident.txt", 9, 11, 0, timeline, 0.9)]
    said = "Jonas Weber was the on-call engineer who raised the connection pool limit from 50 to 200."
    (wrong,) = attributor.attribute([said], shown, "Who is Jonas Weber?")
    assert wrong.citation.start_line == 11 and wrong.also is None
    assert wrong.doubts == ('a source says "engineer, Sofia Brandt"',) and wrong.score < 0.5
    (right,) = attributor.attribute(["Sofia Brandt was the on-call engineer."], shown, "Who was the on-call engineer?")
    assert right.citation.start_line == 9 and not right.doubts


def test_a_line_naming_someone_by_a_pronoun_matches_as_read_with_the_names_before_it(attributor: Attributor) -> None:
    # "What is his phone number?" after "Who is the coordinator?": the 1.5B model answered "Tom Becker's phone number
    # is 0161 555 0199." of "The coordinator is Tom Becker. Call him on 0161 555 0199 for swaps.", cited to the
    # coordinator's sentence at 0.43 and withheld
    rota = "The coordinator is Tom Becker. Call him on 0161 555 0199 for swaps.\nThe warehouse opens at 9:00."
    shown = [Passage("rota.txt", 10, 11, 0, rota, 0.9)]
    (phone,) = attributor.attribute(["Tom Becker's phone number is 0161 555 0199."], shown)
    assert phone.citation.quote == "Call him on 0161 555 0199 for swaps." and phone.score >= 0.5
    # a line that names someone of its own is read as it is: its year is not the sentence before's
    tesla = "In 1882, Tesla began working for Continental Edison. In 1884, he moved to New York."
    (moved,) = attributor.attribute(
        ["In 1884, Tesla began working for Continental Edison."], [Passage("t.txt", 1, 1, 0, tesla, 0.9)]
    )
    assert moved.citation.quote.startswith("In 1882")


def test_a_line_nearly_as_near_that_states_the_sentences_number_is_cited_in_place_of_one_stating_others(
    attributor: Attributor,
) -> None:
    # "How often do trains run at weekends?" of a service notice: "Trains run every 30 minutes on weekends." was
    # nearest the weekday line (0.66), which says 20 and 15, and withheld for it ('30 is not in the line cited')
    notice = (
        "From 12 December, trains on line S4 run every 20 minutes instead of every 15 minutes on weekdays.\n"
        "Weekend service is unchanged: every 30 minutes."
    )
    shown = [Passage("notice.md", 3, 4, 0, notice, 0.9)]
    (weekend,) = attributor.attribute(["Trains run every 30 minutes on weekends."], shown)
    assert weekend.citation.start_line == 4 and weekend.doubts == ()
    # one that states the number and no word the nearest lacks is not taken so: the nearest's doubt stands
    (weekday,) = attributor.attribute(["Trains run every 30 minutes on weekdays."], shown)
    assert weekday.citation.start_line == 3 and weekday.doubts == ("30 is not in the line cited",)


def test_a_limit_is_no_denial_and_a_name_in_place_of_nobody_is_doubted(attributor: Attributor) -> None:
    # "How many shifts may a volunteer work per week?" of a rota: "A volunteer may work up to two shifts a week." was
    # withheld, "Nobody may work more than two shifts" read as saying no to it; asked again, the 1.5B model put the
    # coordinator in place of "Nobody"
    rota = "The coordinator is Tom Becker.\nNobody may work more than two shifts a week without asking the coordinator."
    shown = [Passage("rota.txt", 10, 11, 0, rota, 0.9)]
    asked = "How many shifts may a volunteer work per week?"
    (limit,) = attributor.attribute(["A volunteer may work up to two shifts a week."], shown, asked)
    assert limit.citation.start_line == 11 and limit.doubts == ()
    (named,) = attributor.attribute(["Tom Becker may work up to two shifts a week."], shown, asked)
    assert named.doubts == ('the source says "Nobody may"',) and named.score < 0.5
