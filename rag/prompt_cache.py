"""The local model's prompt cache: states of prompts it has read, reused by the next prompt
that begins the same way.

Without it llama.cpp resumes only from the last prompt it read, and after every answer that
is the verifier's check, so the same question over the same passages was read again in full
(~1,000 tokens, ~20 s on 2 cores; ``bench.prompt_cache``). States are keyed by the prompt's
tokens, so a changed passage or question can never get a stale answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from llama_cpp import Llama, LlamaRAMCache

from rag.prompt_store import ABANDONED_S, Files, Key, PromptStore

log = logging.getLogger(__name__)


class PromptCache(LlamaRAMCache):
    """llama-cpp-python's RAM cache (least recently used dropped first), keeping only what a
    resume needs, and with a ``store``, keeping every state on disk too, where other processes
    of the same model find it (``rag.prompt_store``).

    Its states also copy the logits of up to a batch of prompt tokens (~300 MB a state with
    Qwen's 152k-word vocabulary), which no resume reads: a resumed prompt decodes its last
    token again before sampling. And its capacity counts only the model's part of a state.
    So one row of logits is kept (restoring a state copies its rows into the model's logits
    array, and one row is the least that copy accepts), and the capacity counts everything kept.
    """

    def __init__(
        self,
        capacity_bytes: int,
        store: PromptStore | None = None,
        files_of: Callable[[Key], Files] = lambda key: None,
    ):
        super().__init__(capacity_bytes)
        self.store = store
        self._files_of = files_of  # the documents a prompt's passages came from (rag.llm reads its source tags)
        self._files: dict[Key, Files] = {}  # those of the states kept in memory
        self._on_disk: dict[Key, Path] = {}  # the store's prompts, as last listed
        self._lock = threading.RLock()  # the answering thread and a writer's ``forget`` meet here
        # A prompt's state is kept after its answer only if none of its documents was forgotten since its
        # passages were chosen: by thread, when each began choosing them (``reading``), as ``time.time()``,
        # with the files forgotten since; and the same for the one prompt the model is reading now (one at
        # a time: rag.answering's guard), from its lookup to its save, which may come on another thread
        # (a streamed answer's steps run on whichever worker thread the server has free).
        self._choosing: dict[int, tuple[float, set[str]]] = {}
        self._reading: tuple[float, set[str]] | None = None

    def reading(self) -> None:
        """This thread is about to choose the passages of its next prompt (the answering service
        retrieves them, then may wait its turn at the model): a forget from now on, in this process
        or another, counts as one during its answer."""
        now = time.time()
        with self._lock:  # a thread's that never reached the model (declined before it) goes in an hour
            self._choosing = {t: mark for t, mark in self._choosing.items() if mark[0] > now - ABANDONED_S}
            self._choosing[threading.get_ident()] = (now, set())

    def forget(self, files: Collection[str]) -> None:
        """Drop the states kept in memory whose prompts held passages of ``files`` (a replaced or
        removed document's text is in them), or of documents not known; the state of such a prompt
        looked up before this, saved once its answer ends, is not kept either. (On disk:
        ``rag.prompt_store.forget``.)"""
        gone = frozenset(files)
        with self._lock:
            for _, forgotten in [*self._choosing.values(), *([self._reading] if self._reading else [])]:
                forgotten.update(gone)
            for key in [k for k in self.cache_state if _held(self._files.get(k), gone)]:
                del self.cache_state[key]
            self._remember()
            self._on_disk = {}

    def __setitem__(self, key: Sequence[int], state) -> None:  # state: llama_cpp.LlamaState
        key = tuple(key)
        files = self._files_of(key)
        with self._lock:
            since, gone = self._reading or (None, set())
            self._reading = None
            if gone and _held(files, frozenset(gone)):
                return  # its prompt was read before a ``forget`` of what it held
            state.scores = state.scores[-1:].copy()
            if self.store:
                try:  # another process's forget since: not kept there, nor here
                    if not self.store.save(key, state, files, since=since):
                        return
                except OSError as exc:  # a full disk or a folder it cannot write costs the resume, not the answer
                    log.warning("prompt state not kept on disk in %s: %s", self.store.folder, exc)
            super().__setitem__(key, state)
            self._remember(key, files)

    def __getitem__(self, key: Sequence[int]):
        """The kept state whose prompt shares the longest beginning with ``key``, read from disk
        when another process, or this one before a restart, kept it there. (llama.cpp looks up
        every prompt before reading it, and saves its state after the answer.)"""
        with self._lock:
            self._reading = self._choosing.pop(threading.get_ident(), None) or (time.time(), set())
            return self._kept(tuple(key))

    def _kept(self, key: Key):
        best = self._find_longest_prefix_key(key)
        if best is None:
            raise KeyError("Key not found")
        if best in self.cache_state:
            self.cache_state.move_to_end(best)
            if best in self._on_disk:  # used again: not the least recently used on disk either
                self.store.touch(self._on_disk[best])
            return self.cache_state[best]
        loaded = self.store.load(self._on_disk[best])
        if loaded is None:  # removed or damaged since it was listed
            raise KeyError("Key not found")
        state, files = loaded
        super().__setitem__(best, state)  # in memory from now on (it is on disk already)
        self._remember(best, files)
        return state

    def _drop_forgotten_elsewhere(self) -> None:
        """Drop the states kept in memory over documents another process forgot (``groundline delete``
        beside a server): it removed their files, and their text must not outlive them here either."""
        if self.store is None:
            return
        with self._lock:  # (llama-cpp-python's ``in`` comes here too, outside a look-up)
            gone = self.store.forgotten_anew()
            if gone is None:  # too long since the last look to know what: those whose files went
                dropped = [k for k in self.cache_state if k not in self._on_disk]
            elif gone:
                named = frozenset(gone)
                dropped = [k for k in self.cache_state if _held(self._files.get(k), named)]
            else:
                return
            for key in dropped:
                del self.cache_state[key]
            self._remember()

    def _remember(self, key: Key | None = None, files: Files = None) -> None:
        """Note the documents of the state just kept under ``key``, and forget those of states gone."""
        if key is not None:
            self._files[key] = files
        self._files = {k: self._files.get(k) for k in self.cache_state}

    def _find_longest_prefix_key(self, key: Key) -> Key | None:
        self._on_disk = self.store.keys() if self.store else {}
        self._drop_forgotten_elsewhere()
        kept = [*self.cache_state, *self._on_disk]
        shared = [(Llama.longest_token_prefix(k, key), k) for k in kept]
        length, best = max(shared, default=(0, None), key=lambda pair: pair[0])
        return best if length else None

    @property
    def cache_size(self) -> int:
        return sum(s.llama_state_size + s.scores.nbytes for s in self.cache_state.values())


def _held(files: Files, gone: frozenset[str]) -> bool:
    """Whether a prompt whose passages came from ``files`` may hold text of the documents ``gone``."""
    return files is None or not files.isdisjoint(gone)
