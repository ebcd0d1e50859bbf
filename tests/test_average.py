"""``--keep-weights`` keeps every save's weights, and ``python -m models.average`` averages them into a run
folder that loads like any run (stochastic weight averaging over the end of a run)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from helpers_training import checkpoint_modules  # noqa: E402
from test_training_resume import _configs  # noqa: E402

from models import average, training  # noqa: E402
from models.colorize.train import ColorizeRun, load_net  # noqa: E402


def _trained(tmp_path: Path) -> Path:
    task_cls, cfg = _configs(tmp_path / "run")["colorize-class"]
    training.train(task_cls, replace(cfg, keep_weights=True))
    return tmp_path / "run"


def test_every_save_keeps_its_weights(tmp_path: Path) -> None:
    run = _trained(tmp_path)
    kept = average.kept_weights(run)
    assert [f.name for f in kept] == ["step00002.pt", "step00004.pt", "step00006.pt"]
    last = torch.load(kept[-1], weights_only=False)
    assert "optimizers" not in last and last["step"] == 6
    final = checkpoint_modules(run / "checkpoint.pt")["net"]
    assert all(torch.equal(v, last["modules"]["net"][k]) for k, v in final.items())
    first = torch.load(kept[0], weights_only=False)["modules"]["net"]
    assert any(not torch.equal(first[k], v) for k, v in final.items())  # each save holds its own step's


def test_the_average_is_the_mean_of_the_saves_and_loads_as_a_run(tmp_path: Path) -> None:
    run = _trained(tmp_path)
    files = average.kept_weights(run, from_step=4)
    assert len(files) == 2
    average.main(["--run", str(run), "--from-step", "4", "--out", str(tmp_path / "avg")])
    a, b = (torch.load(f, weights_only=False)["modules"]["net"] for f in files)
    averaged = checkpoint_modules(tmp_path / "avg" / "checkpoint.pt")["net"]
    moved = 0
    for key, value in averaged.items():
        if value.is_floating_point():
            torch.testing.assert_close(value, (a[key] + b[key]) / 2)
            moved += int(not torch.equal(a[key], b[key]))
        else:
            assert torch.equal(value, b[key])
    assert moved > 0  # the two saves differ, so the mean is a third set of weights
    net = load_net(tmp_path / "avg")
    assert training.read_config(ColorizeRun, tmp_path / "avg") == training.read_config(ColorizeRun, run)
    assert net(torch.zeros(1, 1, 32, 32)).shape == (1, 2, 32, 32)


def test_weights_of_different_networks_are_refused() -> None:
    with pytest.raises(ValueError, match="different networks"):
        average.average_states([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}])
    with pytest.raises(ValueError, match="nothing"):
        average.average_states([])
