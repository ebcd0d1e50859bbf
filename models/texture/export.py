"""Export the texture filter's ONNX files from the ImageNet VGG16 and record their SHA-256 in the manifest.

    python -m models.texture.export [--out DIR] [--no-manifest]

* ``vgg16_conv.onnx``               the VGG16 conv weights up to conv5_1, once, in float16 (also read by
                                    stylize's own-painting mode: ``plugin = "texture"`` in its manifest)
* ``texture_{depth}_targets.onnx``  sample, valid, conv params → Gram matrices of the depth's layers
* ``texture_{depth}_step.onnx``     x, region, layer weights, targets, conv params → (loss, grad);
                                    circular padding (seamless)

for depth in deep / mid / shallow (``config.DEPTH_LAYERS``), all at the toolkit's one opset
(``models.export.OPSET``). H and W are dynamic. Every graph is checked against torch (the steps against
autograd) at a size other than the traced one. The same input gives the same bytes, and the shipped files
are what this writes less their numbers (``tests/test_texture_graphs.py``, on tiny random networks).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import torch

from models.export import write_model_hash
from models.features import FeatureNet
from models.texture.config import (
    DEPTH_LAYERS,
    FP16,
    LAST_LAYER,
    PLUGIN_DIR,
    POOL,
    STEP_FILES,
    TARGET_FILES,
    WEIGHTS_FILE,
)
from models.vgg_graphs import Step, Targets, export_depth, require_parity, write_weights

TOLERANCE = 1e-3


def feature_net() -> FeatureNet:
    """The ImageNet VGG16 up to LAST_LAYER with POOL pooling and circular padding (models.vgg16)."""
    from models.vgg16 import imagenet_vgg16

    return imagenet_vgg16(last_layer=LAST_LAYER, pool=POOL, padding="circular")


def export_all(net: FeatureNet, out: Path, fp16: bool = FP16) -> dict[str, float]:
    """Write every file for ``net`` (circular padding) into ``out``; returns each graph's parity error."""
    out.mkdir(parents=True, exist_ok=True)
    write_weights(net, LAST_LAYER, out / WEIGHTS_FILE, fp16=fp16)
    errors = {}
    for depth, layers in DEPTH_LAYERS.items():
        errors |= export_depth(net, out, Targets(net, layers), TARGET_FILES[depth],
                               Step(net, layers, circular=True, region=True), STEP_FILES[depth])
    return errors


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PLUGIN_DIR)
    parser.add_argument("--no-manifest", action="store_true", help="do not rewrite the manifest hashes")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    require_parity(export_all(feature_net(), args.out), TOLERANCE)
    if not args.no_manifest:
        for name in (WEIGHTS_FILE, *TARGET_FILES.values(), *STEP_FILES.values()):
            write_model_hash(args.out, name)


if __name__ == "__main__":
    main()
