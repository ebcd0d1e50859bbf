"""Render Holst's bundled sample image procedurally (no photo data is copied into the repo).

A mountain lake at dusk: gradient sky with a sun, fractal ridgelines, a forest band, a lake with a
rippled reflection and a few foreground stones — enough texture, edges and colour for every filter.
Run: ``python resources/make_sample.py`` (writes resources/sample.png, deterministic).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

WIDTH, HEIGHT = 1200, 800


def fractal_line(rng: np.random.Generator, width: int, octaves: int, roughness: float) -> np.ndarray:
    """1-D fractal noise in about -1..1 (sum of interpolated random octaves)."""
    line = np.zeros(width)
    amplitude, points = 1.0, 4
    for _ in range(octaves):
        knots = rng.uniform(-1, 1, points + 1)
        line += amplitude * np.interp(np.linspace(0, points, width), np.arange(points + 1), knots)
        amplitude *= roughness
        points *= 2
    return line / 2.0


def value_noise(rng: np.random.Generator, height: int, width: int, octaves: int) -> np.ndarray:
    """2-D fractal value noise in 0..1."""
    total = np.zeros((height, width))
    amplitude, cells = 1.0, 4
    for _ in range(octaves):
        grid = rng.random((cells + 1, cells + 1))
        small = Image.fromarray((grid * 255).astype(np.uint8))
        total += amplitude * np.asarray(small.resize((width, height), Image.Resampling.BICUBIC)) / 255.0
        amplitude *= 0.5
        cells *= 2
    return (total - total.min()) / (np.ptp(total) + 1e-9)


def render(seed: int = 11) -> Image.Image:
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, HEIGHT)[:, None]
    x = np.linspace(0, 1, WIDTH)[None, :]
    horizon = 0.62
    sky_top, sky_low = np.array([38, 56, 110]), np.array([250, 170, 110])
    t = np.clip(y / horizon, 0, 1) ** 1.4
    image = (sky_top * (1 - t)[..., None] + sky_low * t[..., None]) * np.ones((1, WIDTH, 1))
    clouds = value_noise(rng, HEIGHT, WIDTH, 6)
    cloud_mask = np.clip((clouds - 0.55) * 3, 0, 1) * (y < horizon * 0.8)
    cloud = cloud_mask[..., None] * 0.5
    image = image * (1 - cloud) + np.array([255, 215, 190]) * cloud
    sun = np.exp(-(((x - 0.7) * 1.5) ** 2 + (y - 0.48) ** 2) / 0.0025)
    glow = np.exp(-(((x - 0.7) * 1.5) ** 2 + (y - 0.48) ** 2) / 0.03)
    image += (sun[..., None] * np.array([255, 240, 200]) * 0.9 + glow[..., None] * np.array([90, 50, 20]))
    for depth, (base, colour, rough) in enumerate(((0.36, (120, 105, 150), 0.55), (0.45, (70, 75, 110), 0.6),
                                                   (0.55, (40, 60, 60), 0.5))):
        ridge = base + 0.12 * fractal_line(rng, WIDTH, 8, rough) * (1.2 - 0.3 * depth)
        land = y > ridge[None, :]
        shade = 0.75 + 0.25 * value_noise(rng, HEIGHT, WIDTH, 7)
        image = np.where((land & (y < horizon))[..., None], np.array(colour) * shade[..., None], image)
    trees = horizon - 0.04 - 0.03 * np.abs(np.sin(x * 310)) ** 3 - 0.01 * fractal_line(rng, WIDTH, 6, 0.6)
    forest = (y > trees) & (y < horizon)
    leaves = 0.7 + 0.5 * value_noise(rng, HEIGHT, WIDTH, 8)
    image = np.where(forest[..., None], np.array([25, 50, 35]) * leaves[..., None], image)
    lake = y >= horizon
    rows = np.clip((2 * horizon - y), 0, 1)
    ripple = 3.0 * np.sin(y * 900 + 4 * value_noise(rng, HEIGHT, WIDTH, 5) * 6.28)
    src_y = np.clip((rows * (HEIGHT - 1)).astype(int), 0, HEIGHT - 1)
    src_x = np.clip((x * (WIDTH - 1) + ripple).astype(int), 0, WIDTH - 1)
    reflection = image[src_y, src_x] * np.array([0.65, 0.72, 0.85])
    image = np.where(lake[..., None], reflection, image)
    stones = np.zeros((HEIGHT, WIDTH))
    for _ in range(7):
        cx, cy, r = rng.uniform(0.05, 0.95), rng.uniform(0.86, 0.98), rng.uniform(0.02, 0.05)
        stones = np.maximum(stones, 1 - (((x - cx) / (r * 1.6)) ** 2 + ((y - cy) / r) ** 2))
    stone_mask = stones > 0
    stone_shade = 90 + 90 * np.clip(stones, 0, 1) * value_noise(rng, HEIGHT, WIDTH, 8)
    image = np.where(stone_mask[..., None], stone_shade[..., None] * np.array([1.0, 0.95, 0.9]), image)
    grain = rng.normal(0, 3, image.shape)
    out = Image.fromarray(np.clip(image + grain, 0, 255).astype(np.uint8), "RGB")
    return out.filter(ImageFilter.SMOOTH)


if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "sample.png"
    render().save(target, optimize=True)
    print(f"wrote {target}")
