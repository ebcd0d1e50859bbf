"""Regenerate resources/i18n/holst_ru.ts from the editor's sources and compile holst_ru.qm.

    python resources/i18n/make_translations.py

Steps: ``pyside6-lupdate`` extracts every ``self.tr(...)`` string of editor/ into the .ts file
(keeping existing translations); the Russian texts below fill in what is missing; ``pyside6-lrelease``
compiles the .qm that editor/i18n.py loads. A source string without a Russian text here is reported
and left unfinished (Qt then shows the English text).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TS = HERE / "holst_ru.ts"
QM = HERE / "holst_ru.qm"

RU: dict[str, str] = {
    "Before": "До",
    "After": "После",
    "Choose a colour": "Выберите цвет",
    "Export image": "Экспорт изображения",
    "Browse…": "Обзор…",
    "8 bits per channel": "8 бит на канал",
    "16 bits per channel": "16 бит на канал",
    "Keep colour profile and EXIF": "Сохранить цветовой профиль и EXIF",
    "File": "Файл",
    "Format": "Формат",
    "Quality": "Качество",
    "Bit depth": "Глубина цвета",
    "Result to a new layer": "Результат на новый слой",
    "Replace the current layer": "Заменить текущий слой",
    "Defaults": "По умолчанию",
    "Preview": "Просмотр",
    "Show the filter on the visible part of the image, at screen resolution, before applying it":
        "Показать действие фильтра на видимой части изображения в экранном разрешении до применения",
    "Preview: ": "Просмотр: ",
    "Apply": "Применить",
    "Cancel": "Отмена",
    "Broken plugins": "Неисправные модули",
    "model not trained yet": "модель ещё не обучена",
    "broken": "неисправен",
    "Choose a filter.": "Выберите фильтр.",
    "Not available: ": "Недоступен: ",
    "Paint a mask over the area to change (mask brush, B).":
        "Закрасьте маской область, которую нужно изменить (кисть маски, B).",
    "Works on the sketch layer: draw with the pen (P) or extract edges.":
        "Работает со слоем эскиза: рисуйте пером (P) или извлеките контуры.",
    "Blend": "Наложение",
    "Opacity": "Непрозрачность",
    "Normal": "Обычный",
    "Multiply": "Умножение",
    "Screen": "Экран",
    "Overlay": "Перекрытие",
    "New empty layer": "Новый пустой слой",
    "Duplicate layer": "Дублировать слой",
    "Move layer up": "Поднять слой",
    "Move layer down": "Опустить слой",
    "Move layer": "Переместить слой",
    "Merge down": "Объединить с нижним",
    "Delete layer": "Удалить слой",
    "Tick to show, double-click to rename": "Галочка — видимость, двойной щелчок — переименовать",
    "Show layer": "Показать слой",
    "Hide layer": "Скрыть слой",
    "Rename layer": "Переименовать слой",
    "Blend mode": "Режим наложения",
    "Layer opacity": "Непрозрачность слоя",
    "Layer %1": "Слой %1",
    "New layer": "Новый слой",
    " copy": " (копия)",
    "Background": "Фон",
    "Mask brush stroke": "Мазок кистью маски",
    "Mask eraser stroke": "Мазок ластиком маски",
    "Sketch pen stroke": "Линия пера эскиза",
    "Sketch eraser stroke": "Мазок ластиком эскиза",
    "<opened image>": "<открытое изображение>",
    "Filters": "Фильтры",
    "Layers": "Слои",
    "History": "История",
    "Mask": "Маска",
    "Sketch": "Эскиз",
    "&Open…": "&Открыть…",
    "&New…": "&Создать…",
    "New image": "Новое изображение",
    "Width": "Ширина",
    "Height": "Высота",
    "&Save": "&Сохранить",
    "Save &As…": "Сохранить &как…",
    "&Export…": "&Экспорт…",
    "&Quit": "В&ыход",
    "&Undo": "&Отменить",
    "&Redo": "&Повторить",
    "&Paste as new layer": "&Вставить как новый слой",
    "Paste as new &image": "Вставить как новое &изображение",
    "&Preferences…": "&Настройки…",
    "Zoom &in": "&Увеличить",
    "Zoom &out": "У&меньшить",
    "&Fit in window": "&Вписать в окно",
    "&Actual size (100 %)": "&Реальный размер (100 %)",
    "&Compare before/after": "&Сравнить до/после",
    "Show &mask overlay": "Показывать &маску",
    "Select &all": "Выделить &всё",
    "&Deselect": "&Снять выделение",
    "&Invert selection": "&Инвертировать выделение",
    "&Flatten image": "&Свести изображение",
    "&Merge down": "&Объединить с нижним",
    "&New layer": "&Новый слой",
    "&Duplicate layer": "&Дублировать слой",
    "De&lete layer": "&Удалить слой",
    "Smaller brush": "Уменьшить кисть",
    "Bigger brush": "Увеличить кисть",
    "&About Holst": "&О программе Holst",
    "Mask brush": "Кисть маски",
    "Mask eraser": "Ластик маски",
    "Rectangle select": "Прямоугольное выделение",
    "Lasso select": "Лассо",
    "Sketch pen": "Перо эскиза",
    "Sketch eraser": "Ластик эскиза",
    "&File": "&Файл",
    "Open &recent": "&Недавние файлы",
    "&Edit": "&Правка",
    "&View": "&Вид",
    "&Select": "В&ыделение",
    "&Layer": "&Слой",
    "&Mask": "&Маска",
    "Filte&rs": "Фи&льтры",
    "&Help": "&Справка",
    "Tools": "Инструменты",
    "Tool options": "Параметры инструмента",
    "Size": "Размер",
    "Hardness": "Жёсткость",
    "Untitled": "Без имени",
    "The image has unsaved changes. Save them?": "В изображении есть несохранённые изменения. Сохранить их?",
    "Open image": "Открыть изображение",
    "Opening %1…": "Открывается %1…",
    "Opened %1": "Открыт файл %1",
    "(none)": "(нет)",
    "Save image": "Сохранить изображение",
    "Exported %1": "Экспортирован файл %1",
    "Saved %1": "Сохранён файл %1",
    "(layers flattened)": "(слои сведены)",
    "Saving %1…": "Сохраняется %1…",
    "Load mask": "Загрузить маску",
    "Save mask": "Сохранить маску",
    "Mask saved": "Маска сохранена",
    "The clipboard holds no image.": "В буфере обмена нет изображения.",
    "Pasted": "Вставка",
    "Paste": "Вставить",
    "%1 filters ready, %2 not available": "Фильтров готово: %1, недоступно: %2",
    "Running %1…": "Выполняется %1…",
    "Cancelling…": "Отмена…",
    "%1 applied": "Применён фильтр %1",
    "Cancelled — the image is unchanged.": "Отменено — изображение не изменилось.",
    "Cancelled — the image is unchanged. The filter did not stop by itself; it is left to end in the "
    "background and its result will be discarded.":
        "Отменено — изображение не изменилось. Фильтр не остановился сам; он завершится в фоне, "
        "а его результат будет отброшен.",
    "A damaged recovery session was set aside (%1).": "Повреждённый сеанс восстановления отложен (%1).",
    "Recovery skipped: ": "Восстановление пропущено: ",
    "The unsaved session could not be recovered and was set aside: ":
        "Несохранённый сеанс не удалось восстановить, он отложен: ",
    "Runs on %1": "Вычисления: %1",
    "No installed plugin draws a sketch from the photo.":
        "Ни один установленный модуль не рисует эскиз по фото.",
    "Load drawing": "Загрузить рисунок",
    "Brush size: %1 px": "Размер кисти: %1 пикс.",
    "Flatten image": "Свести изображение",
    "Preferences saved.": "Настройки сохранены.",
    "Autosave failed: ": "Автосохранение не удалось: ",
    "an untitled image": "безымянном изображении",
    "Holst did not close properly. Recover your unsaved work on %1?":
        "Holst был закрыт некорректно. Восстановить несохранённую работу над %1?",
    "Recovered the unsaved session.": "Несохранённый сеанс восстановлен.",
    "About Holst": "О программе Holst",
    "Holst — an image editor whose filters are neural networks trained by the Holst project, running "
    "locally with onnxruntime.":
        "Holst — редактор изображений, фильтры которого — нейронные сети, обученные проектом Holst; "
        "они работают локально через onnxruntime.",
    "Show mask overlay": "Показывать маску",
    "Invert": "Инвертировать",
    "Grow, shrink, feather by": "Расширить, сузить, растушевать на",
    "Clear": "Очистить",
    "Grow": "Расширить",
    "Shrink": "Сузить",
    "Feather": "Растушевать",
    "From selection": "Из выделения",
    "Load PNG…": "Загрузить PNG…",
    "Save PNG…": "Сохранить PNG…",
    "Invert mask": "Инвертировать маску",
    "Clear mask": "Очистить маску",
    "Grow mask": "Расширить маску",
    "Shrink mask": "Сузить маску",
    "Feather mask": "Растушевать маску",
    "Make a selection first (rectangle M, lasso L).": "Сначала выделите область (прямоугольник M, лассо L).",
    "Mask from selection": "Маска из выделения",
    "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp)":
        "Изображения (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp)",
    "Choose an image": "Выберите изображение",
    "Preferences": "Настройки",
    "Automatic (best available)": "Автоматически (лучший доступный)",
    "Filter default": "Как задано фильтром",
    "Tile edge for the filters that run in tiles, for Apply and the preview. Smaller tiles need less memory.":
        "Сторона плитки для фильтров, работающих по плиткам, при применении и в просмотре. "
        "Меньшим плиткам нужно меньше памяти.",
    "Not tiled: works on the whole image at once, whatever the tile size in Preferences.":
        "Без плиток: работает со всем изображением сразу, какой бы размер плитки ни был задан в настройках.",
    "Off": "Выкл.",
    "System": "Системная",
    "Light": "Светлая",
    "Dark": "Тёмная",
    "Execution provider": "Вычислитель",
    "Tile size": "Размер плитки",
    "Undo memory budget": "Память для истории",
    "Autosave every": "Автосохранение каждые",
    "Language": "Язык",
    "Theme": "Тема",
    "A new language is used after restarting Holst.": "Новый язык применится после перезапуска Holst.",
    "Show sketch layer": "Показывать слой эскиза",
    "Paper view (hide the photo)": "Только бумага (скрыть фото)",
    "Clear sketch": "Очистить эскиз",
    "Load drawing…": "Загрузить рисунок…",
    "Run &chain…": "Запустить &цепочку…",
    "Run chain": "Запуск цепочки фильтров",
    "Preset": "Набор",
    "Custom chain": "Своя цепочка",
    "Restore an old photo": "Восстановить старое фото",
    "Fills the scratches painted in the mask, colorizes, then doubles the size.":
        "Заполняет закрашенные маской царапины, раскрашивает, затем увеличивает вдвое.",
    "Filters, in the order they run:": "Фильтры в порядке выполнения:",
    "Add": "Добавить",
    "Remove": "Убрать",
    "Move up": "Выше",
    "Move down": "Ниже",
    "Add a filter to the chain.": "Добавьте фильтр в цепочку.",
    "Parameters of the selected filter": "Параметры выбранного фильтра",
    "Run": "Запустить",
    "Close": "Закрыть",
    "Add at least one filter.": "Добавьте хотя бы один фильтр.",
}

# Plural forms (one / few / many) for messages with %n.
RU_PLURAL: dict[str, tuple[str, str, str]] = {
    "Undo memory budget reached: the %n oldest step(s) were dropped.": (
        "Достигнут предел памяти истории: удалён %n самый старый шаг.",
        "Достигнут предел памяти истории: удалены %n самых старых шага.",
        "Достигнут предел памяти истории: удалено %n самых старых шагов."),
}


def fill(ts_path: Path) -> list[str]:
    """Write the Russian texts into the .ts file; returns the sources still untranslated."""
    tree = ET.parse(ts_path)
    root = tree.getroot()
    root.set("language", "ru_RU")
    missing = []
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        if message.get("numerus") == "yes" and source in RU_PLURAL:
            translation.attrib.pop("type", None)
            translation.text = None
            for child in list(translation):
                translation.remove(child)
            for form in RU_PLURAL[source]:
                ET.SubElement(translation, "numerusform").text = form
        elif source in RU:
            translation.attrib.pop("type", None)
            translation.text = RU[source]
        elif translation.get("type") != "vanished":
            missing.append(source)
    tree.write(ts_path, encoding="utf-8", xml_declaration=True)
    return missing


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "editor").rglob("*.py"))
    subprocess.run(["pyside6-lupdate", "-no-obsolete", *sources, "-ts", str(TS.relative_to(ROOT))],
                   cwd=ROOT, check=True)
    missing = fill(TS)
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(QM)], check=True)
    for source in missing:
        print(f"untranslated: {source!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
