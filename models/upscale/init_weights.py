"""Starting weights for an Upscale run: a training checkpoint, or a shipped ONNX file's initializers.

The shipped ONNX files are the only surviving copy of earlier runs (``runs/`` is not in git), so
``--init plugins/filters/upscale/upscale_x4.onnx`` continues from them. The ONNX initializers carry the
torch parameter names; the exporter stores tensors of equal value once and aliases the rest through
``Identity`` nodes (UpscaleNet's two output biases train identically), which
:func:`models.export.onnx_state_dict` resolves (read through :func:`models.training.initial_state`).
:func:`widen` embeds a narrower net's weights in a wider one, :func:`deepen` a shallower net's in a
deeper one, both without changing its output.
"""

from __future__ import annotations

from pathlib import Path

import torch

from models.nets.upscale import UpscaleNet
from models.training import initial_state


def widen(source: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Embed ``source`` (fewer hidden channels) in tensors shaped like ``target``, output unchanged.

    Each source tensor fills the leading corner of its target-shaped copy. The extra output channels
    of a layer keep the target's (random) values, the weights reading those extra channels in the
    next layer are zero, so the wider net computes exactly the source's function and the new channels
    start learning from a non-zero signal. Tensors missing from ``source`` or of another rank keep
    the target's values; the output layers (3·s² channels) must match exactly.
    """
    out = {}
    for name, t in target.items():
        s = source.get(name)
        if s is None or s.dim() != t.dim() or any(a > b for a, b in zip(s.shape, t.shape, strict=True)):
            out[name] = t.clone()
            continue
        new = t.clone()
        if t.dim() == 4:  # conv weight (out, in, kh, kw): zero what reads the extra input channels
            new[:, s.shape[1]:] = 0
        new[tuple(slice(0, n) for n in s.shape)] = s
        out[name] = new
    return out


def _output_index(state: dict[str, torch.Tensor]) -> int:
    """Index of the output convolution in ``UpscaleNet.deep`` (the last one with weights)."""
    return max(int(k.split(".")[1]) for k in state if k.startswith("deep.") and k.endswith(".weight"))


def deepen(source: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``source`` with identity layers inserted before its output convolution, up to ``target``'s depth.

    A new hidden layer is a 3×3 convolution whose kernel passes each channel through unchanged (zero
    bias). It follows a ReLU, so its input is non-negative and its own ReLU changes nothing: the deeper
    net computes exactly the source's function, and every new layer starts from a useful signal.
    Identities have the target's width, so :func:`widen` can follow for a net that is also wider.
    """
    last, new_last = _output_index(source), _output_index(target)
    if new_last <= last:
        return source
    out = {k: v for k, v in source.items() if not k.startswith(f"deep.{last}.")}
    for kind in ("weight", "bias"):
        out[f"deep.{new_last}.{kind}"] = source[f"deep.{last}.{kind}"]
    for index in range(last, new_last, 2):  # ReLUs sit at the odd indices
        weight = torch.zeros_like(target[f"deep.{index}.weight"])
        for c in range(weight.shape[0]):
            weight[c, c, 1, 1] = 1.0
        out[f"deep.{index}.weight"] = weight
        out[f"deep.{index}.bias"] = torch.zeros_like(target[f"deep.{index}.bias"])
    return out


def net_of_file(path: str | Path) -> UpscaleNet:
    """The network stored in a shipped ``.onnx`` file, its shape read from the initializers, eval mode."""
    state = initial_state(path, "net")
    channels = int(state["deep.0.weight"].shape[0])
    scale = round((state["linear.weight"].shape[0] / 3) ** 0.5)
    net = UpscaleNet(scale, channels, _output_index(state) // 2 - 1)
    load_state(net, state)
    return net.eval()


def load_init(net: torch.nn.Module, path: str | Path) -> list[str]:
    """Load ``path`` into ``net`` (deepening shallower and widening narrower bodies); returns the names
    taken from it."""
    return load_state(net, initial_state(path, "net"))


def load_state(net: torch.nn.Module, state: dict[str, torch.Tensor]) -> list[str]:
    """:func:`load_init` for weights already read."""
    own = net.state_dict()
    source = deepen(state, own)
    taken = sorted(k for k, v in source.items() if k in own and v.dim() == own[k].dim()
                   and all(a <= b for a, b in zip(v.shape, own[k].shape, strict=True)))
    net.load_state_dict(widen(source, own))
    return taken
