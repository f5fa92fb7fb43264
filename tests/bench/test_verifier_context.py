"""bench.verifier_context: what the verifier variant is shown of each cited sentence."""

from bench.verifier_context import with_context
from rag.attribution import Attributor
from rag.types import Evidence, Passage
from tests.fakes import HashEmbedding

NEWS = (
    "Earlier, the FT reported that Kim is ready to conclude an arms deal with Putin. "
    "Pyongyang could offer ammunition and short-range missiles."
)


def test_a_cited_sentence_is_shown_after_the_one_before_it_in_its_passage() -> None:
    passages = [Passage("news.txt", 12, 12, 100, NEWS, 0.9), Passage("other.txt", 1, 1, 0, "Dogs bark at night.", 0.5)]
    attributor = Attributor(HashEmbedding())
    raw = "Pyongyang could offer ammunition and short-range missiles. Dogs bark at night."
    shown = with_context(attributor, Evidence("What could Pyongyang offer Putin?", passages, raw))
    assert shown == [NEWS, "Dogs bark at night."]  # a passage's first sentence has none before it
