"""The local LLM's prompt cache: a question asked again, with the cache off and on, in one process.

    python -m bench.prompt_cache [--llm local] [--cache-mb 1024]

Ingests the sample corpus into a temporary data dir (model files shared with
the default data dir), then asks each question twice with the cache off and
twice with it on, through the chat's own service. Prints each ask's seconds
and the prompt tokens llama.cpp evaluated, then the ratios "on / off" for
first asks (the cost of keeping each prompt's state) and for repeats (what
the cache saves), the memory one kept prompt takes, and the process's
resident memory after each half.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.load import QUESTIONS
from rag.app import build
from rag.prompt_cache import PromptCache
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def timed(app, llama, question: str) -> tuple[float, int]:
    """Seconds for one answer and the prompt tokens the model read for it."""
    import llama_cpp

    llama_cpp.llama_perf_context_reset(llama._ctx.ctx)
    start = time.perf_counter()
    app.service.ask(question)
    return time.perf_counter() - start, llama_cpp.llama_perf_context(llama._ctx.ctx).n_p_eval


def rss_mb() -> float:
    """This process's resident memory (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--llm", default="local", choices=["local", "local-small"])
    p.add_argument("--cache-mb", type=int, default=Settings.model_fields["llm_cache_mb"].default)
    args = p.parse_args(argv)
    defaults = Settings()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = defaults.model_copy(
            update={"data_dir": Path(data_dir), "models_dir": defaults.model_files_dir, "llm": args.llm,
                    "llm_cache_mb": 0}
        )  # fmt: skip
        app = build(settings)
        app.ingestor.ingest([ROOT / "examples" / "news"])
        llama = app.llm._model
        app.service.ask("warm up: is the model loaded?")
        rows, rss = {}, {}
        for mode in ("off", "on"):
            if mode == "on":
                llama.set_cache(PromptCache(capacity_bytes=args.cache_mb << 20))
            for question, _ in QUESTIONS:
                first, again = timed(app, llama, question), timed(app, llama, question)
                rows.setdefault(question, {})[mode] = {"first": first, "again": again}
                print(f"cache {mode}: {question!r}: {first[0]:.1f} s ({first[1]} prompt tokens), "
                      f"again {again[0]:.1f} s ({again[1]})", file=sys.stderr)  # fmt: skip
            rss[mode] = round(rss_mb())
        kept = len(llama.cache.cache_state)

    def ratio(ask: str) -> float:
        return statistics.median(r["on"][ask][0] / r["off"][ask][0] for r in rows.values())

    print(json.dumps({
        "llm": args.llm,
        "questions": len(rows),
        "first_ask_ratio_on_off": round(ratio("first"), 3),
        "repeat_ratio_on_off": round(ratio("again"), 3),
        "repeat_s_off": round(statistics.median(r["off"]["again"][0] for r in rows.values()), 2),
        "repeat_s_on": round(statistics.median(r["on"]["again"][0] for r in rows.values()), 2),
        "repeat_prompt_tokens_off": statistics.median(r["off"]["again"][1] for r in rows.values()),
        "repeat_prompt_tokens_on": statistics.median(r["on"]["again"][1] for r in rows.values()),
        "mb_per_kept_prompt": round(llama.cache.cache_size / max(kept, 1) / 2**20, 1),
        "kept_prompts": kept,
        "rss_mb_after_off": rss["off"],
        "rss_mb_after_on": rss["on"],
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
