"""Rebuild a trainable generator from a shipped ``edges2photo.onnx`` (to fine-tune from it).

The TorchScript exporter folds each BatchNorm into the convolution before it, so the file holds, per
conv, one weight and one bias (``W·γ/σ`` and ``β − μ·γ/σ``), the unnormalised first and innermost
convs under their module names and the others as ``onnx::Conv_<n>`` in graph order. The generator is
rebuilt with those folded weights and each BatchNorm set to add the folded bias only (γ 1, β = bias,
running mean 0, running variance 1 − ε); with ``frozen_norm`` it keeps running statistics during
training, so in eval mode (and re-exported) it computes exactly what the file computes.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from models.export import onnx_state_dict
from models.nets.edges2photo import DEFAULT_WIDTHS, UNetGenerator


def _folded_convs(net: UNetGenerator) -> list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    """Every conv of the generator in graph order, with the BatchNorm folded into it (if any)."""
    pairs: list[tuple[nn.Conv2d, nn.BatchNorm2d | None]] = []
    for block in [*net.down, *net.up, net.final]:
        modules = list(block.modules())
        convs = [m for m in modules if isinstance(m, nn.Conv2d)]
        norms = [m for m in modules if isinstance(m, nn.BatchNorm2d)]
        pairs.append((convs[0], norms[0] if norms else None))
    return pairs


def generator_from_onnx(path: Path, widths: tuple[int, ...] | None = None, noise_layers: int = 2,
                        upsample: str = "resize") -> UNetGenerator:
    """A ``frozen_norm`` generator holding exactly the shipped file's weights (train mode)."""
    state = onnx_state_dict(path)
    net = UNetGenerator(widths=tuple(widths or DEFAULT_WIDTHS), noise_layers=noise_layers, upsample=upsample,
                        frozen_norm=True)
    folded = [state[k] for k in sorted((k for k in state if k.startswith("onnx::Conv_")),
                                       key=lambda k: int(k.rsplit("_", 1)[1]))]
    named = {name: state[name] for name in state if not name.startswith("onnx::")}
    tensors = iter(zip(folded[0::2], folded[1::2], strict=True))
    with torch.no_grad():
        for conv, norm in _folded_convs(net):
            if norm is None:
                prefix = next(n for n, m in net.named_modules() if m is conv)
                weight, bias = named[f"{prefix}.weight"], named[f"{prefix}.bias"]
            else:
                weight, bias = next(tensors)
            if weight.shape != conv.weight.shape:
                raise ValueError(f"{path}: folded conv {tuple(weight.shape)} where the generator has "
                                 f"{tuple(conv.weight.shape)}")
            conv.weight.copy_(weight)
            if norm is None:
                conv.bias.copy_(bias)
                continue
            norm.weight.fill_(1.0)
            norm.bias.copy_(bias)
            norm.running_mean.zero_()
            norm.running_var.fill_(1.0 - norm.eps)
    if next(tensors, None) is not None:
        raise ValueError(f"{path} holds more convolutions than the generator")
    return net.train()
