"""The keyword (BM25) index as last built, kept on disk beside the store it indexes.

Building it reads every chunk: 6.9 s for 21,420 chunks on 2 cores, paid by every process that
opens the store (a server as it starts, each ``groundline ask``, each ``groundline eval``). Kept
here by the store's version (``Retriever.version``: chunks and document-store commits), it loads
in a fraction of that; a store that changed since is built again, and kept again.

Each version is a folder written whole under a temporary name and renamed into place, so a reader
never loads half of one; older versions are removed once a newer one is in place. A folder that
cannot be loaded (damaged, or removed under a reader by another process) is built again. Saved
with llama-index's own ``BM25Retriever.persist`` (bm25s's arrays, and the chunks it returns), and
with it what the ``KeywordIndex`` that built it holds (each chunk's token ids), so that the process
that loads it brings it up to date after a write reading only the chunks written since.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.keyword_index import KeywordIndex

log = logging.getLogger(__name__)

BUILDING = ".building-"  # a version being written
STALE_BUILD_S = 3600  # a folder still being written after this long was left by a killed process


class KeywordCache:
    """Keyword indexes by store version, in ``folder`` (created on the first save)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, version: object, keywords: KeywordIndex | None = None):
        """The index kept for ``version`` (a ``BM25Retriever``), or None if there is none that loads;
        ``keywords`` is given what its builder held, where that was kept too."""
        from llama_index.retrievers.bm25 import BM25Retriever

        kept = self.folder / _key(version)
        if not kept.is_dir():
            return None
        try:
            loaded = BM25Retriever.from_persist_dir(str(kept), show_progress=False)
            if len(loaded.corpus) != int(loaded.bm25.scores["num_docs"]):  # a hit would name the wrong chunk
                raise ValueError(f"{len(loaded.corpus)} chunks kept for an index of {loaded.bm25.scores['num_docs']}")
        except Exception:  # noqa: BLE001 -- damaged or removed meanwhile: building it again is always right
            log.warning("the keyword index kept in %s did not load; building it again", kept, exc_info=True)
            return None
        if keywords is not None and not keywords.load(kept, loaded.corpus):
            log.info("no chunk tokens kept in %s: the next build after a write reads every chunk", kept)
        return loaded

    def save(self, version: object, retriever, keywords: KeywordIndex | None = None) -> None:
        """Keep ``retriever`` (a ``BM25Retriever``) as the index of ``version``, with what ``keywords``
        (which built it) holds; then remove older ones. A failure (a full disk) is logged: the index
        in memory serves this process all the same."""
        kept = self.folder / _key(version)
        if kept.is_dir():
            return  # another process kept this version first
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            building = Path(tempfile.mkdtemp(prefix=BUILDING, dir=self.folder))
            try:
                # bm25s would skip a chunk it cannot write, and every hit after it would name the next one
                retriever.persist(str(building), show_progress=False, raise_on_serialization_error=True)
                if keywords is not None:
                    keywords.save(building, retriever.corpus)
                (building / "version.json").write_text(json.dumps(version))
                building.rename(kept)
            except (OSError, TypeError):
                shutil.rmtree(building, ignore_errors=True)
                if not kept.is_dir():
                    raise
        except (OSError, TypeError):
            log.warning("could not keep the keyword index in %s", self.folder, exc_info=True)
            return
        self._remove_older(kept)

    def _remove_older(self, kept: Path) -> None:
        for other in self.folder.iterdir():
            try:
                fresh = other.name.startswith(BUILDING) and time.time() - other.stat().st_mtime < STALE_BUILD_S
            except FileNotFoundError:  # removed by another process meanwhile
                continue
            if other != kept and not fresh:
                shutil.rmtree(other, ignore_errors=True)


def _key(version: object) -> str:
    """A folder name for a store version (any JSON value).

    >>> _key([1352, 7]) == _key((1352, 7)) != _key([1352, 8])
    True
    """
    return hashlib.sha256(json.dumps(version).encode()).hexdigest()[:24]
