"""The keyword (BM25) index over the stored chunks, kept up to date chunk by chunk.

Built from scratch, the index reads every chunk from Chroma, makes its record and
tokenizes its text: 4.8 s for 27,040 chunks on 2 cores (``bench/results/keyword-index``),
19 s for 100,000, paid again after every write, however small. ``KeywordIndex`` keeps each
chunk's record and token ids between builds, so a build after a write reads and tokenizes
only the chunks written since (it lists the ids, 0.3 s at 27,040), drops those deleted, and
has bm25s score the whole corpus again from the kept tokens: BM25's weights depend on every
chunk (document frequencies, the mean length), so the scoring is always whole, and the
result is the index a build from scratch makes, the chunks in the same order.

What it holds is kept beside the index on disk (``save``, ``load``): a process that loads the
index kept there (``rag.keyword_cache``) reads only the chunks written since, as the process that
built it would, not every chunk on its first build after a write.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import bm25s
import numpy as np
from llama_index.core.schema import MetadataMode, TextNode
from llama_index.core.vector_stores.utils import node_to_metadata_dict

from index.chunking import PAGES
from index.store import READ_PAGE, every_chunk

PASSAGE_KEYS = ("file", "start_line", "end_line", "page_starts", "page_names", "title")  # what a passage reads
LANGUAGE = "english"  # stop words, as llama-index's BM25Retriever.from_defaults removes them
TOKENS, HASHES = "held-tokens.npz", "held.json"  # what ``KeywordIndex.save`` writes beside an index


def keyword_node(chunk_id: str, meta: dict, text: str) -> TextNode:
    """A stored chunk as the keyword index holds and returns it: its text, offsets and the metadata
    a passage reads (``PASSAGE_KEYS``), none of it read as text but the names of its pages
    (``PAGES``), which are searched with the text, as they are embedded with it. Not llama-index's
    whole node record, which ``metadata_dict_to_node`` rebuilds (relationships, templates, the
    document's metadata): ~2 KB more a chunk, held in memory and kept on disk
    (``rag.keyword_cache``), for nothing read here.

    >>> node = keyword_node("a.txt#0", {"file": "a.txt", "start_line": 2, "end_line": 2, "chunking": "x",
    ...     "_node_content": '{"start_char_idx": 10, "end_char_idx": 19}'}, "Dogs bark")
    >>> node.metadata, node.start_char_idx, node.get_content(MetadataMode.EMBED)
    ({'file': 'a.txt', 'start_line': 2, 'end_line': 2}, 10, 'Dogs bark')
    >>> keyword_node("b.xlsx#0", {"file": "b.xlsx", "pages": "Crews"}, "Maren").get_content(MetadataMode.EMBED)
    'pages: Crews\\n\\nMaren'
    """
    offsets = json.loads(meta.get("_node_content") or "{}")
    kept = {key: meta[key] for key in (*PASSAGE_KEYS, PAGES) if key in meta}
    return TextNode(
        id_=chunk_id,
        text=text,
        metadata=kept,
        excluded_embed_metadata_keys=[key for key in kept if key != PAGES],  # BM25 reads the text (and pages)
        excluded_llm_metadata_keys=list(kept),
        start_char_idx=offsets.get("start_char_idx"),
        end_char_idx=offsets.get("end_char_idx"),
    )


@dataclass(frozen=True)
class HeldChunk:
    """One chunk as the index holds it: the record a hit returns, its text's token ids, and the
    hash its document had when it was read (a document written again keeps its chunks' ids)."""

    record: dict
    tokens: np.ndarray
    file: str
    document_hash: str | None


class KeywordIndex:
    """BM25 over a Chroma collection's chunks, tokenized as llama-index's ``BM25Retriever``
    tokenizes them (``stemmer``, English stop words, its token pattern); not thread-safe: its
    owner builds one at a time."""

    def __init__(self, stemmer, token_pattern: str = r"(?u)\b\w\w+\b") -> None:
        self.stemmer = stemmer
        self.token_pattern = token_pattern
        self.vocab: dict[str, int] = {}  # every token held, by id (an id's token may be held no more)
        self.held: dict[str, HeldChunk] = {}  # by chunk id, as of the last build
        self.dropped = 0  # chunks let go since the vocabulary was last made to fit those held
        self.read = 0  # chunks read and tokenized by the last build

    def build(self, collection, hashes: dict[str, str], similarity_top_k: int):
        """A ``BM25Retriever`` over the collection's chunks now (None if it holds none), reading
        only those not held from an earlier build of the same document (``hashes``: each stored
        document's hash, by name, read before the chunks)."""
        from llama_index.retrievers.bm25 import BM25Retriever

        ids = every_chunk(collection, [])["ids"]
        listed = set(ids)
        kept = {
            chunk_id: held
            for chunk_id, held in self.held.items()
            if chunk_id in listed and held.document_hash is not None and hashes.get(held.file) == held.document_hash
        }
        self.dropped += len(self.held) - len(kept)
        self.held = kept
        if not kept:  # nothing held over: a vocabulary of tokens held no more, too
            self.vocab, self.dropped = {}, 0
        new = [chunk_id for chunk_id in ids if chunk_id not in kept]
        for start in range(0, len(new), READ_PAGE):
            rows = collection.get(ids=new[start : start + READ_PAGE], include=["metadatas", "documents"])
            chunks = zip(rows["ids"], rows["metadatas"], rows["documents"], strict=True)
            self._hold([keyword_node(*chunk) for chunk in chunks], hashes)
        self.read = len(new)
        if self.dropped > len(self.held):
            self._fit_vocabulary()
        chunks = [self.held[chunk_id] for chunk_id in ids if chunk_id in self.held]  # one deleted meanwhile: gone
        if not chunks:
            return None
        bm25 = bm25s.BM25()
        tokenized = bm25s.tokenization.Tokenized(ids=[c.tokens for c in chunks], vocab=dict(self.vocab))
        bm25.index(tokenized, show_progress=False)
        retriever = BM25Retriever(
            existing_bm25=bm25, similarity_top_k=min(similarity_top_k, len(chunks)), stemmer=self.stemmer
        )
        retriever.corpus = [c.record for c in chunks]  # what a hit's position names (and what is kept on disk)
        return retriever

    def _hold(self, nodes: list[TextNode], hashes: dict[str, str]) -> None:
        """Tokenize ``nodes`` and hold each with its record."""
        if not nodes:
            return
        texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
        local = bm25s.tokenize(
            texts, stopwords=LANGUAGE, stemmer=self.stemmer, token_pattern=self.token_pattern, show_progress=False
        )
        to_global = np.empty(len(local.vocab), dtype=np.int32)
        for token, local_id in local.vocab.items():
            to_global[local_id] = self.vocab.setdefault(token, len(self.vocab))
        for node, token_ids in zip(nodes, local.ids, strict=True):
            record = node_to_metadata_dict(node) | {"node_id": node.node_id}
            file = str(node.metadata.get("file"))
            tokens = to_global[np.asarray(token_ids, dtype=np.int32)]
            self.held[node.node_id] = HeldChunk(record, tokens, file, hashes.get(file))

    def save(self, folder: Path, corpus: Sequence[dict]) -> None:
        """Keep in ``folder`` the token ids of the chunks of ``corpus`` (an index this one built, in
        its order), the hash each one's document had and the vocabulary: 8.8 MB of ids at 27,040
        chunks."""
        held = [self.held[record["node_id"]] for record in corpus]
        tokens = np.concatenate([c.tokens for c in held]) if held else np.empty(0, dtype=np.int32)
        lengths = np.array([len(c.tokens) for c in held], dtype=np.int64)
        np.savez(folder / TOKENS, tokens=tokens, lengths=lengths)
        hashes = {c.file: c.document_hash for c in held}  # one a document: a build reads its hash once
        (folder / HASHES).write_text(json.dumps({"vocab": self.vocab, "hashes": hashes}))

    def load(self, folder: Path, corpus: Sequence[dict]) -> bool:
        """Hold what ``save`` kept in ``folder`` for ``corpus`` (the index loaded from there) in
        place of what this one holds; whether it could (a folder kept before these were, or one
        damaged, leaves it as it was: its next build reads the chunks it does not hold)."""
        try:
            with np.load(folder / TOKENS) as arrays:
                tokens, lengths = arrays["tokens"].astype(np.int32, copy=False), arrays["lengths"]
            kept = json.loads((folder / HASHES).read_text())
            vocab, hashes = dict(kept["vocab"]), dict(kept["hashes"])
            if len(lengths) != len(corpus) or int(lengths.sum()) != len(tokens):
                raise ValueError(f"{len(lengths)} chunks' tokens kept for an index of {len(corpus)}")
            if len(tokens) and not 0 <= int(tokens.min()) <= int(tokens.max()) < len(vocab):
                raise ValueError("token ids outside the vocabulary kept")
        except (OSError, ValueError, KeyError, TypeError):
            return False
        held, ends = {}, np.cumsum(lengths).tolist()
        for record, start, end in zip(corpus, [0, *ends[:-1]], ends, strict=False):  # (views of one array)
            file = str(record.get("file"))
            held[record["node_id"]] = HeldChunk(record, tokens[start:end], file, hashes.get(file))
        self.held, self.vocab, self.dropped = held, vocab, 0
        return True

    def _fit_vocabulary(self) -> None:
        """Number again only the tokens held (after many chunks were let go, most of the vocabulary
        can be tokens of documents deleted: each costs the index a column)."""
        held = list(self.held.values())
        live = np.unique(np.concatenate([c.tokens for c in held])) if held else np.empty(0, dtype=np.int32)
        renumber = np.full(len(self.vocab), -1, dtype=np.int32)
        renumber[live] = np.arange(len(live), dtype=np.int32)
        self.vocab = {token: int(renumber[i]) for token, i in self.vocab.items() if renumber[i] >= 0}
        self.held = {key: replace(c, tokens=renumber[c.tokens]) for key, c in self.held.items()}
        self.dropped = 0
