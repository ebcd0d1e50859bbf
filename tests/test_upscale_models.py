"""The Upscale filter's ``model`` parameter reaches the right network (issue #22).

The real filter module and manifest run with tiny ONNX fixtures in place of the shipped files: each
fixture paints a different flat value, so the output tells which file ran. The fixture manifest is the
shipped one (its ``[[models]]`` entries under the filter's keys, ``model_key``, and the ``model``
choice; any of them is added if a manifest lacks it). A copy without the ×2 photo network checks the
message for a model that lacks the chosen scale. The fixture plugin also runs through the CLI with
``--set model=photo``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from onnx_fixtures import flat_upscaler_model
from PIL import Image

from plugins import registry
from plugins.errors import ParamError
from plugins.filters.upscale.filter import model_key
from plugins.pipeline import apply_filter
from plugins.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "filters" / "upscale"
SCALE_OF = re.compile(r"x(\d)\.onnx$")
#: (model, scale) the fixture manifest has: the shipped manifest's networks, with any of these added.
NETWORKS = (("faithful", 2), ("faithful", 4), ("photo", 2), ("photo", 4))
MODEL_PARAM = """[[params]]
name = "model"
type = "choice"
choices = ["faithful", "photo"]
labels = ["Faithful", "Photo (sharp)"]
default = "faithful"
label = "Model"
help = "Faithful: the smallest pixel error. Photo: crisper edges and textures, some of them invented."

"""


def flat_value(key: str) -> float:
    """A distinct output value per network (by its manifest key)."""
    keys = sorted(model_key(m, s) for m, s in NETWORKS)
    return 0.1 + 0.8 * keys.index(key) / len(keys)


def expected(model: str, scale: int) -> int:
    """The uint8 level the fixture network of ``model`` at ``scale`` paints."""
    return round(flat_value(model_key(model, scale)) * 255)


def build_fixture(folder: Path, plugin_id: str, drop: tuple[str, ...] = ()) -> registry.FilterEntry:
    """The real upscale plugin (manifest, filter module) under ``plugin_id`` in ``folder``, with flat
    fixture models for every network of :data:`NETWORKS` except the manifest keys in ``drop``."""
    folder.mkdir()
    for name in ("__init__.py", "filter.py"):
        shutil.copy(PLUGIN / name, folder / name)
    manifest = (PLUGIN / "manifest.toml").read_text(encoding="utf-8")
    manifest = manifest.replace('id = "upscale"', f'id = "{plugin_id}"', 1)
    extra = ""
    for model, scale in NETWORKS:
        key = model_key(model, scale)
        if f'key = "{key}"' not in manifest:
            extra += f'[[models]]\nfile = "upscale_{key}.onnx"\nsha256 = ""\nkey = "{key}"\n\n'
    if 'name = "model"' not in manifest:
        extra += MODEL_PARAM
    cut = manifest.index("[translations")
    manifest = manifest[:cut] + extra + manifest[cut:]
    for key in drop:
        manifest = re.sub(rf'\[\[models\]\]\s*file = "[^"]+"\s*sha256 = "[0-9a-f]*"\s*key = "{key}"\s*', "",
                          manifest)
    for file, key in re.findall(r'file = "([^"]+)"\s*sha256 = "[0-9a-f]*"\s*key = "([^"]+)"', manifest):
        data = flat_upscaler_model(int(SCALE_OF.search(file).group(1)), flat_value(key))
        (folder / file).write_bytes(data)
        manifest = re.sub(rf'(file = "{re.escape(file)}"\s*sha256 = ")[0-9a-f]*"',
                          rf'\g<1>{hashlib.sha256(data).hexdigest()}"', manifest)
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    entry = registry.load_entry(folder, "user")
    assert entry.usable, entry.status_text()
    return entry


@pytest.fixture(scope="module")
def fixture_entry(tmp_path_factory):
    """The real upscale plugin with flat fixture models under another id."""
    return build_fixture(tmp_path_factory.mktemp("plugins") / "upscale_fixture", "upscale_fixture")


def test_manifest_offers_every_model_of_the_filter(fixture_entry):
    spec = fixture_entry.spec
    model = spec.param("model")
    assert model.default == "faithful"
    assert set(model.choices) == {m for m, _ in NETWORKS}
    assert {ref.key for ref in spec.models} == {model_key(m, s) for m, s in NETWORKS}


@pytest.mark.parametrize(("model", "scale"), NETWORKS)
def test_model_parameter_picks_the_file(fixture_entry, model, scale):
    pixels = np.full((9, 13, 4), 200, np.uint8)
    out = apply_filter(fixture_entry, pixels, raw_params={"scale": str(scale), "model": model},
                       runtime=Runtime("cpu"))
    assert out.shape == (9 * scale, 13 * scale, 4)
    assert np.abs(out[:, :, :3].astype(int) - expected(model, scale)).max() <= 1


def test_default_is_the_faithful_model(fixture_entry):
    out = apply_filter(fixture_entry, np.full((5, 6, 4), 90, np.uint8), raw_params={"scale": "4"},
                       runtime=Runtime("cpu"))
    assert abs(int(out[0, 0, 0]) - expected("faithful", 4)) <= 1


def test_a_missing_combination_is_a_parameter_error(tmp_path):
    dropped = model_key("photo", 2)
    entry = build_fixture(tmp_path / "upscale_no_photo_x2", "upscale_no_photo_x2", drop=(dropped,))
    assert {ref.key for ref in entry.spec.models} == {model_key(m, s) for m, s in NETWORKS} - {dropped}
    with pytest.raises(ParamError, match="the photo model upscales ×4 only"):
        apply_filter(entry, np.zeros((4, 4, 4), np.uint8), raw_params={"scale": "2", "model": "photo"},
                     runtime=Runtime("cpu"))
    out = apply_filter(entry, np.zeros((4, 4, 4), np.uint8), raw_params={"scale": "4", "model": "photo"},
                       runtime=Runtime("cpu"))
    assert abs(int(out[0, 0, 0]) - expected("photo", 4)) <= 1
    with pytest.raises(ParamError):
        entry.spec.parse_params({"model": "dreamy"})


def test_cli_photo_model_differs_from_faithful(tmp_path, fixture_entry):
    rng = np.random.default_rng(5)
    small = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    src = tmp_path / "in.png"
    Image.fromarray(np.asarray(Image.fromarray(small).resize((40, 30), Image.BICUBIC))).save(src)
    env = {**os.environ, "HOLST_PLUGIN_PATH": str(fixture_entry.folder.parent)}
    outputs = {}
    for model in ("faithful", "photo"):
        dst = tmp_path / f"{model}.png"
        cmd = [sys.executable, str(ROOT / "main.py"), "apply", "upscale_fixture", str(src), "-o", str(dst),
               "--set", "scale=4", "--set", f"model={model}"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        with Image.open(dst) as img:
            assert img.size == (160, 120)
            outputs[model] = np.asarray(img.convert("RGB"), dtype=int)
    for model, out in outputs.items():
        assert np.abs(out - expected(model, 4)).max() <= 1


def test_gui_form_offers_the_model_and_its_value_reaches_the_network(qtbot, fixture_entry):
    from PySide6.QtWidgets import QComboBox

    from editor.panels.params import ParamForm

    form = ParamForm(fixture_entry.spec, fixture_entry.folder)
    qtbot.addWidget(form)
    combo = form.editors["model"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Faithful", "Photo (sharp)"]
    assert form.values()["model"] == "faithful"
    form.set_value("model", "photo")
    form.set_value("scale", "4")
    out = apply_filter(fixture_entry, np.full((6, 7, 4), 120, np.uint8), params=form.values(),
                       runtime=Runtime("cpu"))
    assert abs(int(out[2, 3, 1]) - expected("photo", 4)) <= 1
