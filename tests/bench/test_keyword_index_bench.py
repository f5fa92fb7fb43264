"""bench.keyword_index at a toy size: a build, then a load of what it kept, on one store."""

from bench.keyword_index import main


def test_the_keyword_index_bench_builds_then_loads_what_it_kept() -> None:
    (row,) = main(["--copies", "1", "--articles", "2", "--repeat", "1"])
    assert row["chunks"] > 0 and row["kept_mb"] > 0
    assert row["build_s"] > 0 and row["load_s"] > 0 and row["load_ratio"] > 0
