"""Joining and verifying split model parts, with small fake part packages.

The fake parts are real installed distributions (a dist-info with a RECORD),
so ``importlib.metadata`` finds them exactly as it finds the real ones.
"""

import base64
import hashlib
import importlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rag import models
from rag.errors import ModelFileError
from rag.models import PackagedModel, ensure_model

PARTS = [b"first part ", b"second part ", b"third"]


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackagedModel:
    site = tmp_path / "site"
    for i, data in enumerate(PARTS, start=1):
        pkg = site / f"glfake_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
        info = site / f"glfake_part{i}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: glfake-part{i}\nVersion: 1.0\n")
        (info / "RECORD").write_text(f"glfake_part{i}/data/part{i:02d}.bin,sha256={_digest(data)},{len(data)}\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    return PackagedModel(
        name="Fake model",
        filename="fake.gguf",
        package_prefix="glfake-part",
        parts=len(PARTS),
        version="1.0",
        sha256=hashlib.sha256(b"".join(PARTS)).hexdigest(),
        extra="",
    )


def test_parts_are_joined_in_order_and_verified(fake_model: PackagedModel, tmp_path: Path) -> None:
    path = ensure_model(fake_model, tmp_path / "models")
    assert path.read_bytes() == b"".join(PARTS)
    assert ensure_model(fake_model, tmp_path / "models") == path  # stamped: not joined again


def test_a_corrupted_part_is_named_with_the_package_to_reinstall(fake_model: PackagedModel, tmp_path: Path) -> None:
    part = Path(sys.path[0]) / "glfake_part2" / "data" / "part02.bin"
    part.write_bytes(b"second pArt ")
    fix = r"pip install --force-reinstall 'glfake-part2==1.0'"
    with pytest.raises(ModelFileError, match=r"glfake-part2 is corrupted.*" + fix):
        ensure_model(fake_model, tmp_path / "models")
    assert not (tmp_path / "models" / "fake.gguf").exists()


def test_a_missing_part_is_named(fake_model: PackagedModel, tmp_path: Path) -> None:
    missing = PackagedModel(**{**fake_model.__dict__, "parts": 4})
    with pytest.raises(ModelFileError, match="package glfake-part4 is not installed"):
        ensure_model(missing, tmp_path / "models")


def test_a_wrong_whole_file_checksum_is_refused(fake_model: PackagedModel, tmp_path: Path) -> None:
    wrong = PackagedModel(**{**fake_model.__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelFileError, match="expected 0000"):
        ensure_model(wrong, tmp_path / "models")
    assert [p.name for p in (tmp_path / "models").glob("fake.*")] == ["fake.gguf.lock"]  # no part of it kept


def test_a_joined_file_changed_on_disk_is_joined_again(fake_model: PackagedModel, tmp_path: Path) -> None:
    path = ensure_model(fake_model, tmp_path / "models")
    path.write_bytes(b"truncated")
    assert ensure_model(fake_model, tmp_path / "models").read_bytes() == b"".join(PARTS)


def test_two_starting_at_once_join_the_parts_once(
    fake_model: PackagedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    joins = []
    join = models.join_parts

    def slow_join(model: PackagedModel, target: Path) -> Path:
        joins.append(target)
        time.sleep(0.5)  # the other one looks meanwhile
        return join(model, target)

    monkeypatch.setattr(models, "join_parts", slow_join)
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: ensure_model(fake_model, tmp_path / "models"), range(2))
    assert first == second and first.read_bytes() == b"".join(PARTS)
    assert len(joins) == 1  # the second waited, then found it joined and stamped
