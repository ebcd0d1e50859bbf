"""Issue 23: a new filter is one folder, and the hardening test, the command line and the benchmarks
pick it up from discovery with no edit elsewhere (its manifest's ``[test]`` table says how to run it)."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest
from test_hardening import check_awkward_inputs, covered_ids, fast_params

from bench.inputs import benchmarked, filter_inputs
from plugins import cli, registry

MANIFEST = textwrap.dedent('''
    id = "tiny_fixture"
    name = "Tiny fixture"
    category = "Test"
    version = "1"

    [test]
    fast = { amount = "0.25" }
    bench = { amount = "0.75" }
    mask = true

    [[params]]
    name = "amount"
    type = "float"
    min = 0.0
    max = 1.0
    default = 1.0
    ''')


@pytest.fixture
def tiny_builtin(tmp_path, monkeypatch):
    """A tiny filter in a temporary folder, discovered as if it were a folder under plugins/filters."""
    folder = tmp_path / "tiny_fixture"
    folder.mkdir()
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (folder / "filter.py").write_text("def run(ctx, image, mask, params):\n"
                                      "    return image * (1.0 - params['amount'])\n", encoding="utf-8")
    real = registry._builtin_folders
    monkeypatch.setattr(registry, "_builtin_folders", lambda: [*real(), (folder, None)])
    registry.all_filters(refresh=True)
    yield folder
    monkeypatch.undo()
    registry.all_filters(refresh=True)


def test_a_new_filter_folder_is_in_the_hardening_cli_and_bench_lists(tiny_builtin, tmp_path):
    assert "tiny_fixture" in covered_ids()
    entry = registry.get("tiny_fixture")
    assert fast_params(entry) == {"amount": "0.25"}
    check_awkward_inputs(entry, tmp_path)         # the hardening test's own check runs it

    out = io.StringIO()
    assert cli.run(["filters", "--json"], stdout=out, stderr=io.StringIO()) == 0
    listed = {item["id"]: item for item in json.loads(out.getvalue())}
    assert listed["tiny_fixture"]["status"] == "ok" and listed["tiny_fixture"]["source"] == "builtin"

    assert "tiny_fixture" in [e.id for e in benchmarked()]
    pixels, mask, params = filter_inputs(entry.spec, 32, 24)
    assert pixels.shape == (24, 32, 4) and mask is not None and params == {"amount": "0.75"}


def test_a_bad_test_table_is_a_broken_manifest(tmp_path):
    from plugins.contract import load_manifest
    from plugins.errors import PluginError

    path = Path(tmp_path / "manifest.toml")
    path.write_text(MANIFEST.replace('amount = "0.25"', 'amount = "7"'), encoding="utf-8")
    with pytest.raises(PluginError, match="test.fast"):
        load_manifest(path)
    path.write_text(MANIFEST.replace("mask = true", "masks = true"), encoding="utf-8")
    with pytest.raises(PluginError, match="unknown key"):
        load_manifest(path)
