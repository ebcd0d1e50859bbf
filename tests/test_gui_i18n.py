"""The Russian translation: compiled, complete, and used by the real window."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from helpers_gui import make_window
from PySide6.QtWidgets import QApplication

from editor.i18n import I18N_DIR, install_translation


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
    for translator in translators:
        app.removeTranslator(translator)


def test_window_speaks_russian(qtbot, tmp_path, russian):
    assert russian, "holst_ru.qm did not load"
    window = make_window(qtbot, tmp_path)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[:3] == ["&Файл", "&Правка", "&Вид"]
    assert window.filters_panel.apply_button.text() == "Применить"
    assert window.layers_panel.blend.itemText(1) == "Умножение"
    assert window.filters_dock.windowTitle() == "Фильтры"


def test_strings_of_the_window_mixins_are_translated(qtbot, tmp_path, russian):
    window = make_window(qtbot, tmp_path)
    assert window.tr("Opened %1") == "Открыт файл %1"              # FilesMixin
    assert window.tr("Cancelling…") == "Отмена…"                    # FiltersMixin
    assert window.tr("Preferences saved.") == "Настройки сохранены."  # SessionMixin
