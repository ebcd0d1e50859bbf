"""Shared fixtures: offscreen Qt, and tiny ONNX filters in a temporary user plugin folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from onnx_fixtures import write_all  # noqa: E402


@pytest.fixture(scope="session")
def fixture_plugin_dir(tmp_path_factory) -> Path:
    """A folder holding the tiny test plugins (test_blur, test_double, test_raises, ...)."""
    return write_all(tmp_path_factory.mktemp("plugins"))


@pytest.fixture
def test_plugins(fixture_plugin_dir, monkeypatch) -> Path:
    """Make the tiny test plugins discoverable (HOLST_PLUGIN_PATH) with a fresh registry."""
    from plugins import registry

    monkeypatch.setenv("HOLST_PLUGIN_PATH", str(fixture_plugin_dir))
    registry.all_filters(refresh=True)
    yield fixture_plugin_dir
    monkeypatch.delenv("HOLST_PLUGIN_PATH", raising=False)
    registry.all_filters(refresh=True)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when it is not beside the checkout."""
    path = Path(os.environ.get("HOLST_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip("../shared/data is not available")
    return path
