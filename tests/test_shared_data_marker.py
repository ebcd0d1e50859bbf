"""The one ``needs_data`` marker: a test that needs the training data skips with a reason naming what is
missing, and runs when the data is there."""

from __future__ import annotations

import pytest
from conftest import DATA_HINT, data_skip_reason, missing_data


def test_absent_data_is_named_in_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("HOLST_SHARED_DATA", str(tmp_path / "nowhere"))
    assert data_skip_reason("bsds500") == "needs ../shared/data or $HOLST_SHARED_DATA: BSDS500 photos"
    assert missing_data("set5", "styles") == ["Set5 benchmark images", "the public-domain style paintings"]


def test_present_data_means_no_skip(monkeypatch, tmp_path):
    (tmp_path / "benchmarks" / "Set5").mkdir(parents=True)
    monkeypatch.setenv("HOLST_SHARED_DATA", str(tmp_path))
    assert data_skip_reason("set5") is None
    assert DATA_HINT in data_skip_reason("set5", "bsds500")


def test_unknown_data_set_is_a_mistake_in_the_test():
    with pytest.raises(ValueError, match="unknown data set"):
        missing_data("imagenet")
