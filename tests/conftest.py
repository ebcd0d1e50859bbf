"""Shared fixtures: offscreen Qt, tiny ONNX filters in a temporary user plugin folder, and the one way a
test says it needs the training data (``@pytest.mark.needs_data("bsds500")``).

The data lives outside the repository (``../shared/data`` or ``$HOLST_SHARED_DATA``, see
``models.data.shared_data_dir``). On a plain clone without it, every test marked ``needs_data`` is skipped
with one reason naming what is missing, and the run ends with a line counting those skips; CI, which has
the data, runs them all.
"""

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

from models.data import shared_data_dir  # noqa: E402  (numpy + Pillow only: no torch)

#: What a test may need from the shared data: name → (folder inside it, what it is, for the skip reason).
SHARED_DATA: dict[str, tuple[str, str]] = {
    "bsds500": ("photos/bsds500/images", "BSDS500 photos"),
    "bsds500_truth": ("photos/bsds500/ground_truth", "BSDS500 human boundary maps"),
    "imagenet_sample": ("photos/imagenet_sample", "the ImageNet sample photos"),
    "cq100": ("photos/cq100", "CQ100 photos"),
    "set5": ("benchmarks/Set5", "Set5 benchmark images"),
    "set14": ("benchmarks/Set14", "Set14 benchmark images"),
    "johnson2016": ("reference/johnson2016", "Johnson et al.'s reference outputs"),
    "styles": ("styles", "the public-domain style paintings"),
}
DATA_HINT = "needs ../shared/data or $HOLST_SHARED_DATA"


def missing_data(*names: str) -> list[str]:
    """The descriptions of the named shared data sets that are not present (empty: all there)."""
    unknown = [n for n in names if n not in SHARED_DATA]
    if unknown:
        raise ValueError(f"needs_data: unknown data set(s) {unknown}; known: {sorted(SHARED_DATA)}")
    root = shared_data_dir()
    return [SHARED_DATA[n][1] for n in names if not (root / SHARED_DATA[n][0]).is_dir()]


def data_skip_reason(*names: str) -> str | None:
    """``needs ../shared/data or $HOLST_SHARED_DATA: BSDS500 photos`` when something is missing, else None."""
    missing = missing_data(*names)
    return f"{DATA_HINT}: {', '.join(missing)}" if missing else None


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "needs_data(*names): skip unless these shared data sets are present "
                            f"({', '.join(SHARED_DATA)})")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        names = [n for mark in item.iter_markers("needs_data") for n in mark.args]
        reason = data_skip_reason(*names) if names else None
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One line saying how many tests the absent training data skipped, and why."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple) and DATA_HINT in str(r.longrepr[2])]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} tests skipped because the training data is absent "
                                    f"({shared_data_dir()}): set $HOLST_SHARED_DATA to run them")


@pytest.fixture(scope="session")
def fixture_plugin_dir(tmp_path_factory) -> Path:
    """A folder holding the tiny test plugins (test_blur, test_double, test_raises, ...)."""
    return write_all(tmp_path_factory.mktemp("plugins"))


@pytest.fixture
def use_plugin_folders(monkeypatch):
    """``use(*folders) -> str``: make these plugin folders discoverable (HOLST_PLUGIN_PATH, inherited by
    subprocesses) with a fresh registry; returns the variable's value. Undone, registry included, after
    the test."""
    from plugins import registry

    def use(*folders) -> str:
        value = os.pathsep.join(str(folder) for folder in folders)
        monkeypatch.setenv("HOLST_PLUGIN_PATH", value)
        registry.all_filters(refresh=True)
        return value

    yield use
    monkeypatch.delenv("HOLST_PLUGIN_PATH", raising=False)
    registry.all_filters(refresh=True)


@pytest.fixture
def test_plugins(fixture_plugin_dir, use_plugin_folders) -> Path:
    """Make the tiny test plugins discoverable (HOLST_PLUGIN_PATH) with a fresh registry."""
    use_plugin_folders(fixture_plugin_dir)
    return fixture_plugin_dir


@pytest.fixture(scope="session")
def more_plugin_dir(tmp_path_factory) -> Path:
    """The CLI's extra fixture plugins (cli_fill, cli_slow, cli_untrained; tests/helpers_cli.py)."""
    from helpers_cli import write_cli_plugins

    return write_cli_plugins(tmp_path_factory.mktemp("more_plugins"))


@pytest.fixture
def all_test_plugins(fixture_plugin_dir, more_plugin_dir, use_plugin_folders) -> str:
    """Every fixture plugin discoverable (HOLST_PLUGIN_PATH, inherited by subprocesses), fresh registry."""
    return use_plugin_folders(fixture_plugin_dir, more_plugin_dir)
