"""Small widget builders shared by the editor's dialogs and panels (one way to make each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QPushButton


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel buttons that accept and reject ``dialog`` (the caller places them)."""
    ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
    buttons = QDialogButtonBox(ok | cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def check_box(text: str, name: str, on_toggle: Callable[..., Any], checked: bool = False) -> QCheckBox:
    """A check box named ``name`` (tests find it by that), starting ``checked``, calling ``on_toggle``."""
    box = QCheckBox(text)
    box.setObjectName(name)
    box.setChecked(checked)
    box.toggled.connect(on_toggle)
    return box


def push_button(text: str, name: str, on_click: Callable[..., Any]) -> QPushButton:
    """A push button named ``name`` calling ``on_click``."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(on_click)
    return button
