"""The README shows the filters: at least eight images that exist in the repository, a before/after of
each of the six filters, each small enough for a web page (docs/make_gallery.py remakes them)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))

from make_gallery import FILTER_IMAGES, MAX_BYTES, OTHER_IMAGES, check  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")
IMAGES = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", README)
LINKS = re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", README)


def test_at_least_eight_images_and_all_exist():
    assert len(IMAGES) >= 8, IMAGES
    missing = [path for path in IMAGES if not (ROOT / path).is_file()]
    assert missing == []


def test_every_filter_has_a_before_after_shown_and_linked_from_its_text():
    for name in FILTER_IMAGES.values():
        path = f"docs/gallery/{name}"
        assert path in IMAGES, f"{path} is not shown"
        assert path in LINKS, f"{path} is not linked from the text"
    for name in OTHER_IMAGES:
        assert f"docs/gallery/{name}" in IMAGES


def test_gallery_images_are_small():
    assert check() == []
    for path in IMAGES:
        if path.startswith("docs/gallery/"):
            assert (ROOT / path).stat().st_size <= MAX_BYTES, path
