"""bench.damaged: damage stays past the header, and a few damaged files each give text or a skip."""

import random

from bench.damaged import HEADER, damaged, run


def test_damage_leaves_the_header_and_changes_or_cuts_the_rest():
    original = bytes(range(256)) * 40
    for seed in range(20):
        got = damaged(original, random.Random(seed))
        assert got[:HEADER] == original[:HEADER] and got != original


def test_each_damaged_file_gives_text_or_a_skip():
    for kind in ("doc", "ppt"):
        out = run(kind, files=6, seed=3)
        assert out["format"] == kind and out.get("text", 0) + out.get("skipped", 0) == 6
