"""bench.docstore at a toy size: both stores hold every batch, and the ratios are printed."""

from bench.docstore import main


def test_the_docstore_bench_compares_both_stores_on_the_same_batches() -> None:
    (row,) = main(["--documents", "6", "--kb", "1", "--batch", "2", "--repeat", "2"])
    assert row["documents"] == 6 and row["batch"] == 2  # the bench asserts each store lists all 10 and reads one
    for op in ("save", "seen"):
        assert row[f"json_{op}_s"] > 0 and row[f"sqlite_{op}_s"] > 0
        assert row[f"{op}_ratio"] > 0
