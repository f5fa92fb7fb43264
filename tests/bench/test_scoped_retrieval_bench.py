"""bench.scoped_retrieval at a toy size: questions over everything, then within files."""

from bench.scoped_retrieval import main


def test_the_scoped_retrieval_bench_times_questions_within_files() -> None:
    (row,) = main(["--copies", "2", "--articles", "2", "--questions", "3", "--repeat", "1"])
    assert row["chunks"] > 0 and row["questions"] == 3 and row["passages_within"]
    assert row["all_s"] > 0 and row["own_file_ratio"] > 0 and row["half_files_ratio"] > 0
