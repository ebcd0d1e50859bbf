"""Every filter's training on the shared scaffold: a run killed between two checkpoints and resumed
ends with the same weights, bit for bit, as one that ran straight through (GAN phases, discriminators,
data samplers and dropout included); ``--init`` takes another run's weights.

The tasks are the real ones with tiny networks and synthetic pictures (their data-loading methods
overridden), so this needs no shared data and takes seconds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from helpers_training import assert_resume_is_exact, checkpoint_modules, photos  # noqa: E402

from models import training  # noqa: E402
from models.colorize.dataset import CropSampler  # noqa: E402
from models.colorize.train import ColorizeRun, ColorizeTask  # noqa: E402
from models.edges2photo.pairs import EdgeEntry  # noqa: E402
from models.edges2photo.train import Edges2PhotoRun, Edges2PhotoTask  # noqa: E402
from models.inpaint.train import InpaintRun, InpaintTask  # noqa: E402
from models.upscale.train import UpscaleRun, UpscaleTask  # noqa: E402


class TinyUpscale(UpscaleTask):
    def training_images(self) -> list[np.ndarray]:
        return photos(3, 48, 56)

    def validation_images(self) -> list[np.ndarray]:
        return photos(1, 36, 40, seed=1)


class TinyColorize(ColorizeTask):
    def photos(self) -> list[tuple[np.ndarray, float]]:
        return [(p, s) for p, s in zip(photos(3, 40, 48), (0.5, 1.0, 1.0))]

    def preview_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        return CropSampler([(p, 1.0) for p in photos(2, 40, 40, seed=2)], 32, seed=123).batch(2)


class TinyEdges2Photo(Edges2PhotoTask):
    def training_entries(self) -> list[EdgeEntry]:
        entries = []
        for i, photo in enumerate(photos(2, 80, 96)):
            human = np.zeros(photo.shape[:2], np.uint8)
            human[20 + 10 * i, :] = 2
            entries.append(EdgeEntry(f"p{i}", photo, human, 3))
        return entries


class TinyInpaint(InpaintTask):
    def training_images(self) -> list[np.ndarray]:
        return photos(2, 70, 80)


def _configs(folder: Path) -> dict[str, tuple[type[training.TrainingTask], training.RunConfig]]:
    common = {"out": str(folder), "steps": 6, "log_every": 2, "save_every": 2, "minutes": 0.0,
              "device": "cpu"}
    return {
        "upscale": (TinyUpscale, UpscaleRun(**common, scale=2, batch=2, patch=8, channels=8, body=1,
                                            warmup=2, eval_every=2)),
        "colorize-gan": (TinyColorize, ColorizeRun(**common, variant="gan", batch=2, crop=32, width=4,
                                                   warmup=2)),
        "colorize-class": (TinyColorize, ColorizeRun(**common, variant="class", batch=2, crop=32, width=4)),
        "edges2photo": (TinyEdges2Photo, Edges2PhotoRun(**common, batch=2, crop=64, d_base=4, fm_weight=10.0,
                                                        widths=(4, 8, 8, 8, 8, 8))),
        "inpaint": (TinyInpaint, InpaintRun(**common, batch=2, size=32, width=8, blocks=1, d_width=4,
                                            gan_start=0.5, w_tv=0.1)),
    }


FILTERS = sorted(_configs(Path(".")))


@pytest.mark.parametrize("name", FILTERS)
def test_a_killed_run_resumes_exactly(tmp_path: Path, name: str) -> None:
    task_cls, cfg = _configs(tmp_path / "straight")[name]
    _, cfg = assert_resume_is_exact(task_cls, cfg, tmp_path / "resumed", kill=3)  # last checkpoint: step 2
    assert training.read_config(type(cfg), tmp_path / "resumed") == cfg
    steps = [int(r["step"]) for r in training.LossLog(tmp_path / "resumed" / "loss.csv").rows()]
    assert steps == [1, 2, 4, 6]
    assert (tmp_path / "resumed" / "preview.png").exists() or name == "upscale"


@pytest.mark.parametrize("name", ["inpaint", "upscale"])
def test_init_takes_another_runs_weights(tmp_path: Path, name: str) -> None:
    task_cls, cfg = _configs(tmp_path / "first")[name]
    first = training.train(task_cls, replace(cfg, steps=2))
    # learning rate 0: the fine-tune's step leaves the loaded weights as they were
    frozen = {"lr": 0.0, "lr_d": 0.0} if name == "inpaint" else {"lr": 0.0}
    second = training.train(task_cls, replace(cfg, steps=1, out=str(tmp_path / "second"), init=str(first),
                                              **frozen))
    module = {"inpaint": "generator", "upscale": "net"}[name]
    before, after = checkpoint_modules(first)[module], checkpoint_modules(second)[module]
    assert all(torch.equal(value, after[key]) for key, value in before.items())
