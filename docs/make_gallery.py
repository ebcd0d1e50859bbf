"""The README's gallery: one before/after per filter, the restoration chain, and the main window in the
dark and light themes and in Russian.

    python docs/make_gallery.py            # writes docs/gallery/*.jpg (about a minute on 2 CPU cores)
    python docs/make_gallery.py --check    # only checks that every image exists and is small enough

Every picture is our own: the "before" images are rendered by code (the bundled sample of
resources/make_sample.py, and procedural textures and scratches made here); the "after" images are
the shipped filters' outputs, run through the app's own pipeline (plugins.pipeline / plugins.chain).
No dataset photo is used, so this runs without ../shared/data. Re-run it after retraining a filter.
Each image is a JPEG of at most ``MAX_BYTES`` (the quality is lowered until it fits).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from plugins import chain, pipeline, registry  # noqa: E402

OUT = ROOT / "docs" / "gallery"
SAMPLE = ROOT / "resources" / "sample.png"
MAX_BYTES = 300_000
PANEL = (480, 320)
LABEL_HEIGHT = 30
GAP = 6
BACKGROUND = (24, 26, 30)

#: file name → what it shows (the README links each one from the text about that filter)
FILTER_IMAGES = {
    "stylize": "stylize.jpg",
    "upscale": "upscale.jpg",
    "colorize": "colorize.jpg",
    "inpaint": "inpaint.jpg",
    "edges2photo": "edges2photo.jpg",
    "texture": "texture.jpg",
}
OTHER_IMAGES = ("restore_chain.jpg", "window_dark.jpg", "window_light.jpg", "window_ru.jpg")


# -- our own pictures ----------------------------------------------------------------------------------
def sample(size: tuple[int, int] = PANEL, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The bundled, procedurally rendered sample (or a box of it) at ``size``, uint8 RGBA."""
    image = Image.open(SAMPLE).convert("RGBA")
    if box is not None:
        image = image.crop(box)
    return np.asarray(image.resize(size, Image.Resampling.LANCZOS)).copy()


def cobblestones(width: int = 192, height: int = 192, seed: int = 3) -> np.ndarray:
    """A procedural texture sample: rounded stones of varied colour with dark mortar (Voronoi cells)."""
    rng = np.random.default_rng(seed)
    count = max(8, width * height // 530)
    centres = rng.uniform(0, 1, (count, 2)) * (width, height)
    colours = np.array([150, 128, 104]) + rng.normal(0, 22, (count, 3))
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    dist = np.stack([np.hypot(x - cx, y - cy) for cx, cy in centres])
    order = np.sort(dist, axis=0)
    nearest = np.argmin(dist, axis=0)
    edge = np.clip((order[1] - order[0]) / 5.0, 0.0, 1.0)            # 0 on the border between stones
    shade = 0.75 + 0.25 * np.clip(1.0 - order[0] / 18.0, 0.0, 1.0)   # a little dome on each stone
    grain = rng.normal(0, 8, (height, width, 1))
    rgb = colours[nearest] * shade[..., None] * (0.25 + 0.75 * edge[..., None]) + grain
    rgba = np.full((height, width, 4), 255, np.uint8)
    rgba[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    return rgba


def scratches(size: tuple[int, int], seed: int = 5, count: int = 7, width: int = 5) -> np.ndarray:
    """A float32 mask of thin wandering scratches and a few spots, as on an old print."""
    rng = np.random.default_rng(seed)
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    w, h = size
    for _ in range(count):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        angle = rng.uniform(0, np.pi)
        points = []
        for _ in range(12):
            angle += rng.normal(0, 0.25)
            x, y = x + np.cos(angle) * w / 20, y + np.sin(angle) * h / 20
            points.append((x, y))
        draw.line(points, fill=255, width=int(rng.integers(2, width + 1)), joint="curve")
    for _ in range(12):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, 5)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    return np.asarray(image, np.float32) / 255.0


def poster(size: tuple[int, int] = PANEL) -> np.ndarray:
    """Stones with lettering on them: fine edges, where an upscaler shows what it can do."""
    image = Image.fromarray(cobblestones(*size, seed=8))
    draw = ImageDraw.Draw(image)
    draw.text((size[0] // 2, size[1] // 2), "Holst ×4", fill=(250, 245, 230), anchor="mm",
              font=font(72, bold=True), stroke_width=3, stroke_fill=(40, 30, 25))
    return np.asarray(image).copy()


def sketch(size: tuple[int, int] = PANEL, seed: int = 0) -> np.ndarray:
    """A child's line drawing: hills, a house with windows and a door, a tree, a path, pebbles."""
    w, h = size
    image = Image.new("RGBA", size, "white")
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, w, 40)
    for base, amp in ((0.20, 14), (0.30, 12)):              # hills behind the house and the tree
        ys = base * h + amp * np.sin(xs / 60 + base * 9) + rng.normal(0, 3, xs.size)
        draw.line(list(zip(xs, ys)), fill="black", width=2)
    draw.rectangle((80, 170, 200, 260), outline="black", width=2)
    draw.polygon([(70, 172), (140, 115), (210, 172)], outline="black", width=2)
    draw.rectangle((125, 210, 155, 260), outline="black", width=2)
    for x0 in (95, 165):
        draw.rectangle((x0, 185, x0 + 20, 205), outline="black", width=2)
    draw.line([(330, 270), (330, 190)], fill="black", width=3)
    draw.ellipse((280, 120, 380, 200), outline="black", width=2)
    draw.line([(140, 260), (120, h)], fill="black", width=2)
    draw.line([(150, 260), (200, h)], fill="black", width=2)
    for _ in range(12):
        cx, cy = rng.uniform(250, w - 10), rng.uniform(h - 40, h - 5)
        draw.ellipse((cx - 6, cy - 3, cx + 6, cy + 3), outline="black")
    return np.asarray(image).copy()


def drawing_of(rgba: np.ndarray) -> np.ndarray:
    """The edges2photo filter's own edge extraction, as dark lines on white RGBA."""
    from plugins.filters.edges2photo.edges import extract_edges

    lines = extract_edges(rgba[..., :3].astype(np.float32) / 255.0, line_weight=1.0, detail=0.5)
    drawing = np.full(rgba.shape, 255, np.uint8)
    drawing[..., :3] = (np.clip(lines, 0, 1) * 255 + 0.5).astype(np.uint8)[..., None]
    return drawing


def grey(rgba: np.ndarray) -> np.ndarray:
    """Black and white with full contrast, as an old print."""
    out = rgba.copy()
    luma = (rgba[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32))
    low, high = np.percentile(luma, (1, 99))
    luma = (luma - low) * 255.0 / max(1.0, high - low)
    out[..., :3] = np.clip(luma + 0.5, 0, 255).astype(np.uint8)[..., None]
    return out


def grown(mask: np.ndarray, pixels: int = 2) -> np.ndarray:
    """The mask a user paints over a scratch: a little wider than the scratch itself."""
    from PIL import ImageFilter

    image = Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(2 * pixels + 1))
    return np.asarray(image, np.float32) / 255.0


def damage(rgba: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The photo with the scratches printed on it (what a scan of a damaged print shows)."""
    out = rgba.copy()
    out[..., :3] = (out[..., :3] * (1 - mask[..., None]) + 235 * mask[..., None]).astype(np.uint8)
    return out


# -- sheets ----------------------------------------------------------------------------------------------
def font(size: int = 17, bold: bool = False) -> ImageFont.ImageFont:
    """DejaVu Sans where it is installed (it has × and →), else Pillow's own font."""
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def sheet(panels: list[tuple[str, np.ndarray]]) -> Image.Image:
    """Panels side by side, each with its label above, on a dark ground."""
    images = [Image.fromarray(p[..., :3] if p.ndim == 3 else p).convert("RGB") for _, p in panels]
    height = max(i.height for i in images)
    width = sum(i.width for i in images) + GAP * (len(images) + 1)
    canvas = Image.new("RGB", (width, height + LABEL_HEIGHT + GAP), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    x = GAP
    for (label, _), image in zip(panels, images):
        draw.text((x + 2, 6), label, fill=(235, 235, 235), font=font())
        canvas.paste(image, (x, LABEL_HEIGHT))
        x += image.width + GAP
    return canvas


def save_jpeg(image: Image.Image, name: str) -> Path:
    """Save as JPEG, lowering the quality until the file is at most MAX_BYTES."""
    path = OUT / name
    for quality in (88, 84, 80, 75, 70, 65, 60):
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() <= MAX_BYTES:
            break
    else:
        raise RuntimeError(f"{name} does not fit in {MAX_BYTES} bytes")
    path.write_bytes(buffer.getvalue())
    print(f"wrote {path.relative_to(ROOT)} ({buffer.tell() // 1024} KB, JPEG quality {quality})")
    return path


def bicubic(rgba: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(rgba).resize(size, Image.Resampling.BICUBIC))


# -- one before/after per filter ------------------------------------------------------------------------
def make_stylize() -> Image.Image:
    photo = sample()
    starry = pipeline.apply_filter("stylize", photo, raw_params={"style": "starry_night"})
    wave = pipeline.apply_filter("stylize", photo, raw_params={"style": "wave"})
    return sheet([("before: our rendered scene", photo), ("stylize: The Starry Night", starry),
                  ("stylize: The Great Wave", wave)])


def make_upscale() -> Image.Image:
    small = np.ascontiguousarray(bicubic(poster(), (PANEL[0] // 4, PANEL[1] // 4)))
    faithful = pipeline.apply_filter("upscale", small, raw_params={"scale": "4"})
    photo = pipeline.apply_filter("upscale", small, raw_params={"scale": "4", "model": "photo"})
    w, h = PANEL
    return sheet([(f"before: {w // 4}×{h // 4}, resized ×4 (bicubic)", bicubic(small, PANEL)),
                  ("upscale ×4", faithful), ("upscale ×4, Photo model", photo)])


def make_colorize() -> Image.Image:
    photo = grey(sample())
    return sheet([("before: grey", photo), ("colorize", pipeline.apply_filter("colorize", photo))])


def make_inpaint() -> Image.Image:
    photo = sample()
    mask = scratches(PANEL)
    damaged = damage(photo, mask)
    filled = pipeline.apply_filter("inpaint", damaged, mask=grown(mask))
    return sheet([("before: scratched (the mask)", damaged), ("inpaint", filled)])


def make_edges2photo() -> Image.Image:
    house = sketch()
    stones = drawing_of(cobblestones(PANEL[1], PANEL[1]))
    params = {"seed": "1"}
    return sheet([("before: a sketch", house), ("edges2photo", pipeline.apply_filter("edges2photo", house,
                                                                                     raw_params=params)),
                  ("before: drawn stones", stones),
                  ("edges2photo", pipeline.apply_filter("edges2photo", stones, raw_params=params))])


def make_texture() -> Image.Image:
    stones = cobblestones(256, 256)
    tile = pipeline.apply_filter("texture", stones, raw_params={"size": "256", "seamless": "true",
                                                                "quality": "normal", "seed": "1"})
    side = PANEL[1]
    tiled = np.tile(tile, (2, 2, 1))                          # 2×2 copies: the tile wraps without seams

    def shown(rgba: np.ndarray) -> np.ndarray:
        return np.asarray(Image.fromarray(rgba).resize((side, side), Image.Resampling.LANCZOS))

    return sheet([("before: a sample", shown(stones)), ("texture: a new tile", shown(tile)),
                  ("the tile 2×2: no seams", shown(tiled))])


def make_restore_chain() -> Image.Image:
    """The restoration preset: a small grey scratched print → inpaint → colorize → upscale ×2."""
    size = (PANEL[0] // 2, PANEL[1] // 2)
    photo = grey(sample(size))
    mask = scratches(size, seed=11, count=5, width=3)
    old = damage(photo, mask)
    restored = chain.run(chain.build("restore-old-photo"), old, mask=grown(mask))
    return sheet([(f"before: old print, {size[0]}×{size[1]}", bicubic(old, PANEL)),
                  ("restore-old-photo chain", restored)])


# -- the window ------------------------------------------------------------------------------------------
def make_windows(tmp: Path) -> dict[str, Image.Image]:
    """The main window (1500×940, shrunk to 1200 wide) through docs/make_screenshots.py's helpers."""
    sys.path.insert(0, str(ROOT / "docs"))
    import make_screenshots as shots

    from editor.app import make_app
    from editor.i18n import install_translation, remove_translation
    from editor.theme import apply_theme

    app = make_app()

    def grab(window) -> Image.Image:
        shots.pump(app, window, 0.3)
        while window.canvas.refining:
            window.canvas.repaint()
        path = tmp / f"grab-{time.time_ns()}.png"
        window.grab().save(str(path))
        image = Image.open(path).convert("RGB")
        return image.resize((1200, round(image.height * 1200 / image.width)), Image.Resampling.LANCZOS)

    images: dict[str, Image.Image] = {}
    window = shots.new_window(app, tmp)                        # dark: stylize applied, before/after divider
    window.filters_panel.select("stylize")
    if shots.apply_current(app, window) == "done":
        window.set_tool("rect_select")
        window.canvas.set_compare(True)
        window.canvas.divider = 0.5
    images["window_dark.jpg"] = grab(window)
    window.close()

    apply_theme(app, "light")                                  # light: painting an inpainting mask
    window = shots.new_window(app, tmp)
    window.filters_panel.select("inpaint")
    window.set_tool("mask_brush")
    window.size_spin.setValue(60)
    shots.drag(app, window, [(560, 560), (700, 600), (860, 580), (930, 650)])
    window.mask_dock.raise_()
    images["window_light.jpg"] = grab(window)
    window.close()
    apply_theme(app, "dark")

    translators = install_translation(app, "ru")              # Russian: the Run chain dialog open
    window = shots.new_window(app, tmp)
    window.filters_panel.select("colorize")
    window.layers_dock.raise_()
    dialog = window.chain.run_chain_dialog()
    dialog.load_preset("restore-old-photo")
    dialog.move(window.geometry().center() - dialog.rect().center())
    shots.pump(app, window, 0.3)
    base = grab(window)
    dialog_path = tmp / "dialog.png"
    dialog.grab().save(str(dialog_path))
    scale = 1200 / window.width()
    panel = Image.open(dialog_path).convert("RGB")
    panel = panel.resize((round(panel.width * scale), round(panel.height * scale)), Image.Resampling.LANCZOS)
    base.paste(panel, (round(base.width * 0.30), round(base.height * 0.14)))
    images["window_ru.jpg"] = base
    dialog.close()
    window.close()
    remove_translation(app, translators)
    return images


MAKERS: dict[str, Callable[[], Image.Image]] = {
    FILTER_IMAGES["stylize"]: make_stylize,
    FILTER_IMAGES["upscale"]: make_upscale,
    FILTER_IMAGES["colorize"]: make_colorize,
    FILTER_IMAGES["inpaint"]: make_inpaint,
    FILTER_IMAGES["edges2photo"]: make_edges2photo,
    FILTER_IMAGES["texture"]: make_texture,
    "restore_chain.jpg": make_restore_chain,
}


def check() -> list[str]:
    """Problems with the gallery as committed (missing or too large files)."""
    problems = []
    for name in [*FILTER_IMAGES.values(), *OTHER_IMAGES]:
        path = OUT / name
        if not path.is_file():
            problems.append(f"missing {path.relative_to(ROOT)}")
        elif path.stat().st_size > MAX_BYTES:
            problems.append(f"{path.relative_to(ROOT)} is {path.stat().st_size} bytes (> {MAX_BYTES})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the committed images")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="remake only these images (file names)")
    args = parser.parse_args(argv)
    if not args.check:
        OUT.mkdir(parents=True, exist_ok=True)
        unusable = {FILTER_IMAGES[e.id] for e in registry.all_filters(refresh=True)
                    if e.id in FILTER_IMAGES and not e.usable}
        if unusable:
            print(f"not trained here: {', '.join(sorted(unusable))} left as they are", file=sys.stderr)
        wanted = set(args.only or [*MAKERS, *OTHER_IMAGES])
        for name, make in MAKERS.items():
            if name in wanted and name not in unusable:
                started = time.perf_counter()
                save_jpeg(make(), name)
                print(f"  ({time.perf_counter() - started:.1f} s)")
        if wanted & set(OTHER_IMAGES[1:]):
            with tempfile.TemporaryDirectory(prefix="holst-gallery-") as tmp:
                for name, image in make_windows(Path(tmp)).items():
                    save_jpeg(image, name)
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
