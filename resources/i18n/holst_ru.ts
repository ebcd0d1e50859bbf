<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
<context>
    <name>Canvas</name>
    <message>
        <location filename="../../editor/canvas.py" line="384" />
        <source>Before</source>
        <translation>До</translation>
    </message>
    <message>
        <location filename="../../editor/canvas.py" line="385" />
        <source>After</source>
        <translation>После</translation>
    </message>
</context>
<context>
    <name>ChainDialog</name>
    <message>
        <location filename="../../editor/chain_dialog.py" line="44" />
        <source>Restore an old photo</source>
        <translation>Восстановить старое фото</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="45" />
        <source>Fills the scratches painted in the mask, colorizes, then doubles the size.</source>
        <translation>Заполняет закрашенные маской царапины, раскрашивает, затем увеличивает вдвое.</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="63" />
        <source>Run chain</source>
        <translation>Запуск цепочки фильтров</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="69" />
        <source>Custom chain</source>
        <translation>Своя цепочка</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="86" />
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="89" />
        <source>Remove</source>
        <translation>Убрать</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="91" />
        <source>Move up</source>
        <translation>Выше</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="93" />
        <source>Move down</source>
        <translation>Ниже</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="101" />
        <source>Add a filter to the chain.</source>
        <translation>Добавьте фильтр в цепочку.</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="105" />
        <source>Parameters of the selected filter</source>
        <translation>Параметры выбранного фильтра</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="110" />
        <source>Result to a new layer</source>
        <translation>Результат на новый слой</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="111" />
        <source>Replace the current layer</source>
        <translation>Заменить текущий слой</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="117" />
        <location filename="../../editor/chain_dialog.py" line="252" />
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="120" />
        <source>Run</source>
        <translation>Запустить</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="130" />
        <source>Preset</source>
        <translation>Набор</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="134" />
        <source>Filters, in the order they run:</source>
        <translation>Фильтры в порядке выполнения:</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="237" />
        <source>Add at least one filter.</source>
        <translation>Добавьте хотя бы один фильтр.</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="252" />
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../editor/chain_dialog.py" line="268" />
        <source>Cancelled — the image is unchanged.</source>
        <translation>Отменено — изображение не изменилось.</translation>
    </message>
</context>
<context>
    <name>ColourButton</name>
    <message>
        <location filename="../../editor/panels/params.py" line="102" />
        <source>Choose a colour</source>
        <translation>Выберите цвет</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../editor/export_dialog.py" line="31" />
        <location filename="../../editor/export_dialog.py" line="82" />
        <source>Export image</source>
        <translation>Экспорт изображения</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="34" />
        <source>Browse…</source>
        <translation>Обзор…</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="49" />
        <source>8 bits per channel</source>
        <translation>8 бит на канал</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="50" />
        <source>16 bits per channel</source>
        <translation>16 бит на канал</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="52" />
        <source>Keep colour profile and EXIF</source>
        <translation>Сохранить цветовой профиль и EXIF</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="61" />
        <source>File</source>
        <translation>Файл</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="62" />
        <source>Format</source>
        <translation>Формат</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="63" />
        <source>Quality</source>
        <translation>Качество</translation>
    </message>
    <message>
        <location filename="../../editor/export_dialog.py" line="64" />
        <source>Bit depth</source>
        <translation>Глубина цвета</translation>
    </message>
</context>
<context>
    <name>FileActions</name>
    <message>
        <location filename="../../editor/window_files.py" line="95" />
        <source>The image has unsaved changes. Save them?</source>
        <translation>В изображении есть несохранённые изменения. Сохранить их?</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="124" />
        <location filename="../../editor/window_files.py" line="142" />
        <source>Background</source>
        <translation>Фон</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="128" />
        <source>Open image</source>
        <translation>Открыть изображение</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="138" />
        <source>Opening %1…</source>
        <translation>Открывается %1…</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="145" />
        <source>Opened %1</source>
        <translation>Открыт файл %1</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="158" />
        <source>(none)</source>
        <translation>(нет)</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="178" />
        <source>Save image</source>
        <translation>Сохранить изображение</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="222" />
        <source>Exported %1</source>
        <translation>Экспортирован файл %1</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="222" />
        <source>Saved %1</source>
        <translation>Сохранён файл %1</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="224" />
        <source>(layers flattened)</source>
        <translation>(слои сведены)</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="233" />
        <source>Saving %1…</source>
        <translation>Сохраняется %1…</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="243" />
        <location filename="../../editor/window_files.py" line="255" />
        <source>Load mask</source>
        <translation>Загрузить маску</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="264" />
        <source>Save mask</source>
        <translation>Сохранить маску</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="276" />
        <source>Mask saved</source>
        <translation>Маска сохранена</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="313" />
        <source>The clipboard holds no image.</source>
        <translation>В буфере обмена нет изображения.</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="321" />
        <location filename="../../editor/window_files.py" line="330" />
        <source>Pasted</source>
        <translation>Вставка</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="330" />
        <source>Paste</source>
        <translation>Вставить</translation>
    </message>
</context>
<context>
    <name>FilterActions</name>
    <message>
        <location filename="../../editor/window_filters.py" line="92" />
        <source>%1 filters ready, %2 not available</source>
        <extracomment>How long Cancel waits for a filter to stop by itself before abandoning it (the promise is 2 s). How long closing the window waits for jobs before abandoning them (the promise is 5 s in all). What a filter job computes: (runtime, tile size, progress, cancel token, notify) → result pixels.</extracomment>
        <translation>Фильтров готово: %1, недоступно: %2</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="198" />
        <source>Running %1…</source>
        <translation>Выполняется %1…</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="266" />
        <source>Preview: </source>
        <translation>Просмотр: </translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="282" />
        <source>Cancelling…</source>
        <translation>Отмена…</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="324" />
        <source>%1 applied</source>
        <translation>Применён фильтр %1</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="333" />
        <source>Cancelled — the image is unchanged. The filter did not stop by itself; it is left to end in the background and its result will be discarded.</source>
        <translation>Отменено — изображение не изменилось. Фильтр не остановился сам; он завершится в фоне, а его результат будет отброшен.</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="337" />
        <source>Cancelled — the image is unchanged.</source>
        <translation>Отменено — изображение не изменилось.</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="375" />
        <source>No installed plugin draws a sketch from the photo.</source>
        <translation>Ни один установленный модуль не рисует эскиз по фото.</translation>
    </message>
    <message>
        <location filename="../../editor/window_filters.py" line="381" />
        <location filename="../../editor/window_filters.py" line="406" />
        <source>Load drawing</source>
        <translation>Загрузить рисунок</translation>
    </message>
</context>
<context>
    <name>FiltersPanel</name>
    <message>
        <location filename="../../editor/panels/filters.py" line="57" />
        <source>Result to a new layer</source>
        <translation>Результат на новый слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="58" />
        <source>Replace the current layer</source>
        <translation>Заменить текущий слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="59" />
        <source>Preview</source>
        <translation>Просмотр</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="60" />
        <source>Show the filter on the visible part of the image, at screen resolution, before applying it</source>
        <translation>Показать действие фильтра на видимой части изображения в экранном разрешении до применения</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="62" />
        <source>Defaults</source>
        <translation>По умолчанию</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="64" />
        <source>Apply</source>
        <translation>Применить</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="66" />
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="93" />
        <source>Broken plugins</source>
        <translation>Неисправные модули</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="135" />
        <source>model not trained yet</source>
        <translation>модель ещё не обучена</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="136" />
        <source>broken</source>
        <translation>неисправен</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="174" />
        <source>Choose a filter.</source>
        <translation>Выберите фильтр.</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="179" />
        <source>Not available: </source>
        <translation>Недоступен: </translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="181" />
        <source>Paint a mask over the area to change (mask brush, B).</source>
        <translation>Закрасьте маской область, которую нужно изменить (кисть маски, B).</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="183" />
        <source>Works on the sketch layer: draw with the pen (P) or extract edges.</source>
        <translation>Работает со слоем эскиза: рисуйте пером (P) или извлеките контуры.</translation>
    </message>
    <message>
        <location filename="../../editor/panels/filters.py" line="185" />
        <source>Not tiled: works on the whole image at once, whatever the tile size in Preferences.</source>
        <translation>Без плиток: работает со всем изображением сразу, какой бы размер плитки ни был задан в настройках.</translation>
    </message>
</context>
<context>
    <name>LayersPanel</name>
    <message>
        <location filename="../../editor/panels/layers.py" line="82" />
        <source>Normal</source>
        <translation>Обычный</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="82" />
        <source>Multiply</source>
        <translation>Умножение</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="82" />
        <source>Screen</source>
        <translation>Экран</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="83" />
        <source>Overlay</source>
        <translation>Перекрытие</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="92" />
        <source>Blend</source>
        <translation>Наложение</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="93" />
        <source>Opacity</source>
        <translation>Непрозрачность</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="96" />
        <source>New empty layer</source>
        <translation>Новый пустой слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="97" />
        <location filename="../../editor/panels/layers.py" line="220" />
        <source>Duplicate layer</source>
        <translation>Дублировать слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="98" />
        <location filename="../../editor/panels/layers.py" line="229" />
        <source>Move layer up</source>
        <translation>Поднять слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="99" />
        <location filename="../../editor/panels/layers.py" line="233" />
        <source>Move layer down</source>
        <translation>Опустить слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="100" />
        <location filename="../../editor/panels/layers.py" line="240" />
        <source>Merge down</source>
        <translation>Объединить с нижним</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="101" />
        <location filename="../../editor/panels/layers.py" line="225" />
        <source>Delete layer</source>
        <translation>Удалить слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="150" />
        <source>Tick to show, double-click to rename</source>
        <translation>Галочка — видимость, двойной щелчок — переименовать</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="179" />
        <source>Show layer</source>
        <translation>Показать слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="179" />
        <source>Hide layer</source>
        <translation>Скрыть слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="182" />
        <source>Rename layer</source>
        <translation>Переименовать слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="191" />
        <source>Move layer</source>
        <translation>Переместить слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="199" />
        <source>Blend mode</source>
        <translation>Режим наложения</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="206" />
        <source>Layer opacity</source>
        <translation>Непрозрачность слоя</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="212" />
        <source>Layer %1</source>
        <translation>Слой %1</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="213" />
        <source>New layer</source>
        <translation>Новый слой</translation>
    </message>
    <message>
        <location filename="../../editor/panels/layers.py" line="219" />
        <source> copy</source>
        <translation> (копия)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../editor/main_window.py" line="111" />
        <source>Background</source>
        <translation>Фон</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="121" />
        <source>Mask brush stroke</source>
        <translation>Мазок кистью маски</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="123" />
        <source>Mask eraser stroke</source>
        <translation>Мазок ластиком маски</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="125" />
        <source>Sketch pen stroke</source>
        <translation>Линия пера эскиза</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="127" />
        <source>Sketch eraser stroke</source>
        <translation>Мазок ластиком эскиза</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="147" />
        <source>&lt;opened image&gt;</source>
        <translation>&lt;открытое изображение&gt;</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="148" />
        <source>Filters</source>
        <translation>Фильтры</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="149" />
        <source>Layers</source>
        <translation>Слои</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="150" />
        <source>History</source>
        <translation>История</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="151" />
        <source>Mask</source>
        <translation>Маска</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="152" />
        <source>Sketch</source>
        <translation>Эскиз</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="189" />
        <source>&amp;New…</source>
        <translation>&amp;Создать…</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="190" />
        <source>&amp;Open…</source>
        <translation>&amp;Открыть…</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="191" />
        <source>&amp;Save</source>
        <translation>&amp;Сохранить</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="192" />
        <source>Save &amp;As…</source>
        <translation>Сохранить &amp;как…</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="193" />
        <source>&amp;Export…</source>
        <translation>&amp;Экспорт…</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="194" />
        <source>&amp;Quit</source>
        <translation>В&amp;ыход</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="195" />
        <source>&amp;Undo</source>
        <translation>&amp;Отменить</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="198" />
        <source>&amp;Redo</source>
        <translation>&amp;Повторить</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="203" />
        <source>&amp;Paste as new layer</source>
        <translation>&amp;Вставить как новый слой</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="204" />
        <source>Paste as new &amp;image</source>
        <translation>Вставить как новое &amp;изображение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="206" />
        <source>&amp;Preferences…</source>
        <translation>&amp;Настройки…</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="207" />
        <source>Zoom &amp;in</source>
        <translation>&amp;Увеличить</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="209" />
        <source>Zoom &amp;out</source>
        <translation>У&amp;меньшить</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="211" />
        <source>&amp;Fit in window</source>
        <translation>&amp;Вписать в окно</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="212" />
        <source>&amp;Actual size (100 %)</source>
        <translation>&amp;Реальный размер (100 %)</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="213" />
        <source>&amp;Compare before/after</source>
        <translation>&amp;Сравнить до/после</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="216" />
        <source>Show &amp;mask overlay</source>
        <translation>Показывать &amp;маску</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="220" />
        <source>Select &amp;all</source>
        <translation>Выделить &amp;всё</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="221" />
        <source>&amp;Deselect</source>
        <translation>&amp;Снять выделение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="222" />
        <source>&amp;Invert selection</source>
        <translation>&amp;Инвертировать выделение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="224" />
        <source>&amp;Flatten image</source>
        <translation>&amp;Свести изображение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="225" />
        <source>&amp;Merge down</source>
        <translation>&amp;Объединить с нижним</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="226" />
        <source>&amp;New layer</source>
        <translation>&amp;Новый слой</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="228" />
        <source>&amp;Duplicate layer</source>
        <translation>&amp;Дублировать слой</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="230" />
        <source>De&amp;lete layer</source>
        <translation>&amp;Удалить слой</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="231" />
        <source>Smaller brush</source>
        <translation>Уменьшить кисть</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="233" />
        <source>Bigger brush</source>
        <translation>Увеличить кисть</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="235" />
        <source>&amp;About Holst</source>
        <translation>&amp;О программе Holst</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="236" />
        <source>Run &amp;chain…</source>
        <translation>Запустить &amp;цепочку…</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="241" />
        <source>Mask brush</source>
        <translation>Кисть маски</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="242" />
        <source>Mask eraser</source>
        <translation>Ластик маски</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="243" />
        <source>Rectangle select</source>
        <translation>Прямоугольное выделение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="244" />
        <source>Lasso select</source>
        <translation>Лассо</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="245" />
        <source>Sketch pen</source>
        <translation>Перо эскиза</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="246" />
        <source>Sketch eraser</source>
        <translation>Ластик эскиза</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="255" />
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="258" />
        <source>Open &amp;recent</source>
        <translation>&amp;Недавние файлы</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="265" />
        <source>&amp;Edit</source>
        <translation>&amp;Правка</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="273" />
        <source>&amp;View</source>
        <translation>&amp;Вид</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="283" />
        <source>&amp;Select</source>
        <translation>В&amp;ыделение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="289" />
        <source>&amp;Layer</source>
        <translation>&amp;Слой</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="293" />
        <source>&amp;Mask</source>
        <translation>&amp;Маска</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="301" />
        <source>Filte&amp;rs</source>
        <translation>Фи&amp;льтры</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="303" />
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="307" />
        <source>Tools</source>
        <translation>Инструменты</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="316" />
        <source>Tool options</source>
        <translation>Параметры инструмента</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="330" />
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="330" />
        <source>Hardness</source>
        <translation>Жёсткость</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="331" />
        <source>Opacity</source>
        <translation>Непрозрачность</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="352" />
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message numerus="yes">
        <location filename="../../editor/main_window.py" line="397" />
        <source>Undo memory budget reached: the %n oldest step(s) were dropped.</source>
        <translation><numerusform>Достигнут предел памяти истории: удалён %n самый старый шаг.</numerusform><numerusform>Достигнут предел памяти истории: удалены %n самых старых шага.</numerusform><numerusform>Достигнут предел памяти истории: удалено %n самых старых шагов.</numerusform></translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="408" />
        <source>Untitled</source>
        <translation>Без имени</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="481" />
        <source>Brush size: %1 px</source>
        <translation>Размер кисти: %1 пикс.</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="520" />
        <source>Flatten image</source>
        <translation>Свести изображение</translation>
    </message>
    <message>
        <location filename="../../editor/main_window.py" line="569" />
        <source>Runs on %1</source>
        <translation>Вычисления: %1</translation>
    </message>
</context>
<context>
    <name>MaskPanel</name>
    <message>
        <location filename="../../editor/panels/mask.py" line="35" />
        <source>Show mask overlay</source>
        <translation>Показывать маску</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="42" />
        <source>Invert</source>
        <translation>Инвертировать</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="42" />
        <source>Clear</source>
        <translation>Очистить</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="43" />
        <source>Grow</source>
        <translation>Расширить</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="43" />
        <source>Shrink</source>
        <translation>Сузить</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="44" />
        <source>Feather</source>
        <translation>Растушевать</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="45" />
        <source>From selection</source>
        <translation>Из выделения</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="46" />
        <source>Load PNG…</source>
        <translation>Загрузить PNG…</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="47" />
        <source>Save PNG…</source>
        <translation>Сохранить PNG…</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="56" />
        <source>Grow, shrink, feather by</source>
        <translation>Расширить, сузить, растушевать на</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="70" />
        <source>Invert mask</source>
        <translation>Инвертировать маску</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="73" />
        <source>Clear mask</source>
        <translation>Очистить маску</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="76" />
        <source>Grow mask</source>
        <translation>Расширить маску</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="79" />
        <source>Shrink mask</source>
        <translation>Сузить маску</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="82" />
        <source>Feather mask</source>
        <translation>Растушевать маску</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="86" />
        <source>Make a selection first (rectangle M, lasso L).</source>
        <translation>Сначала выделите область (прямоугольник M, лассо L).</translation>
    </message>
    <message>
        <location filename="../../editor/panels/mask.py" line="89" />
        <source>Mask from selection</source>
        <translation>Маска из выделения</translation>
    </message>
</context>
<context>
    <name>NewImageDialog</name>
    <message>
        <location filename="../../editor/window_files.py" line="51" />
        <source>New image</source>
        <translation>Новое изображение</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="58" />
        <source>Width</source>
        <translation>Ширина</translation>
    </message>
    <message>
        <location filename="../../editor/window_files.py" line="59" />
        <source>Height</source>
        <translation>Высота</translation>
    </message>
</context>
<context>
    <name>ParamForm</name>
    <message>
        <location filename="../../editor/panels/params.py" line="242" />
        <source>Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp)</source>
        <translation>Изображения (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp)</translation>
    </message>
</context>
<context>
    <name>PathEditor</name>
    <message>
        <location filename="../../editor/panels/params.py" line="130" />
        <source>Browse…</source>
        <translation>Обзор…</translation>
    </message>
    <message>
        <location filename="../../editor/panels/params.py" line="135" />
        <source>Choose an image</source>
        <translation>Выберите изображение</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../editor/preferences.py" line="109" />
        <source>Preferences</source>
        <extracomment>What the dialog's spin boxes allow; a settings file edited by hand is clamped to the same ranges.</extracomment>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="113" />
        <source>Automatic (best available)</source>
        <translation>Автоматически (лучший доступный)</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="120" />
        <source>Filter default</source>
        <translation>Как задано фильтром</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="123" />
        <source>Tile edge for the filters that run in tiles, for Apply and the preview. Smaller tiles need less memory.</source>
        <translation>Сторона плитки для фильтров, работающих по плиткам, при применении и в просмотре. Меньшим плиткам нужно меньше памяти.</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="134" />
        <source>Off</source>
        <translation>Выкл.</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="144" />
        <source>System</source>
        <translation>Системная</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="144" />
        <source>Light</source>
        <translation>Светлая</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="144" />
        <source>Dark</source>
        <translation>Тёмная</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="148" />
        <source>Execution provider</source>
        <translation>Вычислитель</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="149" />
        <source>Tile size</source>
        <translation>Размер плитки</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="150" />
        <source>Undo memory budget</source>
        <translation>Память для истории</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="151" />
        <source>Autosave every</source>
        <translation>Автосохранение каждые</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="152" />
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="153" />
        <source>Theme</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../editor/preferences.py" line="154" />
        <source>A new language is used after restarting Holst.</source>
        <translation>Новый язык применится после перезапуска Holst.</translation>
    </message>
</context>
<context>
    <name>RectEditor</name>
    <message>
        <location filename="../../editor/panels/params.py" line="147" />
        <source>From selection</source>
        <translation>Из выделения</translation>
    </message>
</context>
<context>
    <name>SessionKeeper</name>
    <message>
        <location filename="../../editor/window_session.py" line="52" />
        <source>Preferences saved.</source>
        <translation>Настройки сохранены.</translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="71" />
        <source>Autosave failed: </source>
        <translation>Автосохранение не удалось: </translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="84" />
        <source>Recovery skipped: </source>
        <translation>Восстановление пропущено: </translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="91" />
        <source>A damaged recovery session was set aside (%1).</source>
        <translation>Повреждённый сеанс восстановления отложен (%1).</translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="97" />
        <source>an untitled image</source>
        <translation>безымянном изображении</translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="100" />
        <source>Holst did not close properly. Recover your unsaved work on %1?</source>
        <translation>Holst был закрыт некорректно. Восстановить несохранённую работу над %1?</translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="112" />
        <source>The unsaved session could not be recovered and was set aside: </source>
        <translation>Несохранённый сеанс не удалось восстановить, он отложен: </translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="118" />
        <source>Recovered the unsaved session.</source>
        <translation>Несохранённый сеанс восстановлен.</translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="122" />
        <source>About Holst</source>
        <translation>О программе Holst</translation>
    </message>
    <message>
        <location filename="../../editor/window_session.py" line="123" />
        <source>Holst — an image editor whose filters are neural networks trained by the Holst project, running locally with onnxruntime.</source>
        <translation>Holst — редактор изображений, фильтры которого — нейронные сети, обученные проектом Holst; они работают локально через onnxruntime.</translation>
    </message>
</context>
<context>
    <name>SketchPanel</name>
    <message>
        <location filename="../../editor/panels/sketch.py" line="45" />
        <source>Show sketch layer</source>
        <translation>Показывать слой эскиза</translation>
    </message>
    <message>
        <location filename="../../editor/panels/sketch.py" line="46" />
        <source>Paper view (hide the photo)</source>
        <translation>Только бумага (скрыть фото)</translation>
    </message>
    <message>
        <location filename="../../editor/panels/sketch.py" line="52" />
        <location filename="../../editor/panels/sketch.py" line="105" />
        <source>Clear sketch</source>
        <extracomment>one (command, button, form) per contributed command, in discovery order (see set_commands) the first command's button (the usual "extract edges from photo"), None when no plugin offers one</extracomment>
        <translation>Очистить эскиз</translation>
    </message>
    <message>
        <location filename="../../editor/panels/sketch.py" line="53" />
        <source>Load drawing…</source>
        <translation>Загрузить рисунок…</translation>
    </message>
</context>
</TS>