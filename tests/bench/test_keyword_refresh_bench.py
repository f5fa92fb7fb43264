"""bench.keyword_refresh at a toy size: a write, then the index brought up to date."""

from bench.keyword_refresh import main


def test_the_keyword_refresh_bench_reads_only_the_written_chunks() -> None:
    (row,) = main(["--copies", "2", "--articles", "2", "--questions", "3", "--repeat", "2"])
    assert row["chunks"] > 0 and row["same_rankings"] and row["questions"] == 3
    assert 0 < max(row["chunks_read_after_a_write"]) < row["chunks"] and row["ratio"] > 0
    restarted = row["restarted_chunks_read"]  # a process started since: with the tokens kept, the write's alone
    assert max(restarted["kept tokens"]) < min(restarted["without"]) and row["restarted_ratio"] > 0
