"""The onnxruntime layer: provider fallback, session cache, integrity, OOM → smaller tiles → CPU."""

import numpy as np
import pytest

from plugins import registry, runtime
from plugins.errors import GpuOutOfMemory, ModelIntegrityError, ModelMissingError, OutOfMemory
from plugins.pipeline import apply_filter
from plugins.runtime import Runtime


def test_auto_ends_on_a_provider_that_really_loads():
    rt = Runtime("auto")
    assert rt.candidate_providers()[-1] == "cpu"
    assert all(rt.provider_usable(p) for p in rt.candidate_providers())


def test_unloadable_gpu_provider_falls_back_quietly_and_says_so_once(monkeypatch, capfd):
    import onnxruntime

    monkeypatch.setattr(onnxruntime, "get_available_providers",
                        lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    monkeypatch.setattr(runtime, "_PROBE_MODEL", b"not an onnx model")
    rt = Runtime("cuda")
    assert rt.active_provider == "cpu"
    assert rt.active_provider == "cpu"
    assert len([n for n in rt.notices if "CUDA" in n]) == 1
    out, err = capfd.readouterr()
    assert "CUDA" not in out + err


def test_real_provider_probe_prints_nothing(capsys):
    rt = Runtime("tensorrt")
    rt.candidate_providers()
    out, err = capsys.readouterr()
    assert "EP Error" not in out + err


def test_sessions_are_cached_per_model_and_provider(test_plugins):
    entry = registry.get("test_blur")
    rt = Runtime("cpu")
    ref = entry.spec.models[0]
    first = rt.session(entry.folder / ref.file, ref.sha256)
    assert rt.session(entry.folder / ref.file, ref.sha256) is first
    assert first.provider == "cpu" and first.input_names == ("image",)


def test_missing_and_tampered_models_are_clear_errors(tmp_path):
    rt = Runtime("cpu")
    with pytest.raises(ModelMissingError, match="not trained yet"):
        rt.session(tmp_path / "absent.onnx", "0" * 64)
    path = tmp_path / "model.onnx"
    path.write_bytes(b"abc")
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        rt.session(path, "0" * 64)
    with pytest.raises(ModelIntegrityError, match="no SHA-256"):
        rt.session(path, "")


class FlakyGpuSession:
    """Wraps a real session; raises an onnxruntime-style OOM for tiles larger than ``limit``."""

    def __init__(self, inner, limit, log):
        self.inner, self.limit, self.log = inner, limit, log
        self.provider, self.input_names = "cuda", inner.input_names

    def run(self, feeds):
        side = max(feeds["image"].shape[2:])
        self.log.append(side)
        if side > self.limit:
            raise GpuOutOfMemory("CUDA failure 2: out of memory")
        return self.inner.run(feeds)


def test_gpu_oom_halves_the_tile_then_falls_back_to_cpu(test_plugins, monkeypatch):
    entry = registry.get("test_blur")
    pixels = np.random.default_rng(0).integers(0, 256, (200, 180, 4), dtype=np.uint8)
    expected = apply_filter(entry, pixels, runtime=Runtime("cpu"))
    for limit, falls_to_cpu in ((70, False), (10, True)):
        rt = Runtime("auto")
        real = rt.session
        log: list[int] = []

        def session(path, sha, rt=rt, real=real, limit=limit, log=log):
            return real(path, sha) if rt.forced_cpu else FlakyGpuSession(real(path, sha), limit, log)

        monkeypatch.setattr(rt, "session", session)
        notes: list[str] = []
        result = apply_filter(entry, pixels, runtime=rt, tile=128, notify=notes.append)
        assert np.abs(result.astype(int) - expected).max() <= 1
        assert any("64px tiles" in n for n in notes)
        assert rt.forced_cpu is falls_to_cpu
        assert any("CPU" in n for n in notes) is falls_to_cpu


def test_run_once_retries_on_the_cpu_and_model_handles_follow_the_provider(test_plugins, monkeypatch):
    from plugins.context import FilterContext

    entry = registry.get("test_blur")
    rt = Runtime("auto")
    real = rt.session
    log: list[int] = []
    monkeypatch.setattr(rt, "session", lambda path, sha: real(path, sha) if rt.forced_cpu
                        else FlakyGpuSession(real(path, sha), 0, log))
    notes: list[str] = []
    ctx = FilterContext(entry, rt, notify=notes.append)
    model = ctx.model("blur")                                  # kept across the fall-back
    image = np.ones((1, 3, 8, 8), np.float32)
    out = ctx.run_once(lambda: model.run({"image": image})[0])
    assert out.shape == (1, 3, 8, 8) and rt.forced_cpu and log == [8]
    assert notes == ["Out of GPU memory: continuing on the CPU."]
    with pytest.raises(OutOfMemory, match="not enough memory \\(RAM\\)"):  # RAM: the CPU cannot help
        ctx.run_once(lambda: (_ for _ in ()).throw(MemoryError()))
    with pytest.raises(GpuOutOfMemory, match="not enough memory"):  # already on the CPU: a clear error
        ctx.run_once(lambda: (_ for _ in ()).throw(GpuOutOfMemory("simulated")))


def test_an_untiled_filter_cannot_run_tiled(tmp_path):
    from plugins.context import FilterContext
    from plugins.errors import PluginError
    from plugins.registry import load_entry

    folder = tmp_path / "whole"
    folder.mkdir()
    (folder / "manifest.toml").write_text('id = "whole"\nname = "Whole"\n', encoding="utf-8")
    (folder / "filter.py").write_text("def run(ctx, image, mask, params):\n    return image\n",
                                      encoding="utf-8")
    ctx = FilterContext(load_entry(folder, "user"), Runtime("cpu"), tile=256)
    assert ctx.tiler is None
    with pytest.raises(PluginError, match="declares no \\[tiling\\]"):
        ctx.run_tiled(np.zeros((8, 8, 3), np.float32), lambda t: t)
