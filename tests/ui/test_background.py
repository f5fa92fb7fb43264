"""A job run in the background on request, requests during a run joined into one (`ui.background`)."""

from __future__ import annotations

import threading

import pytest

from ui.background import Coalescing


def test_asks_during_a_run_make_one_more_run_not_one_each() -> None:
    started, release, runs = threading.Event(), threading.Event(), []

    def job() -> None:
        runs.append(len(runs) + 1)
        started.set()
        release.wait(30)

    work = Coalescing(job, "test-job")
    assert work.settled(0)  # nothing asked yet
    work.ask()
    assert started.wait(30) and not work.settled(0.05)
    for _ in range(3):  # while the first run is under way
        work.ask()
    release.set()
    assert work.settled(30)
    assert runs == [1, 2]
    work.ask()
    assert work.settled(30) and runs == [1, 2, 3]


def test_a_failing_run_is_logged_and_the_next_ask_runs_again(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the store went away")

    work = Coalescing(job, "flaky-job")
    work.ask()
    assert work.settled(30)
    assert "flaky-job failed" in caplog.text and "the store went away" in caplog.text
    work.ask()
    assert work.settled(30) and len(calls) == 2
