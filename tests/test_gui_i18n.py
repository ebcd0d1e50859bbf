"""The Russian translation: compiled, complete, and used by the real window."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from helpers_gui import make_window
from PySide6.QtWidgets import QApplication

from editor.i18n import I18N_DIR, install_translation, remove_translation


def test_ts_file_is_complete():
    root = ET.parse(I18N_DIR / "holst_ru.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 150
    unfinished = [m.findtext("source") for m in messages
                  if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []


def test_qm_is_compiled_from_the_current_ts():
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(I18N_DIR / "holst_ru.qm"))
    root = ET.parse(I18N_DIR / "holst_ru.ts").getroot()
    for context in root.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            if message.get("numerus") == "yes":
                continue
            source, wanted = message.findtext("source"), message.findtext("translation")
            assert translator.translate(name, source) == wanted, (name, source)


@pytest.fixture
def russian():
    app = QApplication.instance()
    translators = install_translation(app, "ru")
    yield translators
    remove_translation(app, translators)


def test_window_speaks_russian(qtbot, tmp_path, russian):
    assert russian, "holst_ru.qm did not load"
    window = make_window(qtbot, tmp_path)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[:3] == ["&Файл", "&Правка", "&Вид"]
    assert window.filters_panel.apply_button.text() == "Применить"
    assert window.layers_panel.blend.itemText(1) == "Умножение"
    assert window.filters_dock.windowTitle() == "Фильтры"


def test_filter_names_and_parameters_speak_russian_too(qtbot, tmp_path, russian):
    window = make_window(qtbot, tmp_path)
    panel = window.filters_panel
    assert panel.select("stylize")
    item = panel.tree.currentItem()
    assert item.text(0) == "Стилизация"
    assert item.parent().text(0) == "Художественные"
    form = panel.form.layout()
    labels = [form.labelForField(editor).text() for editor in panel.form.editors.values()]
    assert "Сила" in labels and "Размер мазка" in labels
    style = panel.form.editors["style"]
    assert style.itemText(style.findData("starry_night")) == "Звёздная ночь (Ван Гог)"
    assert "Стилизация" in [a.text() for a in window.filters_menu.actions()]


def test_strings_of_the_window_collaborators_are_translated(qtbot, tmp_path, russian):
    window = make_window(qtbot, tmp_path)
    assert window.files.tr("Opened %1") == "Открыт файл %1"              # FileActions
    assert window.filters.tr("Cancelling…") == "Отмена…"                    # FilterActions
    assert window.session.tr("Preferences saved.") == "Настройки сохранены."  # SessionKeeper


def test_every_interface_string_is_in_the_ts(tmp_path):
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("pyside6-lupdate") is None:
        pytest.skip("pyside6-lupdate is not installed")
    root = Path(__file__).resolve().parents[1]
    sources = sorted(str(p) for p in (root / "editor").rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run(["pyside6-lupdate", *sources, "-ts", str(fresh)], check=True, capture_output=True)

    def strings(path):
        return {(c.findtext("name"), m.findtext("source"))
                for c in ET.parse(path).getroot().iter("context") for m in c.iter("message")}

    missing = strings(fresh) - strings(I18N_DIR / "holst_ru.ts")
    assert not missing, f"run resources/i18n/make_translations.py; new strings: {sorted(missing)[:5]}"
