"""bench.long_lines: both ways of counting a piece's line make the same chunks, and the bench says so."""

from bench.long_lines import chunks, main


def test_the_bench_reports_both_variants_and_that_they_chunk_alike(capsys) -> None:
    (result,) = main(["--kb", "20", "--repeat", "1"])
    assert result["same_chunks"] and result["chunks"] > 10
    assert set(result) == {"kb", "chunks", "shipped_s", "baseline_s", "ratio", "same_chunks"}
    assert capsys.readouterr().out.count("\n") == 1  # one JSON line per size


def test_the_long_line_keeps_its_line_number_and_the_lines_around_it_theirs() -> None:
    made = chunks("Before.\n" + "Lighthouses are tall. " * 500 + "\nAfter.\n")
    assert made[0][1] == 1 and made[-1][2] == 3  # the first chunk opens on line 1, the last ends on line 3
    assert all(start <= 2 <= end for _, start, end, _, _ in made)  # every chunk holds some of line 2
