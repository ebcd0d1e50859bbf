"""The onnxruntime layer: execution-provider choice, one cached session per (model, provider),
model integrity checks, and GPU out-of-memory detection.

onnxruntime-gpu lists CUDA and TensorRT as *available* even on a machine without the CUDA
libraries, then falls back to CPU while printing several lines of errors. So a provider counts as
usable only after a tiny probe session really ran on it; the probe's noise is captured and turned
into a single notice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from plugins.errors import GpuOutOfMemory, ModelIntegrityError, ModelMissingError, OutOfMemory, PluginError
from plugins.plugin_files import MAX_MODEL_BYTES, open_regular

PROVIDER_ORDER = ("tensorrt", "cuda", "directml", "coreml", "cpu")
PROVIDER_NAMES = {
    "tensorrt": "TensorrtExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "directml": "DmlExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cpu": "CPUExecutionProvider",
}
PROVIDER_CHOICES = ("auto", *PROVIDER_ORDER)
PROVIDER_LABELS = {"tensorrt": "TensorRT", "cuda": "CUDA", "directml": "DirectML", "coreml": "CoreML",
                   "cpu": "CPU"}
# A 65-byte ONNX model (y = Relu(x), opset 17, IR 8) used to test whether a provider really loads.
_PROBE_MODEL = base64.b64decode(
    "CAg6NwoMCgF4EgF5IgRSZWx1EgVwcm9iZVoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE=")
_OOM_PATTERNS = re.compile(r"out of memory|failed to allocate|cudaErrorMemoryAllocation|"
                           r"CUDNN_STATUS_ALLOC_FAILED|E_OUTOFMEMORY|bad_alloc", re.IGNORECASE)
_stdio_lock = threading.Lock()
#: onnxruntime's own log: 4 = fatal only. Its error lines (e.g. a failed allocation) would reach the
#: terminal beside ours; every failure also comes back as an exception, which Holst words itself.
_ORT_LOG_SEVERITY = 4


def _ort():
    """Import onnxruntime lazily: the window must not pay for it at start-up."""
    import onnxruntime

    onnxruntime.set_default_logger_severity(_ORT_LOG_SEVERITY)
    return onnxruntime


def sha256_of(path: Path) -> str:
    """SHA-256 of a regular file of at most MAX_MODEL_BYTES (never a FIFO, device or huge file)."""
    digest = hashlib.sha256()
    with open_regular(Path(path), MAX_MODEL_BYTES, "model") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_hash_cache: dict[tuple[str, int, int], str] = {}


def verify_model_file(path: Path, sha256: str) -> None:
    """Raise ModelMissingError / ModelIntegrityError unless ``path`` exists with the right hash."""
    try:
        info = path.stat()
    except OSError:
        raise ModelMissingError(f"model not trained yet: {path.name} is missing") from None
    if not stat.S_ISREG(info.st_mode):
        raise PluginError(f"model '{path.name}' is not a regular file")
    if not sha256:
        raise ModelIntegrityError(f"{path.name} has no SHA-256 in the manifest, so it cannot be trusted")
    key = (str(path), info.st_mtime_ns, info.st_size)
    actual = _hash_cache.get(key)
    if actual is None:
        actual = _hash_cache[key] = sha256_of(path)
    if actual != sha256.lower():
        raise ModelIntegrityError(f"{path.name} is damaged or was replaced: its SHA-256 does not match "
                                  f"the manifest (reinstall the filter)")


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether an onnxruntime error is a device out-of-memory condition."""
    return isinstance(exc, (OutOfMemory, MemoryError)) or bool(_OOM_PATTERNS.search(str(exc)))


def _captured_stdio(call: Callable[[], object]) -> tuple[object, str]:
    """Run ``call`` with the process's stdout/stderr file descriptors sent to a temp file.

    onnxruntime prints provider-loading failures from C++ straight to the descriptors, so
    redirecting ``sys.stderr`` is not enough.
    """
    python_side = io.StringIO()  # onnxruntime's Python layer print()s its fallback banner
    with _stdio_lock, tempfile.TemporaryFile(mode="w+b") as sink:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            with contextlib.redirect_stdout(python_side), contextlib.redirect_stderr(python_side):
                result = call()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        sink.seek(0)
        return result, sink.read().decode("utf-8", "replace") + python_side.getvalue()


def _first_reason(log: str) -> str:
    for pattern in (r"with error: ([^\n]+)", r"(Please install [^.\n]+)", r"\] ([^\n]+)"):
        match = re.search(pattern, log)
        if match:
            return match.group(1).strip()
    return "the provider did not load"


@dataclass
class ModelSession:
    """A loaded model on one provider."""

    path: Path
    provider: str
    _session: object
    input_names: tuple[str, ...] = field(init=False)
    output_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.input_names = tuple(i.name for i in self._session.get_inputs())
        self.output_names = tuple(o.name for o in self._session.get_outputs())

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Run the model; running out of memory becomes GpuOutOfMemory on a device and OutOfMemory on
        the CPU (an allocation failure in RAM is not a GPU problem), other failures PluginError."""
        try:
            return self._session.run(None, feeds)
        except Exception as exc:  # onnxruntime raises its own Fail/RuntimeException types
            if is_out_of_memory(exc):
                if self.provider == "cpu":
                    raise OutOfMemory(f"not enough memory (RAM) to run {self.path.name}") from exc
                raise GpuOutOfMemory(f"{PROVIDER_LABELS.get(self.provider, self.provider)} ran out of "
                                     f"memory running {self.path.name}") from exc
            raise PluginError(f"{self.path.name} failed on {self.provider}: {exc}") from exc


class Runtime:
    """Provider choice and the session cache. Thread-safe; one per process is enough."""

    def __init__(self, preferred: str = "auto", threads: int | None = None) -> None:
        """``threads``: onnxruntime's intra-op threads per session (None: its default, all cores).
        Batch workers share the cores, so each takes its part instead of every one taking all."""
        if preferred not in PROVIDER_CHOICES:
            raise ValueError(f"provider must be one of {', '.join(PROVIDER_CHOICES)}")
        self.preferred = preferred
        self.threads = threads
        self.notices: list[str] = []
        self._usable: dict[str, bool] = {}
        self._sessions: dict[tuple[str, str], ModelSession] = {}
        self._forced_cpu = False
        self._lock = threading.RLock()

    # -- providers -------------------------------------------------------------------------
    def _notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def provider_usable(self, name: str) -> bool:
        """Whether ``name`` (a PROVIDER_ORDER key) really runs a session here. Probed once."""
        with self._lock:
            if name not in self._usable:
                self._usable[name] = self._probe(name)
            return self._usable[name]

    def _probe(self, name: str) -> bool:
        if name == "cpu":
            return True
        ort = _ort()
        full = PROVIDER_NAMES[name]
        if full not in ort.get_available_providers():
            return False

        def create():
            try:
                return ort.InferenceSession(_PROBE_MODEL, providers=[full, "CPUExecutionProvider"])
            except Exception as exc:  # a provider that throws on creation is simply unusable
                return exc

        session, log = _captured_stdio(create)
        if not isinstance(session, Exception) and session.get_providers()[0] == full:
            return True
        reason = str(session) if isinstance(session, Exception) else _first_reason(log)
        self._notice(f"{PROVIDER_LABELS[name]} is not available "
                     f"({reason}); using the next provider.")
        return False

    def candidate_providers(self) -> list[str]:
        """Providers to try, best first; always ends with 'cpu'."""
        if self._forced_cpu:
            return ["cpu"]
        if self.preferred != "auto":
            order = [self.preferred] if self.preferred == "cpu" else [self.preferred, "cpu"]
        else:
            order = list(PROVIDER_ORDER)
        return [p for p in order if self.provider_usable(p)]

    @property
    def active_provider(self) -> str:
        """The provider new sessions will use."""
        return self.candidate_providers()[0]

    @property
    def on_cpu(self) -> bool:
        """Whether new sessions run on the CPU (chosen, forced, or the only provider that loads)."""
        return self.active_provider == "cpu"

    def is_gpu_memory(self, exc: BaseException) -> bool:
        """Whether an out-of-memory error is a device's, not the CPU's RAM (which smaller tiles may help
        but moving to the CPU cannot)."""
        if isinstance(exc, GpuOutOfMemory):
            return True
        if isinstance(exc, (OutOfMemory, MemoryError)):
            return False
        return not self.on_cpu  # an onnxruntime message: the provider in use decides

    @staticmethod
    def retry_note(tile: int, gpu: bool) -> str:
        """What to tell the user when a run is retried with ``tile``-pixel tiles after running out of
        memory (the GPU's only when it was the GPU's)."""
        return f"Out of {'GPU memory' if gpu else 'memory'}: retrying with {tile}px tiles."

    @property
    def forced_cpu(self) -> bool:
        """Whether an earlier failure pinned this runtime to the CPU."""
        return self._forced_cpu

    def fall_back_to_cpu(self, reason: str) -> None:
        """Use the CPU from now on (after a GPU out-of-memory that smaller tiles did not cure)."""
        with self._lock:
            if not self._forced_cpu:
                self._forced_cpu = True
                self._notice(f"Switched to the CPU: {reason}")

    # -- sessions --------------------------------------------------------------------------
    def session(self, model_path: Path, sha256: str) -> ModelSession:
        """A cached session for this model on the active provider; the file's hash is checked."""
        model_path = Path(model_path)
        verify_model_file(model_path, sha256)
        provider = self.active_provider
        key = (str(model_path.resolve()), provider)
        with self._lock:
            cached = self._sessions.get(key)
            if cached is None:
                cached = self._sessions[key] = self._create(model_path, provider)
            return cached

    def _create(self, path: Path, provider: str) -> ModelSession:
        ort = _ort()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = _ORT_LOG_SEVERITY
        if self.threads:
            options.intra_op_num_threads = self.threads
        providers = [PROVIDER_NAMES[provider]] + ([] if provider == "cpu" else ["CPUExecutionProvider"])
        try:
            session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        except Exception as exc:
            raise PluginError(f"cannot load {path.name}: {exc}") from exc
        loaded = session.get_providers()[0]
        actual = next((k for k, v in PROVIDER_NAMES.items() if v == loaded), "cpu")
        if actual != provider:
            self._notice(f"{path.name} could not use {provider}; it runs on {actual}.")
        return ModelSession(path=path, provider=actual, _session=session)

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


_default: Runtime | None = None
_default_lock = threading.Lock()


def default_runtime(preferred: str | None = None) -> Runtime:
    """The process-wide runtime; ``preferred`` replaces it when it differs."""
    global _default
    with _default_lock:
        if _default is None or (preferred is not None and preferred != _default.preferred):
            _default = Runtime(preferred or "auto")
        return _default
