"""Milliseconds per megapixel for every usable filter on every provider that really loads."""

from __future__ import annotations

import time

from bench.inputs import benchmarked, filter_inputs
from bench.report import Section
from plugins.pipeline import apply_filter
from plugins.runtime import Runtime


def run(quick: bool) -> Section:
    section = Section("filters", "Filter speed (ms per input megapixel, after one warm-up run)")
    sizes = [(512, 512)] if quick else [(512, 512), (1024, 1024)]
    providers = Runtime("auto").candidate_providers()
    for entry in benchmarked():
        if not entry.usable:
            section.notes.append(f"{entry.id}: skipped ({entry.status_text()})")
            continue
        for provider in providers:
            runtime = Runtime(provider)
            for width, height in sizes:
                pixels, mask, params = filter_inputs(entry.spec, width, height)
                apply_filter(entry, pixels, mask=mask, raw_params=params, runtime=runtime)  # warm-up
                repeats = 1 if quick else 2
                started = time.perf_counter()
                for _ in range(repeats):
                    apply_filter(entry, pixels, mask=mask, raw_params=params, runtime=runtime)
                seconds = (time.perf_counter() - started) / repeats
                megapixels = width * height / 1e6
                section.rows.append({"filter": entry.id, "provider": provider, "size": f"{width}×{height}",
                                     "params": " ".join(f"{k}={v}" for k, v in params.items()) or "defaults",
                                     "ms": seconds * 1000, "ms/MP": seconds * 1000 / megapixels})
    section.notes.append("providers that really loaded here: " + ", ".join(providers))
    return section
