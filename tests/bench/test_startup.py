"""bench.startup: its summary, and that its two variants differ only in building the model first."""

from bench.startup import BUILD, summary


def test_the_summary_is_each_variants_median_and_their_ratio():
    out = summary({"shipped": [1.0, 3.0, 2.0], "baseline": [4.0, 4.0, 5.0]})
    assert out == {"shipped_s": 2.0, "baseline_s": 4.0, "ratio": 0.5, "rounds": 3}


def test_only_the_baseline_builds_the_model_before_the_service():
    lines = [line.strip() for line in BUILD.splitlines()]
    assert lines.index('if sys.argv[2] == "baseline":') + 1 == lines.index("app.llm")
    assert lines.index("app.llm") < lines.index("app.service")
