"""The device kit: the code-only branch, the training pack and the weights that come back."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from models import device_kit, vgg16
from models.features import FeatureNet


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small repository like ours: code, a shipped weight file, a picture, docs, an ignored run folder."""
    root = tmp_path / "repo"
    files = {"models/net.py": "x = 1\n", "plugins/f/manifest.toml": "[f]\n", ".gitignore": "/runs/\n",
             "docs/guide.md": "guide\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "plugins/f/net.onnx").write_bytes(b"\0" * 5000)
    (root / "resources").mkdir()
    (root / "resources/sample.png").write_bytes(b"\0" * 3000)
    (root / "runs").mkdir()
    (root / "runs/ckpt").write_bytes(b"\0" * 7000)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
    return root


def test_slim_keeps_only_code_and_restore_brings_everything_back(repo: Path) -> None:
    before = device_kit.travel_size(repo)
    assert device_kit.slim(repo) == "main"
    kept = sorted(_git(repo, "ls-files").split())
    assert kept == [".gitignore", "models/net.py", "plugins/f/manifest.toml"]
    assert not (repo / "plugins/f/net.onnx").exists() and not (repo / "docs").exists()
    assert (repo / "runs/ckpt").is_file()  # ignored outputs stay, and do not travel
    assert device_kit.travel_size(repo) < 100 < before
    assert device_kit.travel_size(repo, carry=["runs/ckpt"]) == device_kit.travel_size(repo) + 7000

    device_kit.restore("main", repo)
    assert (repo / "plugins/f/net.onnx").stat().st_size == 5000 and (repo / "docs/guide.md").is_file()
    assert device_kit.SLIM_BRANCH not in _git(repo, "branch")
    assert device_kit.travel_size(repo) == before


def test_slim_refuses_uncommitted_changes(repo: Path) -> None:
    (repo / "models/net.py").write_text("x = 2\n")
    with pytest.raises(SystemExit, match="commit or stash"):
        device_kit.slim(repo)
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def _fake_convs() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(0)
    return {"conv1_1": (torch.randn(64, 3, 3, 3, generator=gen), torch.randn(64, generator=gen)),
            "conv1_2": (torch.randn(64, 64, 3, 3, generator=gen), torch.randn(64, generator=gen)),
            "conv2_1": (torch.randn(128, 64, 3, 3, generator=gen), torch.randn(128, generator=gen))}


def test_compact_vgg_is_float16_truncated_and_loads_as_the_cache(tmp_path: Path, monkeypatch) -> None:
    convs = _fake_convs()
    monkeypatch.setattr(vgg16, "conv_weights", lambda: convs)
    path = device_kit.compact_vgg(tmp_path / "cache" / vgg16.CACHE_FILE, last_conv="conv1_2")
    monkeypatch.undo()

    monkeypatch.setenv("HOLST_CACHE", str(tmp_path / "cache"))
    loaded = vgg16.conv_weights()
    assert sorted(loaded) == ["conv1_1", "conv1_2"] and loaded["conv1_2"][0].dtype == torch.float16
    net = FeatureNet(arch="vgg16", last_layer="relu1_2", init="kaiming", preprocess="caffe")
    net.load_convs(loaded)
    weight = dict(net.convs())["conv1_2"].weight
    assert weight.dtype == torch.float32
    assert torch.allclose(weight, convs["conv1_2"][0], rtol=1e-3, atol=1e-3)
    assert path.stat().st_size < sum(w.numel() + b.numel() for w, b in convs.values()) * 2


def _run(tmp_path: Path, width: int) -> tuple[Path, torch.nn.Module]:
    run = tmp_path / "run"
    run.mkdir()
    net = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.Linear(width, width))
    opt = torch.optim.Adam(net.parameters())
    net(torch.ones(1, width)).sum().backward()
    opt.step()
    torch.save({"step": 7, "seconds": 3.0, "config": {"lr": 1e-3}, "modules": {"net": net.state_dict()},
                "optimizers": {"net": opt.state_dict()}, "rng": {}}, run / "checkpoint.pt")
    (run / "config.json").write_text("{}")
    return run, net


def test_bring_back_drops_the_optimiser_state(tmp_path: Path) -> None:
    run, net = _run(tmp_path, 50)
    written = device_kit.bring_back(run, tmp_path / "out")
    assert sorted(p.name for p in written) == ["checkpoint.pt", "config.json"]
    state = torch.load(tmp_path / "out/checkpoint.pt", weights_only=False)
    assert set(state) == {"step", "seconds", "config", "modules"} and state["step"] == 7
    assert torch.equal(state["modules"]["net"]["0.weight"], net[0].weight)
    assert (tmp_path / "out/checkpoint.pt").stat().st_size < (run / "checkpoint.pt").stat().st_size / 2


def test_large_weights_come_back_in_parts_and_join_whole(tmp_path: Path) -> None:
    run, net = _run(tmp_path, 100)  # two 40 kB weight matrices
    state = device_kit.weights_only(run / "checkpoint.pt", half=True)
    parts = device_kit.save_parts(state, tmp_path / "out", limit=30_000)
    assert len(parts) >= 2
    assert [p.name for p in parts] == [f"checkpoint.part{k}.pt" for k in range(len(parts))]
    joined = torch.load(device_kit.join(tmp_path / "out"), weights_only=False)
    assert joined["step"] == 7 and set(joined["modules"]["net"]) == set(net.state_dict())
    for key, value in net.state_dict().items():
        assert joined["modules"]["net"][key].dtype == torch.float32
        assert torch.allclose(joined["modules"]["net"][key], value, atol=1e-3)
    parts[0].unlink()
    with pytest.raises(SystemExit, match="parts"):
        device_kit.join(tmp_path / "out")


def _photo(path: Path, size: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


def test_pack_mirrors_what_training_reads(tmp_path: Path, monkeypatch) -> None:
    shared = tmp_path / "shared"
    for split in ("train", "test"):
        _photo(shared / f"photos/bsds500/images/{split}/1{split}.jpg", (96, 64))
        (shared / f"photos/bsds500/ground_truth/{split}").mkdir(parents=True)
        (shared / f"photos/bsds500/ground_truth/{split}/1{split}.mat").write_bytes(b"mat")
    _photo(shared / "photos/bsds500/images/val/9.jpg", (96, 64))
    for i in range(3):
        _photo(shared / f"photos/imagenet_sample/a{i}.png", (200, 100))
        _photo(shared / f"photos/cq100/b{i}.jpg", (50, 40))
    _photo(shared / "styles/wave.jpg", (80, 60))
    _photo(shared / "benchmarks/Set5/bird.png", (48, 48))
    monkeypatch.setenv("HOLST_SHARED_DATA", str(shared))
    monkeypatch.setattr(vgg16, "conv_weights", _fake_convs)

    out = tmp_path / "pack"
    size = device_kit.build_device_pack(out, varied=4, side=64, truth=True, vgg_last="conv1_1", init=None)
    mirror = out / "shared_data"
    bsds = sorted(p.name for p in (mirror / "photos/bsds500/images").rglob("*.jpg"))
    assert bsds == ["1test.jpg", "1train.jpg"]
    assert (mirror / "photos/bsds500/ground_truth/train/1train.mat").read_bytes() == b"mat"
    varied = sorted((mirror / "photos").glob("[!b]*/*.jpg"))
    assert len(varied) == 4 and all(max(Image.open(p).size) <= 64 for p in varied)
    assert (mirror / "styles/wave.jpg").is_file() and (out / "cache" / vgg16.CACHE_FILE).is_file()
    assert (mirror / "benchmarks/Set5/bird.png").is_file()  # the upscale trainings validate on Set5
    assert "HOLST_SHARED_DATA" in (out / "env.sh").read_text()
    assert size == sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
