from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.errors import GroundlineError
from rag.llm import build_llm
from rag.settings import Settings


def test_settings_come_from_groundline_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GROUNDLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GROUNDLINE_LLM", "openai")
    monkeypatch.setenv("GROUNDLINE_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("GROUNDLINE_LLM_MODEL", "m")
    monkeypatch.setenv("GROUNDLINE_LLM_API_KEY", "k")
    s = Settings(_env_file=None)
    assert (s.data_dir, s.llm, s.llm_base_url, s.llm_model, s.llm_api_key) == (
        tmp_path,
        "openai",
        "http://127.0.0.1:9/v1",
        "m",
        "k",
    )


def test_an_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / "groundline.env"
    env.write_text("GROUNDLINE_TOP_K=7\n")
    assert Settings(_env_file=env).top_k == 7


def test_explicit_values_beat_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GROUNDLINE_DATA_DIR", "/elsewhere")
    assert Settings(data_dir=tmp_path, _env_file=None).data_dir == tmp_path


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(llm="gpt-local", _env_file=None)


def test_openai_backend_needs_url_and_model() -> None:
    with pytest.raises(GroundlineError, match="GROUNDLINE_LLM_BASE_URL"):
        build_llm(Settings(llm="openai", _env_file=None))


def test_openai_backend_is_configured_from_settings() -> None:
    llm = build_llm(
        Settings(llm="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen", llm_timeout_s=5, _env_file=None)
    )
    assert (llm.model, llm.api_base, llm.timeout, llm.temperature) == ("qwen", "http://127.0.0.1:9/v1", 5, 0.0)
