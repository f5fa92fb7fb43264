"""llama.cpp's options for the local model, on the prompts the chat gives it: time and agreement.

    python -m bench.llm_options [--questions 6] [--rounds 1] [--variants shipped flash flash-q8]

Each variant is the packaged model loaded with other ``llama_cpp.Llama`` options beside the
shipped ones (``rag.llm``). The prompts are those of recorded eval answers (the shipped prompt
over the passages the model was shown, ``bench/results/records-ours.jsonl``): each is answered
in full (as the chat samples: greedy, the shipped stop words and repetition penalty) and its
verifier's question asked, by every variant in turn, the state reset before each so that none
resumes another's prompt. Prints, per variant, the median time of an answer and of a verdict
against the shipped options' (ratios: this machine is noisy, so the variants take turns
question by question), how many answers are word for word the shipped ones' and how far the
verifier's probability of yes moves; then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.eval import read_records
from rag.eval import load_questions
from rag.eval_run import from_record
from rag.llm import SAMPLING, llama_options
from rag.models import QWEN_15B, ensure_model
from rag.prompts import answer_messages, chatml
from rag.settings import Settings
from rag.verification import LlamaCppJudge, cited_quotes, verify_messages

HERE = Path(__file__).parent
GGML_TYPE_Q8_0 = 8
VARIANTS = {
    "shipped": {},
    "flash": {"flash_attn": True},
    "flash-q8": {"flash_attn": True, "type_k": GGML_TYPE_Q8_0, "type_v": GGML_TYPE_Q8_0},
    "ubatch-1024": {"n_batch": 1024, "n_ubatch": 1024},
    "batch-128": {"n_batch": 128, "n_ubatch": 128},
}


def prompts(records: Path, questions: Path, count: int) -> list[tuple[str, str, list[str]]]:
    """The first ``count`` recorded test answers: (the answer's prompt, the question, the quotes the
    verifier is shown)."""
    known = {q.id: q for q in load_questions(questions)}
    out = []
    for record in read_records(records):
        o = from_record(record, known)
        evidence = o.reply.evidence if o.reply is not None else None
        if record["split"] != "test" or evidence is None or not evidence.supports:
            continue
        question = o.question.question
        out.append((chatml(answer_messages(question, evidence.passages)), question, cited_quotes(evidence.supports)))
        if len(out) == count:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--variants", nargs="+", default=["shipped", "flash", "flash-q8"], choices=list(VARIANTS))
    parser.add_argument("--records", type=Path, default=HERE / "results" / "records-ours.jsonl")
    parser.add_argument("--questions-file", type=Path, default=HERE / "squad-dev" / "questions.jsonl")
    args = parser.parse_args(argv)
    import llama_cpp

    settings = Settings()
    path = ensure_model(QWEN_15B, settings.model_files_dir)
    names = ["shipped"] + [v for v in args.variants if v != "shipped"]
    models = {
        name: llama_cpp.Llama(
            model_path=str(path),
            n_ctx=settings.context_window,
            verbose=False,
            **(llama_options(settings) | VARIANTS[name]),
        )  # fmt: skip
        for name in names
    }
    judges = {name: LlamaCppJudge(llama) for name, llama in models.items()}
    cases = prompts(args.records, args.questions_file, args.questions)
    answer_s: dict[str, list[float]] = {n: [] for n in names}
    verdict_s: dict[str, list[float]] = {n: [] for n in names}
    texts: dict[str, list[str]] = {n: [] for n in names}
    yes: dict[str, list[float]] = {n: [] for n in names}
    for round_ in range(args.rounds):
        for i, (prompt, question, quotes) in enumerate(cases):
            for name in names if (i + round_) % 2 == 0 else names[::-1]:  # each goes first as often
                llama = models[name]
                llama.reset()
                start = time.perf_counter()
                reply = llama.create_completion(
                    prompt, max_tokens=settings.max_answer_tokens, temperature=0.0, **SAMPLING
                )
                answer_s[name].append(time.perf_counter() - start)
                llama.reset()
                start = time.perf_counter()
                p_yes = judges[name](verify_messages(question, quotes))
                verdict_s[name].append(time.perf_counter() - start)
                if round_ == 0:
                    texts[name].append(reply["choices"][0]["text"])
                    yes[name].append(p_yes)
            print(f"round {round_ + 1}, question {i + 1}/{len(cases)}", flush=True)
    rows = {}
    base_answer, base_verdict = statistics.median(answer_s["shipped"]), statistics.median(verdict_s["shipped"])
    print("| options | answer p50 | ratio | verdict p50 | ratio | same answer | max change in P(yes) |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        answer, verdict = statistics.median(answer_s[name]), statistics.median(verdict_s[name])
        same = sum(a == b for a, b in zip(texts[name], texts["shipped"], strict=True))
        moved = max(abs(a - b) for a, b in zip(yes[name], yes["shipped"], strict=True))
        rows[name] = {
            "answer_p50_s": round(answer, 2), "answer_ratio": round(answer / base_answer, 3),
            "verdict_p50_s": round(verdict, 2), "verdict_ratio": round(verdict / base_verdict, 3),
            "same_answers": same, "max_yes_change": round(moved, 4),
        }  # fmt: skip
        r = rows[name]
        print(
            f"| {name} {VARIANTS[name] or ''} | {answer:.2f} s | {r['answer_ratio']} | {verdict:.2f} s | "
            f"{r['verdict_ratio']} | {same}/{len(cases)} | {moved:.4f} |"
        )
    print(json.dumps({"questions": len(cases), "rounds": args.rounds, "variants": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
