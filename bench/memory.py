"""Peak resident memory of big jobs, each in a fresh child process (so peaks don't mix).

The child builds a synthetic photo, runs the filter through the same pipeline as the CLI and
reports ``ru_maxrss``. Tiling (strip-wise blending, uint8 output buffer) is what keeps a ×4 upscale
of a 24-megapixel photo — a 384-megapixel result — inside the 3 GiB target.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from bench.report import Section, measure_in_children

CASES = {
    "upscale": {"params": {"scale": "4"}, "mask": False},
    "inpaint": {"params": {}, "mask": True},
}
TARGET_GIB = 3.0


def child(filter_id: str, width: int, height: int) -> dict:
    from bench.inputs import blob_mask, photo
    from plugins.pipeline import apply_filter

    pixels = photo(width, height)
    mask = blob_mask(width, height, 0.01) if CASES[filter_id]["mask"] else None
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = apply_filter(filter_id, pixels, mask=mask, raw_params=CASES[filter_id]["params"])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"filter": filter_id, "input": f"{width}×{height}",
            "output": f"{result.shape[1]}×{result.shape[0]}",
            "seconds": seconds, "peak RSS GiB": peak / 2**20, "RSS before run GiB": baseline / 2**20}


def run(quick: bool) -> Section:
    section = Section("memory", f"Peak memory of big jobs (target ≤ {TARGET_GIB:g} GiB)")
    width, height = (1500, 1000) if quick else (6000, 4000)
    from plugins import registry

    runnable = []
    for filter_id in CASES:
        entry = next((e for e in registry.all_filters() if e.id == filter_id), None)
        if entry is None or not entry.usable:
            section.notes.append(f"{filter_id}: skipped ({entry.status_text() if entry else 'not found'})")
        else:
            runnable.append(filter_id)
    measure_in_children(section, "bench.memory", runnable, width, height, timeout=1800,
                        within=lambda row: row["peak RSS GiB"] <= TARGET_GIB)
    section.notes.append("peak RSS is ru_maxrss of a fresh process running the filter via plugins.pipeline")
    return section


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
