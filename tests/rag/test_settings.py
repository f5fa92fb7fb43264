from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.errors import GroundlineError, SettingsError
from rag.llm import build_llm
from rag.settings import Settings, read_settings


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


def test_a_bad_value_is_named_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDLINE_TOP_K", "0")
    monkeypatch.setenv("GROUNDLINE_VERIFY", "maybe")
    with pytest.raises(SettingsError) as caught:
        read_settings(_env_file=None)
    assert str(caught.value) == (
        "GROUNDLINE_TOP_K='0': Input should be greater than or equal to 1; "
        "GROUNDLINE_VERIFY='maybe': Input should be a valid boolean, unable to interpret input"
    )


def test_a_list_that_is_not_json_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDLINE_EMBED_ORIGINS", "http://intranet:*")
    with pytest.raises(SettingsError, match=r"^GROUNDLINE_EMBED_ORIGINS is not valid JSON \(Expecting value"):
        read_settings(_env_file=None)


@pytest.mark.parametrize("device", ["cpu", "cuda", "cuda:1", "mps"])
def test_embedding_devices_are_pytorch_names(device: str) -> None:
    assert Settings(embed_backend="torch", embed_device=device, _env_file=None).embed_device == device


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:x", "CPU", "cuda:0 "])
def test_other_device_names_are_refused(device: str) -> None:
    with pytest.raises(
        SettingsError, match=r"GROUNDLINE_EMBED_DEVICE=.*use cpu, cuda, cuda:N \(the Nth NVIDIA GPU\) or mps"
    ):
        read_settings(embed_backend="torch", embed_device=device, _env_file=None)


def test_a_gpu_needs_the_torch_backend() -> None:
    with pytest.raises(
        SettingsError, match="^GROUNDLINE_EMBED_DEVICE=cuda needs GROUNDLINE_EMBED_BACKEND=torch: the onnx"
    ):
        read_settings(embed_device="cuda", _env_file=None)


def test_a_root_path_is_a_url_path_without_its_last_slash() -> None:
    assert read_settings(root_path="/groundline/", _env_file=None).root_path == "/groundline"
    assert read_settings(root_path="/team/docs", _env_file=None).root_path == "/team/docs"
    assert read_settings(root_path="/", _env_file=None).root_path == ""  # the root itself
    for bad in ("groundline", "/a b", "/x?y=1", "/x#y"):
        with pytest.raises(SettingsError, match=r"^GROUNDLINE_ROOT_PATH=.*use a path such as /groundline"):
            read_settings(root_path=bad, _env_file=None)


def test_gpu_layers_need_a_llama_cpp_built_for_the_gpu(tmp_path: Path) -> None:
    # pip builds llama-cpp-python for the CPU: asked for GPU layers, llama.cpp would run them there
    # quietly; the load is refused, saying how to build it
    import llama_cpp

    from rag.llm import llama_options

    settings = Settings(data_dir=tmp_path, llm_gpu_layers=-1, _env_file=None)
    assert llama_options(settings)["n_gpu_layers"] == -1
    if llama_cpp.llama_supports_gpu_offload():
        pytest.skip("this llama-cpp-python is built for a GPU")
    with pytest.raises(
        SettingsError, match=r"GROUNDLINE_LLM_GPU_LAYERS=-1: .*CPU alone.*CMAKE_ARGS=\"-DGGML_CUDA=on\""
    ):
        build_llm(settings)
