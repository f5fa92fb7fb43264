"""bench.keyword_index at a toy size: a build, then a load of what it kept, on one store."""

from bench.keyword_index import main


def test_the_keyword_index_bench_builds_then_loads_what_it_kept() -> None:
    (row,) = main(["--copies", "1", "--articles", "2", "--repeat", "1", "--questions", "5"])
    assert row["chunks"] > 0 and row["kept_mb"] > 0
    assert row["build_s"] > 0 and row["load_s"] > 0 and row["load_ratio"] > 0
    assert row["same_rankings"] == "5/5" and 0 < row["held_ratio"] < 1  # slim chunks: less held, ranked alike
