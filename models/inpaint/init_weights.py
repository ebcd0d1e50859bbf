"""Rebuild the PyTorch generator from a shipped ``inpaint.onnx`` (to continue training from it).

The dynamo exporter keeps the module parameter names (``stem.conv.weight``, ``body.0.ffc1.l2l.bias``,
...) as the ONNX initializer names, so the state dict can be read back one to one; the extra
initializers (shape constants of the DFT/Slice ops) are ignored. The network's width and number of
FFC blocks are read off the tensors, so any ``InpaintNet`` configuration round-trips.
"""

from __future__ import annotations

from pathlib import Path

from models.export import onnx_state_dict
from models.nets.inpaint import InpaintNet


def net_from_onnx(path: Path) -> InpaintNet:
    """An ``InpaintNet`` (eval mode) holding exactly the weights of the ONNX file.

    Raises ``KeyError``/``RuntimeError`` when the file's initializers do not name every parameter of
    the network (e.g. an exporter that folded or renamed them).
    """
    state = onnx_state_dict(path)
    width = 2 * state["stem.conv.weight"].shape[0]
    blocks = len({k.split(".")[1] for k in state if k.startswith("body.")})
    net = InpaintNet(width=width, blocks=blocks)
    wanted = net.state_dict().keys()
    net.load_state_dict({k: state[k] for k in wanted}, strict=True)
    return net.eval()
