"""Do the built-in filters still give the same pixels? Record outputs now, compare with a later record.

``python -m bench.output_equality record runs/equality/before.npz`` runs every built-in filter through
``plugins.pipeline.apply_filter`` (the app's one code path) on a few deterministic images (bench.inputs,
plus a Set14 photo when ../shared/data is there) with several parameter sets and tile sizes, on the CPU,
and stores each uint8 RGBA result. ``compare BEFORE AFTER`` prints, per case, the largest difference in
levels and the share of differing channel values; ``--tolerance N`` makes it exit 1 when any case
differs by more than N levels. Meant for refactorings that must not change what a filter does.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.inputs import blob_mask, drawing, photo
from plugins.imageio import load_image
from plugins.pipeline import apply_filter
from plugins.runtime import Runtime

PHOTO = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks" / "Set14" / "baboon.png"

Case = tuple[str, str, np.ndarray, np.ndarray | None, dict, int | None]


def _set14(width: int, height: int) -> np.ndarray | None:
    """A crop of a real photo (more texture than the sample), or None without the shared data."""
    if not PHOTO.is_file():
        return None
    return np.ascontiguousarray(load_image(PHOTO).pixels[:height, :width])


def cases() -> Iterator[Case]:
    """(name, filter id, pixels, mask, params, tile) for every recorded run."""
    small, odd, large, tiny = photo(200, 150), photo(173, 97), photo(700, 460), photo(23, 13)
    real = _set14(300, 260)
    images = {"small": small, "odd": odd, "tiny": tiny, **({"real": real} if real is not None else {})}
    for label, pixels in images.items():
        for scale in ("2", "4"):
            for tile in (None, 64, 100):
                yield f"upscale/{label}/x{scale}/t{tile}", "upscale", pixels, None, {"scale": scale}, tile
    for tile in (None, 256, 400):
        yield f"upscale/large/x2/t{tile}", "upscale", large, None, {"scale": "2"}, tile
    for label, pixels in images.items():
        yield f"stylize/{label}/default", "stylize", pixels, None, {}, None
        yield (f"stylize/{label}/mix", "stylize", pixels, None,
               {"style": "wave", "style2": "udnie", "blend": 0.3, "strength": 0.8,
                "preserve_colours": True, "stroke_scale": 1.5}, None)
    for tile in (None, 256, 400, 640):
        yield f"stylize/large/t{tile}", "stylize", large, None, {"style": "the_scream"}, tile
        yield f"stylize/large/s05/t{tile}", "stylize", large, None, {"stroke_scale": 0.5}, tile
    for label, pixels in images.items():
        yield f"colorize/{label}/default", "colorize", pixels, None, {}, None
        yield f"colorize/{label}/t64", "colorize", pixels, None, {"intensity": 1.5, "working_size": 160}, 64
    yield ("colorize/small/mask", "colorize", small, blob_mask(200, 150, 0.2),
           {"working_size": 128}, None)
    for label, pixels in (("small", small), ("odd", odd), ("large", large)):
        mask = blob_mask(pixels.shape[1], pixels.shape[0], 0.04)
        yield f"inpaint/{label}/default", "inpaint", pixels, mask, {}, None
        yield f"inpaint/{label}/ws128", "inpaint", pixels, mask, {"working_size": 128, "texture": 0.0}, 64
    for width, height in ((200, 150), (173, 97), (31, 40)):
        sketch = drawing(width, height)
        yield f"edges2photo/{width}x{height}/default", "edges2photo", sketch, None, {}, None
        yield (f"edges2photo/{width}x{height}/r128", "edges2photo", sketch, None,
               {"resolution": 128, "seed": 3, "variation": 0.5}, 64)
    yield ("texture/fill", "texture", photo(160, 120), blob_mask(160, 120, 0.05),
           {"quality": "draft"}, None)
    yield ("texture/tile", "texture", photo(160, 120), None,
           {"quality": "draft", "size": 256, "sample": (10, 10, 96, 80)}, 64)


def slow_cases() -> Iterator[Case]:
    """The "own painting" mode of stylize (minutes of L-BFGS on two cores)."""
    painting = Path(__file__).resolve().parents[2] / "shared" / "data" / "styles" / "starry_night.jpg"
    if painting.is_file():
        yield ("stylize/own_painting", "stylize", photo(200, 150), None,
               {"own_painting": str(painting), "working_size": 256}, None)


def record(path: Path, slow: bool) -> None:
    runtime = Runtime("cpu")
    results: dict[str, np.ndarray] = {}
    for name, filter_id, pixels, mask, params, tile in [*cases(), *(slow_cases() if slow else ())]:
        started = time.perf_counter()
        results[name] = apply_filter(filter_id, pixels, mask=mask, params=params, runtime=runtime, tile=tile)
        print(f"{name:40s} {results[name].shape} {time.perf_counter() - started:6.1f} s", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **results)


def compare(before: Path, after: Path, tolerance: int | None) -> int:
    old, new = np.load(before), np.load(after)
    worst = 0
    for name in sorted(set(old.files) | set(new.files)):
        if name not in old.files or name not in new.files:
            print(f"{name:40s} only in {'after' if name in new.files else 'before'}")
            worst = 256
            continue
        a, b = old[name].astype(int), new[name].astype(int)
        if a.shape != b.shape:
            print(f"{name:40s} shape {a.shape} → {b.shape}")
            worst = 256
            continue
        diff = np.abs(a - b)
        worst = max(worst, int(diff.max()))
        print(f"{name:40s} max {int(diff.max()):3d}  differing {100 * float((diff > 0).mean()):7.4f} %")
    print(f"largest difference over all cases: {worst} levels")
    return 1 if tolerance is not None and worst > tolerance else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.output_equality", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="run the filters and store their outputs")
    rec.add_argument("path", type=Path)
    rec.add_argument("--slow", action="store_true", help="also the own-painting mode of stylize")
    cmp = commands.add_parser("compare", help="compare two records")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    cmp.add_argument("--tolerance", type=int, default=None, metavar="LEVELS")
    args = parser.parse_args(argv)
    if args.command == "record":
        record(args.path, args.slow)
        return 0
    return compare(args.before, args.after, args.tolerance)


if __name__ == "__main__":
    sys.exit(main())
