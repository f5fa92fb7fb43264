"""The local model's prompt cache, in memory and on disk, with hand-made states (the real model's is in
tests/e2e)."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from llama_cpp import LlamaState

from rag.errors import Abandoned
from rag.halting import halted_by, halting_reads
from rag.llm import forget_prompts, prompt_keeping, prompt_reading, read_alike
from rag.prompt_cache import PromptCache
from rag.prompt_store import PromptStore, files_in, forget, forgot, name_of
from rag.settings import Settings
from tests.conftest import ARMS_FILE, fake_app

VOCAB = 1000  # floats of logits per token


def state(tokens: list[int], logit_rows: int, model_bytes: int = 4000) -> LlamaState:
    return LlamaState(
        input_ids=np.array(tokens, dtype=np.intc),
        scores=np.arange(logit_rows * VOCAB, dtype=np.single).reshape(logit_rows, VOCAB),
        n_tokens=len(tokens),
        llama_state=bytes(model_bytes),
        llama_state_size=model_bytes,
        seed=0,
    )


def test_a_kept_state_holds_one_row_of_logits_the_last() -> None:
    cache = PromptCache(capacity_bytes=1 << 20)
    cache[[1, 2, 3]] = state([1, 2, 3], logit_rows=512)
    kept = cache[[1, 2, 3]]
    assert kept.scores.shape == (1, VOCAB)
    assert kept.scores[0, 0] == 511 * VOCAB  # a copy of the last row, not a view of all 512
    assert cache.cache_size == 4000 + VOCAB * 4


def test_the_capacity_counts_logits_too_and_drops_the_least_recently_used() -> None:
    one = 4000 + VOCAB * 4  # bytes a kept state takes
    cache = PromptCache(capacity_bytes=2 * one)
    cache[[1, 2]] = state([1, 2], logit_rows=64)
    cache[[1, 3]] = state([1, 3], logit_rows=64)
    cache[[1, 2, 5]]  # noqa: B018 -- resuming from [1, 2] makes it the most recently used
    cache[[4]] = state([4], logit_rows=64)
    assert list(cache.cache_state) == [(1, 2), (4,)]
    assert cache.cache_size <= cache.capacity_bytes


def test_a_prompt_sharing_nothing_with_any_kept_one_is_a_miss() -> None:
    cache = PromptCache(capacity_bytes=1 << 20)
    cache[[1, 2]] = state([1, 2], logit_rows=2)
    with pytest.raises(KeyError):
        cache[[9, 9]]  # noqa: B018
    assert cache[[1, 2, 7]].input_ids.tolist() == [1, 2]  # the longest shared beginning


def test_a_state_kept_on_disk_is_resumed_by_another_process_after_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    first = PromptCache(capacity_bytes=1 << 20, store=PromptStore(folder, capacity_bytes=1 << 20))
    first[[1, 2, 3]] = state([1, 2, 3], logit_rows=8)
    assert stat.S_IMODE(next(folder.iterdir()).stat().st_mode) == 0o600  # it holds a question and passages

    later = PromptCache(capacity_bytes=1 << 20, store=PromptStore(folder, capacity_bytes=1 << 20))
    resumed = later[[1, 2, 3, 4]]  # the longest kept beginning, read from disk
    assert resumed.input_ids.tolist() == [1, 2, 3] and resumed.n_tokens == 3
    assert resumed.llama_state == bytes(4000) and resumed.llama_state_size == 4000
    assert resumed.scores.tolist() == [[float(7 * VOCAB + i) for i in range(VOCAB)]]  # the last row only
    assert list(later.cache_state) == [(1, 2, 3)]  # in memory from then on
    with pytest.raises(KeyError):
        later[[9]]  # noqa: B018

    first[[5, 6]] = state([5, 6], logit_rows=1)  # written by the other process since
    assert later[[5, 6, 7]].input_ids.tolist() == [5, 6]


def test_the_disk_keeps_the_most_recently_used_states_within_its_capacity(tmp_path: Path) -> None:
    store = PromptStore(tmp_path, capacity_bytes=1 << 20)
    cache = PromptCache(capacity_bytes=1 << 20, store=store)
    cache[[1]] = state([1], logit_rows=1, model_bytes=300_000)
    cache[[2]] = state([2], logit_rows=1, model_bytes=300_000)
    os.utime(tmp_path / name_of([1]), (1, 1))  # [1] used longest ago,
    os.utime(tmp_path / name_of([2]), (2, 2))
    PromptCache(capacity_bytes=1 << 20, store=store)[[1, 5]]  # noqa: B018 -- ...until read again
    cache[[3]] = state([3], logit_rows=1, model_bytes=300_000)
    cache[[4]] = state([4], logit_rows=1, model_bytes=300_000)  # four are over the capacity
    assert set(store.keys()) == {(1,), (3,), (4,)}


def test_a_state_resumed_from_memory_is_used_again_on_disk_too(tmp_path: Path) -> None:
    # a server resumes its most asked prompt from memory; the command line beside it, or the server
    # restarted, reads it from disk: other processes' saves trimmed it there as if it was never used
    store = PromptStore(tmp_path, capacity_bytes=1 << 20)
    server = PromptCache(capacity_bytes=1 << 20, store=store)
    server[[1]] = state([1], logit_rows=1, model_bytes=300_000)
    other = PromptCache(capacity_bytes=1 << 20, store=PromptStore(tmp_path, capacity_bytes=1 << 20))
    other[[2]] = state([2], logit_rows=1, model_bytes=300_000)
    os.utime(tmp_path / name_of([1]), (1, 1))  # [1] written longest ago,
    os.utime(tmp_path / name_of([2]), (2, 2))
    assert server[[1, 5]] is not None  # ...but resumed since, from the server's memory
    other[[3]] = state([3], logit_rows=1, model_bytes=300_000)
    other[[4]] = state([4], logit_rows=1, model_bytes=300_000)  # four are over the capacity
    assert set(store.keys()) == {(1,), (3,), (4,)}
    store.touch(tmp_path / "gone.npz")  # a file removed meanwhile: no error


def test_a_damaged_or_vanished_state_file_is_a_miss_not_an_error(tmp_path: Path) -> None:
    store = PromptStore(tmp_path, capacity_bytes=1 << 20)
    PromptCache(capacity_bytes=1 << 20, store=store)[[1, 2]] = state([1, 2], logit_rows=1)
    reader = PromptCache(capacity_bytes=1 << 20, store=PromptStore(tmp_path, capacity_bytes=1 << 20))
    assert reader.store.keys()
    (tmp_path / name_of([1, 2])).write_bytes(b"not a state")  # damaged after it was listed
    with pytest.raises(KeyError):
        reader[[1, 2, 3]]  # noqa: B018
    assert not (tmp_path / name_of([1, 2])).exists()  # and removed
    (tmp_path / "junk.npz").write_bytes(b"junk")
    assert reader.store.keys() == {}


def test_a_state_read_that_cannot_be_marked_used_is_resumed_and_kept(tmp_path: Path, monkeypatch) -> None:
    # marking it used (its time) failed on a folder this process may read and not write: taken for damaged,
    # the state was removed
    PromptCache(capacity_bytes=1 << 20, store=PromptStore(tmp_path, 1 << 20))[[1, 2]] = state([1, 2], logit_rows=1)
    reader = PromptCache(capacity_bytes=1 << 20, store=PromptStore(tmp_path, 1 << 20))

    def refused(*_args) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "utime", refused)
    assert reader[[1, 2, 3]].input_ids.tolist() == [1, 2]
    assert (tmp_path / name_of([1, 2])).exists()


def test_a_disk_that_cannot_keep_a_state_costs_the_resume_not_the_answer(tmp_path: Path, caplog) -> None:
    (tmp_path / "taken").write_text("a file where the folder would be")  # as a full or read-only disk fails
    cache = PromptCache(capacity_bytes=1 << 20, store=PromptStore(tmp_path / "taken" / "prompts", 1 << 20))
    cache[[1, 2]] = state([1, 2], logit_rows=1)  # no error reaches the model's answer
    assert cache[[1, 2, 3]].input_ids.tolist() == [1, 2]  # kept in memory all the same
    assert "prompt state not kept on disk" in caplog.text


def test_a_state_left_half_written_by_a_killed_process_goes_in_time(tmp_path: Path) -> None:
    store = PromptStore(tmp_path, capacity_bytes=1 << 20)
    (tmp_path / ".writing-old").write_bytes(b"half a state")
    os.utime(tmp_path / ".writing-old", (1, 1))
    (tmp_path / ".writing-now").write_bytes(b"another process at work")
    PromptCache(capacity_bytes=1 << 20, store=store)[[1]] = state([1], logit_rows=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".writing-now", name_of([1])]


def test_forgetting_drops_the_states_over_those_documents_and_that_of_an_answer_under_way() -> None:
    named = {(1, 2): frozenset({"a.txt"}), (1, 2, 3, 4): frozenset({"a.txt"}), (7,): frozenset({"b.txt"})}
    cache = PromptCache(capacity_bytes=1 << 20, files_of=named.get)  # None: a prompt without source tags
    cache[[1, 2]] = state([1, 2], logit_rows=1)
    cache[[7]] = state([7], logit_rows=1)
    cache[[8]] = state([8], logit_rows=1)  # its passages' documents are not known
    cache[[1, 2, 3]]  # noqa: B018 -- an answer begins: llama.cpp looks its prompt up (resuming from [1, 2])
    cache.forget(["a.txt"])  # meanwhile a.txt is removed
    cache[[1, 2, 3, 4]] = state([1, 2, 3, 4], logit_rows=1)  # the answer ends: its prompt held a.txt's text
    assert list(cache.cache_state) == [(7,)]  # b.txt's alone stays
    with pytest.raises(KeyError):
        cache[[1, 2, 3, 4]]  # noqa: B018 -- the next answer finds nothing to resume...
    cache[[1, 2, 3, 4]] = state([1, 2, 3, 4], logit_rows=1)
    assert list(cache.cache_state) == [(7,), (1, 2, 3, 4)]  # ...and its state, read after, is kept
    cache.forget(["c.txt"])
    assert list(cache.cache_state) == [(7,), (1, 2, 3, 4)]


def test_forgetting_on_disk_removes_the_states_over_those_documents_of_every_model(tmp_path: Path) -> None:
    kept = {
        "over-a": ([1], frozenset({"a.txt", "b.txt"})),
        "over-b": ([2], frozenset({"b.txt"})),
        "unknown": ([3], None),
    }
    for model in ("qwen-1.5b", "qwen-0.5b"):
        store = PromptStore(tmp_path / model, capacity_bytes=1 << 20)
        for key, files in kept.values():
            store.save(key, state(key, logit_rows=1), files)
    (tmp_path / "notes.txt").write_text("not a state")
    forget(tmp_path, ["a.txt"])
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert [p for p in left if not p.startswith("forgotten/")] == [
        "notes.txt", f"qwen-0.5b/{name_of([2])}", f"qwen-1.5b/{name_of([2])}"
    ]  # fmt: skip
    assert files_in(tmp_path / "qwen-0.5b" / name_of([2])) == {"b.txt"}
    forget(tmp_path / "never-made", ["a.txt"])  # a folder nothing was kept in yet


def test_a_state_read_from_disk_still_knows_its_documents(tmp_path: Path) -> None:
    PromptCache(1 << 20, PromptStore(tmp_path, 1 << 20), lambda key: frozenset({"a.txt"}))[[1, 2]] = state([1, 2], 1)
    later = PromptCache(1 << 20, PromptStore(tmp_path, 1 << 20))
    assert later[[1, 2, 3]].input_ids.tolist() == [1, 2]  # in memory now
    later.forget(["b.txt"])
    assert list(later.cache_state) == [(1, 2)]
    later.forget(["a.txt"])
    assert list(later.cache_state) == []


def test_forget_prompts_reaches_a_loaded_local_models_memory_and_the_disk(tmp_path: Path) -> None:
    store = PromptStore(tmp_path / "model", capacity_bytes=1 << 20)
    cache = PromptCache(capacity_bytes=1 << 20, store=store, files_of=lambda key: frozenset({"a.txt"}))
    cache[[1, 2]] = state([1, 2], logit_rows=1)
    local = SimpleNamespace(_model=SimpleNamespace(cache=cache))  # LlamaCPP, holding the llama_cpp.Llama rag.llm set
    forget_prompts(local, tmp_path, ["a.txt"])
    assert not cache.cache_state and not list(tmp_path.rglob("*.npz"))
    forget_prompts(SimpleNamespace(), None, ["a.txt"])  # another backend, no folder: nothing to drop, no error


def test_a_replaced_or_removed_document_takes_the_kept_prompt_states_over_it_with_it(
    settings: Settings, news_dir: Path, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts"
    app = fake_app(settings.model_copy(update={"llm_cache_dir": prompts}))
    other = sorted(p.name for p in news_dir.iterdir() if p.name != ARMS_FILE)[0]

    def keep(key: list[int], file: str) -> None:  # as the local model does after an answer over ``file``
        PromptStore(prompts / "model", capacity_bytes=1 << 20).save(key, state(key, logit_rows=1), frozenset({file}))

    def kept() -> set[str]:
        return {name for p in prompts.rglob("*.npz") for name in files_in(p)}

    keep([1], ARMS_FILE)
    keep([2], other)
    app.ingestor.ingest([news_dir])
    assert kept() == {ARMS_FILE, other}  # documents added: no kept prompt held text of theirs
    (news_dir / ARMS_FILE).write_text("Pyongyang denied the reports on Tuesday.\n")
    assert app.ingestor.ingest([news_dir]).updated == [ARMS_FILE]
    assert kept() == {other}  # replaced: the prompt over its old lines goes, the other stays
    keep([1], ARMS_FILE)
    app.ingestor.ingest([news_dir])
    assert kept() == {ARMS_FILE, other}  # nothing changed
    assert app.ingestor.delete([ARMS_FILE]) == [ARMS_FILE]
    assert kept() == {other}  # removed


def test_a_state_kept_before_states_named_their_documents_is_resumed_and_forgotten_at_any_change(
    tmp_path: Path,
) -> None:
    old = state([1, 2], logit_rows=1)
    fields = {"input_ids": old.input_ids, "scores": old.scores, "n_tokens": np.int64(2), "seed": np.int64(0)}
    np.savez(tmp_path / name_of([1, 2]), key=np.asarray([1, 2], dtype=np.int32), **fields,
             llama_state=np.frombuffer(old.llama_state, dtype=np.uint8))  # fmt: skip
    cache = PromptCache(1 << 20, PromptStore(tmp_path, 1 << 20))
    assert cache[[1, 2, 3]].input_ids.tolist() == [1, 2]
    assert files_in(tmp_path / name_of([1, 2])) is None
    cache.forget(["any.txt"])
    assert list(cache.cache_state) == []


def test_a_forget_counts_from_when_the_passages_were_chosen_and_on_whichever_thread_the_answer_ends() -> None:
    cache = PromptCache(capacity_bytes=1 << 20, files_of=lambda key: frozenset({"a.txt"}))
    cache.reading()  # the service retrieves from a.txt...
    cache.forget(["a.txt"])  # ...a.txt is removed while the question waits its turn at the model...
    with pytest.raises(KeyError):
        cache[[1, 2]]  # noqa: B018 -- ...then the model looks its prompt up
    cache[[1, 2]] = state([1, 2], logit_rows=1)
    assert list(cache.cache_state) == []

    looked_up = threading.Thread(target=lambda: pytest.raises(KeyError, cache.__getitem__, [1, 2]))
    looked_up.start()
    looked_up.join()  # a streamed answer: looked up on one worker thread...
    cache.forget(["a.txt"])
    cache[[1, 2]] = state([1, 2], logit_rows=1)  # ...its state saved on another
    assert list(cache.cache_state) == []
    with pytest.raises(KeyError):
        cache[[1, 2, 3]]  # noqa: B018 -- the next answer, with nothing forgotten since, is kept
    cache[[1, 2]] = state([1, 2], logit_rows=1)
    assert list(cache.cache_state) == [(1, 2)]


def test_a_state_written_after_another_process_forgot_its_documents_is_removed(tmp_path: Path) -> None:
    def process(files: frozenset[str]) -> PromptCache:  # the command line, with the server's prompts folder
        return PromptCache(1 << 20, PromptStore(tmp_path / "model", 1 << 20), lambda key: files)

    over_a, over_b = process(frozenset({"a.txt"})), process(frozenset({"b.txt"}))
    for cache in (over_a, over_b):
        cache.reading()
        with pytest.raises(KeyError):
            cache[[1] if cache is over_a else [2]]  # noqa: B018
    forget(tmp_path, ["a.txt"])  # the server deletes a.txt meanwhile: nothing of a.txt is on disk yet
    over_a[[1]] = state([1], logit_rows=1)  # the answers end
    over_b[[2]] = state([2], logit_rows=1)
    assert sorted(p.name for p in (tmp_path / "model").glob("*.npz")) == [name_of([2])]
    assert list(over_a.cache_state) == [] and list(over_b.cache_state) == [(2,)]
    with pytest.raises(KeyError):
        over_a[[1, 2]]  # noqa: B018 -- asked again after the forget: kept
    over_a[[1]] = state([1], logit_rows=1)
    assert (tmp_path / "model" / name_of([1])).exists()


def test_a_state_in_memory_goes_at_the_next_look_up_after_another_process_forgot_its_documents(
    tmp_path: Path,
) -> None:
    named = {(1,): frozenset({"a.txt"}), (2,): frozenset({"b.txt"})}
    server = PromptCache(1 << 20, PromptStore(tmp_path / "model", 1 << 20), named.get)
    for key in ([1], [2]):
        with pytest.raises(KeyError):
            server[key]  # noqa: B018
        server[key] = state(key, logit_rows=1)
    forget(tmp_path, ["a.txt"])  # `groundline delete a.txt` beside the server: its file goes...
    assert list(server.cache_state) == [(1,), (2,)]
    server[[2, 3]]  # noqa: B018 -- ...and at the server's next look-up, its state in memory
    assert list(server.cache_state) == [(2,)]
    server[[1]] = state([1], logit_rows=1)  # a.txt added again and asked about: kept, the note read once
    server[[2, 3]]  # noqa: B018
    assert sorted(server.cache_state) == [(1,), (2,)]

    # a server that looked nothing up for longer than forgets are noted: it cannot tell which went,
    # so it keeps those whose files are still on disk
    (tmp_path / "model" / name_of([2])).unlink()  # forgotten, the note long gone
    server.store._notes_asked = time.time() - 3600
    server[[1, 3]]  # noqa: B018
    assert list(server.cache_state) == [(1,)]


def test_a_forget_is_noted_for_an_hour_owner_only(tmp_path: Path) -> None:
    before = time.time()
    forget(tmp_path, ["a.txt", "b.txt"])
    assert forgot(tmp_path, before, frozenset({"b.txt", "c.txt"})) and forgot(tmp_path, before, None)
    assert not forgot(tmp_path, before, frozenset({"c.txt"})) and not forgot(tmp_path, time.time() + 1, None)
    (note,) = (tmp_path / "forgotten").iterdir()
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    os.utime(note, (before - 3601, before - 3601))
    forget(tmp_path, ["c.txt"])  # the next forget clears notes over an hour old
    assert len(list((tmp_path / "forgotten").iterdir())) == 1 and not note.exists()
    (note,) = (tmp_path / "forgotten").iterdir()
    os.utime(note, (before - 3601, before - 3601))
    PromptStore(tmp_path / "model", capacity_bytes=1 << 20).save([1], state([1], logit_rows=1))  # so does a save
    assert not note.exists()
    assert not forgot(tmp_path / "never-made", 0.0, None)


def test_only_the_local_models_prompt_cache_is_told_of_passages_being_chosen() -> None:
    cache = PromptCache(capacity_bytes=1 << 20)
    assert prompt_reading(SimpleNamespace(_model=SimpleNamespace(cache=cache))) == cache.reading
    assert prompt_reading(SimpleNamespace()) is None  # another backend
    assert prompt_reading(SimpleNamespace(_model=SimpleNamespace(cache=None))) is None  # the cache turned off


def test_a_reply_stopped_before_its_end_keeps_the_state_read_so_far_on_disk_too(tmp_path: Path) -> None:
    store = PromptStore(tmp_path / "model", capacity_bytes=1 << 20)
    cache = PromptCache(capacity_bytes=1 << 20, store=store)
    read = state([5, 6, 7], logit_rows=1)  # the prompt, and the reply's tokens so far
    # llama-cpp-python's input_ids has a place for every token of the context: after those read, what an
    # earlier longer prompt left, or memory never written (detokenized to name the state's documents, an id
    # out of range aborted the process)
    places = np.array([5, 6, 7, 8, -1_000_000], dtype=np.intc)
    model = SimpleNamespace(cache=cache, n_tokens=3, input_ids=places, save_state=lambda: read)
    keep = prompt_keeping(SimpleNamespace(_model=model))
    keep()
    assert list(cache.cache_state) == [(5, 6, 7)] and list(store.keys()) == [(5, 6, 7)]
    assert cache[[5, 6, 7, 8]] is read  # what the next prompt that begins so resumes
    assert prompt_keeping(SimpleNamespace()) is None  # another backend
    assert prompt_keeping(SimpleNamespace(_model=SimpleNamespace(cache=None))) is None  # the cache turned off
    empty = PromptCache(capacity_bytes=1 << 20)
    prompt_keeping(SimpleNamespace(_model=SimpleNamespace(cache=empty, n_tokens=0)))()
    assert not empty.cache_state  # a model that has read nothing keeps nothing


def test_the_local_model_reads_a_prompts_last_token_alone_as_a_resume_does() -> None:
    """A resumed prompt's last token is read again alone (llama-cpp-python, for its logits); read among
    the others the first time, it came out a little different: the verifier's verdict on the same
    question moved between its first asking and the next (tests/e2e: the same to the last digit)."""
    reads: list[list[int]] = []
    model = SimpleNamespace(eval=lambda tokens: reads.append(list(tokens)))
    read_alike(model)
    model.eval([5, 6, 7, 8])  # a prompt read in full
    model.eval([8])  # the same prompt resumed: its last token again
    model.eval([9])  # a reply's tokens, one by one
    model.eval([])  # a prompt already read to its end
    assert reads == [[5, 6, 7], [8], [8], [9], []]


def test_the_local_model_asks_before_each_batch_of_prompt_whether_its_asker_is_still_there() -> None:
    """A reader who left while the model read a long prompt (15-20 s on 2 cores) was noticed only at its
    first word; now before each batch, cut where llama-cpp-python cuts them (its numbers unchanged)."""
    reads: list[list[int]] = []
    model = SimpleNamespace(n_batch=3, eval=lambda tokens: reads.append(list(tokens)))
    halting_reads(model)
    read_alike(model)  # as rag.llm loads it: read_alike's parts cut into batches
    model.eval([1, 2, 3, 4, 5, 6, 7, 8])
    assert reads == [[1, 2, 3], [4, 5, 6], [7], [8]]  # llama's own cut of [1..7], then the last alone
    reads.clear()
    asked: list[bool] = []
    with halted_by(lambda: asked.append(True) or len(asked) > 2), pytest.raises(Abandoned):
        model.eval([1, 2, 3, 4, 5, 6, 7, 8])
    assert reads == [[1, 2, 3], [4, 5, 6]]  # the asker went before the third batch: it was not read
    reads.clear()
    model.eval([9])  # outside an answer (a verdict's check of a stream ended): nothing asks
    assert reads == [[9]]
