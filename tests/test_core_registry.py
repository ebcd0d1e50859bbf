"""Discovery of built-in, user-folder and entry-point filters; broken plugins are listed, not fatal."""

import importlib.metadata
import re
import shutil
import sys

import numpy as np
import pytest

from plugins import registry
from plugins.errors import ModelMissingError, PluginError
from plugins.pipeline import apply_filter


def by_id(entries):
    return {e.id: e for e in entries}


def test_fixture_plugins_are_found_in_the_user_folder(test_plugins):
    entries = by_id(registry.all_filters())
    assert entries["test_blur"].usable and entries["test_blur"].source == "user"
    assert entries["test_double"].spec.output == "scaled"


def test_builtin_filters_are_listed_with_a_status(test_plugins):
    builtins = [e for e in registry.all_filters() if e.source == "builtin"]
    for entry in builtins:
        assert entry.status in ("ok", "untrained", "broken")
        assert entry.status == "ok" or entry.reason


def test_broken_plugins_are_reported_and_skipped(tmp_path, fixture_plugin_dir, monkeypatch):
    bad_toml = tmp_path / "bad_toml"
    bad_toml.mkdir()
    (bad_toml / "manifest.toml").write_text("id = = 1")
    bad_import = tmp_path / "bad_import"
    shutil.copytree(fixture_plugin_dir / "raises", bad_import)
    (bad_import / "manifest.toml").write_text((bad_import / "manifest.toml").read_text()
                                              .replace("test_raises", "bad_import"))
    (bad_import / "filter.py").write_text("import does_not_exist\n")
    missing = tmp_path / "missing_model"
    shutil.copytree(fixture_plugin_dir / "blur", missing)
    (missing / "manifest.toml").write_text((missing / "manifest.toml").read_text()
                                           .replace("test_blur", "missing_model"))
    (missing / "blur.onnx").unlink()
    tampered = tmp_path / "tampered"
    shutil.copytree(fixture_plugin_dir / "blur", tampered)
    (tampered / "manifest.toml").write_text((tampered / "manifest.toml").read_text()
                                            .replace("test_blur", "tampered"))
    with open(tampered / "blur.onnx", "ab") as handle:
        handle.write(b"\0")
    monkeypatch.setenv("HOLST_PLUGIN_PATH", str(tmp_path))
    entries = registry.discover()
    named = {e.folder.name: e for e in entries if e.source == "user"}
    assert named["bad_import"].status == "ok" and not named["bad_import"].imported  # no code run yet
    registry.load_modules(entries)
    assert named["bad_toml"].status == "broken" and "TOML" in named["bad_toml"].reason
    assert named["bad_import"].status == "broken" and "does_not_exist" in named["bad_import"].reason
    assert named["missing_model"].status == "untrained"
    assert named["missing_model"].status_text() == "model not trained yet"
    assert named["tampered"].status == "broken" and "SHA-256" in named["tampered"].reason
    registry.all_filters(refresh=True)
    with pytest.raises(ModelMissingError, match="not trained yet"):
        apply_filter(named["missing_model"], __import__("numpy").zeros((4, 4, 4), "uint8"))
    with pytest.raises(PluginError, match="SHA-256"):
        apply_filter(named["tampered"], __import__("numpy").zeros((4, 4, 4), "uint8"))


def test_duplicate_ids_are_broken(tmp_path, fixture_plugin_dir, monkeypatch):
    shutil.copytree(fixture_plugin_dir / "blur", tmp_path / "a")
    shutil.copytree(fixture_plugin_dir / "blur", tmp_path / "b")
    monkeypatch.setenv("HOLST_PLUGIN_PATH", str(tmp_path))
    statuses = sorted(e.status for e in registry.discover() if e.id == "test_blur")
    assert statuses == ["broken", "ok"]


def test_entry_point_plugins_are_loaded(tmp_path, fixture_plugin_dir, monkeypatch):
    package = tmp_path / "site" / "ep_filter"
    shutil.copytree(fixture_plugin_dir / "blur", package)
    (package / "manifest.toml").write_text((package / "manifest.toml").read_text()
                                           .replace("test_blur", "ep_blur"))
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    point = importlib.metadata.EntryPoint(name="ep_blur", value="ep_filter", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [point] if group == registry.ENTRY_POINT_GROUP else [])
    monkeypatch.setenv("HOLST_PLUGIN_PATH", "")
    entries = by_id(registry.discover())
    assert entries["ep_blur"].usable and entries["ep_blur"].source == "entry-point"
    assert entries["ep_blur"].module_name == "ep_filter.filter"
    assert "ep_filter" not in sys.modules  # found without importing it
    assert callable(entries["ep_blur"].module().run)
    sys.modules.pop("ep_filter", None)
    sys.modules.pop("ep_filter.filter", None)


def test_unknown_filter_names_the_available_ones(test_plugins):
    with pytest.raises(PluginError, match="unknown filter 'nope'.*test_blur"):
        registry.get("nope")


def _command_plugin(folder, lines_py: str, model: bool = False) -> None:
    folder.mkdir()
    models = '[[models]]\nfile = "net.onnx"\nsha256 = ""\n' if model else ""
    (folder / "manifest.toml").write_text(
        f'id = "{folder.name}"\nname = "C"\n{models}[[commands]]\nid = "draw"\nrole = "sketch-from-photo"\n'
        'call = "lines.py:draw"\n', encoding="utf-8")
    (folder / "filter.py").write_text("def run(ctx, image, mask, params):\n    return image\n",
                                      encoding="utf-8")
    (folder / "lines.py").write_text(lines_py, encoding="utf-8")


def test_plugin_commands_are_listed_without_running_code_and_imported_on_use(tmp_path, monkeypatch):
    _command_plugin(tmp_path / "cmd_ok", "import numpy as np\ndef draw(image):\n    return image[..., 0]\n",
                    model=True)  # its model is not trained: a model-free command still works
    _command_plugin(tmp_path / "cmd_exit", "import sys\nsys.exit(3)\n")
    monkeypatch.setenv("HOLST_PLUGIN_PATH", str(tmp_path))
    found = {entry.id: (entry, command) for entry, command in
             registry.commands("sketch-from-photo", registry.discover())}
    assert {"cmd_ok", "cmd_exit"} <= set(found)
    assert registry.commands("sketch-from-drawing", [found["cmd_ok"][0]]) == []
    entry, command = found["cmd_ok"]
    assert entry.status == "untrained" and not entry.imported
    assert entry.command(command)(np.full((2, 3, 3), 0.5, np.float32)).shape == (2, 3)
    entry, command = found["cmd_exit"]
    with pytest.raises(PluginError, match="sys.exit"):
        entry.command(command)
    assert entry.status == "broken"


def test_the_editor_reaches_no_filter_by_name():
    """What the editor offers besides filters comes from manifests ([[commands]]): its code imports no
    filter's module and names no built-in filter's id."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    ids = [folder.name for folder in (root / "plugins" / "filters").iterdir()
           if (folder / "manifest.toml").is_file()]
    for path in (root / "editor").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "plugins.filters" not in text, path
        assert not [i for i in ids if f'"{i}"' in text or f"'{i}'" in text], path


def _borrower(lender, folder, plugin: str, file: str, sha256: str) -> None:
    """A copy of the blur fixture that keeps no model itself and reads ``file`` from filter ``plugin``."""
    shutil.copytree(lender, folder, ignore=shutil.ignore_patterns("*.onnx"))
    text = (folder / "manifest.toml").read_text().replace('id = "test_blur"', f'id = "{folder.name}"')
    text = re.sub(r'\[\[models\]\]\nfile = "[^"]*"\nsha256 = "[0-9a-f]*"',
                  f'[[models]]\nfile = "{file}"\nplugin = "{plugin}"\nsha256 = "{sha256}"', text)
    (folder / "manifest.toml").write_text(text)


def test_a_model_can_be_read_from_another_filters_folder(tmp_path, fixture_plugin_dir, monkeypatch):
    lender = tmp_path / "lender"
    shutil.copytree(fixture_plugin_dir / "blur", lender)
    digest = registry.load_manifest(lender / "manifest.toml").models[0].sha256
    for name, plugin, file, sha in (("borrows", "test_blur", "blur.onnx", digest),
                                    ("lender_gone", "nobody", "blur.onnx", digest),
                                    ("escapes", "test_blur", "../escapes/filter.py", digest),
                                    ("wrong_hash", "test_blur", "blur.onnx", "0" * 64)):
        _borrower(lender, tmp_path / name, plugin, file, sha)
    _borrower(lender, tmp_path / "links_out", "test_blur", "link.onnx", digest)
    (lender / "link.onnx").symlink_to(tmp_path / "links_out" / "manifest.toml")  # confined after resolving
    monkeypatch.setenv("HOLST_PLUGIN_PATH", str(tmp_path))
    entries = {e.id: e for e in registry.discover() if e.source == "user"}
    borrower = entries["borrows"]
    assert borrower.status == "ok", borrower.reason
    assert not (borrower.folder / "blur.onnx").exists()      # one copy on disk, in the lender's folder
    assert entries["lender_gone"].status == "untrained" and "not installed" in entries["lender_gone"].reason
    assert entries["escapes"].status == "broken" and "leave the plugin's folder" in entries["escapes"].reason
    assert entries["links_out"].status == "broken" and "outside" in entries["links_out"].reason
    assert entries["wrong_hash"].status == "broken" and "SHA-256" in entries["wrong_hash"].reason
    registry.all_filters(refresh=True)
    assert registry.model_path(borrower, borrower.spec.models[0]) == (lender / "blur.onnx").resolve()
    out = apply_filter("borrows", np.full((8, 8, 4), 200, np.uint8))
    assert out.shape == (8, 8, 4)
