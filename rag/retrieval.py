"""Retrieval: vector search over Chroma, optionally fused with BM25 keywords.

Hybrid mode runs both retrievers and merges their rankings by reciprocal-rank
fusion (RRF). Fusion is done here rather than with llama-index's
``QueryFusionRetriever`` because that one replaces every score with the fused
score, and abstention needs each passage's vector similarity (cosine).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import Stemmer
from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode, NodeWithScore
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters
from llama_index.vector_stores.chroma import ChromaVectorStore

from index.formats import decode_names, decode_starts
from rag.keyword_cache import KeywordCache
from rag.keyword_index import KeywordIndex, keyword_node
from rag.types import Passage


@dataclass(frozen=True)
class Fusion:
    """How hybrid retrieval merges its two rankings.

    Each retriever contributes its best ``candidates`` hits; a hit at rank r
    scores ``weight / (k + r)``, vector hits with weight 1 and BM25 hits with
    ``keyword_weight``. The defaults were chosen by the retrieval eval on 600
    squad-dev questions outside the test sample (``bench/results/retrieval.md``):
    BM25 alone finds more gold paragraphs than MiniLM alone there (0.93 vs 0.87
    hit@5), so it gets the larger weight, and a small ``k`` lets either
    retriever's first hits decide instead of hits both rank middling.
    """

    candidates: int = 40
    keyword_weight: float = 1.6
    k: int = 5


def cosine_from_chroma(score: float) -> float:
    """llama-index's Chroma store reports exp(-distance); with cosine space that is exp(cos - 1).

    >>> round(cosine_from_chroma(1.0), 3)
    1.0
    """
    return 1.0 + math.log(max(score, 1e-12))


def to_passage(node: BaseNode, score: float, similarity: float | None) -> Passage:
    """Read a retrieved node's file, lines and offsets back from its metadata."""
    meta = node.metadata
    return Passage(
        file=str(meta["file"]),
        start_line=int(meta["start_line"]),
        end_line=int(meta["end_line"]),
        start_char=int(node.start_char_idx or 0),
        text=node.get_content(),
        score=score,
        similarity=similarity,
        page_starts=decode_starts(meta.get("page_starts")),
        page_names=decode_names(meta.get("page_names")),
        title=meta.get("title"),
    )


def stored_passages(rows: dict) -> list[Passage]:
    """The passages of chunks as Chroma's ``get`` returns them (with their documents and metadatas),
    in its order, unscored."""
    return [
        to_passage(keyword_node(chunk_id, meta, text), 0.0, None)
        for chunk_id, text, meta in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)
    ]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[NodeWithScore]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[BaseNode, float]]:
    """Merge ranked lists: each node scores sum(weight / (k + rank)), best first.

    ``k`` = 60 and equal weights are Cormack et al.'s (2009) original recipe.

    >>> from llama_index.core.schema import TextNode
    >>> a, b = TextNode(id_="a"), TextNode(id_="b")
    >>> [n.id_ for n, _ in reciprocal_rank_fusion([[NodeWithScore(node=a)], [NodeWithScore(node=b),
    ...                                           NodeWithScore(node=a)]])]
    ['a', 'b']
    """
    scores: dict[str, float] = {}
    nodes: dict[str, BaseNode] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.node.node_id] = scores.get(hit.node.node_id, 0.0) + weight / (k + rank)
            nodes[hit.node.node_id] = hit.node
    return [(nodes[i], s) for i, s in sorted(scores.items(), key=lambda kv: -kv[1])]


class Retriever:
    """Top-k passages for a question: vector only, or hybrid (vector + BM25)."""

    def __init__(
        self,
        vector_store: ChromaVectorStore,
        embed_model: BaseEmbedding,
        top_k: int,
        hybrid: bool = True,
        fusion: Fusion = Fusion(),
        version: Callable[[], object] | None = None,
        keyword_cache: KeywordCache | None = None,
        hashes: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        self.vector_store = vector_store
        # What identifies the stored chunks; the keyword index is rebuilt when it changes.
        self.version = version or vector_store.client.count
        self.top_k = top_k
        self.hybrid = hybrid
        self.fusion = fusion
        self.candidates = max(fusion.candidates, top_k)
        self.index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed_model)
        self.vector = self.index.as_retriever(similarity_top_k=self.candidates if hybrid else top_k)
        self.stemmer = Stemmer.Stemmer("english")
        # each stored document's hash, by name: the keyword index reads again only what changed (without,
        # every chunk, every build)
        self.hashes = hashes
        self.keywords = KeywordIndex(self.stemmer)
        self._bm25 = None
        self._bm25_version: object = None
        self._at: tuple[object, dict] = (None, {})  # an index, and where each file's chunks lie in it
        self._bm25_lock = threading.Lock()  # one thread rebuilds; the others wait for its index
        self._stale: Callable[[], bool | None] | None = None
        self._stale_wait_s = 0.0
        self._built = threading.Condition()  # told each time a rebuild is done (not the lock a build holds)
        self._started = 0  # rebuilds begun, each under the lock
        self._covers = 0  # the number of the last rebuild done: it read the store as it was when it began
        self.keyword_cache = keyword_cache  # the keyword index as last built, by version, on disk

    def containing(self, words: str, files: Sequence[str] = (), most: int = 1000) -> list[Passage]:
        """The stored chunks holding ``words`` as written (``words_pattern``), at most ``most``; from
        ``files`` alone, where given. Chroma searches its chunks' text itself (a trigram index: 46 ms
        over 50,000 chunks), so every place is found, not the best few."""
        rows = self.vector_store.client.get(
            where={"file": {"$in": list(files)}} if files else None,
            where_document={"$regex": words_pattern(words)},
            include=["documents", "metadatas"],
            limit=most,
        )
        return stored_passages(rows)

    def when_stale(self, rebuild: Callable[[], bool | None], wait_s: float = 0.0) -> None:
        """Have a question that finds the keyword index older than the store call ``rebuild`` (which
        should have ``refresh`` run soon, elsewhere, and say whether it will) and use the index as it
        is, rather than rebuild it and wait: a server, whose questions should not wait 19 s while
        100,000 chunks are read. Where a rebuild is coming, the question waits for it up to ``wait_s``
        first: after another process's write (which only a question notices), the rebuild reads just
        the chunks written (0.1 s at 1,568 chunks, 1.4 s at 27,256), and an index without them would
        not find them: a server started on an empty store answered its first question from vectors
        alone."""
        self._stale, self._stale_wait_s = rebuild, wait_s

    def refresh(self) -> None:
        """Bring the keyword index up to date with the store now (after a write), rather than
        when the next question comes: rebuilding it reads every chunk, 0.4 s for 1,352 chunks
        and 19 s for 100,000 on 2 cores (the vector index needs nothing)."""
        if self.hybrid:
            self._rebuild()

    def keyword_retriever(self):
        """BM25 over every stored chunk. When the store has changed since it was built, it is rebuilt
        first; or, after ``when_stale``, once built, a rebuild is asked for and waited for up to its
        ``wait_s`` (where one is coming), and the index is used as it is then."""
        return self._keyword_index()[0]

    def _keyword_index(self):
        """``keyword_retriever``'s index, and whether it is the store's as it is now."""
        version = self.version()
        if version == self._bm25_version:
            return self._bm25, True
        if self._stale is None or self._bm25_version is None:
            return self._rebuild(), True
        asked = self._started  # a rebuild begun after this read the store after this question did
        if self._stale() and self._stale_wait_s > 0:  # (while others write on, not one at this very version)
            with self._built:
                self._built.wait_for(lambda: self._covers > asked or self._bm25_version == version, self._stale_wait_s)
        built = self._bm25_version  # read before the index: a rebuild sets the index, then its version
        return self._bm25, built == version

    def _rebuild(self):
        with self._bm25_lock:
            self._started += 1
            number = self._started
            version = self.version()  # before what it versions is read: a write meanwhile makes it stale
            if version != self._bm25_version:
                bm25 = self.keyword_cache.load(version, self.keywords) if self.keyword_cache else None
                if bm25 is None:
                    hashes = self.hashes() if self.hashes else {}
                    bm25 = self.keywords.build(self.vector_store.client, hashes, self.candidates)
                    if bm25 is not None and self.keyword_cache:
                        self.keyword_cache.save(version, bm25, self.keywords)
                if bm25 is not None:  # as many candidates as asked for now, however many it was kept with
                    bm25.similarity_top_k = min(self.candidates, len(bm25.corpus))
                self._bm25 = bm25
                self._at = (None, {})  # the old index's positions: not held past it
                self._bm25_version = version
            with self._built:
                self._covers = number
                self._built.notify_all()
            return self._bm25

    def _positions(self, bm25) -> dict[str, np.ndarray]:
        """Where each file's chunks lie in ``bm25``'s corpus, found once an index (a scoped question
        weighs the others by 0: an O(chunks) pass in Python, 9.5 ms at 27,040, each question)."""
        index, at = self._at
        if index is not bm25:
            at = file_positions(bm25.corpus)
            self._at = (bm25, at)  # one assignment: a thread reads the pair whole
        return at

    def retrieve(self, question: str, top_k: int | None = None, files: Sequence[str] = ()) -> list[Passage]:
        """The best ``top_k`` passages (the chat's ``top_k`` unless given), best first; each keeps
        its vector similarity if it had one; only from ``files``, where given (a reader who asks of
        these documents alone). The eval asks for 5 through the same indexes."""
        k = top_k or self.top_k
        vector = self.vector
        if files:  # Chroma filters as it searches: the best of these files' chunks, however few they are
            within = MetadataFilters(
                filters=[MetadataFilter(key="file", value=list(files), operator=FilterOperator.IN)]
            )
            vector = self.index.as_retriever(similarity_top_k=self.candidates if self.hybrid else k, filters=within)
        elif not self.hybrid and k != self.top_k:
            vector = self.index.as_retriever(similarity_top_k=k)
        vector_hits = vector.retrieve(question)
        similarity = {h.node.node_id: cosine_from_chroma(h.score or 0.0) for h in vector_hits}
        if not self.hybrid:
            return [to_passage(h.node, similarity[h.node.node_id], similarity[h.node.node_id]) for h in vector_hits]
        bm25, current = self._keyword_index()
        keyword_hits = keyword_search(bm25, question, files, self._positions(bm25)) if bm25 is not None else []
        if not current:
            keyword_hits = still_stored(self.vector_store.client, keyword_hits)
        f = self.fusion
        fused = reciprocal_rank_fusion([vector_hits, keyword_hits], f.k, [1.0, f.keyword_weight])[:k]
        return [to_passage(node, score, similarity.get(node.node_id)) for node, score in fused]


RUST_SPECIAL = frozenset("\\.+*?()|[]{}^$#&-~")  # what Chroma's regular expressions (Rust's) escape


def words_pattern(words: str, escape: Callable[[str], str] | None = None) -> str:
    """The regular expression matching ``words`` as written, in any case, whatever space or line
    break lies between them, as whole words (not "Lind" in "Lindqvist"); in Chroma's syntax (Rust's),
    or with ``escape`` (``re.escape``) in Python's, which match alike.

    >>> print(words_pattern("Kwon  Jung-geun"), words_pattern("(c) 2024"))
    (?i)\\bKwon\\s+Jung\\-geun\\b (?i)\\(c\\)\\s+2024\\b
    """
    escape = escape or (lambda word: "".join("\\" + ch if ch in RUST_SPECIAL else ch for ch in word))
    parts = words.split()
    start = "\\b" if parts and (parts[0][0].isalnum() or parts[0][0] == "_") else ""  # a word's edge, where it is one
    end = "\\b" if parts and (parts[-1][-1].isalnum() or parts[-1][-1] == "_") else ""
    return "(?i)" + start + "\\s+".join(map(escape, parts)) + end


def still_stored(collection, hits: list[NodeWithScore]) -> list[NodeWithScore]:
    """The hits of a keyword index older than the store whose chunks are still stored as it holds
    them. While a server ingests, its questions search the index as it was before (``when_stale``):
    a document deleted since, or written again (its chunks keep their ids, ``file#n``), would be
    quoted and cited from text the file no longer has, its lines pointing at other words; a chunk
    is kept only where its text and its lines are as stored. One read of the hits' rows (at most
    ``Fusion.candidates``)."""
    if not hits:
        return hits
    rows = collection.get(ids=[hit.node.node_id for hit in hits], include=["documents", "metadatas"])
    stored = {
        chunk_id: (text, meta.get("start_line"), meta.get("end_line"))
        for chunk_id, text, meta in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)
    }
    return [
        hit
        for hit in hits
        if stored.get(hit.node.node_id)
        == (hit.node.get_content(), hit.node.metadata.get("start_line"), hit.node.metadata.get("end_line"))
    ]


def file_positions(corpus: Sequence[dict]) -> dict[str, np.ndarray]:
    """Where each file's chunks lie in a keyword index's corpus (its chunk records).

    >>> {f: p.tolist() for f, p in file_positions([{"file": "a"}, {"file": "b"}, {"file": "a"}]).items()}
    {'a': [0, 2], 'b': [1]}
    """
    at: dict[str, list[int]] = {}
    for position, entry in enumerate(corpus):
        at.setdefault(str(entry.get("file")), []).append(position)
    return {file: np.asarray(positions, dtype=np.int64) for file, positions in at.items()}


def keyword_search(
    bm25, question: str, files: Sequence[str] = (), positions: dict[str, np.ndarray] | None = None
) -> list[NodeWithScore]:
    """BM25's hits (a ``BM25Retriever``'s), from ``files`` only where given: bm25s weighs every
    other chunk by 0 as it ranks (as llama-index's own metadata filters do, but for this question
    alone: the index is shared by every question), and hits that score nothing are left out.
    ``positions``: ``file_positions`` of its corpus, if known."""
    if not files:
        return bm25.retrieve(question)
    import bm25s
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    wanted = set(files)
    at = file_positions(bm25.corpus) if positions is None else positions
    mask = np.zeros(len(bm25.corpus), dtype=np.float32)
    for file in wanted:
        if file in at:
            mask[at[file]] = 1.0
    if not mask.any():
        return []
    stemmer = None if bm25.skip_stemming else bm25.stemmer
    tokens = bm25s.tokenize(question, stemmer=stemmer, token_pattern=bm25.token_pattern, show_progress=False)
    found, scores = bm25.bm25.retrieve(tokens, k=bm25.similarity_top_k, show_progress=False, weight_mask=mask)
    # bm25s answers with positions in the corpus, or with its entries where it holds the corpus itself
    # (an index loaded from disk, rag.keyword_cache), as llama-index's own retrieve reads them
    entries = (hit if isinstance(hit, dict) else bm25.corpus[int(hit)] for hit in found[0])
    return [
        NodeWithScore(node=metadata_dict_to_node(entry), score=float(score))
        for entry, score in zip(entries, scores[0], strict=True)
        if score > 0 and entry.get("file") in wanted
    ]
