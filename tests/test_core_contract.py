"""The manifest contract: parsing, validation and parameter checking."""

from pathlib import Path

import pytest

from plugins.contract import load_manifest
from plugins.errors import ParamError, PluginError

GOOD = '''
id = "demo"
name = "Demo"
output = "scaled"
[tiling]
tile = 128
overlap = 16
scale_param = "scale"
[[params]]
name = "scale"
type = "choice"
choices = ["2", "4"]
default = "4"
[[params]]
name = "amount"
type = "float"
min = 0.0
max = 2.0
default = 1.0
[[params]]
name = "seamless"
type = "bool"
[[params]]
name = "region"
type = "rect"
[[params]]
name = "tint"
type = "colour"
default = "#FF8800"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.toml"
    path.write_text(text)
    return path


def test_good_manifest_parses_with_typed_defaults(tmp_path):
    spec = load_manifest(write(tmp_path, GOOD))
    assert spec.id == "demo" and spec.output == "scaled"
    assert spec.defaults() == {"scale": "4", "amount": 1.0, "seamless": False, "region": None,
                               "tint": "#ff8800"}
    assert spec.output_scale(spec.defaults()) == 4


def test_cli_strings_are_parsed_and_checked(tmp_path):
    spec = load_manifest(write(tmp_path, GOOD))
    values = spec.parse_params({"scale": "2", "amount": "0.5", "seamless": "yes", "region": "1,2,30,40"})
    assert values["scale"] == "2" and values["amount"] == 0.5 and values["seamless"] is True
    assert values["region"] == (1, 2, 30, 40)
    assert spec.output_scale(values) == 2


@pytest.mark.parametrize("raw, words", [
    ({"scale": "3"}, "one of 2, 4"),
    ({"amount": "5"}, "between 0 and 2"),
    ({"amount": "lots"}, "expects a number"),
    ({"seamless": "maybe"}, "true or false"),
    ({"region": "1,2,3"}, "x,y,w,h"),
    ({"tint": "orange"}, "colour like"),
    ({"nope": "1"}, "has no parameter 'nope'"),
])
def test_bad_values_give_clear_messages(tmp_path, raw, words):
    spec = load_manifest(write(tmp_path, GOOD))
    with pytest.raises(ParamError, match=words):
        spec.parse_params(raw)


def test_an_untrained_model_may_have_no_hash_yet(tmp_path):
    spec = load_manifest(write(tmp_path, "id = 'x'\nname = 'x'\n[[models]]\nfile = 'a.onnx'\nsha256 = ''"))
    assert spec.models[0].sha256 == ""


def test_gui_values_are_coerced(tmp_path):
    spec = load_manifest(write(tmp_path, GOOD))
    assert spec.coerce_params({"amount": 2})["amount"] == 2.0
    with pytest.raises(ParamError):
        spec.coerce_params({"seamless": 1})


@pytest.mark.parametrize("text, words", [
    ("id = 'Bad Id'\nname = 'x'", "must match"),
    ("name = 'x'", "missing 'id'"),
    ("id = 'x'\nname = 'x'\ninput = 'video'", "input 'video'"),
    ("id = 'x'\nname = 'x'\n[[models]]\nfile = 'a.onnx'\nsha256 = 'abc'", "sha256"),
    ("id = 'x'\nname = 'x'\n[tiling]\ntile = 64\noverlap = 40", "overlap"),
    ("id = 'x'\nname = 'x'\n[tiling]\nmode = 'stripes'", "tiling.mode"),
    ("id = 'x'\nname = 'x'\n[tiling]\nmode = 'none'\ntile = 512", "takes no tile"),
    ("id = 'x'\nname = 'x'\n[[models]]\nfile = 'a.onnx'\nmultiple_of = 0", "multiple_of"),
    ("id = 'x'\nname = 'x'\n[[models]]\nfile = 'a.onnx'\n[[models]]\nfile = 'b.onnx'\nkey = 'a'", "same key"),
    ("id = 'x'\nname = 'x'\n[[params]]\nname = 'a'\ntype = 'float'\nmax = 1\ndefault = 3", "default"),
    ("id = 'x'\nname = = 'x'", "not valid TOML"),
])
def test_bad_manifests_are_plugin_errors(tmp_path, text, words):
    with pytest.raises(PluginError, match=words):
        load_manifest(write(tmp_path, text))


def test_manifest_texts_are_translated_from_their_translations_table(tmp_path):
    spec = load_manifest(write(tmp_path, GOOD + '\n[translations.ru]\n"Demo" = "Демо"\n'))
    assert spec.text("Demo", "ru") == "Демо"
    assert spec.text("Demo", "en") == "Demo"
    assert spec.text("Something else", "ru") == "Something else"     # untranslated: English


def test_a_translations_table_of_non_text_is_a_plugin_error(tmp_path):
    with pytest.raises(PluginError, match="translations"):
        load_manifest(write(tmp_path, GOOD + '\n[translations.ru]\n"Demo" = 3\n'))


def test_every_user_facing_text_of_the_built_in_filters_has_a_russian_translation():
    folders = sorted((Path(__file__).resolve().parents[1] / "plugins" / "filters").glob("*/manifest.toml"))
    assert folders  # every built-in filter, however many there are
    for path in folders:
        spec = load_manifest(path)
        texts = {spec.name, spec.category, spec.description}
        for command in spec.commands:
            texts |= {command.label, command.help}
        for param in [*spec.params, *(p for c in spec.commands for p in c.params)]:
            texts |= {param.label, param.help, *param.labels}
        texts.discard("")
        missing = sorted(t for t in texts if t not in spec.translations.get("ru", {}))
        assert not missing, f"{path.parent.name}: {missing[:3]}"


WITH_CONDITIONS = """
id = "x"
name = "x"
[[params]]
name = "picture"
type = "image"
[[params]]
name = "amount"
type = "float"
enabled_when = "picture"
[[params]]
name = "preset"
type = "choice"
choices = ["a", "b"]
enabled_when = "!picture"
"""


def test_enabled_when_says_which_parameters_a_run_uses(tmp_path):
    spec = load_manifest(write(tmp_path, WITH_CONDITIONS))
    amount, preset = spec.param("amount"), spec.param("preset")
    assert not amount.is_used({"picture": ""}) and preset.is_used({"picture": ""})
    assert amount.is_used({"picture": "p.png"}) and not preset.is_used({"picture": "p.png"})
    assert spec.param("picture").is_used({})


@pytest.mark.parametrize("condition", ["missing", "!missing", "amount"])
def test_enabled_when_must_name_another_parameter(tmp_path, condition):
    text = WITH_CONDITIONS.replace('enabled_when = "picture"', f'enabled_when = "{condition}"')
    with pytest.raises(PluginError, match="enabled_when"):
        load_manifest(write(tmp_path, text))


def test_tiling_mode_and_model_size_needs(tmp_path):
    spec = load_manifest(write(tmp_path, GOOD))
    assert spec.tiling.mode == "blend" and spec.tiling.tiled          # a [tiling] table without a mode
    plain = load_manifest(write(tmp_path, "id = 'x'\nname = 'x'\n[[models]]\nfile = 'net.onnx'\n"))
    assert plain.tiling.mode == "none" and not plain.tiling.tiled     # no table: not tiled
    assert plain.model("net").file == "net.onnx" and plain.model("net.onnx").key == "net"
    assert (plain.model("net").multiple_of, plain.model("net").min_side) == (1, 1)
    exact = load_manifest(write(tmp_path, "id = 'x'\nname = 'x'\n[tiling]\nmode = 'exact'\ntile = 256\n"
                                          "[[models]]\nfile = 'x4.onnx'\nkey = 'network'\nmultiple_of = 8\n"
                                          "min_side = 32\n"))
    assert (exact.tiling.mode, exact.tiling.tile, exact.tiling.overlap) == ("exact", 256, 32)
    ref = exact.model("network")
    assert (ref.file, ref.multiple_of, ref.min_side) == ("x4.onnx", 8, 32)
    with pytest.raises(PluginError, match="declares no model 'x2'"):
        exact.model("x2")


COMMANDS = """
id = "x"
name = "x"
[[commands]]
id = "draw"
role = "sketch-from-photo"
call = "lines.py:draw"
label = "Draw"
[[commands.params]]
name = "weight"
type = "float"
min = 0.5
max = 3.0
default = 1.0
"""


def test_commands_are_read_from_the_manifest(tmp_path):
    spec = load_manifest(write(tmp_path, COMMANDS))
    (command,) = spec.commands
    assert (command.id, command.role, command.module, command.function) == ("draw", "sketch-from-photo",
                                                                          "lines.py", "draw")
    assert command.coerce_params({"weight": 2}) == {"weight": 2.0}
    with pytest.raises(ParamError, match="between"):
        command.coerce_params({"weight": 9.0})
    with pytest.raises(ParamError, match="no parameter 'size'"):
        command.coerce_params({"size": 1})


@pytest.mark.parametrize(("change", "words"), [
    (("sketch-from-photo", "paint-the-sky"), "role"),
    (("lines.py:draw", "../lines.py:draw"), "call must be"),
    (("lines.py:draw", "lines.py"), "call must be"),
    (('id = "draw"', 'id = "Draw!"'), "command id"),
])
def test_a_bad_command_is_a_plugin_error(tmp_path, change, words):
    with pytest.raises(PluginError, match=words):
        load_manifest(write(tmp_path, COMMANDS.replace(*change)))


def test_two_commands_with_one_id_are_refused(tmp_path):
    twice = COMMANDS + COMMANDS[COMMANDS.index("[[commands]]"):COMMANDS.index("[[commands.params]]")]
    with pytest.raises(PluginError, match="same id"):
        load_manifest(write(tmp_path, twice))
