"""The graphs of the stylize filter's "own painting" mode: Gatys, Ecker & Bethge (2016) on ImageNet VGG16.

The image is optimised directly (from NumPy, by L-BFGS, coarse to fine: ``plugins/filters/stylize/
gatys.py``) so that its Gram matrices match the user's painting and its deep features match the photo.
Loss and gradient are one forward graph with the explicit backward pass of ``models/vgg_graphs.py``,
on the ImageNet VGG16 (``models.vgg16``) with max pooling and zero padding. The conv weights are not in
these graphs: they come from the texture filter's ``vgg16_conv.onnx`` (one copy on disk for both
filters; the stylize manifest names it with ``plugin = "texture"``):

* ``gatys_targets.onnx``   image, valid → Grams of relu1_1…relu5_1, relu4_2 features (content)
* ``gatys_step.onnx``      (x, weights, 5 targets, content, content_weight) → (loss, dloss/dx)

    python -m models.stylize.gatys        # exports, checks parity, records the SHA-256 in the manifest
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from models.export import write_model_hash
from models.features import FeatureNet
from models.texture.config import LAST_LAYER, POOL
from models.texture.config import PLUGIN_DIR as TEXTURE_DIR
from models.vgg_graphs import Step, Targets, export_depth, require_parity
from plugins.filters.stylize.gatys import STEP_FILE, TARGETS_FILE
from plugins.vgg import WEIGHTS_FILE

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "stylize"
#: Gatys et al. 2016: style layers and content layer.
STYLE_LAYERS, CONTENT_LAYER = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"), "relu4_2"
TOLERANCE = 1e-3


def feature_net() -> FeatureNet:
    from models.vgg16 import imagenet_vgg16

    return imagenet_vgg16(last_layer=LAST_LAYER, pool=POOL, padding="zeros")


def export_all(net: FeatureNet, out: Path) -> dict[str, float]:
    """Write the two graphs for ``net`` (zero padding) into ``out``; returns each one's parity error."""
    out.mkdir(parents=True, exist_ok=True)
    return export_depth(net, out, Targets(net, STYLE_LAYERS, CONTENT_LAYER), TARGETS_FILE,
                        Step(net, STYLE_LAYERS, CONTENT_LAYER, circular=False, region=False), STEP_FILE)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PLUGIN_DIR)
    parser.add_argument("--no-manifest", action="store_true", help="do not rewrite the manifest hashes")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    require_parity(export_all(feature_net(), args.out), TOLERANCE)
    if not args.no_manifest:
        for name in (TARGETS_FILE, STEP_FILE):
            write_model_hash(args.out, name)
        write_model_hash(args.out, WEIGHTS_FILE, source=TEXTURE_DIR / WEIGHTS_FILE)


if __name__ == "__main__":
    main()
