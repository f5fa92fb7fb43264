"""Prompt states kept on disk, for ``rag.prompt_cache.PromptCache``: a restarted server, or the
command line beside it, resumes a prompt that another process of the same model has read.

One file a state, named by the SHA-256 of its prompt's tokens, written whole (to a temporary
name, then renamed) so a reader in another process never sees half of one, and readable by its
owner alone: a state holds its prompt's tokens, the question and the passages. Read with NumPy
without pickle. The folder is one per model file, context size and llama-cpp-python version, the
things a state is only valid for; the least recently used files go first past the capacity.

A replaced or removed document's states are removed (``forget``), and each removal is also noted
in the root's ``forgotten/`` for an hour (removed by the next forget or save after it): a process
that read a prompt before it (``groundline ask`` beside a server that deletes) writes that
prompt's state after it, finds the note and removes what it wrote; and a process keeping states in
memory (a server beside ``groundline delete``) drops those over the documents named at its next
look-up (``PromptStore.forgotten_anew``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
from llama_cpp import LlamaState

Key = tuple[int, ...]
Files = frozenset[str] | None  # the documents a prompt's passages came from; None: not known
_SUFFIX = ".npz"
_WRITING = ".writing-"  # a state being written, renamed once whole
ABANDONED_S = 3600  # a file still being written after this long was left by a process that died
_FORGOTTEN = "forgotten"  # under the root: a note of each forget, kept ABANDONED_S for writers under way


def folder_for(root: Path, model_file: Path, context_window: int) -> Path:
    """The folder under ``root`` for states of ``model_file`` at ``context_window`` tokens with this
    llama-cpp-python."""
    import llama_cpp

    return root / f"{model_file.stem}-ctx{context_window}-llama-cpp-{llama_cpp.__version__}"


def forget(root: Path, files: Collection[str]) -> None:
    """Remove the states kept under ``root``, of every model, whose prompts held passages of ``files``
    (or of documents not named: see ``files_in``): a replaced or removed document's text must not
    outlive it there."""
    gone = set(files)
    _note_forget(root, gone)  # first: a writer that misses the note renamed its file before the glob below
    for path in root.glob(f"*/*{_SUFFIX}"):
        named = files_in(path)
        if named is None or named & gone:
            path.unlink(missing_ok=True)


def _note_forget(root: Path, gone: Collection[str]) -> None:
    """Note, for an hour, that the states over ``gone`` were removed at this time (``forgot``)."""
    notes = root / _FORGOTTEN
    notes.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = time.time()
    _remove_older(notes.glob("*.json"), now - ABANDONED_S)
    note = json.dumps({"at": now, "files": sorted(gone)}).encode()
    _write_whole(notes, lambda temporary: temporary.removeprefix(_WRITING) + ".json", lambda out: out.write(note))


def _write_whole(folder: Path, name: Callable[[str], str], write: Callable[[BinaryIO], object]) -> Path:
    """A file written whole into ``folder`` (``write`` fills it under a temporary name, then it takes
    the ``name`` made from that one) and readable by its owner alone, as ``mkstemp`` makes it."""
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=_WRITING)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        path = folder / name(Path(temporary).name)
        os.replace(temporary, path)
        return path
    finally:
        Path(temporary).unlink(missing_ok=True)


def _remove_older(paths: Iterable[Path], before: float) -> None:
    """Remove the files of ``paths`` last changed before ``before`` (``time.time()``)."""
    for path in paths:
        try:
            if path.stat().st_mtime < before:
                path.unlink()
        except FileNotFoundError:
            continue


def forgot(root: Path, since: float, files: Files) -> bool:
    """Whether a ``forget`` under ``root`` at or after ``since`` (``time.time()``) named any of
    ``files``; with ``files`` None (not known), whether any forget did."""
    return any(at >= since and (files is None or not files.isdisjoint(gone)) for _, at, gone in _forget_notes(root))


def _forget_notes(root: Path, names: Iterable[str] | None = None) -> Iterator[tuple[str, float, list[str]]]:
    """The notes of forgets under ``root`` (``_note_forget``), or of those ``names`` only: each one's file
    name, time and documents."""
    folder = root / _FORGOTTEN
    for note in folder.glob("*.json") if names is None else (folder / name for name in names):
        try:
            said = json.loads(note.read_text(encoding="utf-8"))
            yield note.name, float(said["at"]), [str(name) for name in said["files"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue


def files_in(path: Path) -> Files:
    """The documents whose passages the prompt of the state kept in ``path`` held; None when that
    is not known (a prompt without source tags, a file written before they were kept, one unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as kept:
            return _named(kept)
    except (OSError, ValueError, KeyError, EOFError):
        return None


def _named(kept) -> Files:
    """The documents named in an open state file (``np.load``'s), None if it names none."""
    return frozenset(str(name) for name in kept["files"]) if bool(kept.get("named", False)) else None


def name_of(key: Sequence[int]) -> str:
    """A state's file name: its prompt tokens' digest.

    >>> name_of([1, 2, 3])[:12]
    '4636993d3e1d'
    """
    return hashlib.sha256(np.asarray(key, dtype=np.int32).tobytes()).hexdigest() + _SUFFIX


class PromptStore:
    """States of prompts on disk under ``folder``, at most ``capacity_bytes`` of files."""

    def __init__(self, folder: Path, capacity_bytes: int):
        self.folder = folder
        self.capacity_bytes = capacity_bytes
        self._keys: dict[str, Key] = {}  # file name -> its prompt's tokens, as read so far
        self._notes_read: set[str] = set()  # the notes of forgets ``forgotten_anew`` has read
        self._notes_asked: float | None = None  # when it last read them

    def keys(self) -> dict[Key, Path]:
        """The prompts kept now, by every process: files another one wrote since are read for their
        tokens alone, and files gone are forgotten."""
        try:
            names = {p.name for p in self.folder.glob("*" + _SUFFIX)} if self.folder.is_dir() else set()
        except OSError:  # a folder this process cannot read: nothing kept there, for it
            names = set()
        self._keys = {name: key for name, key in self._keys.items() if name in names}
        for name in names - self._keys.keys():
            try:
                with np.load(self.folder / name, allow_pickle=False) as kept:
                    self._keys[name] = tuple(int(t) for t in kept["key"])
            except (OSError, ValueError, KeyError, EOFError):  # unreadable: gone meanwhile, or damaged
                continue
        return {key: self.folder / name for name, key in self._keys.items()}

    def forgotten_anew(self) -> set[str] | None:
        """The documents any process forgot since this was last asked (the first time: within the
        hour the notes are kept), for states kept in memory; None when it was last asked so long
        ago that notes of forgets since may have been removed: anything may have been forgotten."""
        now = time.time()
        asked, self._notes_asked = self._notes_asked, now
        present = {note.name for note in (self.folder.parent / _FORGOTTEN).glob("*.json")}
        fresh = _forget_notes(self.folder.parent, present - self._notes_read)  # a note is read once
        gone = {name for _, _, files in fresh for name in files}
        self._notes_read = present
        return None if asked is not None and now - asked > ABANDONED_S / 2 else gone

    def load(self, path: Path) -> tuple[LlamaState, Files] | None:
        """The state kept in ``path``, now the most recently used, and the documents its prompt's
        passages came from (``files_in``); None when it cannot be read (a damaged file is removed)."""
        try:
            with np.load(path, allow_pickle=False) as kept:
                model = kept["llama_state"]
                state = LlamaState(
                    input_ids=kept["input_ids"],
                    scores=kept["scores"],
                    n_tokens=int(kept["n_tokens"]),
                    llama_state=model.tobytes(),
                    llama_state_size=int(model.size),
                    seed=int(kept["seed"]),
                )
                files = _named(kept)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError):
            path.unlink(missing_ok=True)
            return None
        self.touch(path)  # one it cannot mark used is still read, not taken for damaged and removed
        return state, files

    def touch(self, path: Path) -> None:
        """The state in ``path`` used again, from a copy in memory: the most recently used on disk too, so a
        server's most asked prompts are the last the capacity drops (other processes' saves trim the folder,
        and a state a server resumed from memory all day aged there as if never used: a restart, or the
        command line beside it, found it gone)."""
        try:
            os.utime(path)
        except OSError:  # removed meanwhile, or a folder this process cannot write: it ages as before
            pass

    def save(self, key: Sequence[int], state: LlamaState, files: Files = None, since: float | None = None) -> bool:
        """Keep ``state`` as the state of prompt ``key``, whose passages came from ``files``, then drop
        the least recently used files past the capacity. With ``since``, when its prompt was read
        (``time.time()``): not kept if any process forgot one of ``files`` since (False)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fields = {
            "key": np.asarray(key, dtype=np.int32),
            "input_ids": state.input_ids,
            "scores": state.scores,
            "n_tokens": np.int64(state.n_tokens),
            "llama_state": np.frombuffer(state.llama_state[: state.llama_state_size], dtype=np.uint8),
            "seed": np.int64(state.seed),
            "files": np.array(sorted(files or ()), dtype=np.str_),
            "named": np.bool_(files is not None),
        }
        path = _write_whole(self.folder, lambda temporary: name_of(key), lambda out: np.savez(out, **fields))
        if since is not None and forgot(self.folder.parent, since, files):  # checked after the rename: see forget
            path.unlink(missing_ok=True)
            return False
        self._keys[path.name] = tuple(key)
        self._trim()
        return True

    def _trim(self) -> None:
        # a writer killed part-way leaves its file behind; a forget's note is needed for an hour
        stale = time.time() - ABANDONED_S
        _remove_older([*self.folder.glob(_WRITING + "*"), *(self.folder.parent / _FORGOTTEN).glob("*.json")], stale)
        files = []
        for path in self.folder.glob("*" + _SUFFIX):
            try:
                found = path.stat()
                files.append((found.st_mtime, found.st_size, path))
            except FileNotFoundError:
                continue
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.capacity_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
