"""The texture filter's fixed choices, shared by export, tests and evaluation."""

from __future__ import annotations

from pathlib import Path

from models.export import OPSET  # noqa: F401 - the toolkit's one opset, read here by models/stylize/gatys.py

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "plugins" / "filters" / "texture"

# Random VGG-19 (models.features) at half width: calibrated He init, seed 0, blur pooling. Average
# pooling's gradient is constant on 2×2 blocks and left a 2-pixel grid in the synthesized textures
# (neighbour differences alternated 1.25 / 0.75 between even and odd rows); blur pooling removes it.
WIDTH = 0.5
SEED = 0
POOL = "blur"
# Deep graph (coarse levels): Gram statistics from relu1_1, relu2_1, relu3_1 (Gatys et al. 2015 use the
# first layer of each block; relu4_1 was dropped: it doubled the cost per step — conv3_2…conv4_1 — and
# gave no visible gain, because the coarse-to-fine levels already see large structures at 1/4 and 1/8
# scale). Shallow graph (fine levels): relu1_1 and relu2_1 only, ~2.5× cheaper per pixel again; the
# large-scale arrangement is already fixed by the coarser levels.
DEEP_LAYERS = ("relu1_1", "relu2_1", "relu3_1")
SHALLOW_LAYERS = ("relu1_1", "relu2_1")

GRAM_FILE = "texture_gram.onnx"
STEP_DEEP_FILE = "texture_step_deep.onnx"
STEP_SHALLOW_FILE = "texture_step_shallow.onnx"
