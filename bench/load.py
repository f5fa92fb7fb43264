"""Load: N concurrent chat sessions against a live server, through /api/ask.

    python -m bench.load [--sessions 1 4 16] [--questions-per-session 2] [--llm local]

Starts ``groundline serve`` on the sample corpus (real models) on a free
localhost port; every session asks its questions one after another. All
traffic stays on 127.0.0.1, each session is bounded in count, and the whole
run in time. A 503 "busy" is the bounded queue doing its job and is counted
apart from errors (anything else that is not 200). An answer that names
another question's expected fact but not its own counts as "crossed" (one
user's answer delivered to another). Ends with one JSON line per N.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTIONS = [  # (question, a fact only its answer should contain)
    ("who denied arms deals?", "north korea"),
    ("When will Putin arrive in Pyongyang?", "june 18"),
    ("Who is the coordinator of strategic communications at the National Security Council?", "kirby"),
    ("Who is the Russian Ambassador to Pyongyang?", "matsegora"),
]


def ask(url: str, question: str, timeout: float) -> tuple[int, float, str]:
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(f"{url}/api/ask", body, {"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, time.perf_counter() - start, json.load(resp).get("answer", "")
    except urllib.error.HTTPError as exc:
        return exc.code, time.perf_counter() - start, ""
    except OSError:
        return 0, time.perf_counter() - start, ""


def session(url: str, index: int, count: int, deadline: float) -> list[tuple[str, int, float, str]]:
    out = []
    for i in range(count):
        if time.monotonic() > deadline:
            break
        question, _ = QUESTIONS[(index + i) % len(QUESTIONS)]
        out.append((question, *ask(url, question, timeout=max(1.0, deadline - time.monotonic()))))
    return out


def crossed(question: str, answer: str) -> bool:
    facts = dict(QUESTIONS)
    text = answer.lower()
    own = facts[question] in text
    return not own and any(fact in text for q, fact in QUESTIONS if q != question and fact != facts[question])


def measure(url: str, sessions: int, per_session: int, budget_s: float) -> dict:
    deadline = time.monotonic() + budget_s
    start = time.perf_counter()
    with ThreadPoolExecutor(sessions) as pool:
        results = [r for rs in pool.map(lambda i: session(url, i, per_session, deadline), range(sessions)) for r in rs]
    wall = time.perf_counter() - start
    ok = [r for r in results if r[1] == 200]
    latencies = sorted(r[2] for r in ok)
    return {
        "requests": len(results),
        "ok": len(ok),
        "busy_503": sum(r[1] == 503 for r in results),
        "errors": sum(r[1] not in (200, 503) for r in results),
        "crossed": sum(crossed(q, a) for q, _, _, a in ok),
        "throughput_rps": round(len(ok) / wall, 3),
        "p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * (len(latencies) - 1) + 0.5))], 2)
        if latencies
        else None,
        "wall_s": round(wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--questions-per-session", type=int, default=2)
    p.add_argument("--budget-s", type=float, default=600, help="time limit for each N")
    p.add_argument("--llm", default="local")
    p.add_argument("--port", type=int, default=7871)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "GROUNDLINE_DATA_DIR": data_dir,
            "GROUNDLINE_LLM": args.llm,
            "GROUNDLINE_RATE_LIMIT_PER_MINUTE": "0",  # one address here: measure capacity, not the rate limit
            "GROUNDLINE_MAX_PENDING_PER_CLIENT": "0",  # nor one address's share of the queue
            "GROUNDLINE_LLM_CACHE_MB": "0",  # every answer in full: the 4 questions repeat (bench.prompt_cache)
        }
        subprocess.run([str(BIN / "groundline"), "ingest", str(ROOT / "examples" / "news")], env=env, check=True,
                       capture_output=True)  # fmt: skip
        server = subprocess.Popen([str(BIN / "groundline"), "serve", "--port", str(args.port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        url = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(1)
            ask(url, QUESTIONS[0][0], timeout=300)  # warm up: model loaded, caches filled
            report = {}
            for n in args.sessions:
                report[str(n)] = measure(url, n, args.questions_per_session, args.budget_s)
                print(f"N={n}: {report[str(n)]}", file=sys.stderr)
            alive = urllib.request.urlopen(f"{url}/healthz", timeout=5).status == 200
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps({"sessions": report, "server_alive_after": alive, "llm": args.llm}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
