"""The texture filter's fixed choices, shared by export, tests and evaluation."""

from __future__ import annotations

from pathlib import Path

from plugins.filters.texture.graphs import ALL_FILES, STEP_FILES, TARGET_FILES
from plugins.vgg import WEIGHTS_FILE

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "texture"

# ImageNet VGG16 (models.vgg16) up to relu5_1, the deepest layer Gatys et al. use, with max pooling as the
# network was trained. Blur pooling ([1,2,1]² / 16, stride 2), used until stop 32, smoothed the gradient but
# changed the features after pool1: a tile that matched the blur-pooled statistics stayed far from the
# sample in the real network's (held-out 256² tiles: median style distance 0.70× the random network's with
# max pooling against 0.77× with blur at the same schedule, and crisper stones and brush strokes).
LAST_LAYER = "relu5_1"
POOL = "max"
#: Gram layers of each depth's graphs: every ReLU up to the depth's last one (deep: up to relu5_1, the
#: deepest of Gatys et al.'s layers; mid: relu3_1; shallow: relu2_1). The layers between Gatys et al.'s
#: (relu1_2, relu2_2, relu3_2, …) are computed on the way anyway, so their Gram terms cost little (about
#: +15 %), and matching them too brought the tiles closer to the samples in VGG16 statistics.
DEPTH_LAYERS = {
    "deep": ("relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1", "relu3_2", "relu3_3", "relu4_1",
             "relu4_2", "relu4_3", "relu5_1"),
    "mid": ("relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1"),
    "shallow": ("relu1_1", "relu1_2", "relu2_1"),
}
#: The weights file stores float16 (half the size; the results do not change visibly, see the card).
FP16 = True

__all__ = ["ALL_FILES", "DEPTH_LAYERS", "FP16", "LAST_LAYER", "PLUGIN_DIR", "POOL", "STEP_FILES",
           "TARGET_FILES", "WEIGHTS_FILE"]
