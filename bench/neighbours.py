"""Does a passage next to a strong hit deserve part of its score? Chosen on dev, read off test.

    python -m bench.neighbours --data-dir D [--dev 600] [--limit 500]

Of the 16 test questions whose gold paragraph is outside the fused top 5, several have the
paragraph just before or after it at the top ("Who did Luther call on to stop the revolt?":
the revolt is told in paragraph 39, the answer is in 40). So after the shipped fusion each
chunk's score gains ``before`` × the fused score of the chunk preceding it in its file and
``after`` × that of the chunk following it (a chunk neither retriever found can enter that
way). Rankings come from ``bench.fusion`` (each retriever asked once a question); the grid
is then scored offline; rows sorted by dev hit@5, then dev MRR, as ``bench.fusion`` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bench.fusion import Rankings, arguments, print_table, ranked_splits, scored
from rag.eval import EvalQuestion
from rag.retrieval import Fusion, reciprocal_rank_fusion

BEFORE = (0.0, 0.1, 0.2, 0.3, 0.5)
AFTER = (0.0, 0.1, 0.2, 0.3, 0.5)
Span = tuple[str, int, int]  # file, start line, end line
SHIPPED = Fusion()


def neighbours(chunks: Sequence[tuple[str, Span]]) -> dict[str, tuple[str | None, str | None]]:
    """Each chunk id's predecessor and successor in its file, by lines.

    >>> neighbours([("b", ("f", 3, 4)), ("a", ("f", 1, 2)), ("c", ("g", 1, 1))])
    {'a': (None, 'b'), 'b': ('a', None), 'c': (None, None)}
    """
    by_file: dict[str, list[tuple[int, int, str]]] = {}
    for chunk_id, (file, start, end) in chunks:
        by_file.setdefault(file, []).append((start, end, chunk_id))
    out: dict[str, tuple[str | None, str | None]] = {}
    for row in by_file.values():
        ids = [chunk_id for _, _, chunk_id in sorted(row)]
        for i, chunk_id in enumerate(ids):
            out[chunk_id] = (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None)
    return dict(sorted(out.items()))


def smoothed(scores: dict[str, float], near: dict, before: float, after: float) -> list[tuple[str, float]]:
    """``scores`` (chunk id -> fused score) with each chunk's neighbours' shares added, best first.

    >>> smoothed({"a": 1.0}, {"a": (None, "b"), "b": ("a", None)}, 0.5, 0.0)
    [('a', 1.0), ('b', 0.5)]
    """
    out = dict(scores)
    for chunk_id, score in scores.items():
        previous, following = near.get(chunk_id, (None, None))
        if following is not None and before:  # this chunk precedes ``following``
            out[following] = out.get(following, 0.0) + before * score
        if previous is not None and after:  # this chunk follows ``previous``
            out[previous] = out.get(previous, 0.0) + after * score
    return sorted(out.items(), key=lambda kv: -kv[1])


def measure(
    questions: Sequence[EvalQuestion], ranked: Sequence[Rankings], spans: dict[str, Span], near: dict,
    before: float, after: float, fusion: Fusion = SHIPPED,
) -> dict[str, float]:  # fmt: skip
    """hit@4, hit@5 and MRR@5 after the shipped fusion and the neighbours' shares."""
    ranks = []
    for q, (vector, keyword) in zip(questions, ranked, strict=True):
        c = fusion.candidates
        fused = reciprocal_rank_fusion([vector[:c], keyword[:c]], fusion.k, [1.0, fusion.keyword_weight])
        top = smoothed({node.node_id: s for node, s in fused}, near, before, after)[:5]
        hits = [
            i
            for i, (cid, _) in enumerate(top, 1)
            if spans[cid][0] == q.file and spans[cid][1] <= q.line <= spans[cid][2]
        ]
        ranks.append(hits[0] if hits else 0)
    return scored(ranks)


def main(argv: list[str] | None = None) -> int:
    app, split = ranked_splits(arguments(__doc__, argv))
    stored = app.vector_store.client.get(include=["metadatas"])
    spans = {
        cid: (str(m["file"]), int(m["start_line"]), int(m["end_line"]))
        for cid, m in zip(stored["ids"], stored["metadatas"], strict=True)
    }
    near = neighbours(list(spans.items()))
    dev, test = split["dev"][0], split["test"][0]
    rows = []
    for before, after in itertools.product(BEFORE, AFTER):
        m = {name: measure(qs, ranked, spans, near, before, after) for name, (qs, ranked) in split.items()}
        rows.append(((before, after), m))
    print(f"{len(spans)} chunks; dev: {len(dev)} answerable questions outside the test sample; test: {len(test)}")
    print_table(("before", "after"), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
