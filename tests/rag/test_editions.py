from rag.editions import Editions
from rag.types import Passage
from rag.wording import Wording


def passage(file: str, title: str | None = None) -> Passage:
    return Passage(file, 1, 1, 0, "Some line.", 0.5, title=title)


def test_release_notes_named_by_their_files_alone_are_editions_of_one_series() -> None:
    old, new = passage("release-notes-4.1.txt"), passage("release-notes-4.2.txt")
    editions = Editions(Wording())
    assert editions.named("What changed in 4.2?", [old, new]) == {"release-notes-4.1.txt": "release-notes-4.2.txt"}
    assert editions.named("What changed in version 4.1?", [old, new]) == {
        "release-notes-4.2.txt": "release-notes-4.1.txt"
    }
    assert editions.named("What changed in 4?", [old, new]) == {}  # a mark neither name holds whole
    assert editions.name("release-notes-4.2.txt", [old, new]) == "release-notes-4.2.txt"


def test_a_dated_file_name_names_its_month_and_a_quarter_its_report() -> None:
    editions = Editions(Wording())
    october, november = passage("minutes-2026-10.txt"), passage("minutes-2026-11.txt")
    assert editions.named("Who chaired the November meeting?", [october, november]) == {
        "minutes-2026-10.txt": "minutes-2026-11.txt"
    }
    q3, q4 = passage("report.pdf", "Sales report Q3 2025"), passage("report-q4.pdf", "Sales report Q4 2025")
    assert editions.named("What were Q4 sales?", [q3, q4]) == {"report.pdf": "report-q4.pdf"}
    assert editions.name("report-q4.pdf", [q3, q4]) == "Sales report Q4 2025"


def test_documents_whose_names_share_too_little_are_no_series() -> None:
    harbour = passage("harbour.md", "Northgate Harbour Authority: annual report 2025")
    clinic = passage("clinic.md", "Riverside Clinic: annual review 2024")
    assert Editions(Wording()).named("What did the 2025 review say?", [harbour, clinic]) == {}


def test_models_named_with_a_digit_are_editions_of_one_series() -> None:
    small, large = (
        passage("kettle-k200.md", "Kestrel K200 kettle manual"),
        passage("kettle-k300.md", "Kestrel K300 kettle manual"),
    )
    assert Editions(Wording()).named("What does the K300 hold?", [small, large]) == {"kettle-k200.md": "kettle-k300.md"}
