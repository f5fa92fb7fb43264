"""The same question, the same answer? The local model's readings of a prompt, resumed or read in full.

    python -m bench.read_alike [--questions 8]

Ingests the office example into a temporary data dir (model files shared with the default data
dir) and asks its first questions through the chat's own service, three times over: in order, the
same again (each prompt resumed from its kept state), then in reverse order after the model and
its prompt cache were emptied (each prompt resumed part-way from another's, or read in full). It
does so with the model reading prompts as llama-cpp-python does (``before``) and as the chat does
(``rag.llm.read_alike``), in one process. Prints each pass's answers and verdicts, then one JSON
line: per reading, how many of the questions got the same words and the same verifier verdict
(to the last digit) asked again and in reverse order as in order, and each pass's seconds; then the
median ratio of an answer's seconds, ``read_alike`` over ``before``, in order (prompts read in full)
and again (resumed): its cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rag.app import build
from rag.eval import load_questions
from rag.llm import llama_options, read_alike
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OFFICE = ROOT / "examples" / "office"
PASSES = ("in order", "again", "reversed")


def same(first: dict[str, tuple], other: dict[str, tuple]) -> dict[str, int]:
    """How many questions got the same words, and the same words and verdict, in ``other`` as in
    ``first`` (each: question -> (the model's reply, the verifier's verdict)).

    >>> same({"q": ("Paris. [1]", 0.81), "r": ("Rome.", 0.5)}, {"q": ("Paris. [1]", 0.8), "r": ("Rome.", 0.5)})
    {'words': 2, 'words_and_verdict': 1}
    """
    return {
        "words": sum(other[q][0] == reply for q, (reply, _) in first.items()),
        "words_and_verdict": sum(other[q] == answer for q, answer in first.items()),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", type=int, default=8)
    args = p.parse_args(argv)
    questions = [q.question for q in load_questions(OFFICE / "questions.jsonl") if q.answers][: args.questions]
    defaults = Settings()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = defaults.model_copy(
            update={"data_dir": Path(data_dir), "models_dir": defaults.model_files_dir, "llm_cache_dir": None}
        )  # fmt: skip
        app = build(settings)
        app.ingestor.ingest([OFFICE / "docs"])
        llama = app.llm._model
        answers: dict[str, dict[str, dict[str, tuple]]] = {}
        seconds: dict[tuple[str, str], list[float]] = {}
        for reading in ("before", "read_alike"):
            if reading == "before":
                del llama.eval  # llama-cpp-python's own, in its batches
                llama.n_batch = llama_options(settings)["n_batch"]
            else:
                read_alike(llama)
            for name in PASSES:
                if name != "again":  # nothing kept, nothing held: each prompt read in full or from another's
                    llama.cache.cache_state.clear()
                    llama.reset()
                for question in questions[::-1] if name == "reversed" else questions:
                    start = time.perf_counter()
                    answer = app.service.ask(question)
                    took = time.perf_counter() - start
                    evidence = answer.evidence
                    got = (evidence.raw, evidence.verified) if evidence is not None else (answer.text, None)
                    answers.setdefault(reading, {}).setdefault(name, {})[question] = got
                    seconds.setdefault((reading, name), []).append(took)
                    print(f"{reading}, {name}: {question!r} {took:.1f} s: {got}", file=sys.stderr)

    def ratio(name: str) -> float:
        pairs = zip(seconds["read_alike", name], seconds["before", name], strict=True)
        return round(statistics.median(a / b for a, b in pairs), 3)

    print(json.dumps({
        "questions": len(questions),
        **{reading: {name: same(passes["in order"], passes[name]) for name in PASSES[1:]}
           for reading, passes in answers.items()},
        "seconds": {f"{reading}, {name}": round(sum(s), 1) for (reading, name), s in seconds.items()},
        "s_ratio_read_alike_before_in_order": ratio("in order"),
        "s_ratio_read_alike_before_again": ratio("again"),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
