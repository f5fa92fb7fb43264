"""bench.shared_store at a toy size, on a real ``chroma run``: both stores hold every batch, another
process (another machine's data dir, for the server) sees it, and the ratios are printed."""

from bench.shared_store import main


def test_the_shared_store_bench_compares_the_server_with_the_data_dir() -> None:
    (row,) = main(["--documents", "6", "--kb", "1", "--batch", "2", "--repeat", "2"])
    assert row["documents"] == 6 and row["batch"] == 2  # the bench asserts each lists all 10 and reads one
    for op, unit in (("save", "_s"), ("seen", "_s"), ("lookups", "_s_a_file")):
        assert row[f"sqlite_{op}{unit}"] > 0 and row[f"server_{op}{unit}"] > 0
        assert row[f"{op}_ratio"] > 0
