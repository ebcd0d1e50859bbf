"""Rebuild the PyTorch generator from a shipped ``inpaint.onnx`` or a run's checkpoint (to continue
training from it, or to check an exporter against the shipped file).

The dynamo exporter keeps the module parameter names (``stem.conv.weight``, ``body.0.ffc1.l2l.bias``,
...) as the ONNX initializer names, so the state dict can be read back one to one; the extra
initializers (shape constants of the DFT/Slice ops) are ignored. The network's width and number of
FFC blocks are read off the tensors, so any ``InpaintNet`` configuration round-trips.
"""

from __future__ import annotations

from pathlib import Path

import torch

from models.nets.inpaint import InpaintNet
from models.training import initial_state


def net_shape(state: dict[str, torch.Tensor]) -> dict[str, int]:
    """``{"width", "blocks"}`` of the generator whose weights ``state`` holds."""
    return {"width": 2 * int(state["stem.conv.weight"].shape[0]),
            "blocks": len({k.split(".")[1] for k in state if k.startswith("body.")})}


def load_weights(net: InpaintNet, state: dict[str, torch.Tensor]) -> InpaintNet:
    """Load exactly the network's parameters from ``state`` (which may hold more); raises ``KeyError``
    when one is missing (e.g. an exporter that folded or renamed them)."""
    net.load_state_dict({k: state[k] for k in net.state_dict()}, strict=True)
    return net


def net_from_onnx(path: str | Path) -> InpaintNet:
    """An ``InpaintNet`` (eval mode) holding exactly the weights of a shipped ONNX file or checkpoint."""
    state = initial_state(path, "generator")
    return load_weights(InpaintNet(**net_shape(state)), state).eval()
